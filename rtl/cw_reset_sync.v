// cw_reset_sync - a synchronous active-high reset for a board's core clock:
// held while the clock is not locked or the button is pressed, and for
// 2^HOLD_BITS cycles after both let go; released synchronously.
`default_nettype none

module cw_reset_sync #(
    parameter integer HOLD_BITS = 8   // release delay: 2^HOLD_BITS cycles
) (
    input  wire clk,
    input  wire locked,    // asynchronous: the PLL's lock
    input  wire button,    // asynchronous, active high
    output wire rst
);
    initial begin
        if (HOLD_BITS < 1 || HOLD_BITS > 24) $error("cw_reset_sync: HOLD_BITS out of range (1..24)");
    end

    reg [1:0]           sync_q;   // two flops on the asynchronous request
    reg [HOLD_BITS:0]   hold_q;   // counts up to the top bit

    always @(posedge clk) begin
        sync_q <= {sync_q[0], !locked || button};
        if (sync_q[1])
            hold_q <= {(HOLD_BITS + 1){1'b0}};
        else if (!hold_q[HOLD_BITS])
            hold_q <= hold_q + 1'b1;
    end

    assign rst = !hold_q[HOLD_BITS];
endmodule
