// SB_PLL40_PAD - a stand-in for the iCE40 PLL primitive, for Verilator lint
// and simulation of the board top only (yosys uses its own cell library):
// the ports and parameters cw_pll_icebreaker uses, with their legal values
// checked; the output follows the pad, LOCK is high.
`default_nettype none

module SB_PLL40_PAD #(
    parameter FEEDBACK_PATH = "SIMPLE",
    parameter [3:0] DIVR = 4'd0,
    parameter [6:0] DIVF = 7'd0,
    parameter [2:0] DIVQ = 3'd0,
    parameter [2:0] FILTER_RANGE = 3'd0
) (
    input  wire PACKAGEPIN, EXTFEEDBACK, BYPASS, RESETB, LATCHINPUTVALUE, SDI, SCLK,
    input  wire [7:0] DYNAMICDELAY,
    output wire PLLOUTCORE, PLLOUTGLOBAL, LOCK, SDO
);
    initial begin
        if (FEEDBACK_PATH != "SIMPLE") $error("SB_PLL40_PAD: only FEEDBACK_PATH SIMPLE is modelled");
        if (DIVQ < 3'd1 || DIVQ > 3'd6) $error("SB_PLL40_PAD: DIVQ must be 1..6");
        if (FILTER_RANGE > 3'd6) $error("SB_PLL40_PAD: FILTER_RANGE must be 0..6");
        if ({1'b0, DIVF} < {4'd0, DIVR}) $error("SB_PLL40_PAD: (DIVF+1)/(DIVR+1) below 1 is not modelled");
    end

    assign PLLOUTCORE = PACKAGEPIN;
    assign PLLOUTGLOBAL = PACKAGEPIN;
    assign LOCK = 1'b1;
    assign SDO = 1'b0;
    wire unused = &{1'b0, EXTFEEDBACK, BYPASS, RESETB, LATCHINPUTVALUE, SDI, SCLK, DYNAMICDELAY};
endmodule
