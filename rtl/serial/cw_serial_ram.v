// cw_serial_ram - a single-port memory for the serial core: one address,
// a write in the cycles `we` is high, else a registered read (the word on
// the next cycle; it holds through a write). The form yosys maps to the
// iCE40's block RAM or, with synth_ice40 -spram, to SPRAM (its choice, or
// STYLE "huge"). No initial
// contents (SPRAM has none): Verilator's randomized state stands in for
// them, and the microprograms write every word before they read it.
`default_nettype none

module cw_serial_ram #(
    parameter integer DEPTH = 1024,   // words
    parameter integer WIDTH = 32,     // bits per word
    parameter integer AW    = 10,     // address bits, 2^AW >= DEPTH
    parameter [8*4-1:0] STYLE = "auto" // "auto" (yosys's choice) or "huge" (SPRAM)
) (
    input  wire             clk,
    input  wire             we,
    input  wire [AW-1:0]    addr,
    input  wire [WIDTH-1:0] wdata,
    output reg  [WIDTH-1:0] rdata
);
    initial begin
        if ((1 << AW) < DEPTH) $error("cw_serial_ram: AW too small for DEPTH");
        if (DEPTH < 1 || WIDTH < 1) $error("cw_serial_ram: DEPTH and WIDTH must be positive");
        if (STYLE != "auto" && STYLE != "huge") $error("cw_serial_ram: STYLE must be \"auto\" or \"huge\"");
    end

    // an attribute cannot take a parameter's value: one declaration each
    generate
        if (STYLE == "huge") begin : g_huge
            (* ram_style = "huge" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
            always @(posedge clk) begin
                if (we) mem[addr] <= wdata;
                else    rdata <= mem[addr];
            end
        end else begin : g_auto
            reg [WIDTH-1:0] mem [0:DEPTH-1];
            always @(posedge clk) begin
                if (we) mem[addr] <= wdata;
                else    rdata <= mem[addr];
            end
        end
    endgenerate
endmodule

`default_nettype wire
