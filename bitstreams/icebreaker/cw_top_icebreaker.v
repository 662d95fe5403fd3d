// cw_top_icebreaker - the clockwork accelerator on an iCEBreaker (iCE40UP5K):
// the 12 MHz oscillator through the PLL to the core clock, a reset from the
// lock and the user button, and cw_uart_device (the link over the
// FT2232H's channel B UART at 24 MHz / 8 = 3 Mbaud), with its status on the
// two on-board LEDs and the five of the snap-off section
// (rtl/cw_board_status.v says which is which).
//
// The core parameters are those of the `icebreaker` target: scripts/
// bitstream.sh sets them from `clockwork target icebreaker --params`.
`default_nettype none

module cw_top_icebreaker #(
    parameter integer LANES        = 2,
    parameter integer K            = 2,
    parameter integer WBITS        = 8,
    parameter integer PROG_DEPTH   = 64,     // the icebreaker target's (targets/icebreaker.target)
    parameter integer WGT_LINES    = 8192,
    parameter integer SCL_DEPTH    = 1024,
    parameter integer CST_DEPTH    = 3072,
    parameter integer ACT_DEPTH    = 512,
    parameter integer KV_DEPTH     = 4096,
    parameter integer MAX_CTX      = 128,
    parameter integer KV_BITS      = 16,
    parameter [63:0]  CONFIG_HASH  = 64'd0,
    parameter integer CLKS_PER_BIT = 8    // 24 MHz / 8 = 3 Mbaud
) (
    input  wire       clk_12mhz,
    input  wire       btn_n,      // user button, active low
    input  wire       rx,         // FT2232H channel B -> FPGA
    output wire       tx,         // FPGA -> FT2232H channel B
    output wire       ledr_n,     // red LED, active low: error
    output wire       ledg_n,     // green LED, active low: heartbeat
    output wire [4:0] led         // snap-off LEDs (active high)
);
    initial begin
        if (CLKS_PER_BIT < 4) $error("cw_top_icebreaker: CLKS_PER_BIT must be >= 4");
    end

    wire clk, locked, rst;
    cw_pll_icebreaker u_pll (.clk_12mhz(clk_12mhz), .clk(clk), .locked(locked));
    cw_reset_sync u_rst (.clk(clk), .locked(locked), .button(!btn_n), .rst(rst));

    wire [7:0] status;
    cw_uart_device #(
        .LANES(LANES), .K(K), .WBITS(WBITS), .PROG_DEPTH(PROG_DEPTH), .WGT_LINES(WGT_LINES),
        .SCL_DEPTH(SCL_DEPTH), .CST_DEPTH(CST_DEPTH), .ACT_DEPTH(ACT_DEPTH),
        .KV_DEPTH(KV_DEPTH), .MAX_CTX(MAX_CTX), .KV_BITS(KV_BITS), .CONFIG_HASH(CONFIG_HASH),
        .CLKS_PER_BIT(CLKS_PER_BIT), .RX_DEPTH(16), .HEART_BITS(24), .STRETCH_BITS(19)
    ) u_dev (
        .clk(clk), .rst(rst), .locked(locked),
        .uart_rx(rx), .uart_tx(tx), .status(status));

    assign ledg_n = !status[0];          // heartbeat
    assign ledr_n = !status[2];          // core error
    assign led    = {status[5], status[4], status[3], status[1], status[6]};
    //               uart err   tx         rx         busy       locked

    wire unused = status[7];
endmodule
