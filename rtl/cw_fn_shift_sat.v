// cw_fn_shift_sat - v * 2^s with round-half-up right shifts and symmetric
// saturation to [-lim, lim]: cw_shift_sat() of hls/cw_fixed.h, bit exact.
// Combinational. v must satisfy |v| < 2^62 and 0 < lim < 2^62 (every caller
// guarantees it, docs/numerics.md).
//   s <= 0: round(v / 2^-s) (a shift by 63 or more gives 0), then saturate;
//   s >= 62: 0 stays 0, otherwise +-lim;
//   0 < s < 62: saturate if |v| exceeds lim >> s, else v << s, saturated.
`default_nettype none

module cw_fn_shift_sat (
    input  wire signed [63:0] v,
    input  wire signed [8:0]  s,     // -256..255
    input  wire signed [63:0] lim,   // positive
    output reg  signed [63:0] out
);
    reg  [8:0]         rs;           // right shift amount, s <= 0
    reg  signed [63:0] rounded, shifted, limr;
    reg  [5:0]         ls;
    always @* begin
        rs       = 9'd0;
        rounded  = 64'sd0;
        shifted  = 64'sd0;
        ls       = 6'd0;
        limr     = 64'sd0;
        out      = 64'sd0;
        if (s <= 9'sd0) begin
            rs = -s;
            if (rs == 9'd0)
                rounded = v;
            else if (rs >= 9'd63)
                rounded = 64'sd0;
            else
                rounded = (v + (64'sd1 <<< (rs - 9'd1))) >>> rs;
            out = rounded > lim ? lim : (rounded < -lim ? -lim : rounded);
        end else if (s >= 9'sd62) begin
            out = v == 64'sd0 ? 64'sd0 : (v > 64'sd0 ? lim : -lim);
        end else begin
            ls      = s[5:0];
            limr    = lim >>> ls;
            shifted = v <<< ls;
            if (v > limr)
                out = lim;
            else if (v < -limr)
                out = -lim;
            else
                out = shifted > lim ? lim : (shifted < -lim ? -lim : shifted);
        end
    end
endmodule

`default_nettype wire
