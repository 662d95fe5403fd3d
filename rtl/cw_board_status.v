// cw_board_status - what a board shows on its LEDs: a heartbeat, the core's
// state, and link activity stretched so a person can see it.
//
//   led[0] heartbeat (about 1.5 Hz at 50 MHz: the clock runs)
//   led[1] a run in progress            led[2] the core stopped on an error
//   led[3] a byte received              led[4] a byte sent
//   led[5] a UART framing or overrun error since reset (sticky)
//   led[6] the clock is locked          led[7] reset held
//
// Board-independent: the board's top level maps led[] to its pins (and
// inverts them where its LEDs are active low).
`default_nettype none

module cw_board_status #(
    parameter integer HEART_BITS   = 25,  // heartbeat period: 2^HEART_BITS cycles
    parameter integer STRETCH_BITS = 20   // activity pulses last 2^STRETCH_BITS cycles
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       locked,
    input  wire       busy,
    input  wire [1:0] core_state,   // CW_LINK_CORE_*: 3 = error
    input  wire       rx_byte,      // one-cycle pulses
    input  wire       tx_byte,
    input  wire       uart_err,
    output wire [7:0] led
);
    initial begin
        if (HEART_BITS < 2 || HEART_BITS > 32) $error("cw_board_status: HEART_BITS out of range (2..32)");
        if (STRETCH_BITS < 1 || STRETCH_BITS > 31) $error("cw_board_status: STRETCH_BITS out of range (1..31)");
    end

    reg [HEART_BITS-1:0]   heart_q;
    reg [STRETCH_BITS-1:0] rx_q, tx_q;
    reg                    uart_err_q;

    always @(posedge clk) begin
        if (rst) begin
            heart_q    <= {HEART_BITS{1'b0}};
            rx_q       <= {STRETCH_BITS{1'b0}};
            tx_q       <= {STRETCH_BITS{1'b0}};
            uart_err_q <= 1'b0;
        end else begin
            heart_q <= heart_q + 1'b1;
            rx_q    <= rx_byte ? {STRETCH_BITS{1'b1}} : (rx_q != 0 ? rx_q - 1'b1 : rx_q);
            tx_q    <= tx_byte ? {STRETCH_BITS{1'b1}} : (tx_q != 0 ? tx_q - 1'b1 : tx_q);
            if (uart_err)
                uart_err_q <= 1'b1;
        end
    end

    assign led = {rst, locked, uart_err_q, tx_q != 0, rx_q != 0, core_state == 2'd3, busy,
                  heart_q[HEART_BITS-1]};
endmodule
