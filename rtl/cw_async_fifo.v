// cw_async_fifo - a FIFO between two clock domains: binary pointers kept
// in each domain, crossed as Gray code through two-flop synchronizers, so
// each crossing changes one bit at a time. First word fall through on the
// read side (rd_data shows the oldest entry whenever !rempty). The levels
// are conservative: wlevel may over-count and rlevel under-count by what
// is still crossing, never the other way, so wfull and rempty are safe.
//
// Each side has its own synchronous active-high reset; assert both (e.g.
// one reset synchronized into each clock) while neither side is in use.
`default_nettype none

module cw_async_fifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 16    // power of two, >= 4
) (
    // write side
    input  wire                   wclk,
    input  wire                   wrst,
    input  wire                   wr_en,
    input  wire [WIDTH-1:0]       wr_data,
    output wire                   wfull,
    output wire [$clog2(DEPTH):0] wlevel,
    // read side
    input  wire                   rclk,
    input  wire                   rrst,
    input  wire                   rd_en,
    output wire [WIDTH-1:0]       rd_data,
    output wire                   rempty,
    output wire [$clog2(DEPTH):0] rlevel
);
    localparam integer AW = $clog2(DEPTH);
    initial begin
        if (DEPTH < 4 || (1 << AW) != DEPTH) $error("cw_async_fifo: DEPTH must be a power of two >= 4");
        if (WIDTH < 1) $error("cw_async_fifo: WIDTH must be positive");
    end

    function [AW:0] bin2gray(input [AW:0] b);
        bin2gray = b ^ (b >> 1);
    endfunction
    function [AW:0] gray2bin(input [AW:0] g);
        integer i;
        begin
            gray2bin[AW] = g[AW];
            for (i = AW - 1; i >= 0; i = i - 1)
                gray2bin[i] = gray2bin[i + 1] ^ g[i];
        end
    endfunction

    reg [WIDTH-1:0] mem [0:DEPTH-1];

    // write domain
    reg  [AW:0] wbin_q, wgray_q, rgray_w1_q, rgray_w2_q;
    wire [AW:0] rbin_w = gray2bin(rgray_w2_q);
    wire        do_wr  = wr_en && !wfull;
    assign wlevel = wbin_q - rbin_w;
    assign wfull  = wlevel == DEPTH[AW:0];
    always @(posedge wclk) begin
        if (do_wr) mem[wbin_q[AW-1:0]] <= wr_data;
        if (wrst) begin
            wbin_q     <= {(AW+1){1'b0}};
            wgray_q    <= {(AW+1){1'b0}};
            rgray_w1_q <= {(AW+1){1'b0}};
            rgray_w2_q <= {(AW+1){1'b0}};
        end else begin
            if (do_wr) begin
                wbin_q  <= wbin_q + 1'b1;
                wgray_q <= bin2gray(wbin_q + 1'b1);
            end
            rgray_w1_q <= rgray_q;
            rgray_w2_q <= rgray_w1_q;
        end
    end

    // read domain
    reg  [AW:0] rbin_q, rgray_q, wgray_r1_q, wgray_r2_q;
    wire [AW:0] wbin_r = gray2bin(wgray_r2_q);
    wire        do_rd  = rd_en && !rempty;
    assign rlevel  = wbin_r - rbin_q;
    assign rempty  = rlevel == {(AW+1){1'b0}};
    assign rd_data = mem[rbin_q[AW-1:0]];
    always @(posedge rclk) begin
        if (rrst) begin
            rbin_q     <= {(AW+1){1'b0}};
            rgray_q    <= {(AW+1){1'b0}};
            wgray_r1_q <= {(AW+1){1'b0}};
            wgray_r2_q <= {(AW+1){1'b0}};
        end else begin
            if (do_rd) begin
                rbin_q  <= rbin_q + 1'b1;
                rgray_q <= bin2gray(rbin_q + 1'b1);
            end
            wgray_r1_q <= wgray_q;
            wgray_r2_q <= wgray_r1_q;
        end
    end
endmodule

`default_nettype wire
