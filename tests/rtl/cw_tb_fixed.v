// cw_tb_fixed - test wrapper: the shared fixed-point primitives side by side
// (tests/rtl/tb_fixed.cpp). Not part of the core.
`default_nettype none

module cw_tb_fixed (
    input  wire        clk,
    input  wire [63:0] v,
    input  wire [8:0]  s,
    input  wire [63:0] lim,
    output wire [63:0] out,
    input  wire [63:0] bl_v,
    output wire [6:0]  bl
);
    cw_fn_shift_sat u_shift (
        .v  (v),
        .s  (s),
        .lim(lim),
        .out(out)
    );
    cw_fn_bitlen u_bitlen (
        .v  (bl_v),
        .len(bl)
    );
    wire unused = clk;
endmodule

`default_nettype wire
