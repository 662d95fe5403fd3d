// cw_ram - a simple dual-port memory: one write port that writes any one
// LANE-bit lane of a word (or the whole word), one registered read port
// (data on the cycle after the address). Inferred as block RAM by yosys and
// as an array by Verilator; the contents start at zero in simulation.
//
// STYLE asks yosys for an implementation: "auto" (its choice: block RAM for
// anything but the smallest), "block" or "distributed" (LUT RAM; on ECP5
// TRELLIS_DPR16X4, 64 bits each). RDW_OLD = 0 (block RAM only) lets the
// hardware return anything for a read of the word written on the same
// cycle, for users that never use such a read's data (cw_ram_rmw): yosys
// then leaves out the bypass that makes block RAM return the old word
// (about one flip-flop and one LUT per data bit; `no_rw_check`).
// An attribute cannot take a parameter's value, so each choice is its own
// declaration; Verilator ignores the attributes and behaves the same (the
// old word) for every choice.
`default_nettype none

module cw_ram #(
    parameter integer DEPTH = 1024,   // words
    parameter integer WIDTH = 32,     // bits per word
    parameter integer LANE  = 32,     // bits per write lane; WIDTH must be a multiple
    parameter integer AW    = 10,     // address bits, 2^AW >= DEPTH
    parameter [8*11-1:0] STYLE = "auto", // "auto", "block" or "distributed"
    parameter integer RDW_OLD = 1        // 0: read-during-write data undefined
) (
    input  wire                     clk,
    input  wire                     we,
    input  wire [AW-1:0]            waddr,
    input  wire [WIDTH/LANE-1:0]    wlanes,  // which lanes to write
    input  wire [WIDTH-1:0]         wdata,   // lane i at bits LANE*i +: LANE
    input  wire                     re,
    input  wire [AW-1:0]            raddr,
    output reg  [WIDTH-1:0]         rdata
);
    localparam integer NL = WIDTH / LANE;
    initial begin
        if (WIDTH % LANE != 0) $error("cw_ram: WIDTH must be a multiple of LANE");
        if ((1 << AW) < DEPTH) $error("cw_ram: AW too small for DEPTH");
        if (STYLE != "auto" && STYLE != "block" && STYLE != "distributed")
            $error("cw_ram: STYLE must be \"auto\", \"block\" or \"distributed\"");
        if (RDW_OLD == 0 && STYLE != "block") $error("cw_ram: RDW_OLD = 0 needs STYLE \"block\"");
    end

    integer i;
    // the write and read processes of every declaration below
`define CW_RAM_BODY \
            always @(posedge clk) begin \
                if (we) \
                    for (i = 0; i < NL; i = i + 1) \
                        if (wlanes[i]) mem[waddr][LANE*i +: LANE] <= wdata[LANE*i +: LANE]; \
                if (re) \
                    rdata <= mem[raddr]; \
            end
    generate
        if (STYLE == "distributed") begin : g_dist
            (* ram_style = "distributed" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
            `CW_RAM_BODY
        end else if (STYLE == "block" && RDW_OLD == 0) begin : g_block_norw
            (* ram_style = "block", no_rw_check *) reg [WIDTH-1:0] mem [0:DEPTH-1];
            `CW_RAM_BODY
        end else if (STYLE == "block") begin : g_block
            (* ram_style = "block" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
            `CW_RAM_BODY
        end else begin : g_auto
            reg [WIDTH-1:0] mem [0:DEPTH-1];
            `CW_RAM_BODY
        end
    endgenerate
`undef CW_RAM_BODY
endmodule

`default_nettype wire
