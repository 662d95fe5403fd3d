// cw_phy_ft245 - FT245-style synchronous FIFO interface (FT232H/FT2232H in
// "245 synchronous FIFO" mode): 8-bit bus clocked by the chip's 60 MHz
// CLKOUT (ft_clk), RXF# (data to read), TXE# (room to write), OE# (the chip
// drives the bus), RD#, WR#. A byte moves on every ft_clk rising edge where
// RD# and RXF# are both low (chip -> FPGA) or WR# and TXE# are both low
// (FPGA -> chip).
//
// The link engine's clock (clk) and ft_clk are unrelated: the bytes cross
// in two cw_async_fifo of DEPTH entries. On the ft_clk side a small state
// machine with registered strobes reads while RXF# is low and the receive
// FIFO has room (OE# one cycle before RD#, as the datasheet asks), else
// writes while TXE# is low and the transmit FIFO holds bytes; the bus is
// released for a cycle between the two. The tristate bus is left to the
// board's top level: ft_data_o is driven while ft_data_oe is high.
// `rst` (clk domain) is synchronized into the ft_clk domain. The strobes
// are kept active-high inside, so flops that come out of configuration at
// 0 leave RD#, WR# and OE# high until the reset arrives.
`default_nettype none

module cw_phy_ft245 #(
    parameter integer DEPTH = 16   // entries of each clock-crossing FIFO (power of two, >= 4)
) (
    input  wire       clk,
    input  wire       rst,
    // to the link engine
    output wire       rx_valid,
    output wire [7:0] rx_data,
    input  wire       rx_ready,
    // from the link engine
    input  wire       tx_valid,
    input  wire [7:0] tx_data,
    output wire       tx_ready,
    // FT245 synchronous FIFO pins
    input  wire       ft_clk,
    input  wire [7:0] ft_data_i,
    output wire [7:0] ft_data_o,
    output reg        ft_data_oe,
    input  wire       ft_rxf_n,
    input  wire       ft_txe_n,
    output wire       ft_rd_n,
    output wire       ft_wr_n,
    output wire       ft_oe_n,
    output wire       ft_siwu_n
);
    localparam integer AW = $clog2(DEPTH);
    initial begin
        if (DEPTH < 4 || (1 << AW) != DEPTH) $error("cw_phy_ft245: DEPTH must be a power of two >= 4");
    end

    // reset into the ft_clk domain
    reg [1:0] frst_q;
    always @(posedge ft_clk) frst_q <= {frst_q[0], rst};
    wire frst = frst_q[1];

    // ---------------------------------------------------------------- FIFOs
    wire          rxq_full, rxq_empty, txq_full, txq_empty;
    wire [AW:0]   rxq_wlevel, rxq_rlevel, txq_wlevel, txq_rlevel;
    wire          rx_push, tx_pop;
    cw_async_fifo #(.WIDTH(8), .DEPTH(DEPTH)) u_rxq (
        .wclk(ft_clk), .wrst(frst), .wr_en(rx_push), .wr_data(ft_data_i), .wfull(rxq_full),
        .wlevel(rxq_wlevel),
        .rclk(clk), .rrst(rst), .rd_en(rx_ready), .rd_data(rx_data), .rempty(rxq_empty),
        .rlevel(rxq_rlevel));
    assign rx_valid = !rxq_empty;

    cw_async_fifo #(.WIDTH(8), .DEPTH(DEPTH)) u_txq (
        .wclk(clk), .wrst(rst), .wr_en(tx_valid), .wr_data(tx_data), .wfull(txq_full),
        .wlevel(txq_wlevel),
        .rclk(ft_clk), .rrst(frst), .rd_en(tx_pop), .rd_data(ft_data_o), .rempty(txq_empty),
        .rlevel(txq_rlevel));
    assign tx_ready = !txq_full;

    // ---------------------------------------------------------------- bus
    localparam [1:0] F_IDLE = 2'd0, F_OE = 2'd1, F_RD = 2'd2, F_WR = 2'd3;
    reg [1:0] fst_q;
    reg       rd_q, wr_q, oe_q;   // RD#, WR#, OE# asserted
    assign ft_rd_n = !rd_q;
    assign ft_wr_n = !wr_q;
    assign ft_oe_n = !oe_q;
    localparam [AW:0] D = DEPTH[AW:0];
    wire [AW:0] rx_free = D - rxq_wlevel;

    // moves on this edge (the strobes were set on the previous one)
    assign rx_push = fst_q == F_RD && rd_q && !ft_rxf_n;
    assign tx_pop  = fst_q == F_WR && wr_q && !ft_txe_n;
    // room for a byte on the next edge too / a byte for the next edge
    wire rd_more = !ft_rxf_n && rx_free >= {{(AW-1){1'b0}}, 2'd3};
    wire wr_more = !ft_txe_n && txq_rlevel > {{AW{1'b0}}, tx_pop};

    always @(posedge ft_clk) begin
        if (frst) begin
            fst_q      <= F_IDLE;
            rd_q       <= 1'b0;
            wr_q       <= 1'b0;
            oe_q       <= 1'b0;
            ft_data_oe <= 1'b0;
        end else case (fst_q)
            F_IDLE:
                if (rd_more) begin
                    oe_q <= 1'b1;             // the chip turns the bus around
                    fst_q   <= F_OE;
                end else if (wr_more) begin
                    ft_data_oe <= 1'b1;
                    wr_q       <= 1'b1;
                    fst_q      <= F_WR;
                end
            F_OE:
                if (rd_more) begin
                    rd_q <= 1'b1;
                    fst_q   <= F_RD;
                end else begin
                    oe_q <= 1'b0;
                    fst_q   <= F_IDLE;
                end
            F_RD:
                if (!rd_more) begin
                    rd_q <= 1'b0;
                    oe_q <= 1'b0;
                    fst_q   <= F_IDLE;
                end
            default: // F_WR
                if (!wr_more) begin
                    wr_q       <= 1'b0;
                    ft_data_oe <= 1'b0;
                    fst_q      <= F_IDLE;
                end
        endcase
    end
    assign ft_siwu_n = 1'b1;

    wire unused = &{1'b0, rxq_full, rxq_rlevel, txq_wlevel, txq_empty};
endmodule

`default_nettype wire
