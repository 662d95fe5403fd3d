// cw_sequencer - issues the static program (docs/isa.md): fetch, decode,
// field checks, the POS/TOK/NEXT registers, the cycle counter, and the
// token records (tok_* for the link engine's events, out_* for the OUTPUT
// memory).
//
// One instruction is in flight at a time. The word at pc is read on the
// previous issue (or at the run's start); from the cycle after the read it
// is on the program memory's output, where it is checked in two registered
// stages (below), so the instruction issues on cycle T from registers
// (word_q, chk_q), at least three cycles after its read. The op module of
// its opcode gets `start` on T and raises `op_done` on T + latency - 1; the
// next instruction issues on T + latency (every op's latency is at least 4).
// NOP and END take three cycles (the next word's read and its two check
// stages) and are executed here. The cycle counter is 0 on the first issue
// of a run; the token of position pos + 1 is stamped, at its END, with the
// counter + 3 (the cycles of every instruction so far, END included),
// exactly as the ref device counts.
//
// Errors (the core stops, `err` stays set until the next run):
//   1 illegal opcode        2 vector outside ACT (or a zero length; a
//                             head size that is 0, odd, not a multiple
//                             of K or above MAX_HEAD)
//                                                    3 weights outside WGT
//   4 scales outside SCL    5 constants outside CST  6 cache outside KV
//   7 bad run parameters    8 16-bit weights on an 8-bit target
//   9 exponent registers out of range
//  10 watchdog: an op module did not raise `done` within WATCHDOG_CYCLES
//  11 ORV (flags bit 3 of NORM16, RESADD or RMSNORM) not right after the
//     MATVEC, SILU, EMBED or RESADD that wrote exactly its source vector
//     (the same start and length)
//
// Watchdog: a counter of the cycles since the instruction in flight issued.
// An instruction that is still in flight after WATCHDOG_CYCLES cycles stops
// the run with error 10, and op_rst pulses with it so every op module
// returns to idle; the next run starts cleanly. The default (0) is a bound
// on the longest instruction the memories' sizes let a program issue
// (WD_AUTO below), so it never fires on a correct core. A stuck core
// cannot come from the program (every field is checked at issue, every
// latency is a function of the fields); the watchdog is for what a check
// cannot foresee (a hardware fault, an upset, a bug).
//
// Assertions (simulation only, `ifndef SYNTHESIS; Verilator --assert):
// the state is legal; no op issues while another is in flight; op_done
// comes only for an op in flight and exactly on the cycle cw_instr_latency()
// (host/isa.c) gives; the position stays below the run's steps.
`default_nettype none

module cw_sequencer #(
    parameter integer LANES      = 8,     // matrix unit rows per cycle
    parameter integer K          = 8,     // matrix unit columns per cycle
    parameter integer WBITS      = 16,    // weight lane width
    parameter integer PROG_DEPTH = 4096,  // instructions
    parameter integer WGT_LINES  = 65536, // weight lines
    parameter integer SCL_DEPTH  = 32768, // scale entries
    parameter integer CST_DEPTH  = 16384, // constant words
    parameter integer ACT_DEPTH  = 16384, // scratch words
    parameter integer KV_DEPTH   = 1048576, // cache values per cache
    parameter integer MAX_CTX    = 1024,  // positions
    parameter integer PROG_AW    = 12,
    parameter integer CTX_AW     = 10,
    parameter integer MAX_HEAD   = 128,   // largest head size cw_op_heads/cw_op_attn hold
    parameter integer WATCHDOG_CYCLES = 0 // 0: WD_AUTO, the configuration's bound
) (
    input  wire               clk,
    input  wire               rst,
    // control
    input  wire               run_start,
    input  wire [15:0]        run_n_prompt,
    input  wire [15:0]        run_steps,
    input  wire               cancel,
    output wire               busy,
    output reg                run_done,
    output reg                err,
    output reg  [7:0]         err_code,
    output reg  [15:0]        err_pc,
    output reg  [63:0]        cycle,
    output reg  [15:0]        tokens,
    // program and prompt memories
    output wire               prog_re,
    output wire [PROG_AW-1:0] prog_raddr,
    input  wire [159:0]       prog_rdata,
    output wire               pr_re,
    output wire [CTX_AW-1:0]  pr_raddr,
    input  wire [31:0]        pr_rdata,
    // token records
    output reg                tok_valid,
    output reg  [15:0]        tok_pos,
    output reg  [31:0]        tok_id,
    output reg  [63:0]        tok_cycle,
    // the OUTPUT record of each token (entry pos-1 = pos u32, token u32,
    // cycle u64), written on the edge that counts the token
    output wire               out_we,
    output wire [CTX_AW-1:0]  out_addr,
    output wire [127:0]       out_wdata,
    // op modules
    output wire               op_start,
    output wire [3:0]         op_sel,
    output wire [159:0]       op_instr,
    output wire [15:0]        op_pos,
    output wire [31:0]        op_tok,
    output wire               op_rst,
    input  wire               op_done,
    input  wire               amax_valid,
    input  wire [31:0]        amax_idx
);
    initial begin
        if (LANES < 1 || K < 1) $error("cw_sequencer: LANES and K must be positive");
        if (WBITS != 8 && WBITS != 16) $error("cw_sequencer: WBITS must be 8 or 16");
        if ((1 << PROG_AW) < PROG_DEPTH) $error("cw_sequencer: PROG_AW too small");
        if ((1 << CTX_AW) < MAX_CTX) $error("cw_sequencer: CTX_AW too small");
        if (WATCHDOG_CYCLES == 0 && WD_AUTO > 64'hFFFFFFFF)
            $error("cw_sequencer: the watchdog bound needs more than 32 bits");
        if (WATCHDOG_CYCLES != 0 && WATCHDOG_CYCLES < 8)
            $error("cw_sequencer: WATCHDOG_CYCLES must be 0 (automatic) or at least 8");
    end

    // The longest latency a checked instruction can have (docs/isa.md,
    // "Timing"), bounded term by term from the checks at issue: vectors
    // and heads fit in ACT (n, n*hs <= ACT_DEPTH), a MATVEC's lines fit in
    // WGT (nb*nc <= WGT_LINES), ATTN's cache span fits in KV (P*hs <=
    // KV_DEPTH) with P <= MAX_CTX. The worst is ATTN (n*P*C <= MAX_CTX
    // ACT_DEPTH, taken twice for margin); the sum of all the terms is a
    // bound for every opcode.
    // sim: 35,981,392 cycles (0.72 s at 50 MHz); ulx3s-85f: 1,168,080 (58 ms at 20 MHz).
    localparam [31:0] WD_CTX = MAX_CTX, WD_ACT = ACT_DEPTH, WD_KV = KV_DEPTH, WD_WGT = WGT_LINES,
                      WD_L = LANES;
    localparam [63:0] WD_AUTO = 64'd2 * {32'd0, WD_CTX} * {32'd0, WD_ACT} +
                                64'd2 * {32'd0, WD_KV} + {32'd0, WD_WGT} +
                                64'd16 * {32'd0, WD_ACT} + 64'd2 * {32'd0, WD_CTX} +
                                64'd2 * {32'd0, WD_L} + 64'd64;
    localparam [31:0] WD_LIMIT = WATCHDOG_CYCLES != 0 ? WATCHDOG_CYCLES : WD_AUTO[31:0];

    localparam [1:0] S_IDLE = 2'd0, S_BOOT = 2'd1, S_RUN = 2'd2, S_BOOT2 = 2'd3;

    reg  [1:0]         state_q;
    reg                issue_q;      // this cycle issues word_q
    reg  [1:0]         seq_wait_q;   // NOP or END: cycles left before the next issue
    reg  [159:0]       word_q;       // prog_rdata of the cycle before: the next word
    reg  [7:0]         chk_q;        // its check result (0: legal)
    reg  [159:0]       cur_q;        // the instruction in flight after its issue
    reg  [PROG_AW-1:0] pc_q;
    reg  [15:0]        pos_q, steps_q, n_prompt_q;
    reg  [31:0]        tok_q, next_q;
    reg                next_set_q;   // ARGMAX has run in this position

    wire [159:0] instr = issue_q ? word_q : cur_q;
    wire [7:0]  i_op    = instr[7:0];
    // the fields of the word on prog_rdata, for the checks
    wire [7:0]  f_erd   = prog_rdata[23:16];
    wire [7:0]  f_ers   = prog_rdata[31:24];
    wire [15:0] f_dst   = prog_rdata[47:32];
    wire [15:0] f_src   = prog_rdata[63:48];
    wire [15:0] f_n     = prog_rdata[79:64];
    wire [15:0] f_aux   = prog_rdata[95:80];
    wire [23:0] f_a24   = prog_rdata[119:96];
    wire [23:0] f_b24   = prog_rdata[151:128];

    // ---------------------------------------------------------------- checks
    // The rules of cw_instr_check() (host/isa.c) plus the cache bounds the ref
    // core checks at run time, in two registered stages so that no check
    // lies on the issue path: stage A on the word on prog_rdata (the cheap
    // bounds, the products of two fields, the cache operands saturated),
    // stage B on word_q and stage A's registers (the cache-end products,
    // the error code) into chk_q. The word is read on the previous issue
    // (T), is on prog_rdata from T+1 and issues at T+3 at the earliest; the
    // position changes only at END, so stage A sees the issue's position.
    localparam [7:0] OP_NOP = 8'd0, OP_EMBED = 8'd1, OP_RMSNORM = 8'd2, OP_MATVEC = 8'd3,
                     OP_NORM16 = 8'd4, OP_HEADS = 8'd5, OP_ATTN = 8'd6, OP_RESADD = 8'd7,
                     OP_SILU = 8'd8, OP_ARGMAX = 8'd9, OP_END = 8'd10;

    localparam [31:0] WGT_LINES_32 = WGT_LINES;
    localparam [63:0] WGT_LINES_W = {32'd0, WGT_LINES_32};
    localparam [31:0] MAX_CTX_W = MAX_CTX;
    localparam [31:0] MAX_HEAD_W = MAX_HEAD;
    localparam [31:0] K_W = K;

    // stage A
    wire [31:0] n32    = {16'd0, f_n};
    wire [31:0] aux32  = {16'd0, f_aux};
    wire [31:0] span_n = {16'd0, f_n};
    wire [31:0] heads_span = n32 * aux32;
    wire [31:0] row_blocks = (n32 + LANES - 1) >> $clog2(LANES);
    wire [31:0] col_chunks = (aux32 + K - 1) >> $clog2(K);
    wire [63:0] wgt_end    = {40'd0, f_a24} + row_blocks * col_chunks;
    // cache cells: (layer * MAX_CTX + pos + 1) values of kvd (ATTN reads up to
    // pos, HEADS writes pos)
    wire [63:0] cells      = {40'd0, f_b24} * MAX_CTX + {48'd0, pos_q} + 64'd1;
    wire [39:0] a24aux     = f_a24 * f_aux;
    // A product of two operands >= 1 is within a bound D only if both are,
    // so the cache products take operands saturated to D + 1 (SW bits, one
    // multiplier each on ulx3s-85f) and compare the same as the full ones
    // (an operand of 0 stays 0).
    localparam integer SW = $clog2(KV_DEPTH + 2);
    localparam [31:0]  KV_DEPTH_32 = KV_DEPTH;
    localparam [63:0]  SAT_W = {32'd0, KV_DEPTH_32} + 64'd1;
    function automatic [SW-1:0] sat(input [63:0] v);
        sat = v > SAT_W ? SAT_W[SW-1:0] : v[SW-1:0];
    endfunction
    // a head is even (RoPE pairs) and whole KV words (cw_op_attn reads K values a cycle)
    wire heads_ok = f_n != 16'd0 && f_aux != 16'd0 && !f_aux[0] && (aux32 & (K_W - 32'd1)) == 32'd0
                    && aux32 <= MAX_HEAD_W;
    reg           a_dst_ok_q, a_src_ok_q, a_aux_ok_q, a_srcc_ok_q, a_hdst_ok_q, a_hsrc_ok_q;
    reg           a_wgt_ok_q, a_scl_ok_q, a_cst_ok_q, a_er_ok_q, a_heads_ok_q, a_kvh_ok_q;
    reg  [SW-1:0] a_cells_q, a_hsp_q, a_n_q, a_a24_q, a_a24aux_q;
    always @(posedge clk) begin
        a_dst_ok_q   <= {16'd0, f_dst} + span_n <= ACT_DEPTH;
        a_src_ok_q   <= {16'd0, f_src} + span_n <= ACT_DEPTH;
        a_aux_ok_q   <= {16'd0, f_aux} + span_n <= ACT_DEPTH;
        a_srcc_ok_q  <= {16'd0, f_src} + aux32 <= ACT_DEPTH;
        a_hdst_ok_q  <= {16'd0, f_dst} + heads_span <= ACT_DEPTH;
        a_hsrc_ok_q  <= {16'd0, f_src} + heads_span <= ACT_DEPTH;
        a_wgt_ok_q   <= wgt_end <= WGT_LINES_W;
        a_scl_ok_q   <= {8'd0, f_b24} + n32 <= SCL_DEPTH;
        a_cst_ok_q   <= {8'd0, f_a24} + 32'd3 + n32 <= CST_DEPTH;
        a_er_ok_q    <= {24'd0, f_erd} + n32 <= 32'd256 && {24'd0, f_ers} + n32 <= 32'd256;
        a_heads_ok_q <= heads_ok;
        a_kvh_ok_q   <= f_a24 != 24'd0 && {8'd0, f_a24} <= n32;   // ATTN's kv heads
        a_cells_q    <= sat(cells);
        a_hsp_q      <= sat({32'd0, heads_span});
        a_n_q        <= sat({48'd0, f_n});
        a_a24_q      <= sat({40'd0, f_a24});
        a_a24aux_q   <= sat({24'd0, a24aux});
    end

    // stage B: the fields of word_q (the word stage A saw) and A's registers
    wire [7:0]  b_op    = word_q[7:0];
    wire [7:0]  b_flags = word_q[15:8];
    wire [15:0] b_n     = word_q[79:64];
    wire [15:0] b_aux   = word_q[95:80];
    localparam [63:0] KV_D = {32'd0, KV_DEPTH_32}, KVE_D = {32'd0, KV_DEPTH_32 / K_W};
    localparam integer PW = 64 - 2 * SW;   // product zero-extension to 64 bits
    // KE/VE hold KV_DEPTH / K exponents, one per cached head vector
    // (cw_kve_depth(), host/isa.h): HEADS writes cells * n of them, ATTN
    // reads cells * kv heads
    wire [2*SW-1:0] kv_end   = a_cells_q * a_hsp_q;
    wire [2*SW-1:0] kve_end  = a_cells_q * a_n_q;
    wire [2*SW-1:0] kve_attn = a_cells_q * a_a24_q;
    wire [2*SW-1:0] kv_attn  = a_cells_q * a_a24aux_q;
    wire kv_ok   = {{PW{1'b0}}, kv_end} <= KV_D && {{PW{1'b0}}, kve_end} <= KVE_D;
    wire attn_ok = a_kvh_ok_q && {{PW{1'b0}}, kv_attn} <= KV_D && {{PW{1'b0}}, kve_attn} <= KVE_D;
    wire dst_ok = a_dst_ok_q, src_ok = a_src_ok_q, aux_ok = a_aux_ok_q, srcc_ok = a_srcc_ok_q;
    wire hdst_ok = a_hdst_ok_q, hsrc_ok = a_hsrc_ok_q, wgt_ok = a_wgt_ok_q, scl_ok = a_scl_ok_q;
    wire cst_ok = a_cst_ok_q, er_ok = a_er_ok_q, heads_ok_b = a_heads_ok_q;
    // ORV: NORM16, RESADD and RMSNORM take the OR of |v| that cw_core kept
    // over the ACT writes of the instruction before (cur_q while word_q is
    // checked; cleared at a run's start) instead of a pass over their
    // source, which is only that OR when the instruction before wrote
    // exactly the source, n final values from its dst: MATVEC, SILU and
    // EMBED write each value once, RESADD clears the OR before its last pass
    wire [7:0] p_op   = cur_q[7:0];
    wire       orv_ok = (p_op == OP_MATVEC || p_op == OP_SILU || p_op == OP_EMBED ||
                         p_op == OP_RESADD) && cur_q[47:32] == word_q[63:48] && cur_q[79:64] == b_n;

    reg [7:0] chk;
    always @* begin
        chk = 8'd0;
        case (b_op)
            OP_NOP, OP_END: chk = 8'd0;
            OP_EMBED:
                if (b_n == 16'd0 || !dst_ok || !src_ok) chk = 8'd2;
            OP_NORM16, OP_RESADD:
                if (b_n == 16'd0 || !dst_ok || !src_ok) chk = 8'd2;
                else if (b_flags[3] && !orv_ok) chk = 8'd11;
            OP_RMSNORM:
                if (b_n == 16'd0 || !dst_ok || !src_ok) chk = 8'd2;
                else if (!cst_ok) chk = 8'd5;
                else if (b_flags[3] && !orv_ok) chk = 8'd11;
            OP_SILU:
                if (b_n == 16'd0 || !dst_ok || !src_ok || !aux_ok) chk = 8'd2;
            OP_MATVEC:
                if (b_n == 16'd0 || b_aux == 16'd0 || !dst_ok || !srcc_ok) chk = 8'd2;
                else if (!wgt_ok) chk = 8'd3;
                else if (!scl_ok) chk = 8'd4;
                else if (b_flags[0] && WBITS < 16) chk = 8'd8;
            OP_HEADS:
                if (!heads_ok_b || !hdst_ok || !hsrc_ok) chk = 8'd2;
                else if (!er_ok) chk = 8'd9;
                else if ((b_flags[1] || b_flags[2]) && !kv_ok) chk = 8'd6;
            OP_ATTN:
                if (!heads_ok_b || !hdst_ok || !hsrc_ok) chk = 8'd2;
                else if (!er_ok) chk = 8'd9;
                else if (!attn_ok) chk = 8'd6;
            OP_ARGMAX:
                if (b_n == 16'd0 || !src_ok) chk = 8'd2;
            default: chk = 8'd1;
        endcase
    end

    // ------------------------------------------------------------ control
    wire running   = state_q == S_RUN;
    wire issuing   = running && issue_q;
    wire bad       = issuing && chk_q != 8'd0;
    wire is_seq_op = i_op == OP_NOP || i_op == OP_END;
    wire end_now   = issuing && !bad && i_op == OP_END;
    // the token END emits, and whether the run goes on after it
    wire [31:0] emit_id  = next_q;
    wire        emit_bos = emit_id == 32'd1;
    wire        last_pos = pos_q + 16'd1 >= steps_q;
    wire        pc_last  = pc_q == PROG_DEPTH[PROG_AW-1:0] - 1'b1;

    // Program reads: on boot (pc 0), and on every issue the next word
    // (pc 0 after END). The word stays on prog_rdata until its issue.
    reg               prog_re_r;
    reg [PROG_AW-1:0] prog_raddr_r;
    always @* begin
        prog_re_r    = 1'b0;
        prog_raddr_r = {PROG_AW{1'b0}};
        if (state_q == S_IDLE && run_start) begin
            prog_re_r = 1'b1;
        end else if (issuing && !bad) begin
            prog_re_r    = 1'b1;
            prog_raddr_r = i_op == OP_END ? {PROG_AW{1'b0}} : pc_q + 1'b1;
        end
    end
    assign prog_re    = prog_re_r;
    assign prog_raddr = prog_raddr_r;

    // Prompt reads: PROMPT[0] on run_start, PROMPT[1] on boot, and
    // PROMPT[pos + 2] at every END: the forced token of the next position
    // then waits on pr_rdata until its ARGMAX.
    reg              pr_re_r;
    reg [CTX_AW-1:0] pr_raddr_r;
    wire [15:0]      pos_p2 = pos_q + 16'd2;
    always @* begin
        pr_re_r    = 1'b0;
        pr_raddr_r = {CTX_AW{1'b0}};
        if (state_q == S_IDLE && run_start) begin
            pr_re_r = 1'b1;
        end else if (state_q == S_BOOT) begin
            pr_re_r    = 1'b1;
            pr_raddr_r = {{(CTX_AW-1){1'b0}}, 1'b1};
        end else if (end_now) begin
            pr_re_r    = 1'b1;
            pr_raddr_r = pos_p2[CTX_AW-1:0];
        end
    end
    assign pr_re    = pr_re_r;
    assign pr_raddr = pr_raddr_r;

    wire run_ok = run_n_prompt != 16'd0 && {16'd0, run_n_prompt} <= MAX_CTX_W &&
                  run_steps != 16'd0 && {16'd0, run_steps} <= MAX_CTX_W;
    wire [15:0] pos_p1 = pos_q + 16'd1;

    // watchdog: cycles since the instruction in flight issued (running and
    // not issuing means an op module's `done` is awaited)
    reg  [31:0] wd_q;
    wire        wd_fire = running && !issue_q && !op_done && wd_q >= WD_LIMIT;
    wire [PROG_AW-1:0] pc_prev = pc_q - 1'b1;   // the op in flight (pc moved on at issue)

    always @(posedge clk) begin
        if (rst) begin
            state_q    <= S_IDLE;
            issue_q    <= 1'b0;
            seq_wait_q <= 2'd0;
            word_q     <= 160'd0;
            chk_q      <= 8'd0;
            cur_q      <= 160'd0;
            pc_q       <= {PROG_AW{1'b0}};
            pos_q      <= 16'd0;
            steps_q    <= 16'd0;
            n_prompt_q <= 16'd0;
            tok_q      <= 32'd0;
            next_q     <= 32'd0;
            next_set_q <= 1'b0;
            run_done   <= 1'b0;
            err        <= 1'b0;
            err_code   <= 8'd0;
            err_pc     <= 16'd0;
            cycle      <= 64'd0;
            tokens     <= 16'd0;
            tok_valid  <= 1'b0;
            tok_pos    <= 16'd0;
            tok_id     <= 32'd0;
            tok_cycle  <= 64'd0;
            wd_q       <= 32'd0;
        end else begin
            run_done   <= 1'b0;
            tok_valid  <= 1'b0;
            word_q     <= prog_rdata;
            chk_q      <= chk;
            if (running)
                cycle <= cycle + 64'd1;
            if (issuing) wd_q <= 32'd1;
            else if (running) wd_q <= wd_q + 32'd1;
            case (state_q)
                S_IDLE: if (run_start) begin
                    seq_wait_q <= 2'd0;
                    err        <= 1'b0;
                    err_code   <= 8'd0;
                    tokens     <= 16'd0;
                    cycle      <= 64'd0;
                    pos_q      <= 16'd0;
                    pc_q       <= {PROG_AW{1'b0}};
                    steps_q    <= run_steps;
                    n_prompt_q <= run_n_prompt;
                    next_set_q <= 1'b0;
                    cur_q      <= 160'd0;   // no instruction before the first (ORV)
                    if (run_ok) begin
                        state_q <= S_BOOT;
                    end else begin
                        err      <= 1'b1;
                        err_code <= 8'd7;
                        run_done <= 1'b1;
                    end
                end
                S_BOOT: begin             // the word at pc 0 is on prog_rdata: stage A
                    tok_q   <= pr_rdata;  // PROMPT[0]
                    state_q <= S_BOOT2;
                end
                S_BOOT2: begin            // stage B; the first issue is next
                    issue_q <= 1'b1;
                    state_q <= S_RUN;
                end
                default: begin // S_RUN
                    if (issuing) begin
                        cur_q   <= word_q;
                        issue_q <= 1'b0;
                        if (bad) begin
                            err      <= 1'b1;
                            err_code <= chk_q;
                            err_pc   <= {{(16-PROG_AW){1'b0}}, pc_q};
                            state_q  <= S_IDLE;
                            run_done <= 1'b1;
                        end else if (i_op == OP_END) begin
                            if (!next_set_q || emit_bos) begin
                                // no ARGMAX ran (a broken program) or BOS: the run ends
                                if (!next_set_q) begin
                                    err      <= 1'b1;
                                    err_code <= 8'd1;
                                    err_pc   <= {{(16-PROG_AW){1'b0}}, pc_q};
                                end else begin
                                    cycle <= cycle + 64'd3;  // END's three cycles
                                end
                                state_q  <= S_IDLE;
                                run_done <= 1'b1;
                            end else begin
                                tok_valid <= 1'b1;
                                tok_pos   <= pos_p1;
                                tok_id    <= emit_id;
                                tok_cycle <= cycle + 64'd3;
                                tokens    <= tokens + 16'd1;
                                if (last_pos) begin
                                    cycle    <= cycle + 64'd3;  // END's three cycles
                                    state_q  <= S_IDLE;
                                    run_done <= 1'b1;
                                end else begin
                                    pos_q      <= pos_p1;
                                    tok_q      <= emit_id;
                                    pc_q       <= {PROG_AW{1'b0}};
                                    next_set_q <= 1'b0;
                                    seq_wait_q <= 2'd2;
                                end
                            end
                        end else if (i_op == OP_NOP) begin
                            pc_q       <= pc_q + 1'b1;
                            seq_wait_q <= 2'd2;
                            if (pc_last) begin // ran off the program
                                err      <= 1'b1;
                                err_code <= 8'd1;
                                state_q  <= S_IDLE;
                                run_done <= 1'b1;
                            end
                        end else begin
                            pc_q <= pc_q + 1'b1;
                        end
                    end else if (seq_wait_q != 2'd0) begin
                        seq_wait_q <= seq_wait_q - 2'd1;
                        if (seq_wait_q == 2'd1)
                            issue_q <= 1'b1;  // the next word has been checked
                    end else if (wd_fire) begin
                        // stuck: stop the run; op_rst resets the op modules
                        err      <= 1'b1;
                        err_code <= 8'd10;
                        err_pc   <= {{(16-PROG_AW){1'b0}}, pc_prev};
                        state_q  <= S_IDLE;
                        run_done <= 1'b1;
                    end else if (op_done) begin
                        issue_q <= 1'b1;
                        if (amax_valid) begin
                            next_q     <= pos_p1 < n_prompt_q ? pr_rdata : amax_idx;
                            next_set_q <= 1'b1;
                        end
                        if (pc_q == {PROG_AW{1'b0}}) begin // ran off the program
                            err      <= 1'b1;
                            err_code <= 8'd1;
                            state_q  <= S_IDLE;
                            run_done <= 1'b1;
                        end
                    end
                end
            endcase
            if (cancel) begin
                state_q    <= S_IDLE;
                issue_q    <= 1'b0;
                seq_wait_q <= 2'd0;
                if (state_q != S_IDLE) run_done <= 1'b1;
            end
        end
    end

    assign out_we    = end_now && next_set_q && !emit_bos;
    assign out_addr  = pos_q[CTX_AW-1:0];
    assign out_wdata = {cycle + 64'd3, emit_id, 16'd0, pos_p1};

    assign busy     = state_q != S_IDLE;
    assign op_start = issuing && !bad && !is_seq_op;
    assign op_sel   = i_op[3:0];
    assign op_instr = instr;
    assign op_pos   = pos_q;
    assign op_tok   = tok_q;
    assign op_rst   = rst || cancel || wd_fire;

`ifndef SYNTHESIS
    // ------------------------------------------------------------ assertions
    // The latency cw_instr_latency() (host/isa.c) gives the instruction on
    // prog_rdata, for the check that op_done comes on exactly its last cycle.
    localparam [31:0] A_L32 = LANES, A_K32 = K, A_LOGK32 = $clog2(K);
    localparam [63:0] A_L = {32'd0, A_L32}, A_K = {32'd0, A_K32}, A_LOGK = {32'd0, A_LOGK32};
    reg [63:0] a_lat, a_n, a_hs, a_nb, a_nc, a_per, a_c, a_pc, a_d;
    wire [15:0] a_fn = instr[79:64], a_faux = instr[95:80];
    wire        a_rope = instr[8];
    wire        a_orv  = instr[11];
    always @* begin
        a_n   = {48'd0, a_fn};
        a_hs  = {48'd0, a_faux};
        a_nb  = (a_n + A_L - 64'd1) / A_L;
        a_nc  = (a_hs + A_K - 64'd1) / A_K;
        a_per = a_nc > A_L ? a_nc : A_L;
        if (a_nb == 64'd0) a_nb = 64'd1;
        a_c   = (a_hs + A_K - 64'd1) / A_K;
        a_pc  = ({48'd0, pos_q} + 64'd1) * a_c;
        a_d   = a_pc + 64'd6 > 64'd2 * a_hs + a_c + 64'd7 ? a_pc + 64'd6
                                                         : 64'd2 * a_hs + a_c + 64'd7;
        case (i_op)
            OP_EMBED:   a_lat = (a_n + A_K - 64'd1) / A_K + a_n + 64'd4;
            OP_RMSNORM: a_lat = a_orv ? 64'd2 * a_n + 64'd16 : 64'd3 * a_n + 64'd15;
            OP_MATVEC:  a_lat = (a_nb - 64'd1) * a_per + a_nc + (a_n - (a_nb - 64'd1) * A_L) +
                                A_LOGK + 64'd5;
            OP_NORM16:  a_lat = a_orv ? a_n + 64'd4 : 64'd2 * a_n + 64'd4;
            OP_HEADS:   a_lat = a_rope ? (a_n + 64'd2) * a_hs + 64'd8
                                           : (a_n + 64'd1) * a_hs + 64'd4;
            OP_ATTN:    a_lat = (a_n - 64'd1) * a_d + 64'd2 * a_pc + (a_n + 64'd2) * a_hs +
                                64'd26;
            OP_RESADD:  a_lat = a_orv ? 64'd3 * a_n + 64'd7 : 64'd4 * a_n + 64'd6;
            OP_SILU:    a_lat = a_n + 64'd6;
            OP_ARGMAX:  a_lat = a_n + 64'd3;
            default:    a_lat = 64'd1;
        endcase
    end

    reg        a_fly_q;   // an op module's instruction is in flight
    reg [63:0] a_lat_q;   // its latency
    always @(posedge clk) begin
        if (rst) begin
            a_fly_q <= 1'b0;
            a_lat_q <= 64'd0;
        end else begin
            if (op_start) begin
                a_fly_q <= 1'b1;
                a_lat_q <= a_lat;
            end else if (op_done || op_rst) begin
                a_fly_q <= 1'b0;
            end
            assert (!(op_start && a_fly_q))
                else $error("cw_sequencer: an op issued while another is in flight");
            assert (!op_done || a_fly_q)
                else $error("cw_sequencer: op_done with no op in flight (op %0d)", op_sel);
            if (a_fly_q && !op_rst)
                assert (op_done == ({32'd0, wd_q} == a_lat_q - 64'd1))
                    else $error("cw_sequencer: op %0d at pc %0d: done %0d at %0d cycles after issue, the ISA says %0d",
                                op_sel, pc_prev, op_done, wd_q, a_lat_q - 64'd1);
            if (running)
                assert (pos_q < steps_q && tokens <= steps_q)
                    else $error("cw_sequencer: position %0d, tokens %0d, steps %0d", pos_q, tokens,
                                steps_q);
        end
    end
`endif

    wire unused = &{1'b0, pos_p2, b_flags[7:3]};
endmodule

`default_nettype wire
