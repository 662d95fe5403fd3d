// cw_sync_fifo - a first-word-fall-through FIFO in one clock domain:
// rd_data shows the oldest entry whenever !empty; rd_en pops it. A write
// when full and a read when empty are ignored. `clear` empties it.
// Small DEPTHs become distributed RAM or flops.
`default_nettype none

module cw_sync_fifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 16   // power of two, >= 2
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             clear,
    input  wire             wr_en,
    input  wire [WIDTH-1:0] wr_data,
    output wire             full,
    input  wire             rd_en,
    output wire [WIDTH-1:0] rd_data,
    output wire             empty,
    output wire [$clog2(DEPTH):0] level
);
    localparam integer AW = $clog2(DEPTH);
    initial begin
        if (DEPTH < 2 || (1 << AW) != DEPTH) $error("cw_sync_fifo: DEPTH must be a power of two >= 2");
        if (WIDTH < 1) $error("cw_sync_fifo: WIDTH must be positive");
    end

    reg [WIDTH-1:0] mem [0:DEPTH-1];
    reg [AW:0]      wp_q, rp_q;
    wire            do_wr = wr_en && !full;
    wire            do_rd = rd_en && !empty;

    always @(posedge clk)
        if (do_wr) mem[wp_q[AW-1:0]] <= wr_data;

    always @(posedge clk) begin
        if (rst || clear) begin
            wp_q <= {(AW+1){1'b0}};
            rp_q <= {(AW+1){1'b0}};
        end else begin
            if (do_wr) wp_q <= wp_q + 1'b1;
            if (do_rd) rp_q <= rp_q + 1'b1;
        end
    end

    assign level   = wp_q - rp_q;
    assign empty   = wp_q == rp_q;
    assign full    = level == DEPTH[AW:0];
    assign rd_data = mem[rp_q[AW-1:0]];
endmodule

`default_nettype wire
