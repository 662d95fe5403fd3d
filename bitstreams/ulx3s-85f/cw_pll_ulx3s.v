// cw_pll_ulx3s - the ECP5 PLL (EHXPLLL) from the ULX3S's 25 MHz oscillator to
// the core clock of the `ulx3s-85f` target (50 MHz).
//
//   f_pfd  = 25 MHz / CLKI_DIV                    = 25 MHz (3.125..400)
//   f_vco  = f_pfd * CLKFB_DIV * CLKOP_DIV        = 600 MHz (400..800)
//   f_clkop = f_vco / CLKOP_DIV                   = 50 MHz
//
// (Ranges from Lattice's ECP5 sysCLOCK PLL usage guide, TN1263.) Vendor
// primitive: lives in the board folder only.
`default_nettype none

module cw_pll_ulx3s (
    input  wire clk_25mhz,
    output wire clk,
    output wire locked
);
    wire clkop, clkintfb_unused;

    (* FREQUENCY_PIN_CLKI = "25" *)
    (* FREQUENCY_PIN_CLKOP = "50" *)
    EHXPLLL #(
        .PLLRST_ENA("DISABLED"),
        .INTFB_WAKE("DISABLED"),
        .STDBY_ENABLE("DISABLED"),
        .DPHASE_SOURCE("DISABLED"),
        .OUTDIVIDER_MUXA("DIVA"),
        .OUTDIVIDER_MUXB("DIVB"),
        .OUTDIVIDER_MUXC("DIVC"),
        .OUTDIVIDER_MUXD("DIVD"),
        .CLKI_DIV(1),
        .CLKOP_ENABLE("ENABLED"),
        .CLKOP_DIV(12),
        .CLKOP_CPHASE(11),
        .CLKOP_FPHASE(0),
        .FEEDBK_PATH("CLKOP"),
        .CLKFB_DIV(2)
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
