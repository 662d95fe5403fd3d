// cw_ram_rmw - cw_ram's ports (LANE-bit lane writes, one-cycle reads) over a
// memory that is only ever written whole words: a lane write reads its word
// through the read port, and the next cycle writes the word back with the
// lanes replaced. With whole-word writes yosys may use every bit of a block
// RAM (ECP5 DP16KD 2048 x 9 columns: a 4096 x 512 memory with 32-bit lanes
// takes 128 blocks, written whole 114), since no write lane has to line up
// with the block's byte enables. The store is cw_ram_split (a power-of-two
// block-RAM bank plus a LUT-RAM overflow bank).
//
// Same behaviour as cw_ram, cycle for cycle: a read sees every write made
// on an earlier cycle (a read of the word whose write-back is under way
// gets the merged word, forwarded), and consecutive writes to one word
// merge into the word being written back. The one restriction: a write
// and a read on the same cycle (the write needs the read port); cw_core
// never does that (WGT is written only by the loader, read only by the
// host while idle or by the ops while busy), and an assertion checks it.
`default_nettype none

module cw_ram_rmw #(
    parameter integer DEPTH = 4224,  // words
    parameter integer WIDTH = 512,   // bits per word
    parameter integer LANE  = 32,    // bits per write lane
    parameter integer AW    = 13     // address bits, 2^AW >= DEPTH
) (
    input  wire                     clk,
    input  wire                     rst,
    input  wire                     we,
    input  wire [AW-1:0]            waddr,
    input  wire [WIDTH/LANE-1:0]    wlanes,
    input  wire [WIDTH-1:0]         wdata,
    input  wire                     re,
    input  wire [AW-1:0]            raddr,
    output wire [WIDTH-1:0]         rdata
);
    localparam integer NL = WIDTH / LANE;
    initial if (WIDTH % LANE != 0) $error("cw_ram_rmw: WIDTH must be a multiple of LANE");

    // stage 1: the write of the previous cycle, its word being read
    reg              p_we_q;
    reg [AW-1:0]     p_addr_q;
    reg [NL-1:0]     p_lanes_q;
    reg [WIDTH-1:0]  p_data_q;
    reg              p_fwd_q;    // its word was being written back: take m_word_q
    reg [WIDTH-1:0]  m_word_q;   // the last word written back
    reg              r_fwd_q;    // the last read hit the word being written back

    wire [WIDTH-1:0] s_rdata;
    wire [WIDTH-1:0] p_base = p_fwd_q ? m_word_q : s_rdata;
    reg  [WIDTH-1:0] p_word;     // the word to write back
    integer i;
    always @* begin
        p_word = p_base;
        for (i = 0; i < NL; i = i + 1)
            if (p_lanes_q[i]) p_word[LANE*i +: LANE] = p_data_q[LANE*i +: LANE];
    end

    // a read of the word being written back is never used (forwarded from
    // m_word_q instead), so the store needs no read-during-write bypass
    cw_ram_split #(.DEPTH(DEPTH), .WIDTH(WIDTH), .LANE(WIDTH), .AW(AW), .RDW_OLD(0)) u_store (
        .clk(clk), .we(p_we_q), .waddr(p_addr_q), .wlanes(1'b1), .wdata(p_word),
        .re(we || re), .raddr(we ? waddr : raddr), .rdata(s_rdata));

    always @(posedge clk) begin
        if (rst) p_we_q <= 1'b0;
        else     p_we_q <= we;
        if (we) begin
            p_addr_q  <= waddr;
            p_lanes_q <= wlanes;
            p_data_q  <= wdata;
            p_fwd_q   <= p_we_q && p_addr_q == waddr;
        end
        if (p_we_q) m_word_q <= p_word;
        if (re) r_fwd_q <= p_we_q && p_addr_q == raddr;
    end
    assign rdata = r_fwd_q ? m_word_q : s_rdata;

`ifndef SYNTHESIS
    always @(posedge clk)
        if (!rst)
            assert (!(we && re)) else $error("cw_ram_rmw: a write and a read on the same cycle");
`endif
endmodule

`default_nettype wire
