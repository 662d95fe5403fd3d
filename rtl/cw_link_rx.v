// cw_link_rx - the link protocol's frame parser (docs/protocol.md,
// "Receive parser"), one byte per clock, DROP mode as cw_link_decoder in
// driver/link_frame.c:
//
//   HUNT0  --A5-->  HUNT1                      else stay (a skipped byte)
//   HUNT1  --C3-->  HDR    --A5--> HUNT1       else HUNT0
//   HDR    8 bytes: type flags seq len hcheck; the running CRC starts at
//          `type`; after byte 7 the header check (low 16 bits of the CRC
//          over bytes 2..7) and len <= 1024 must hold, else HUNT0
//   PAY    len bytes into the payload buffer
//   CRC    4 bytes; must equal the CRC over bytes 2 .. 10+len-1, else HUNT0
//   FULL   a good frame waits for the executor (f_valid) until f_ack; no
//          input is taken meanwhile (in_ready low)
//
// A candidate that fails a check is dropped whole and hunting resumes at
// the next byte. A partial frame is abandoned when no byte arrives for
// IDLE_CYCLES clocks while the parser is ready (0: never).
//
// The payload stays in the buffer (buf_raddr -> buf_rdata, one cycle)
// until f_ack; the executor reads it from there.
//
// Assertions (simulation only, `ifndef SYNTHESIS): the state is legal, the
// byte index stays inside the header, payload (and the buffer) and CRC, a
// frame's length is within the bound, and f_ack comes only for a frame.
`default_nettype none

module cw_link_rx #(
    parameter integer MAX_PAYLOAD = 1024, // the protocol's bound
    parameter integer IDLE_CYCLES = 0     // inter-byte timeout, clocks (0: none)
) (
    input  wire        clk,
    input  wire        rst,
    // bytes from the PHY
    input  wire        in_valid,
    input  wire [7:0]  in_data,
    output wire        in_ready,
    // the frame waiting for the executor
    output wire        f_valid,
    output reg  [7:0]  f_type,
    output reg  [15:0] f_seq,
    output reg  [10:0] f_len,
    output reg  [31:0] f_crc,
    input  wire        f_ack,
    // its payload
    input  wire [9:0]  buf_raddr,
    output wire [7:0]  buf_rdata,
    // counters
    output reg  [31:0] n_frames,    // good frames
    output reg  [31:0] n_rejected,  // bad header check + oversize + bad CRC
    output reg  [31:0] n_abandoned, // partial frames dropped by the timeout
    output reg  [31:0] n_skipped    // bytes skipped while hunting
);
    initial begin
        if (MAX_PAYLOAD < 1 || MAX_PAYLOAD > 1024) $error("cw_link_rx: MAX_PAYLOAD must be 1..1024");
        if (IDLE_CYCLES < 0) $error("cw_link_rx: IDLE_CYCLES must be >= 0");
    end

    localparam [2:0] S_HUNT0 = 3'd0, S_HUNT1 = 3'd1, S_HDR = 3'd2, S_PAY = 3'd3,
                     S_CRC = 3'd4, S_FULL = 3'd5;
    localparam [10:0] MAXP = MAX_PAYLOAD[10:0];

    reg  [2:0]  st_q;
    reg  [10:0] idx_q;        // byte index within HDR / PAY / CRC
    reg  [31:0] crc_q;        // running CRC register (init all ones)
    reg  [15:0] hc_q;         // header check expected (after 6 header bytes)
    reg         hbad_q;       // the first header check byte differed
    reg  [31:0] idle_q;

    wire        take = in_valid && in_ready;
    wire [31:0] crc_d;
    cw_crc32c u_crc (.crc_in(crc_q), .data(in_data), .crc_out(crc_d));

    // payload buffer
    cw_ram #(.DEPTH(1024), .WIDTH(8), .LANE(8), .AW(10)) u_buf (
        .clk(clk), .we(take && st_q == S_PAY), .waddr(idx_q[9:0]), .wlanes(1'b1),
        .wdata(in_data), .re(1'b1), .raddr(buf_raddr), .rdata(buf_rdata));

    assign in_ready = st_q != S_FULL;
    assign f_valid  = st_q == S_FULL;

    wire [10:0] len_d   = {in_data[2:0], f_len[7:0]};
    wire        len_hi  = in_data[7:3] != 5'd0;   // len >= 2048
    wire        partial = st_q != S_HUNT0 && st_q != S_FULL;
    wire        timeout = IDLE_CYCLES > 0 && partial && !in_valid &&
                          idle_q >= IDLE_CYCLES - 1;
    wire [31:0] crc_rx  = {in_data, f_crc[31:8]};  // the trailer, LSB first

    always @(posedge clk) begin
        if (rst) begin
            st_q        <= S_HUNT0;
            idx_q       <= 11'd0;
            crc_q       <= 32'hFFFFFFFF;
            hc_q        <= 16'd0;
            hbad_q      <= 1'b0;
            idle_q      <= 32'd0;
            f_type      <= 8'd0;
            f_seq       <= 16'd0;
            f_len       <= 11'd0;
            f_crc       <= 32'd0;
            n_frames    <= 32'd0;
            n_rejected  <= 32'd0;
            n_abandoned <= 32'd0;
            n_skipped   <= 32'd0;
        end else begin
            idle_q <= take || !partial ? 32'd0 : idle_q + 32'd1;
            if (timeout) begin
                st_q        <= S_HUNT0;
                n_abandoned <= n_abandoned + 32'd1;
            end
            if (take) case (st_q)
                S_HUNT0:
                    if (in_data == 8'hA5) st_q <= S_HUNT1;
                    else n_skipped <= n_skipped + 32'd1;
                S_HUNT1:
                    if (in_data == 8'hC3) begin
                        st_q  <= S_HDR;
                        idx_q <= 11'd0;
                        crc_q <= 32'hFFFFFFFF;
                    end else if (in_data == 8'hA5) begin
                        n_skipped <= n_skipped + 32'd1;       // the first A5
                    end else begin
                        st_q      <= S_HUNT0;
                        n_skipped <= n_skipped + 32'd2;       // A5 and this byte
                    end
                S_HDR: begin
                    crc_q <= crc_d;
                    idx_q <= idx_q + 11'd1;
                    case (idx_q[2:0])
                        3'd0: f_type <= in_data;
                        3'd2: f_seq[7:0] <= in_data;
                        3'd3: f_seq[15:8] <= in_data;
                        3'd4: f_len <= {3'd0, in_data};
                        3'd5: begin
                            f_len <= len_hi ? 11'h7FF : len_d;
                            hc_q  <= ~crc_d[15:0];
                        end
                        3'd6: hbad_q <= in_data != hc_q[7:0];
                        3'd7: begin
                            // checked on the last header byte, as the C decoder does
                            idx_q <= 11'd0;
                            if (hbad_q || in_data != hc_q[15:8] || f_len > MAXP) begin
                                st_q       <= S_HUNT0;
                                n_rejected <= n_rejected + 32'd1;
                            end else begin
                                st_q <= f_len == 11'd0 ? S_CRC : S_PAY;
                            end
                        end
                        default: ;
                    endcase
                end
                S_PAY: begin
                    crc_q <= crc_d;
                    idx_q <= idx_q + 11'd1;
                    if (idx_q + 11'd1 == f_len) begin
                        st_q  <= S_CRC;
                        idx_q <= 11'd0;
                    end
                end
                S_CRC: begin
                    f_crc <= crc_rx;
                    idx_q <= idx_q + 11'd1;
                    if (idx_q[1:0] == 2'd3) begin
                        if (crc_rx == ~crc_q) begin
                            st_q     <= S_FULL;
                            n_frames <= n_frames + 32'd1;
                        end else begin
                            st_q       <= S_HUNT0;
                            n_rejected <= n_rejected + 32'd1;
                        end
                    end
                end
                default: ;
            endcase
            if (st_q == S_FULL && f_ack)
                st_q <= S_HUNT0;
        end
    end
`ifndef SYNTHESIS
    always @(posedge clk) begin
        if (!rst) begin
            assert (st_q <= S_FULL) else $error("cw_link_rx: illegal state %0d", st_q);
            assert (st_q != S_HDR || idx_q < 11'd8) else $error("cw_link_rx: header byte %0d", idx_q);
            assert (st_q != S_PAY || (idx_q < f_len && f_len <= MAXP))
                else $error("cw_link_rx: payload byte %0d of %0d", idx_q, f_len);
            assert (st_q != S_CRC || idx_q < 11'd4) else $error("cw_link_rx: CRC byte %0d", idx_q);
            assert (st_q != S_FULL || f_len <= MAXP) else $error("cw_link_rx: frame of %0d bytes", f_len);
            assert (!f_ack || st_q == S_FULL) else $error("cw_link_rx: f_ack without a frame");
        end
    end
`endif
endmodule

`default_nettype wire
