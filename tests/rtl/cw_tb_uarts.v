// cw_tb_uarts - test-only wrapper: four cw_phy_uart at different baud
// divisors side by side, for tests/rtl/tb_phy_uart.cpp.
`default_nettype none

module cw_tb_uarts (
    input  wire        clk,
    input  wire        rst,
    input  wire [3:0]  uart_rx,
    output wire [3:0]  uart_tx,
    output wire [3:0]  rx_valid,
    output wire [31:0] rx_data,
    input  wire [3:0]  rx_ready,
    input  wire [3:0]  tx_valid,
    input  wire [31:0] tx_data,
    output wire [3:0]  tx_ready,
    output wire [3:0]  err_frame,
    output wire [3:0]  err_overrun
);
    genvar g;
    generate
        for (g = 0; g < 4; g = g + 1) begin : u
            localparam integer DIV = g == 0 ? 4 : g == 1 ? 7 : g == 2 ? 16 : 101;
            cw_phy_uart #(.CLKS_PER_BIT(DIV), .RX_DEPTH(8)) uart (
                .clk(clk), .rst(rst), .uart_rx(uart_rx[g]), .uart_tx(uart_tx[g]),
                .rx_valid(rx_valid[g]), .rx_data(rx_data[8*g +: 8]), .rx_ready(rx_ready[g]),
                .tx_valid(tx_valid[g]), .tx_data(tx_data[8*g +: 8]), .tx_ready(tx_ready[g]),
                .err_frame(err_frame[g]), .err_overrun(err_overrun[g]));
        end
    endgenerate
endmodule

`default_nettype wire
