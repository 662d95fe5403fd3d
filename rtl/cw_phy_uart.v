// cw_phy_uart - 8N1 UART for the link (the FTDI bridges of the ULX3S and
// the iCEBreaker): one start bit, 8 data bits LSB first, one stop bit, at
// clk / CLKS_PER_BIT baud (e.g. 50 MHz / 3 Mbaud is not integral: pick a
// clock and baud whose ratio is; 48 MHz / 16 = 3 Mbaud).
//
// Receive: the line goes through a two-flop synchronizer; a start bit is
// confirmed at its middle, each bit sampled at its middle, the stop bit
// must be 1 (else the byte is dropped: err_frame pulses). Bytes wait in a
// RX_DEPTH-entry FIFO for the link engine; a UART cannot be held off, so a
// byte that finds the FIFO full is dropped (err_overrun pulses) and the
// protocol's CRC and retransmission repair it.
// Transmit: a byte is taken when the transmitter is idle (tx_ready) and
// shifted out; the line idles high.
`default_nettype none

module cw_phy_uart #(
    parameter integer CLKS_PER_BIT = 16,  // baud divisor, >= 4
    parameter integer RX_DEPTH     = 16   // receive FIFO entries (power of two)
) (
    input  wire       clk,
    input  wire       rst,
    // pins
    input  wire       uart_rx,
    output reg        uart_tx,
    // to the link engine
    output wire       rx_valid,
    output wire [7:0] rx_data,
    input  wire       rx_ready,
    // from the link engine
    input  wire       tx_valid,
    input  wire [7:0] tx_data,
    output wire       tx_ready,
    // diagnostics (one-cycle pulses)
    output reg        err_frame,
    output reg        err_overrun
);
    localparam integer CW = $clog2(CLKS_PER_BIT + 1);
    localparam [CW-1:0] FULL = CLKS_PER_BIT[CW-1:0] - 1'b1;
    localparam [CW-1:0] HALF = CLKS_PER_BIT[CW:1] - 1'b1;
    initial begin
        if (CLKS_PER_BIT < 4) $error("cw_phy_uart: CLKS_PER_BIT must be >= 4");
        if (RX_DEPTH < 2 || (1 << $clog2(RX_DEPTH)) != RX_DEPTH)
            $error("cw_phy_uart: RX_DEPTH must be a power of two >= 2");
    end

    // ---------------------------------------------------------------- receive
    reg          rx_m_q, rx_s_q;          // synchronizer
    reg  [1:0]   rst_q;                   // 0 idle, 1 start, 2 data, 3 stop
    reg  [CW-1:0] rcnt_q;
    reg  [2:0]   rbit_q;
    reg  [7:0]   rsh_q;
    reg          push;
    wire         full, rx_empty;
    wire [$clog2(RX_DEPTH):0] level;

    always @(posedge clk) begin
        if (rst) begin
            rx_m_q    <= 1'b1;
            rx_s_q    <= 1'b1;
            rst_q     <= 2'd0;
            rcnt_q    <= {CW{1'b0}};
            rbit_q    <= 3'd0;
            rsh_q     <= 8'd0;
            push      <= 1'b0;
            err_frame <= 1'b0;
        end else begin
            rx_m_q    <= uart_rx;
            rx_s_q    <= rx_m_q;
            push      <= 1'b0;
            err_frame <= 1'b0;
            case (rst_q)
                2'd0: if (!rx_s_q) begin          // falling edge: a start bit?
                    rst_q  <= 2'd1;
                    rcnt_q <= HALF;
                end
                2'd1: if (rcnt_q != 0) rcnt_q <= rcnt_q - 1'b1;
                      else if (rx_s_q) rst_q <= 2'd0;   // a glitch
                      else begin
                          rst_q  <= 2'd2;
                          rcnt_q <= FULL;
                          rbit_q <= 3'd0;
                      end
                2'd2: if (rcnt_q != 0) rcnt_q <= rcnt_q - 1'b1;
                      else begin
                          rsh_q  <= {rx_s_q, rsh_q[7:1]};
                          rcnt_q <= FULL;
                          rbit_q <= rbit_q + 3'd1;
                          if (rbit_q == 3'd7) rst_q <= 2'd3;
                      end
                default: if (rcnt_q != 0) rcnt_q <= rcnt_q - 1'b1;
                      else begin
                          rst_q <= 2'd0;
                          if (rx_s_q) push <= 1'b1;
                          else err_frame <= 1'b1;
                      end
            endcase
        end
    end

    cw_sync_fifo #(.WIDTH(8), .DEPTH(RX_DEPTH)) u_rxq (
        .clk(clk), .rst(rst), .clear(1'b0), .wr_en(push), .wr_data(rsh_q), .full(full),
        .rd_en(rx_ready), .rd_data(rx_data), .empty(rx_empty), .level(level));
    assign rx_valid = !rx_empty;

    always @(posedge clk)
        if (rst) err_overrun <= 1'b0;
        else err_overrun <= push && full;

    // ---------------------------------------------------------------- transmit
    reg [8:0]    tsh_q;      // data bits then the stop bit
    reg [3:0]    tbit_q;     // bits left (0: idle)
    reg [CW-1:0] tcnt_q;
    assign tx_ready = tbit_q == 4'd0;

    always @(posedge clk) begin
        if (rst) begin
            uart_tx <= 1'b1;
            tsh_q   <= 9'h1FF;
            tbit_q  <= 4'd0;
            tcnt_q  <= {CW{1'b0}};
        end else if (tbit_q == 4'd0) begin
            if (tx_valid) begin
                uart_tx <= 1'b0;                // start bit
                tsh_q   <= {1'b1, tx_data};
                tbit_q  <= 4'd10;
                tcnt_q  <= FULL;
            end
        end else if (tcnt_q != 0) begin
            tcnt_q <= tcnt_q - 1'b1;
        end else begin
            tcnt_q  <= FULL;
            tbit_q  <= tbit_q - 4'd1;
            uart_tx <= tbit_q == 4'd1 ? 1'b1 : tsh_q[0];
            tsh_q   <= {1'b1, tsh_q[8:1]};
        end
    end

    wire unused = &{1'b0, level};
endmodule

`default_nettype wire
