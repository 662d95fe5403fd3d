// cw_fn_norm16_shift - the element step of cw_hls_norm16: round(v / 2^s)
// (round half up) saturated to [-32767, 32767], a left shift when s < 0, for
// the s that norm16 derives from the same block: s = bitlen(OR |v|) - 15, or
// 0 for an all-zero block. Then every v of the block has |v| < 2^(s+15), so the
// result is a 17-bit window of v: u = floor(v * 2^(1-s)) fits in 17 bits and
// the result is sat((u + 1) >> 1). Under that precondition it equals
// cw_fn_shift_sat(v, -s, 32767) (cw_shift_sat of hls/cw_fixed.h) at a fraction
// of the logic (one 17-bit-wide barrel shifter). Combinational.
`default_nettype none

module cw_fn_norm16_shift #(
    parameter integer W = 64   // input width (signed), 17 .. 64
) (
    input  wire signed [W-1:0] v,
    input  wire signed [7:0]   s,    // bitlen(OR |v|) - 15 (-14 .. W-15), or 0
    output wire signed [15:0]  out
);
    initial begin
        if (W < 17 || W > 64) $error("cw_fn_norm16_shift: W out of range (17..64)");
    end

    // (v * 2^16) >> (s + 15) = floor(v * 2^(1-s)); s + 15 is in 0 .. W.
    wire signed [W+15:0] vb  = {v, 16'd0};
    wire        [7:0]    amt = s + 8'sd15;
    wire signed [W+15:0] vs  = vb >>> amt;
    wire signed [17:0]   u1  = {vs[16], vs[16:0]} + 18'sd1;
    wire signed [17:0]   r   = u1 >>> 1;        // -32768 .. 32768
    assign out = r > 18'sd32767 ? 16'sd32767 : (r < -18'sd32767 ? -16'sd32767 : r[15:0]);

    wire unused = &{1'b0, vs[W+15:17]};
endmodule

`default_nettype wire
