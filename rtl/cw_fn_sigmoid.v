// cw_fn_sigmoid - the logistic sigmoid of x (Q16) in Q16: cw_hls_sigmoid()
// of hls/cw_math.c, bit exact for every int32 x.
//   a = |x|; a >= 16 << 16: s = tab[1024]; otherwise, with i = a >> 10 and
//   f = a & 1023, s = tab[i] + round((tab[i+1] - tab[i]) * f / 2^10)
//   (round half up); y = x < 0 ? 65536 - s : s.
// tab = rtl/tables/sigmoid.hex: 1/(1+exp(-k/64)) in Q16 for k = 0..1023
// (one block RAM); tab[1024] = 65536 is the constant TAB_END.
//
// Pipeline: y is registered two cycles after x (cycle 1: the table's two
// synchronous reads; cycle 2: interpolation). Fully pipelined, one x per
// cycle; no reset (a pure data pipeline).
`default_nettype none

module cw_fn_sigmoid (
    input  wire               clk,
    input  wire signed [31:0] x,   // Q16
    output reg         [16:0] y    // Q16, 0 .. 65536; x of two cycles before
);
    localparam [16:0] TAB_END = 17'h10000;     // tab[1024]
    reg [16:0] tab [0:1023];
`ifdef CW_TABLE_DIR   // the table folder's absolute path (the Verilated device, any working directory)
    initial $readmemh({`CW_TABLE_DIR, "/sigmoid.hex"}, tab);
`else
    initial $readmemh("rtl/tables/sigmoid.hex", tab);
`endif

    wire [31:0] a   = x[31] ? 32'd0 - x : x;     // |x| (2^31 for INT32_MIN)
    wire        big = a[31:20] != 12'd0;         // |x| >= 16 << 16
    wire [10:0] i0  = big ? 11'd1024 : {1'b0, a[19:10]};
    wire [10:0] i1  = big ? 11'd1024 : {1'b0, a[19:10]} + 11'd1;

    reg  [16:0] r0_q, r1_q;                      // the two synchronous reads
    reg         e0_q, e1_q;                      // index 1024: TAB_END instead
    reg  [9:0]  fr_q;
    reg         neg_q;
    always @(posedge clk) begin
        r0_q  <= tab[i0[9:0]];
        r1_q  <= tab[i1[9:0]];
        e0_q  <= i0[10];
        e1_q  <= i1[10];
        fr_q  <= big ? 10'd0 : a[9:0];
        neg_q <= x[31];
    end

    wire [16:0] t0 = e0_q ? TAB_END : r0_q;
    wire [16:0] t1 = e1_q ? TAB_END : r1_q;
    wire signed [17:0] dt = $signed({1'b0, t1}) - $signed({1'b0, t0});
    wire signed [28:0] p  = dt * $signed({1'b0, fr_q});          // |p| < 2^27
    wire signed [28:0] r  = (p + 29'sd512) >>> 10;
    wire signed [18:0] sg = $signed({2'b00, t0}) + r[18:0];    // 0 .. 65536
    always @(posedge clk)
        y <= neg_q ? 17'd65536 - sg[16:0] : sg[16:0];

    wire unused = &{1'b0, r[28:19], sg[18:17]};
endmodule

`default_nettype wire
