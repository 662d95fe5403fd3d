// cw_ram_split - cw_ram for a depth that is not a power of two: a block-RAM
// bank of the largest power of two below DEPTH plus an overflow bank of the
// remaining words in LUT RAM, selected by address; the same ports and the
// same one-cycle read as cw_ram. Block RAM comes in power-of-two depths, so
// one DEPTH-word memory would round its last rows up to whole blocks (ECP5:
// 4224 x 512 takes 144 DP16KD, 4096 x 512 takes 128). When DEPTH is a power
// of two this is one cw_ram.
`default_nettype none

module cw_ram_split #(
    parameter integer DEPTH = 4224,  // words
    parameter integer WIDTH = 512,   // bits per word
    parameter integer LANE  = 32,    // bits per write lane
    parameter integer AW    = 13,    // address bits, 2^AW >= DEPTH
    parameter integer RDW_OLD = 1    // the block bank's cw_ram RDW_OLD
) (
    input  wire                     clk,
    input  wire                     we,
    input  wire [AW-1:0]            waddr,
    input  wire [WIDTH/LANE-1:0]    wlanes,
    input  wire [WIDTH-1:0]         wdata,
    input  wire                     re,
    input  wire [AW-1:0]            raddr,
    output wire [WIDTH-1:0]         rdata
);
    localparam integer DB   = $clog2(DEPTH);
    localparam         POW2 = (1 << DB) == DEPTH;
    localparam integer MAIN = (1 << DB) == DEPTH ? DEPTH : 1 << (DB - 1);  // block bank words
    localparam integer OVF  = DEPTH - MAIN;                  // overflow words
    localparam integer MAW  = $clog2(MAIN) < 1 ? 1 : $clog2(MAIN);
    localparam integer OAW  = $clog2(OVF) < 1 ? 1 : $clog2(OVF);

    initial begin
        if ((1 << AW) < DEPTH) $error("cw_ram_split: AW too small for DEPTH");
        if (DEPTH < 2) $error("cw_ram_split: DEPTH must be at least 2");
    end

    generate
        if (POW2) begin : g_one
            cw_ram #(.DEPTH(DEPTH), .WIDTH(WIDTH), .LANE(LANE), .AW(AW),
                     .STYLE(RDW_OLD != 0 ? "auto" : "block"), .RDW_OLD(RDW_OLD)) u_ram (
                .clk(clk), .we(we), .waddr(waddr), .wlanes(wlanes), .wdata(wdata),
                .re(re), .raddr(raddr), .rdata(rdata));
        end else begin : g_split
            wire [31:0] wa32  = {{(32-AW){1'b0}}, waddr};
            wire [31:0] ra32  = {{(32-AW){1'b0}}, raddr};
            wire        w_ovf = wa32 >= MAIN;
            wire        r_ovf = ra32 >= MAIN;
            wire [WIDTH-1:0] m_rdata, o_rdata;
            reg              r_ovf_q;   // the bank that answered the last read
            cw_ram #(.DEPTH(MAIN), .WIDTH(WIDTH), .LANE(LANE), .AW(MAW), .STYLE("block"),
                     .RDW_OLD(RDW_OLD)) u_main (
                .clk(clk), .we(we && !w_ovf), .waddr(waddr[MAW-1:0]), .wlanes(wlanes),
                .wdata(wdata), .re(re && !r_ovf), .raddr(raddr[MAW-1:0]), .rdata(m_rdata));
            // words MAIN..DEPTH-1 at MAIN + i (MAIN is a power of two >= OVF)
            cw_ram #(.DEPTH(OVF), .WIDTH(WIDTH), .LANE(LANE), .AW(OAW), .STYLE("distributed"))
            u_ovf (
                .clk(clk), .we(we && w_ovf && wa32 < DEPTH), .waddr(waddr[OAW-1:0]),
                .wlanes(wlanes), .wdata(wdata), .re(re && r_ovf), .raddr(raddr[OAW-1:0]),
                .rdata(o_rdata));
            always @(posedge clk)
                if (re) r_ovf_q <= r_ovf;
            assign rdata = r_ovf_q ? o_rdata : m_rdata;
        end
    endgenerate
endmodule

`default_nettype wire
