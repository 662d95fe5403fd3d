// cw_ram - a simple dual-port memory: one write port that writes any one
// LANE-bit lane of a word (or the whole word), one registered read port
// (data on the cycle after the address). Inferred as block RAM by yosys and
// as an array by Verilator; the contents start at zero in simulation.
`default_nettype none

module cw_ram #(
    parameter integer DEPTH = 1024, // words
    parameter integer WIDTH = 32,   // bits per word
    parameter integer LANE  = 32,   // bits per write lane; WIDTH must be a multiple
    parameter integer AW    = 10    // address bits, 2^AW >= DEPTH
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
    end

    reg [WIDTH-1:0] mem [0:DEPTH-1];
    integer i;
    always @(posedge clk) begin
        if (we)
            for (i = 0; i < NL; i = i + 1)
                if (wlanes[i]) mem[waddr][LANE*i +: LANE] <= wdata[LANE*i +: LANE];
        if (re)
            rdata <= mem[raddr];
    end
endmodule

`default_nettype wire
