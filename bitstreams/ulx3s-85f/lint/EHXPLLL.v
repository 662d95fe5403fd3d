// EHXPLLL - a stand-in for the ECP5 PLL primitive, for Verilator lint and
// simulation of the board top only (yosys uses its own cell library): the
// ports and parameters cw_pll_ulx3s uses, with their legal values checked;
// CLKOP follows CLKI, LOCK is high.
`default_nettype none

module EHXPLLL #(
    parameter PLLRST_ENA = "DISABLED",
    parameter INTFB_WAKE = "DISABLED",
    parameter STDBY_ENABLE = "DISABLED",
    parameter DPHASE_SOURCE = "DISABLED",
    parameter OUTDIVIDER_MUXA = "DIVA",
    parameter OUTDIVIDER_MUXB = "DIVB",
    parameter OUTDIVIDER_MUXC = "DIVC",
    parameter OUTDIVIDER_MUXD = "DIVD",
    parameter integer CLKI_DIV = 1,
    parameter CLKOP_ENABLE = "ENABLED",
    parameter integer CLKOP_DIV = 8,
    parameter integer CLKOP_CPHASE = 0,
    parameter integer CLKOP_FPHASE = 0,
    parameter FEEDBK_PATH = "CLKOP",
    parameter integer CLKFB_DIV = 1
) (
    input  wire RST, STDBY, CLKI, CLKFB,
    input  wire PHASESEL0, PHASESEL1, PHASEDIR, PHASESTEP, PHASELOADREG, PLLWAKESYNC, ENCLKOP,
    output wire CLKOP, CLKINTFB, LOCK
);
    initial begin
        if (PLLRST_ENA != "DISABLED" && PLLRST_ENA != "ENABLED") $error("EHXPLLL: PLLRST_ENA");
        if (INTFB_WAKE != "DISABLED" && INTFB_WAKE != "ENABLED") $error("EHXPLLL: INTFB_WAKE");
        if (STDBY_ENABLE != "DISABLED" && STDBY_ENABLE != "ENABLED") $error("EHXPLLL: STDBY_ENABLE");
        if (DPHASE_SOURCE != "DISABLED" && DPHASE_SOURCE != "ENABLED") $error("EHXPLLL: DPHASE_SOURCE");
        if (OUTDIVIDER_MUXA != "DIVA" || OUTDIVIDER_MUXB != "DIVB" || OUTDIVIDER_MUXC != "DIVC"
            || OUTDIVIDER_MUXD != "DIVD") $error("EHXPLLL: OUTDIVIDER_MUX*: only the direct dividers are modelled");
        if (CLKOP_ENABLE != "ENABLED") $error("EHXPLLL: CLKOP_ENABLE");
        if (FEEDBK_PATH != "CLKOP") $error("EHXPLLL: FEEDBK_PATH: only CLKOP is modelled");
        if (CLKI_DIV < 1 || CLKI_DIV > 128 || CLKFB_DIV < 1 || CLKFB_DIV > 128 || CLKOP_DIV < 1
            || CLKOP_DIV > 128) $error("EHXPLLL: dividers must be 1..128");
        if (CLKOP_CPHASE < 0 || CLKOP_CPHASE > 127 || CLKOP_FPHASE < 0 || CLKOP_FPHASE > 7)
            $error("EHXPLLL: CLKOP phase out of range");
    end

    assign CLKOP = CLKI;
    assign CLKINTFB = CLKI;
    assign LOCK = 1'b1;
    wire unused = &{1'b0, RST, STDBY, CLKFB, PHASESEL0, PHASESEL1, PHASEDIR, PHASESTEP,
                    PHASELOADREG, PLLWAKESYNC, ENCLKOP};
endmodule
