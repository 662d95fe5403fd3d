// cw_crc32c - one byte of CRC-32C (Castagnoli, reflected polynomial
// 0x82F63B78), combinational: crc_out = the register after `data`.
// The caller keeps the register: start it at 32'hFFFFFFFF and xor the
// result with 32'hFFFFFFFF, exactly as cw_link_crc32c_init/update/final
// (driver/link_crc.c) do, so one byte per clock gives the protocol's CRC
// (docs/protocol.md, "CRC-32C"). Bitwise rather than a 256-entry table:
// eight xor layers, no ROM.
`default_nettype none

module cw_crc32c (
    input  wire [31:0] crc_in,
    input  wire [7:0]  data,
    output reg  [31:0] crc_out
);
    localparam [31:0] POLY = 32'h82F63B78;
    integer i;
    always @* begin
        crc_out = crc_in ^ {24'd0, data};
        for (i = 0; i < 8; i = i + 1)
            crc_out = (crc_out >> 1) ^ (crc_out[0] ? POLY : 32'd0);
    end
endmodule

`default_nettype wire
