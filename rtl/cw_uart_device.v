// cw_uart_device - the accelerator as a board with a UART bridge sees it:
// cw_phy_uart (8N1 at clk / CLKS_PER_BIT baud) in front of cw_device, and
// cw_board_status for the LEDs. A board's top level adds its clock, reset
// and pins (bitstreams/BOARD/).
`default_nettype none

module cw_uart_device #(
    parameter integer LANES        = 8,
    parameter integer K            = 8,
    parameter integer WBITS        = 16,
    parameter integer PROG_DEPTH   = 4096,
    parameter integer WGT_LINES    = 65536,
    parameter integer SCL_DEPTH    = 32768,
    parameter integer CST_DEPTH    = 16384,
    parameter integer ACT_DEPTH    = 16384,
    parameter integer KV_DEPTH     = 1048576,
    parameter integer MAX_CTX      = 1024,
    parameter integer KV_BITS      = 16,  // bits per KV cache entry (8..16)
    parameter [63:0]  CONFIG_HASH  = 64'd0,
    parameter integer CLKS_PER_BIT = 16,  // baud divisor
    parameter integer RX_DEPTH     = 16,  // UART receive FIFO
    parameter integer HEART_BITS   = 25,  // LED heartbeat period: 2^HEART_BITS cycles
    parameter integer STRETCH_BITS = 20   // LED activity pulses: 2^STRETCH_BITS cycles
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       locked,    // for the status LEDs
    input  wire       uart_rx,
    output wire       uart_tx,
    output wire [7:0] status     // cw_board_status's LEDs
);
    wire       rx_valid, rx_ready, tx_valid, tx_ready, tx_last, busy;
    wire [7:0] rx_data, tx_data;
    wire [1:0] core_state;
    wire       err_frame, err_overrun;

    cw_phy_uart #(.CLKS_PER_BIT(CLKS_PER_BIT), .RX_DEPTH(RX_DEPTH)) u_uart (
        .clk(clk), .rst(rst),
        .uart_rx(uart_rx), .uart_tx(uart_tx),
        .rx_valid(rx_valid), .rx_data(rx_data), .rx_ready(rx_ready),
        .tx_valid(tx_valid), .tx_data(tx_data), .tx_ready(tx_ready),
        .err_frame(err_frame), .err_overrun(err_overrun));

    cw_device #(
        .LANES(LANES), .K(K), .WBITS(WBITS), .PROG_DEPTH(PROG_DEPTH), .WGT_LINES(WGT_LINES),
        .SCL_DEPTH(SCL_DEPTH), .CST_DEPTH(CST_DEPTH), .ACT_DEPTH(ACT_DEPTH),
        .KV_DEPTH(KV_DEPTH), .MAX_CTX(MAX_CTX), .KV_BITS(KV_BITS), .CONFIG_HASH(CONFIG_HASH)
    ) u_dev (
        .clk(clk), .rst(rst),
        .rx_valid(rx_valid), .rx_data(rx_data), .rx_ready(rx_ready),
        .tx_valid(tx_valid), .tx_data(tx_data), .tx_last(tx_last), .tx_ready(tx_ready),
        .busy(busy), .core_state(core_state));

    cw_board_status #(.HEART_BITS(HEART_BITS), .STRETCH_BITS(STRETCH_BITS)) u_status (
        .clk(clk), .rst(rst), .locked(locked), .busy(busy), .core_state(core_state),
        .rx_byte(rx_valid && rx_ready), .tx_byte(tx_valid && tx_ready),
        .uart_err(err_frame || err_overrun), .led(status));

    wire unused = tx_last;  // a UART has no frame boundaries
endmodule
