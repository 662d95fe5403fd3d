// cw_fn_exp - exp(-x) for x >= 0 in Q16, result in Q24: cw_hls_exp_neg() of
// hls/cw_math.c, bit exact. Table rtl/tables/exp2.hex (2^(-k/256) in Q24,
// k = 0..256), linear interpolation between neighbouring entries.
//
//   xc = min(x, 2^21); y = round(xc * log2(e) in Q30 / 2^22)   (Q24)
//   n = y >> 24 (result 0 when n > 24), idx = y[23:16], fr = y[15:0]
//   t = t0 - round((t0 - t1) * fr / 2^16);  out = round(t / 2^n)
//
// Timing: a pure pipeline, one result per cycle, LATENCY = 3: the x given
// in cycle c gives its result on y in cycle c + 3 (stages: the log2(e)
// product; the table read; the interpolation and the final shift). No
// reset: the registers only carry data.
`default_nettype none

module cw_fn_exp (
    input  wire        clk,
    input  wire [62:0] x,       // x >= 0 (an int64_t >= 0), Q16
    output reg  [24:0] y        // exp(-x) in Q24, <= 2^24
);
    localparam [30:0] LOG2E_Q30 = 31'd1549082005;

    // Table: two copies so that both neighbours are read in one cycle.
    reg [24:0] tab_a [0:256];
    reg [24:0] tab_b [0:256];
`ifdef CW_TABLE_DIR   // the table folder's absolute path (the Verilated device, any working directory)
    initial begin
        $readmemh({`CW_TABLE_DIR, "/exp2.hex"}, tab_a);
        $readmemh({`CW_TABLE_DIR, "/exp2.hex"}, tab_b);
    end
`else
    initial begin
        $readmemh("rtl/tables/exp2.hex", tab_a);
        $readmemh("rtl/tables/exp2.hex", tab_b);
    end
`endif

    // Stage 1: clamp to 2^21 and multiply by log2(e) (53-bit product).
    wire        big = |x[62:22] || (x[21] && |x[20:0]);       // x > 2^21
    wire [21:0] xc  = big ? 22'h200000 : x[21:0];
    // xc * LOG2E_Q30 as xc[17:0] * C on two MULT18X18D plus xc[21:18] * C
    // (0 .. 8) by shift-and-add, rather than four MULT18X18D for 22 x 31 bits
    wire [48:0] prod_lo = {31'd0, xc[17:0]} * {18'd0, LOG2E_Q30};
    wire [34:0] prod_hi = (xc[18] ? {4'd0, LOG2E_Q30}        : 35'd0)
                        + (xc[19] ? {3'd0, LOG2E_Q30, 1'b0}  : 35'd0)
                        + (xc[20] ? {2'd0, LOG2E_Q30, 2'b0}  : 35'd0)
                        + (xc[21] ? {1'd0, LOG2E_Q30, 3'b0}  : 35'd0);
    wire [52:0] prod = {4'd0, prod_lo} + {prod_hi, 18'd0};
    wire [52:0] prod_r = prod + 53'h200000;                   // + 2^21
    reg  [30:0] y1_q;                                         // y, Q24
    always @(posedge clk) y1_q <= prod_r[52:22];

    // Stage 2: table read; carry the shift and the fraction.
    wire [6:0] n1   = y1_q[30:24];
    wire [7:0] idx1 = y1_q[23:16];
    wire [8:0] idx1n = {1'b0, idx1} + 9'd1;
    reg  [24:0] t0_q, t1_q;
    reg  [15:0] fr_q;
    reg  [4:0]  n_q;
    reg         zero_q;
    always @(posedge clk) begin
        t0_q   <= tab_a[{1'b0, idx1}];
        t1_q   <= tab_b[idx1n];
        fr_q   <= y1_q[15:0];
        n_q    <= n1[4:0];
        zero_q <= n1 > 7'd24;
    end

    // Stage 3: interpolation and the rounding shift by n.
    wire [24:0] dt   = t0_q - t1_q;                 // table decreasing: >= 0
    // the table's steps are below 2^16 (at most 45365): a 16 x 16 product
    wire [40:0] dfr  = {25'd0, dt[15:0]} * {25'd0, fr_q};
    wire [40:0] dfr_r = dfr + 41'h8000;             // + 2^15
    wire [24:0] ip   = dfr_r[40:16];
    wire [24:0] t    = t0_q - ip;
    wire [25:0] half = n_q == 5'd0 ? 26'd0 : (26'd1 << (n_q - 5'd1));
    wire [25:0] tr   = ({1'b0, t} + half) >> n_q;
    always @(posedge clk) y <= zero_q ? 25'd0 : tr[24:0];

    wire unused = &{1'b0, prod_r[21:0], dfr_r[15:0], tr[25], dt[24:16]};
endmodule

`default_nettype wire
