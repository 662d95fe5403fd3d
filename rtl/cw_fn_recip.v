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
`default_nettype none

module cw_fn_recip (
    input  wire        clk,
    input  wire [62:0] v,       // 0 < v < 2^63
    output wire [30:0] r,       // <= 2^30
    output wire signed [15:0] e
);
    reg [29:0] tab [0:255];
    initial $readmemh("rtl/tables/recip.hex", tab);

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
    wire [61:0] mr3 = {31'd0, m2_q} * {32'd0, r2_q};
    wire [62:0] rt4 = {32'd0, r3_q} * {31'd0, t3_q};
    wire [61:0] mr5 = {31'd0, m4_q} * {31'd0, r4_q};
    wire [62:0] rt6 = {32'd0, r5_q} * {31'd0, t5_q};
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
