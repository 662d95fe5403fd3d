// cw_fn_recip - 1/v for 0 < v < 2^63: cw_hls_recip() of hls/cw_math.c, bit
// exact. Returns r in (2^29, 2^30] and e with 1/v = r * 2^e.
//
//   b = bitlen(v), sh = b - 31, m = v / 2^sh (or v * 2^-sh) in [2^30, 2^31)
//   r = recip.hex[m[29:22]] (Q30 seed), then twice:
//       t = 2^31 - (m * r >> 30);  r = r * t >> 30
//   e = -60 - sh
//
// Timing: a pure pipeline, one result per cycle, LATENCY = 6: the v given
// in cycle c gives r and e in cycle c + 6 (stages: normalize; seed read;
// then one stage per product of the two Newton steps). No reset: the
// registers only carry data. Table rtl/tables/recip.hex.
//
// SHARED = 1: the four products share one 31x32 multiplier (4 MULT18X18D
// instead of 16 on ECP5). Same stages and latency, but only the v given
// with `start` high is computed (its products run in cycles c+2 .. c+5),
// so starts must be at least 4 cycles apart; `start` and `rst` (which clears
// the start history, so that a start right after a reset is legal) are
// unused otherwise.
`default_nettype none

module cw_fn_recip #(
    parameter integer SHARED = 0   // 1: one multiplier, one v per start
) (
    input  wire        clk,
    input  wire        rst,     // SHARED = 1: clears the start history
    input  wire        start,   // SHARED = 1: v is an input to compute
    input  wire [62:0] v,       // 0 < v < 2^63
    output wire [30:0] r,       // <= 2^30
    output wire signed [15:0] e
);
    reg [29:0] tab [0:255];
`ifdef CW_TABLE_DIR   // the table folder's absolute path (the Verilated device, any working directory)
    initial $readmemh({`CW_TABLE_DIR, "/recip.hex"}, tab);
`else
    initial $readmemh("rtl/tables/recip.hex", tab);
`endif

    // Stage 1: normalize to m in [2^30, 2^31).
    wire [6:0] b;
    cw_fn_bitlen u_bitlen (
        .v  ({1'b0, v}),
        .len(b)
    );
    wire [63:0] vr = {1'b0, v} >> (b - 7'd31);      // b >= 31
    wire [63:0] vl = {1'b0, v} << (7'd31 - b);      // b < 31
    reg  [30:0] m1_q;
    reg  signed [7:0] sh1_q;
    always @(posedge clk) begin
        m1_q  <= b >= 7'd31 ? vr[30:0] : vl[30:0];
        sh1_q <= $signed({1'b0, b}) - 8'sd31;
    end

    // Stage 2: the seed.
    reg [30:0] m2_q;
    reg [29:0] r2_q;
    reg signed [7:0] sh2_q;
    always @(posedge clk) begin
        r2_q  <= tab[m1_q[29:22]];
        m2_q  <= m1_q;
        sh2_q <= sh1_q;
    end

    // Stages 3..6: Newton steps, one product per stage. All operands are
    // positive: m < 2^31, r <= 2^30, m*r <= 2^61 so t in [2^30, 2^31].
    reg [30:0] m3_q, m4_q, m5_q;
    reg [30:0] r3_q, r4_q, r5_q, r6_q;
    reg [31:0] t3_q, t5_q;
    reg signed [7:0] sh3_q, sh4_q, sh5_q, sh6_q;
    wire [61:0] mr3;
    wire [62:0] rt4;
    wire [61:0] mr5;
    wire [62:0] rt6;
    generate
        if (SHARED != 0) begin : g_one
            // start delayed by 1..5: the product of stage k+1 runs when d_q[k-1]
            reg  [4:0]  d_q;
            reg  [30:0] mul_a;
            reg  [31:0] mul_b;
            always @(posedge clk) d_q <= rst ? 5'd0 : {d_q[3:0], start};
            always @* begin
                if (d_q[2])      begin mul_a = r3_q; mul_b = t3_q;          end  // c+3
                else if (d_q[3]) begin mul_a = m4_q; mul_b = {1'b0, r4_q};  end  // c+4
                else if (d_q[4]) begin mul_a = r5_q; mul_b = t5_q;          end  // c+5
                else             begin mul_a = m2_q; mul_b = {2'b0, r2_q};  end  // c+2
            end
            wire [62:0] prod = {32'd0, mul_a} * {31'd0, mul_b};
            assign mr3 = prod[61:0];
            assign rt4 = prod;
            assign mr5 = prod[61:0];
            assign rt6 = prod;
            wire unused_sh = &{1'b0, d_q[1:0], prod[62]};
`ifndef SYNTHESIS
            // the products of a start occupy the multiplier for 4 cycles
            always @(posedge clk)
                if (!rst)
                    assert (!(start && |d_q[2:0]))
                        else $error("cw_fn_recip: SHARED starts less than 4 cycles apart");
`endif
        end else begin : g_four
            assign mr3 = {31'd0, m2_q} * {32'd0, r2_q};
            assign rt4 = {32'd0, r3_q} * {31'd0, t3_q};
            assign mr5 = {31'd0, m4_q} * {31'd0, r4_q};
            assign rt6 = {32'd0, r5_q} * {31'd0, t5_q};
            wire unused_st = &{1'b0, start, rst};
        end
    endgenerate
    always @(posedge clk) begin
        t3_q  <= 32'h80000000 - mr3[61:30];
        r3_q  <= {1'b0, r2_q};
        m3_q  <= m2_q;
        sh3_q <= sh2_q;
        r4_q  <= rt4[60:30];
        m4_q  <= m3_q;
        sh4_q <= sh3_q;
        t5_q  <= 32'h80000000 - mr5[61:30];
        r5_q  <= r4_q;
        m5_q  <= m4_q;
        sh5_q <= sh4_q;
        r6_q  <= rt6[60:30];
        sh6_q <= sh5_q;
    end
    assign r = r6_q;
    assign e = -16'sd60 - {{8{sh6_q[7]}}, sh6_q};

    wire unused = &{1'b0, m5_q, vr[63:31], vl[63:31], mr3[29:0], mr5[29:0], rt4[62:61], rt4[29:0], rt6[62:61],
                    rt6[29:0]};
endmodule

`default_nettype wire
