// cw_fn_bitlen - number of significant bits of a 64-bit unsigned value (0 for
// 0): cw_bitlen() of hls/cw_fixed.h. Combinational priority encoder.
`default_nettype none

module cw_fn_bitlen (
    input  wire [63:0] v,
    output reg  [6:0]  len
);
    integer i;
    always @* begin
        len = 7'd0;
        for (i = 0; i < 64; i = i + 1)
            if (v[i]) len = i[6:0] + 7'd1;
    end
endmodule

`default_nettype wire
