// cw_pll_icebreaker - the iCE40 PLL (SB_PLL40_PAD) from the iCEBreaker's
// 12 MHz oscillator to the core clock of the `icebreaker` target (24 MHz).
//
//   f_out = 12 MHz * (DIVF + 1) / ((DIVR + 1) * 2^DIVQ) = 12 * 64 / 32 = 24 MHz
//   f_vco = 12 MHz * (DIVF + 1) / (DIVR + 1) = 768 MHz   (533..1066)
//   f_pfd = 12 MHz / (DIVR + 1) = 12 MHz                 (10..133)
//
// (Ranges from Lattice's iCE40 sysCLOCK PLL design guide.) Vendor primitive:
// lives in the board folder only.
`default_nettype none

module cw_pll_icebreaker (
    input  wire clk_12mhz,
    output wire clk,
    output wire locked
);
    wire core_unused, sdo_unused;
    SB_PLL40_PAD #(
        .FEEDBACK_PATH("SIMPLE"),
        .DIVR(4'd0),
        .DIVF(7'd63),
        .DIVQ(3'd5),
        .FILTER_RANGE(3'd1)
    ) u_pll (
        .PACKAGEPIN(clk_12mhz),
        .PLLOUTCORE(core_unused),
        .PLLOUTGLOBAL(clk),
        .EXTFEEDBACK(1'b0),
        .DYNAMICDELAY(8'd0),
        .LOCK(locked),
        .BYPASS(1'b0),
        .RESETB(1'b1),
        .LATCHINPUTVALUE(1'b0),
        .SDI(1'b0),
        .SCLK(1'b0),
        .SDO(sdo_unused)
    );
    wire unused = &{1'b0, core_unused, sdo_unused};
endmodule
