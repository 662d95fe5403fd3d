// cw_link_engine - the device side of the link protocol (docs/protocol.md,
// "The device side in RTL"): the frame parser (cw_link_rx), the command
// executor, the event framer and the frame writer (cw_link_tx), between a
// PHY's byte streams and cw_core's ports. driver/link_device.c is the model
// it follows, command for command; the differences are listed in the doc.
//
// Executor (one command at a time, one response per command):
//
//   IDLE  a frame from the parser: responses/events (type bit 7 or 6) are
//         dropped; a duplicate (seq and CRC of the last command) of WRITE,
//         RUN, CANCEL or RESET is answered from the replay register -> RESP;
//         else FLD. No frame: the event framer may start a frame -> RESP.
//   FLD   payload bytes 0..11 from the parser's buffer into `fld`
//   EXEC  checks and side effects; WRITE with data -> WC; CANCEL, RESET
//         -> CWAIT (the core settles); else -> FIN
//   WC    WRITE commit: one word at a time (read-modify-write through the
//         host read port for a partial first or last word) -> FIN
//   FIN   remember seq/CRC (and the response, if replayable); release the
//         parser's buffer -> RESP
//   RESP  start the frame writer; SEND streams the payload; -> IDLE
//
// The core never waits for the link: token records go into an event FIFO
// (EV_DEPTH entries); a record that finds it full is dropped and counted,
// and the host reads it back from the OUTPUT region.
//
// Nothing waits without bound except on the PHY: FLD, EXEC, CWAIT, FIN and
// RESP take fixed clocks, a WRITE commit at most two per byte plus the
// host read port's two-clock reads, and SEND waits for tx_ready (and for
// the read port, two clocks). A host that stops reading holds SEND; that is
// right: a response or event cut short would be lost all the same, no new
// command can arrive from a host that does not read (stop-and-wait), the
// core never waits for the link (its token records are dropped and
// counted when the event FIFO is full), and a host that comes back reads
// the rest of the frame or drops it by its CRC.
//
// Assertions (simulation only, `ifndef SYNTHESIS; Verilator --assert): the
// states are legal; every write through the core's write port is inside
// the region of the WRITE being committed; buffer indices stay inside the
// frame; the event FIFO is never popped empty nor above its depth; every
// state but IDLE and SEND is left within 16 clocks, SEND within a bound of
// clocks in which tx_ready is high, and a good frame is taken from the
// parser within 8192 such clocks.
`default_nettype none

module cw_link_engine #(
    parameter integer MAC_LANES   = 64,    // INFO: LANES * K
    parameter integer MAX_CTX     = 1024,  // INFO: context length; RUN bound
    parameter [31:0]  SZ_PROG     = 0,     // region sizes in bytes (0: no region)
    parameter [31:0]  SZ_WGT      = 0,
    parameter [31:0]  SZ_SCL      = 0,
    parameter [31:0]  SZ_CST      = 0,
    parameter [31:0]  SZ_ACT      = 0,
    parameter [31:0]  SZ_KV       = 0,
    parameter [31:0]  SZ_PROMPT   = 0,
    parameter [31:0]  SZ_OUT      = 0,
    parameter integer EV_DEPTH    = 16,    // token records waiting to be sent
    parameter integer IDLE_CYCLES = 0      // parser's inter-byte timeout (0: none)
) (
    input  wire        clk,
    input  wire        rst,
    // bytes from the PHY
    input  wire        rx_valid,
    input  wire [7:0]  rx_data,
    output wire        rx_ready,
    // bytes to the PHY (tx_last: the last byte of a frame)
    output wire        tx_valid,
    output wire [7:0]  tx_data,
    output wire        tx_last,
    input  wire        tx_ready,
    // the core: memory write port
    output wire        wr_en,
    output wire [2:0]  wr_region,
    output wire [23:0] wr_addr,
    output wire [31:0] wr_data,
    // host read port
    output wire        hr_en,
    output wire [2:0]  hr_region,
    output wire [23:0] hr_addr,
    input  wire        hr_valid,
    input  wire [31:0] hr_data,
    // control and status
    output wire        run_start,
    output wire [15:0] run_n_prompt,
    output wire [15:0] run_steps,
    output wire        cancel,
    input  wire        busy,
    input  wire        run_done,
    input  wire        err,
    input  wire [7:0]  err_code,
    input  wire [63:0] cycle,
    input  wire [15:0] tokens,
    input  wire [63:0] config_hash,
    // token records
    input  wire        tok_valid,
    input  wire [15:0] tok_pos,
    input  wire [31:0] tok_id,
    input  wire [63:0] tok_cycle,
    // diagnostics
    output wire [1:0]  core_state,
    output wire [31:0] rx_rejected
);
    initial begin
        if (MAX_CTX < 1 || MAX_CTX > 65535) $error("cw_link_engine: MAX_CTX must be 1..65535");
        if (EV_DEPTH < 2 || (1 << $clog2(EV_DEPTH)) != EV_DEPTH)
            $error("cw_link_engine: EV_DEPTH must be a power of two >= 2");
        if (SZ_OUT != 0 && SZ_OUT < 16 * MAX_CTX)
            $error("cw_link_engine: OUTPUT must hold MAX_CTX records");
        if (SZ_PROMPT != 0 && SZ_PROMPT < 4 * MAX_CTX)
            $error("cw_link_engine: PROMPT must hold MAX_CTX ids");
    end

    // protocol constants (driver/link_proto.h)
    localparam [7:0] C_INFO = 8'h01, C_WRITE = 8'h02, C_READ = 8'h03, C_RUN = 8'h04,
                     C_CANCEL = 8'h05, C_RESET = 8'h06, C_STATUS = 8'h07;
    localparam [7:0] EV_TOKEN = 8'h41, EV_DONE = 8'h42, EV_ERROR = 8'h43;
    localparam [7:0] ST_OK = 8'd0, ST_BAD_COMMAND = 8'd1, ST_BAD_LENGTH = 8'd2,
                     ST_BAD_REGION = 8'd3, ST_OUT_OF_RANGE = 8'd4, ST_BUSY = 8'd5,
                     ST_BAD_ARG = 8'd6;
    localparam [1:0] CS_IDLE = 2'd0, CS_RUNNING = 2'd1, CS_DONE = 2'd2, CS_ERROR = 2'd3;
    localparam [7:0] X_NONE = 8'd0, X_STEPS = 8'd1, X_EOS = 8'd2, X_CANCELLED = 8'd3,
                     X_ERROR = 8'd4;
    localparam [31:0] CTX32 = MAX_CTX, MACS32 = MAC_LANES;

    // response payload kinds
    localparam [2:0] K_SHORT = 3'd0, K_INFO = 3'd1, K_STATUS = 3'd2, K_READ = 3'd3,
                     K_TOKEN = 3'd4, K_DONE = 3'd5, K_ERROR = 3'd6;

    localparam [3:0] E_IDLE = 4'd0, E_FLD = 4'd1, E_EXEC = 4'd2, E_WC = 4'd3,
                     E_WCR = 4'd4, E_WCB = 4'd5, E_WCW = 4'd6, E_CWAIT = 4'd7,
                     E_FIN = 4'd8, E_RESP = 4'd9, E_SEND = 4'd10;

    // ---------------------------------------------------------------- parser
    wire        f_valid;
    wire [7:0]  f_type;
    wire [15:0] f_seq;
    wire [10:0] f_len;
    wire [31:0] f_crc;
    reg         f_ack;
    wire [9:0]  buf_raddr;
    wire [7:0]  buf_rdata;
    wire [31:0] n_frames, n_rejected, n_abandoned, n_skipped;

    cw_link_rx #(.MAX_PAYLOAD(1024), .IDLE_CYCLES(IDLE_CYCLES)) u_rx (
        .clk(clk), .rst(rst), .in_valid(rx_valid), .in_data(rx_data), .in_ready(rx_ready),
        .f_valid(f_valid), .f_type(f_type), .f_seq(f_seq), .f_len(f_len), .f_crc(f_crc),
        .f_ack(f_ack), .buf_raddr(buf_raddr), .buf_rdata(buf_rdata),
        .n_frames(n_frames), .n_rejected(n_rejected), .n_abandoned(n_abandoned),
        .n_skipped(n_skipped));
    assign rx_rejected = n_rejected;

    // ---------------------------------------------------------------- writer
    reg         tx_start;
    wire        tx_busy, tx_done;
    wire        pl_valid, pl_ready;
    reg  [7:0]  pl_data;
    reg  [7:0]  r_type;
    reg  [15:0] r_seq;
    reg  [10:0] r_len;

    cw_link_tx u_tx (
        .clk(clk), .rst(rst), .start(tx_start), .type_i(r_type), .seq_i(r_seq),
        .len_i(r_len), .busy(tx_busy), .done(tx_done),
        .pl_valid(pl_valid), .pl_data(pl_data), .pl_ready(pl_ready),
        .out_valid(tx_valid), .out_data(tx_data), .out_last(tx_last), .out_ready(tx_ready));

    // ---------------------------------------------------------------- state
    reg  [3:0]  st_q;
    reg  [3:0]  fi_q;          // FLD byte counter
    reg  [95:0] fld;           // payload bytes 0..11
    reg  [1:0]  cw_q;          // CWAIT counter
    // the response being built / sent
    reg  [2:0]  r_kind;
    reg         r_ev;          // an event frame (bookkeeping when it is done)
    reg  [7:0]  r_st, r_b1;
    reg  [31:0] r_w4, r_w8;
    reg  [10:0] pi_q;          // payload bytes sent
    // duplicate detection and the replay register
    reg         have_last, replay_valid;
    reg  [15:0] last_seq;
    reg  [31:0] last_crc;
    reg  [7:0]  rp_type, rp_st, rp_b1;
    reg  [3:0]  rp_len;
    reg  [31:0] rp_w4, rp_w8;
    // the core as the protocol sees it
    reg  [1:0]  core_st;
    reg  [7:0]  exit_q, errc_q;
    reg  [31:0] steps_q, run_id;
    reg         cxl_q;         // CANCEL reached the running core
    reg         run_active;    // events still due for run run_id
    reg         done_pending, err_sent;
    // counters
    reg  [31:0] n_dups, n_events, n_dropped;
    // snapshots for INFO / STATUS
    reg  [1:0]  sn_state;
    reg  [7:0]  sn_exit, sn_err;
    reg  [31:0] sn_tokens, sn_steps, sn_rej, sn_drop;
    reg  [63:0] sn_cycle;
    // WRITE commit
    reg  [31:0] wc_a;          // region byte address
    reg  [10:0] wc_cnt;        // bytes left
    reg  [9:0]  wc_bi;         // buffer index
    reg  [31:0] wc_word;
    reg  [23:0] wc_wa;
    // READ stream
    reg  [31:0] ra_q;          // region byte address of the next data byte
    reg  [23:0] rw_wa;
    reg  [31:0] rw_data;
    reg         rw_ok, rd_pend;

    assign core_state = core_st;

    // ---------------------------------------------------------------- fields
    wire [7:0]  p_region = fld[7:0];
    wire [31:0] p_off    = fld[63:32];
    wire [15:0] p_rdlen  = fld[79:64];
    wire [31:0] p_nprom  = fld[31:0];
    wire [31:0] p_steps  = fld[63:32];
    wire [10:0] w_n      = f_len - 11'd8;   // WRITE data bytes (when len >= 8)

    function [31:0] region_size(input [7:0] r);
        case (r)
            8'd0: region_size = SZ_PROG;
            8'd1: region_size = SZ_WGT;
            8'd2: region_size = SZ_SCL;
            8'd3: region_size = SZ_CST;
            8'd4: region_size = SZ_ACT;
            8'd5: region_size = SZ_KV;
            8'd6: region_size = SZ_PROMPT;
            8'd7: region_size = SZ_OUT;
            default: region_size = 32'd0;
        endcase
    endfunction

    // check_range() of link_device.c for (p_region, p_off, n)
    function [7:0] range_status(input [7:0] r, input [31:0] off, input [31:0] n);
        reg [32:0] sz;
        begin
            sz = {1'b0, region_size(r)};
            if (sz == 33'd0)
                range_status = ST_BAD_REGION;
            else if ({1'b0, off} > sz || {1'b0, n} > sz - {1'b0, off})
                range_status = ST_OUT_OF_RANGE;
            else
                range_status = ST_OK;
        end
    endfunction

    wire        running  = core_st == CS_RUNNING;
    wire [7:0]  wr_rs    = range_status(p_region, p_off, {21'd0, w_n});
    wire [7:0]  rd_rs    = p_rdlen > 16'd1016 ? ST_BAD_ARG
                                              : range_status(p_region, p_off, {16'd0, p_rdlen});
    wire        run_args = p_nprom != 32'd0 && p_steps != 32'd0 && p_nprom <= CTX32 &&
                           p_steps <= CTX32;
    wire        side_eff = f_type == C_WRITE || f_type == C_RUN || f_type == C_CANCEL ||
                           f_type == C_RESET;
    wire        is_dup   = have_last && f_seq == last_seq && f_crc == last_crc;
    wire [31:0] cur_tokens = core_st == CS_IDLE ? 32'd0 : {16'd0, tokens};
    wire [31:0] cur_steps  = core_st == CS_IDLE ? 32'd0 : steps_q;
    wire [63:0] cur_cycle  = core_st == CS_IDLE ? 64'd0 : cycle;

    // ---------------------------------------------------------------- events
    wire         ev_empty, ev_full;
    wire [111:0] ev_head;
    reg          ev_clear;
    // a TOKEN frame pops its record as it ends (before the framer looks again)
    wire         ev_pop = st_q == E_SEND && tx_done && r_ev && r_kind == K_TOKEN;
    wire         ev_push = tok_valid && run_active && !ev_clear;
    wire [$clog2(EV_DEPTH):0] ev_level;
    cw_sync_fifo #(.WIDTH(112), .DEPTH(EV_DEPTH)) u_ev (
        .clk(clk), .rst(rst), .clear(ev_clear), .wr_en(ev_push),
        .wr_data({tok_cycle, tok_id, tok_pos}), .full(ev_full),
        .rd_en(ev_pop), .rd_data(ev_head), .empty(ev_empty), .level(ev_level));

    // ---------------------------------------------------------------- payload bytes
    reg [511:0] vec;
    always @* begin
        case (r_kind)
            K_INFO: vec = {SZ_OUT, SZ_PROMPT, SZ_KV, SZ_ACT, SZ_CST, SZ_SCL, SZ_WGT, SZ_PROG,
                           32'd0, run_id, CTX32, MACS32, config_hash, 16'd0, 16'd1024, 8'd8,
                           6'd0, sn_state, 8'd1, 8'd0};
            K_STATUS: vec = {192'd0, sn_drop, n_events, n_dups, sn_rej, sn_cycle, sn_steps,
                             sn_tokens, run_id, sn_err, sn_exit, 6'd0, sn_state, 8'd0};
            K_TOKEN: vec = {352'd0, ev_head[111:48], ev_head[47:16], 16'd0, ev_head[15:0],
                            run_id};
            K_DONE: vec = {352'd0, 16'd0, errc_q, exit_q, cycle, 16'd0, tokens, run_id};
            K_ERROR: vec = {384'd0, 32'd0, 24'd0, errc_q, 16'd0, tokens, run_id};
            default: vec = {416'd0, r_w8, r_w4, 16'd0, r_b1, r_st};
        endcase
    end
    wire        rd_data_phase = r_kind == K_READ && pi_q >= 11'd8;
    wire        rw_hit        = rw_ok && rw_wa == ra_q[25:2];
    assign pl_valid = st_q == E_SEND && (!rd_data_phase || rw_hit);
    always @* begin
        if (rd_data_phase)
            pl_data = rw_data[8*ra_q[1:0] +: 8];
        else
            pl_data = vec[8*pi_q[5:0] +: 8];
    end

    // ---------------------------------------------------------------- core ports
    wire rd_issue = st_q == E_SEND && rd_data_phase && pi_q < r_len && !rw_hit && !rd_pend;
    wire wc_rmw   = st_q == E_WC && wc_cnt != 11'd0 && (wc_a[1:0] != 2'd0 || wc_cnt < 11'd4);
    assign hr_en     = rd_issue || wc_rmw;
    assign hr_region = p_region[2:0];
    assign hr_addr   = rd_issue ? ra_q[25:2] : wc_a[25:2];
    assign wr_en     = st_q == E_WCW;
    assign wr_region = p_region[2:0];
    assign wr_addr   = wc_wa;
    assign wr_data   = wc_word;
    assign buf_raddr = st_q == E_FLD ? {6'd0, fi_q} : st_q == E_WCB ? wc_bi + 10'd1 : wc_bi;

    reg        run_start_q, cancel_q;
    assign run_start    = run_start_q;
    assign run_n_prompt = p_nprom[15:0];
    assign run_steps    = p_steps[15:0];
    assign cancel       = cancel_q;

    // ---------------------------------------------------------------- the machine
    always @(posedge clk) begin
        if (rst) begin
            st_q <= E_IDLE;
            fi_q <= 4'd0;
            fld <= 96'd0;
            cw_q <= 2'd0;
            f_ack <= 1'b0;
            tx_start <= 1'b0;
            r_type <= 8'd0;
            r_seq <= 16'd0;
            r_len <= 11'd0;
            r_kind <= K_SHORT;
            r_ev <= 1'b0;
            r_st <= 8'd0;
            r_b1 <= 8'd0;
            r_w4 <= 32'd0;
            r_w8 <= 32'd0;
            pi_q <= 11'd0;
            have_last <= 1'b0;
            replay_valid <= 1'b0;
            last_seq <= 16'd0;
            last_crc <= 32'd0;
            rp_type <= 8'd0;
            rp_st <= 8'd0;
            rp_b1 <= 8'd0;
            rp_len <= 4'd0;
            rp_w4 <= 32'd0;
            rp_w8 <= 32'd0;
            core_st <= CS_IDLE;
            exit_q <= X_NONE;
            errc_q <= 8'd0;
            steps_q <= 32'd0;
            run_id <= 32'd0;
            cxl_q <= 1'b0;
            run_active <= 1'b0;
            done_pending <= 1'b0;
            err_sent <= 1'b0;
            n_dups <= 32'd0;
            n_events <= 32'd0;
            n_dropped <= 32'd0;
            sn_state <= CS_IDLE;
            sn_exit <= 8'd0;
            sn_err <= 8'd0;
            sn_tokens <= 32'd0;
            sn_steps <= 32'd0;
            sn_rej <= 32'd0;
            sn_drop <= 32'd0;
            sn_cycle <= 64'd0;
            wc_a <= 32'd0;
            wc_cnt <= 11'd0;
            wc_bi <= 10'd0;
            wc_word <= 32'd0;
            wc_wa <= 24'd0;
            ra_q <= 32'd0;
            rw_wa <= 24'd0;
            rw_data <= 32'd0;
            rw_ok <= 1'b0;
            rd_pend <= 1'b0;
            run_start_q <= 1'b0;
            cancel_q <= 1'b0;
            ev_clear <= 1'b0;
        end else begin
            f_ack       <= 1'b0;
            tx_start    <= 1'b0;
            run_start_q <= 1'b0;
            cancel_q    <= 1'b0;
            ev_clear    <= 1'b0;

            // the core stopping (a RESET in between makes it IDLE: ignored)
            if (run_done && core_st == CS_RUNNING) begin
                core_st <= err ? CS_ERROR : CS_DONE;
                errc_q  <= err ? err_code : 8'd0;
                exit_q  <= err ? X_ERROR : cxl_q ? X_CANCELLED :
                           {16'd0, tokens} == steps_q ? X_STEPS : X_EOS;
                if (run_active) begin
                    done_pending <= 1'b1;
                    err_sent     <= 1'b0;
                end
            end
            if (ev_push && ev_full)
                n_dropped <= n_dropped + 32'd1;

            case (st_q)
                E_IDLE: if (f_valid && !f_ack) begin
                    r_seq <= f_seq;
                    r_ev  <= 1'b0;
                    if (f_type[7] || f_type[6]) begin
                        f_ack <= 1'b1;                 // not for a device
                    end else if (is_dup && replay_valid) begin
                        n_dups <= n_dups + 32'd1;
                        r_kind <= K_SHORT;
                        r_type <= rp_type;
                        r_len  <= {7'd0, rp_len};
                        r_st   <= rp_st;
                        r_b1   <= rp_b1;
                        r_w4   <= rp_w4;
                        r_w8   <= rp_w8;
                        f_ack  <= 1'b1;
                        st_q   <= E_RESP;
                    end else begin
                        if (is_dup) n_dups <= n_dups + 32'd1; // INFO/READ/STATUS: again
                        fi_q <= 4'd0;
                        st_q <= E_FLD;
                    end
                end else if (!f_valid) begin
                    // the event framer
                    r_ev <= 1'b1;
                    r_seq <= n_events[15:0];
                    if (run_active && !ev_empty) begin
                        r_kind <= K_TOKEN;
                        r_type <= EV_TOKEN;
                        r_len  <= 11'd20;
                        st_q   <= E_RESP;
                    end else if (done_pending && core_st == CS_ERROR && !err_sent) begin
                        r_kind <= K_ERROR;
                        r_type <= EV_ERROR;
                        r_len  <= 11'd16;
                        st_q   <= E_RESP;
                    end else if (done_pending) begin
                        r_kind <= K_DONE;
                        r_type <= EV_DONE;
                        r_len  <= 11'd20;
                        st_q   <= E_RESP;
                    end
                end

                E_FLD: begin
                    if (fi_q != 4'd0) fld[8*(fi_q - 4'd1) +: 8] <= buf_rdata;
                    fi_q <= fi_q + 4'd1;
                    if (fi_q == 4'd12) st_q <= E_EXEC;
                end

                E_EXEC: begin
                    r_type <= f_type | 8'h80;
                    r_kind <= K_SHORT;
                    r_st   <= ST_OK;
                    r_b1   <= 8'd0;
                    r_w4   <= 32'd0;
                    r_w8   <= 32'd0;
                    st_q   <= E_FIN;
                    // snapshots (INFO, STATUS)
                    sn_state  <= core_st;
                    sn_exit   <= core_st == CS_IDLE ? X_NONE : exit_q;
                    sn_err    <= core_st == CS_IDLE ? 8'd0 : errc_q;
                    sn_tokens <= cur_tokens;
                    sn_steps  <= cur_steps;
                    sn_cycle  <= cur_cycle;
                    sn_rej    <= n_rejected;
                    sn_drop   <= n_dropped;
                    case (f_type)
                        C_INFO: if (f_len != 11'd0) begin
                            r_st <= ST_BAD_LENGTH; r_len <= 11'd1;
                        end else begin
                            r_kind <= K_INFO; r_len <= 11'd64;
                        end
                        C_STATUS: if (f_len != 11'd0) begin
                            r_st <= ST_BAD_LENGTH; r_len <= 11'd1;
                        end else begin
                            r_kind <= K_STATUS; r_len <= 11'd40;
                        end
                        C_WRITE: if (f_len < 11'd8) begin
                            r_st <= ST_BAD_LENGTH; r_len <= 11'd1;
                        end else begin
                            r_len <= 11'd12;
                            r_w4  <= p_off;
                            r_st  <= wr_rs == ST_OK && running ? ST_BUSY : wr_rs;
                            r_w8  <= wr_rs == ST_OK && !running ? {21'd0, w_n} : 32'd0;
                            wc_a   <= p_off;
                            wc_cnt <= w_n;
                            wc_bi  <= 10'd8;
                            if (wr_rs == ST_OK && !running && w_n != 11'd0) st_q <= E_WC;
                        end
                        C_READ: if (f_len != 11'd12) begin
                            r_st <= ST_BAD_LENGTH; r_len <= 11'd1;
                        end else begin
                            r_kind <= K_READ;
                            r_b1   <= p_region;
                            r_w4   <= p_off;
                            ra_q   <= p_off;
                            rw_ok  <= 1'b0;
                            // the core's own read ports serve other regions only while idle
                            if (rd_rs == ST_OK && running && p_region != 8'd7) begin
                                r_st <= ST_BUSY; r_len <= 11'd8;
                            end else begin
                                r_st  <= rd_rs;
                                r_len <= rd_rs == ST_OK ? 11'd8 + p_rdlen[10:0] : 11'd8;
                            end
                        end
                        C_RUN: if (f_len != 11'd16) begin
                            r_st <= ST_BAD_LENGTH; r_len <= 11'd1;
                        end else begin
                            r_len <= 11'd8;
                            if (running) begin
                                r_st <= ST_BUSY;
                                r_w4 <= run_id;
                            end else if (!run_args) begin
                                r_st <= ST_BAD_ARG;
                                r_w4 <= run_id;
                            end else begin
                                run_start_q  <= 1'b1;
                                run_id       <= run_id + 32'd1;
                                r_w4         <= run_id + 32'd1;
                                core_st      <= CS_RUNNING;
                                exit_q       <= X_NONE;
                                errc_q       <= 8'd0;
                                steps_q      <= p_steps;
                                cxl_q        <= 1'b0;
                                run_active   <= 1'b1;
                                done_pending <= 1'b0;
                                err_sent     <= 1'b0;
                                ev_clear     <= 1'b1;
                            end
                        end
                        C_CANCEL: if (f_len != 11'd0) begin
                            r_st <= ST_BAD_LENGTH; r_len <= 11'd1;
                        end else begin
                            r_len <= 11'd12;
                            if (running) begin
                                cancel_q <= 1'b1;
                                cxl_q    <= 1'b1;
                            end
                            cw_q <= 2'd0;
                            st_q <= E_CWAIT;
                        end
                        C_RESET: if (f_len != 11'd0) begin
                            r_st <= ST_BAD_LENGTH; r_len <= 11'd1;
                        end else begin
                            r_len        <= 11'd8;
                            if (running) cancel_q <= 1'b1;
                            core_st      <= CS_IDLE;
                            exit_q       <= X_NONE;
                            errc_q       <= 8'd0;
                            run_active   <= 1'b0;   // no more events for that run
                            done_pending <= 1'b0;
                            ev_clear     <= 1'b1;
                            cw_q         <= 2'd0;
                            st_q         <= E_CWAIT;
                        end
                        default: begin
                            r_st <= ST_BAD_COMMAND; r_len <= 11'd1;
                        end
                    endcase
                end

                // CANCEL / RESET: let the core stop (cancel, then run_done)
                E_CWAIT: begin
                    cw_q <= cw_q + 2'd1;
                    if (cw_q == 2'd2) begin
                        r_b1 <= {6'd0, core_st};
                        r_w4 <= run_id;
                        r_w8 <= cur_tokens;
                        st_q <= E_FIN;
                    end
                end

                // WRITE commit: one word per pass
                E_WC: begin
                    wc_wa <= wc_a[25:2];
                    if (wc_cnt == 11'd0) st_q <= E_FIN;
                    else if (wc_rmw) st_q <= E_WCR;
                    else st_q <= E_WCB;
                end
                E_WCR: if (hr_valid) begin
                    wc_word <= hr_data;
                    st_q    <= E_WCB;
                end
                E_WCB: begin
                    wc_word[8*wc_a[1:0] +: 8] <= buf_rdata;
                    wc_a   <= wc_a + 32'd1;
                    wc_bi  <= wc_bi + 10'd1;
                    wc_cnt <= wc_cnt - 11'd1;
                    if (wc_a[1:0] == 2'd3 || wc_cnt == 11'd1) st_q <= E_WCW;
                end
                E_WCW: st_q <= E_WC;

                E_FIN: begin
                    have_last    <= 1'b1;
                    last_seq     <= f_seq;
                    last_crc     <= f_crc;
                    replay_valid <= side_eff;
                    if (side_eff) begin
                        rp_type <= r_type;
                        rp_len  <= r_len[3:0];
                        rp_st   <= r_st;
                        rp_b1   <= r_b1;
                        rp_w4   <= r_w4;
                        rp_w8   <= r_w8;
                    end
                    f_ack <= 1'b1;
                    st_q  <= E_RESP;
                end

                E_RESP: begin
                    tx_start <= 1'b1;
                    pi_q     <= 11'd0;
                    rd_pend  <= 1'b0;
                    st_q     <= E_SEND;
                end

                E_SEND: begin
                    if (pl_valid && pl_ready) begin
                        pi_q <= pi_q + 11'd1;
                        if (rd_data_phase) ra_q <= ra_q + 32'd1;
                    end
                    if (rd_issue) begin
                        rd_pend <= 1'b1;
                        rw_ok   <= 1'b0;
                        rw_wa   <= ra_q[25:2];
                    end else if (rd_pend && hr_valid) begin
                        rd_pend <= 1'b0;
                        rw_ok   <= 1'b1;
                        rw_data <= hr_data;
                    end
                    if (tx_done) begin
                        st_q <= E_IDLE;
                        if (r_ev) begin
                            n_events <= n_events + 32'd1;
                            case (r_kind)
                                K_TOKEN: ;                  // ev_pop
                                K_ERROR: err_sent <= 1'b1;
                                default: begin   // DONE
                                    done_pending <= 1'b0;
                                    run_active   <= 1'b0;
                                end
                            endcase
                        end
                    end
                end

                default: st_q <= E_IDLE;
            endcase
        end
    end

`ifndef SYNTHESIS
    // ---------------------------------------------------------------- assertions
    reg  [3:0]  a_st_q;      // the state on the previous clock
    reg  [31:0] a_age_q;     // clocks in that state (SEND: those with tx_ready high)
    reg  [31:0] a_fv_q;      // clocks a good frame has waited (tx_ready high or not SEND)
    always @(posedge clk) begin
        if (rst) begin
            a_st_q  <= E_IDLE;
            a_age_q <= 32'd0;
            a_fv_q  <= 32'd0;
        end else begin
            a_st_q  <= st_q;
            a_age_q <= st_q != a_st_q ? 32'd0 :
                       st_q != E_SEND || tx_ready ? a_age_q + 32'd1 : a_age_q;
            a_fv_q  <= !f_valid || f_ack ? 32'd0 :
                       st_q != E_SEND || tx_ready ? a_fv_q + 32'd1 : a_fv_q;
            assert (st_q <= E_SEND) else $error("cw_link_engine: illegal state %0d", st_q);
            // (a_age_q counts the clocks of the state on the previous clock)
            assert (a_st_q == E_IDLE || a_st_q == E_SEND || a_age_q < 32'd16)
                else $error("cw_link_engine: stuck in state %0d", a_st_q);
            assert (a_st_q != E_SEND || a_age_q < 32'd4 * {21'd0, r_len} + 32'd128)
                else $error("cw_link_engine: a frame of %0d bytes not sent in %0d ready clocks",
                            r_len, a_age_q);
            assert (a_fv_q < 32'd8192)
                else $error("cw_link_engine: a received frame waited %0d clocks", a_fv_q);
            assert (st_q != E_FLD || fi_q <= 4'd12)
                else $error("cw_link_engine: field byte %0d", fi_q);
            assert (st_q != E_WCB || ({1'b0, wc_bi} < f_len && f_len <= 11'd1024))
                else $error("cw_link_engine: WRITE commit reads buffer byte %0d of %0d", wc_bi,
                            f_len);
            if (wr_en)
                assert (p_region < 8'd8 &&
                        {6'd0, wc_wa, 2'd0} < region_size(p_region) &&
                        {6'd0, wc_wa, 2'd0} + 32'd4 > p_off &&
                        {6'd0, wc_wa, 2'd0} < p_off + {21'd0, w_n})
                    else $error("cw_link_engine: write of word %0d outside region %0d [%0d, +%0d)",
                                wc_wa, p_region, p_off, w_n);
            assert (!(ev_pop && ev_empty)) else $error("cw_link_engine: event FIFO popped empty");
            assert ({{(31-$clog2(EV_DEPTH)){1'b0}}, ev_level} <= EV_DEPTH)
                else $error("cw_link_engine: event FIFO level %0d", ev_level);
            assert (!(tx_start && tx_busy)) else $error("cw_link_engine: frame started while busy");
            assert (st_q != E_RESP || r_len <= 11'd1024)
                else $error("cw_link_engine: response of %0d bytes", r_len);
            assert (rp_len <= 4'd12) else $error("cw_link_engine: replay of %0d bytes", rp_len);
        end
    end
`endif

    wire unused = &{1'b0, busy, tx_busy, n_frames, n_abandoned, n_skipped, ev_level, fld[95:80],
                    p_region[7:3], ra_q[31:26], wc_a[31:26], r_len[10:4], p_nprom[31:16],
                    p_steps[31:16]};
endmodule

`default_nettype wire
