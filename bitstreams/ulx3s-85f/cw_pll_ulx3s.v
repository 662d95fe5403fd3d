// cw_pll_ulx3s - the ECP5 PLL (EHXPLLL) from the ULX3S's 25 MHz oscillator to
// the core clock of the `ulx3s-85f` target (CLK_MHZ, its clock_mhz):
//
//   f_pfd   = 25 MHz / CLKI_DIV                   = 5 MHz        (3.125..400)
//   f_clkop = f_pfd * CLKFB_DIV                   = CLK_MHZ      (CLKFB_DIV = CLK_MHZ / 5)
//   f_vco   = f_clkop * CLKOP_DIV                 = 600 MHz      (400..800)
//
// so CLK_MHZ must be a multiple of 5 that divides 600 (5, 10, 15, 20, 25,
// 30, 40, 50, 60, 75, 100, ...). Ranges from Lattice's ECP5 sysCLOCK PLL
// usage guide (TN1263). Vendor primitive: lives in the board folder only.
`default_nettype none

module cw_pll_ulx3s #(
    parameter integer CLK_MHZ = 20   // output clock in MHz
) (
    input  wire clk_25mhz,
    output wire clk,
    output wire locked
);
    localparam integer CLKFB_DIV = CLK_MHZ / 5;
    localparam integer CLKOP_DIV = 600 / CLK_MHZ;
    initial begin
        if (CLK_MHZ % 5 != 0 || 600 % CLK_MHZ != 0 || CLKOP_DIV > 128)
            $error("cw_pll_ulx3s: CLK_MHZ must be a multiple of 5 that divides 600");
    end

    wire clkop, clkintfb_unused;

    EHXPLLL #(
        .PLLRST_ENA("DISABLED"),
        .INTFB_WAKE("DISABLED"),
        .STDBY_ENABLE("DISABLED"),
        .DPHASE_SOURCE("DISABLED"),
        .OUTDIVIDER_MUXA("DIVA"),
        .OUTDIVIDER_MUXB("DIVB"),
        .OUTDIVIDER_MUXC("DIVC"),
        .OUTDIVIDER_MUXD("DIVD"),
        .CLKI_DIV(5),
        .CLKOP_ENABLE("ENABLED"),
        .CLKOP_DIV(CLKOP_DIV),
        .CLKOP_CPHASE(CLKOP_DIV - 1),
        .CLKOP_FPHASE(0),
        .FEEDBK_PATH("CLKOP"),
        .CLKFB_DIV(CLKFB_DIV)
    ) u_pll (
        .RST(1'b0),
        .STDBY(1'b0),
        .CLKI(clk_25mhz),
        .CLKOP(clkop),
        .CLKFB(clkop),
        .CLKINTFB(clkintfb_unused),
        .PHASESEL0(1'b0),
        .PHASESEL1(1'b0),
        .PHASEDIR(1'b1),
        .PHASESTEP(1'b1),
        .PHASELOADREG(1'b1),
        .PLLWAKESYNC(1'b0),
        .ENCLKOP(1'b0),
        .LOCK(locked)
    );

    assign clk = clkop;
    wire unused = clkintfb_unused;
endmodule
