// cw_top_ulx3s - the clockwork accelerator on a ULX3S (ECP5 LFE5U-85F):
// the 25 MHz oscillator through the PLL to the core clock (CLK_MHZ), a
// reset from the lock and the FIRE1 button, and cw_uart_device (the link
// over the FT231X's UART at BAUD: CLKS_PER_BIT = CLK_MHZ * 10^6 / BAUD
// must be a whole number (20 MHz / 2 Mbaud = 10; 2 Mbaud is a rate the
// FT231X makes exactly); the status LEDs as rtl/cw_board_status.v says.
//
// The core parameters and CLK_MHZ are those of the `ulx3s-85f` target:
// scripts/bitstream.sh sets them from `clockwork target ulx3s-85f --params`
// and its clock_mhz, so the configuration hash the device reports is the one
// the compiler checks and the PLL runs the core at the clock the timing
// report is for.
`default_nettype none

module cw_top_ulx3s #(
    parameter integer LANES        = 8,
    parameter integer K            = 8,
    parameter integer WBITS        = 8,
    parameter integer PROG_DEPTH   = 512,
    parameter integer WGT_LINES    = 4128,
    parameter integer SCL_DEPTH    = 4096,
    parameter integer CST_DEPTH    = 1024,
    parameter integer ACT_DEPTH    = 2048,
    parameter integer KV_DEPTH     = 40960,
    parameter integer MAX_CTX      = 256,
    parameter integer KV_BITS      = 9,
    parameter [63:0]  CONFIG_HASH  = 64'd0,
    parameter integer CLK_MHZ      = 20,        // core clock: a multiple of 5 that divides 600
    parameter integer BAUD         = 2000000    // UART rate on the FT231X
) (
    input  wire       clk_25mhz,
    input  wire [6:0] btn,        // btn[0] PWR (active low), btn[1] FIRE1 ...
    input  wire       ftdi_txd,   // FT231X -> FPGA
    output wire       ftdi_rxd,   // FPGA -> FT231X
    output wire [7:0] led,
    output wire       wifi_gpio0  // held high: the ESP32 must not reset the board
);
    localparam integer CLKS_PER_BIT = CLK_MHZ * 1000000 / BAUD;
    initial begin
        if (CLKS_PER_BIT * BAUD != CLK_MHZ * 1000000)
            $error("cw_top_ulx3s: BAUD must divide the clock (CLK_MHZ MHz) exactly");
        if (CLKS_PER_BIT < 4) $error("cw_top_ulx3s: CLKS_PER_BIT must be >= 4");
    end

    wire clk, locked, rst;
    cw_pll_ulx3s #(.CLK_MHZ(CLK_MHZ)) u_pll (.clk_25mhz(clk_25mhz), .clk(clk), .locked(locked));
    cw_reset_sync u_rst (.clk(clk), .locked(locked), .button(btn[1]), .rst(rst));

    cw_uart_device #(
        .LANES(LANES), .K(K), .WBITS(WBITS), .PROG_DEPTH(PROG_DEPTH), .WGT_LINES(WGT_LINES),
        .SCL_DEPTH(SCL_DEPTH), .CST_DEPTH(CST_DEPTH), .ACT_DEPTH(ACT_DEPTH),
        .KV_DEPTH(KV_DEPTH), .MAX_CTX(MAX_CTX), .KV_BITS(KV_BITS), .CONFIG_HASH(CONFIG_HASH),
        .CLKS_PER_BIT(CLKS_PER_BIT), .RX_DEPTH(64)
    ) u_dev (
        .clk(clk), .rst(rst), .locked(locked),
        .uart_rx(ftdi_txd), .uart_tx(ftdi_rxd), .status(led));

    assign wifi_gpio0 = 1'b1;

    wire unused = &{1'b0, btn[6:2], btn[0]};
endmodule
