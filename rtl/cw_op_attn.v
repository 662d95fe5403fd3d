// cw_op_attn - ATTN (opcode 6): multi-head attention over the KV cache,
// bit exact with host/ref_core.c exec() (cw_hls_attention per head, then
// cw_hls_shift16 of every head to the largest head exponent).
//
// Fields: dst = w1[15:0], src = w1[31:16] (the queries, narrow int16, read
// K at a time through the XBUF port), er_dst = w0[23:16], er_src = w0[31:24]
// (E[er_src + h] = exponent of query head h), n = heads = w2[15:0], hs =
// head size = w2[31:16], nkv = kv heads = w3[23:0], layer = w4[23:0].
// Head h attends over kv head h / (n / nkv); cached k (v) of position t is
// at flat index ((layer*MAX_CTX + t)*nkv*hs + kvh*hs + i), its exponent at
// ((layer*MAX_CTX + t)*nkv + kvh) in KE (VE).
//
// Structure, per head h, three stages that run on different heads at once:
//   A  scores: q.k_t, K products per cycle (one KC word and one XBUF word),
//      hs/K cycles per position; score = shift_sat(dot, e_q + ek_t + 16);
//      the running max; {ev_t, score_t} into a score buffer (two halves,
//      head parity). ve_t is read here (emax of ev) so that B needs no VE.
//   B  softmax and weighted sum: p_t = exp(max - score_t) (cw_fn_exp), the
//      sum of p, acc[i] += round(p_t * v_t[i] / 2^(emax_v - ev_t)), K lanes
//      per cycle, hs/K cycles per position; the last position also copies
//      the accumulators to a final buffer and ORs their magnitudes.
//   Post  r = 1/sum (cw_fn_recip), sa = max(bitlen(OR|acc|) - 31, 0),
//      w_i = round(acc_i / 2^sa) * r (one per cycle, twice: once for the OR
//      of |w|, once to normalize to int16 into the output buffer), e_h.
// Head h+1 enters A one slot (D cycles) after head h, so A(h+1), B(h) and
// Post(h-1) overlap. After the last head's Post, one pass writes every value
// shifted by (emax - e_h), round half up, to ACT[dst + h*hs + i] (one write
// per cycle) and E[er_dst] = emax on the last cycle.
//
// Timing (T = the issue cycle), C = hs/K, P = pos + 1:
//   D = max(P*C + 6, 2*hs + C + 7)           (head slot)
//   A(h) starts (go) at T + 2 + h*D, reads on the P*C cycles after; B(h)
//   goes at A(h) + P*C + 6; Post(h) at B(h) + P*C + 7; the final pass goes
//   at Post(n-1) + 2*hs + 9 and writes on the n*hs cycles after it, done
//   with the last write:
//     latency = (n-1)*D + 2*P*C + (n+2)*hs + 26.
// The slot D keeps every stage's resources free: A drains before the next
// A; B(h+1) writes the final buffer after Post(h)'s last read of it.
//
// Ports: XBUF, KC, KE, VC, VE reads; ER read port a; ACT and ER writes.
// Resources: K 16x16 (A), K 25x16 (B), one 33x31 (Post) multipliers, plus
// cw_fn_exp (22x31, 16x16) and cw_fn_recip (four 31x31); memories: score
// buffer 2*MAX_CTX x 48, accumulator and final buffers MAX_HS x 56 each
// (asynchronous read), output buffer OBUF_DEPTH x 16, MAX_HEADS x 16.
`default_nettype none

module cw_op_attn #(
    parameter integer LANES      = 8,    // matrix unit rows per cycle (unused here)
    parameter integer K          = 8,    // values per KC/VC/XBUF word (power of two)
    parameter integer WBITS      = 16,   // weight lane width (unused here)
    parameter integer ACT_AW     = 14,   // ACT address bits
    parameter integer WGT_AW     = 16,   // WGT address bits
    parameter integer SCL_AW     = 12,   // SCL word address bits
    parameter integer CST_AW     = 14,   // CST address bits
    parameter integer KV_AW      = 20,   // KV cache value index bits
    parameter integer KVE_AW     = 19,   // KV exponent index bits
    parameter integer MAX_CTX    = 1024, // positions per layer in the cache (target max_ctx)
    parameter integer MAX_HS     = 128,  // largest head size (multiple of K)
    parameter integer OBUF_DEPTH = 4096, // largest heads * head size
    parameter integer MAX_HEADS  = 64    // largest number of heads
) (
`include "cw_op_ports.vh"
);
    localparam integer LOG2K  = $clog2(K);
    localparam integer CTX_AW = $clog2(MAX_CTX);
    localparam integer SB_AW  = CTX_AW + 1;              // two halves
    localparam integer CWORDS = MAX_HS / K;              // accumulator words
    localparam integer CW_AW  = CWORDS > 1 ? $clog2(CWORDS) : 1;
    localparam integer OB_AW  = $clog2(OBUF_DEPTH);
    localparam integer EH_AW  = MAX_HEADS > 1 ? $clog2(MAX_HEADS) : 1;
    localparam integer ACCW   = 56;                      // |acc| < 2^55
    localparam integer DOTW   = 40;                      // |q.k| <= 2^38

    initial begin
        if (K < 1 || (1 << LOG2K) != K) $error("cw_op_attn: K must be a power of two");
        if (MAX_CTX < 2 || (1 << CTX_AW) != MAX_CTX)
            $error("cw_op_attn: MAX_CTX must be a power of two >= 2");
        if (MAX_HS < K || MAX_HS % K != 0 || MAX_HS > 256)
            $error("cw_op_attn: MAX_HS must be a multiple of K, at most 256");
        if (OBUF_DEPTH < MAX_HS || (1 << OB_AW) != OBUF_DEPTH)
            $error("cw_op_attn: OBUF_DEPTH must be a power of two >= MAX_HS");
        if (MAX_HEADS < 1 || MAX_HEADS > 256) $error("cw_op_attn: MAX_HEADS out of range");
        if (ACT_AW < 1 || ACT_AW > 16) $error("cw_op_attn: ACT_AW out of range");
        if (KV_AW < 1 || KV_AW > 32 || KVE_AW < 1 || KVE_AW > 32)
            $error("cw_op_attn: KV_AW/KVE_AW out of range");
    end

    // ------------------------------------------------------------ fields
    wire [7:0]  f_er_dst = instr[23:16];
    wire [7:0]  f_er_src = instr[31:24];
    wire [15:0] f_dst    = instr[47:32];
    wire [15:0] f_src    = instr[63:48];
    wire [15:0] f_n      = instr[79:64];
    wire [15:0] f_hs     = instr[95:80];
    wire [23:0] f_nkv    = instr[119:96];
    wire [23:0] f_layer  = instr[151:128];
    wire [15:0] f_c      = f_hs >> LOG2K;                // words per head vector
    wire [31:0] f_c32    = {16'd0, f_c};

    // ------------------------------------------------------------ setup
    // T: products of the fields; T+1: cache bases and the slot length.
    reg  [KV_AW-1:0]  lmc_q;      // layer * MAX_CTX
    reg  [KV_AW-1:0]  kvdw_q;     // nkv * C: KC/VC words per position
    reg  [23:0]       pc_q;       // P * C
    reg  [KV_AW-1:0]  lbw_q;      // KC/VC word index of (layer, 0, kv head 0)
    reg  [KVE_AW-1:0] lbe_q;      // KE/VE index of the same
    reg  [23:0]       d_q;        // the head slot D
    wire [23:0] slot_a = pc_q + 24'd6;
    wire [23:0] slot_b = {7'd0, f_hs, 1'b0} + {8'd0, f_c} + 24'd7;
    wire [47:0] lmc_w  = {24'd0, f_layer} * MAX_CTX;
    // only the low KV_AW (KVE_AW) bits of these products are kept: the
    // operands are cut to that width so that none spans two MULT18X18D
    wire [31:0] f_nkv32 = {8'd0, f_nkv};
    wire [KV_AW-1:0]  kvdw_w = f_nkv32[KV_AW-1:0] * f_c32[KV_AW-1:0];
    wire [16:0] p_w    = {1'b0, pos} + 17'd1;
    wire [40:0] pc_w   = {24'd0, p_w} * {25'd0, f_c};
    wire [2*KV_AW-1:0] lbw_w = lmc_q * kvdw_q;
    wire [KVE_AW-1:0]  lbe_w = lmc_q[KVE_AW-1:0] * f_nkv32[KVE_AW-1:0];
    always @(posedge clk) begin
        if (start) begin
            lmc_q  <= lmc_w[KV_AW-1:0];
            kvdw_q <= kvdw_w[KV_AW-1:0];
            pc_q   <= pc_w[23:0];
        end
        lbw_q <= lbw_w[KV_AW-1:0];
        lbe_q <= lbe_w[KVE_AW-1:0];
        d_q   <= slot_a > slot_b ? slot_a : slot_b;
    end

    // ------------------------------------------------------------ slot scheduler
    // A(h) starts (a_go) at T + 2 + h*D.
    reg         sch_on_q;
    reg  [23:0] sch_cnt_q;
    reg  [15:0] sch_left_q;
    wire        a_go = sch_on_q && sch_cnt_q == 24'd0;
    always @(posedge clk) begin
        if (rst) begin
            sch_on_q   <= 1'b0;
            sch_cnt_q  <= 24'd0;
            sch_left_q <= 16'd0;
        end else if (start) begin
            sch_on_q   <= 1'b1;
            sch_cnt_q  <= 24'd1;
            sch_left_q <= f_n;
        end else if (sch_on_q) begin
            if (a_go) begin
                sch_cnt_q  <= d_q - 24'd1;
                sch_left_q <= sch_left_q - 16'd1;
                if (sch_left_q == 16'd1) sch_on_q <= 1'b0;
            end else begin
                sch_cnt_q <= sch_cnt_q - 24'd1;
            end
        end
    end

    // ------------------------------------------------------------ stage A
    // The next head to enter A: index, kv-head offsets (kvh = h*nkv/n by a
    // running remainder, exact because n is a multiple of nkv).
    reg  [7:0]        nh_q;       // next head
    reg  [23:0]       nrem_q;
    reg  [KV_AW-1:0]  nkoff_q;    // kvh * C
    reg  [KVE_AW-1:0] neoff_q;    // kvh
    reg  [ACT_AW-1:0] nqa_q;      // XBUF word of its query
    wire [24:0]       rem_inc = {1'b0, nrem_q} + {1'b0, f_nkv};
    wire              kv_step = rem_inc >= {9'd0, f_n};
    // The head in A.
    reg  [KV_AW-1:0]  a_kbase_q;
    reg  [KVE_AW-1:0] a_ebase_q;
    reg  [ACT_AW-1:0] a_qa_q;
    reg               a_par_q;
    reg  signed [15:0] a_eq_q;
    // A's stream: position t, word c.
    reg               a_busy_q;
    reg  [15:0]       a_t_q, a_c_q;
    reg  [KV_AW-1:0]  a_kpos_q;
    reg  [KVE_AW-1:0] a_epos_q;
    always @(posedge clk) begin
        if (rst) begin
            nh_q     <= 8'd0;
            a_busy_q <= 1'b0;
        end else begin
            if (start) begin
                nh_q    <= 8'd0;
                nrem_q  <= 24'd0;
                nkoff_q <= {KV_AW{1'b0}};
                neoff_q <= {KVE_AW{1'b0}};
                nqa_q   <= f_src[ACT_AW-1:0] >> LOG2K;
            end else if (a_go) begin
                nh_q   <= nh_q + 8'd1;
                nrem_q <= kv_step ? rem_inc[23:0] - {8'd0, f_n} : rem_inc[23:0];
                if (kv_step) begin
                    nkoff_q <= nkoff_q + f_c32[KV_AW-1:0];
                    neoff_q <= neoff_q + {{(KVE_AW-1){1'b0}}, 1'b1};
                end
                nqa_q <= nqa_q + f_c[ACT_AW-1:0];
            end
            if (a_go) begin
                a_kbase_q <= lbw_q + nkoff_q;
                a_ebase_q <= lbe_q + neoff_q;
                a_qa_q    <= nqa_q;
                a_par_q   <= nh_q[0];
                a_eq_q    <= er_rdata_a;
                a_busy_q  <= 1'b1;
                a_t_q     <= 16'd0;
                a_c_q     <= 16'd0;
                a_kpos_q  <= lbw_q + nkoff_q;
                a_epos_q  <= lbe_q + neoff_q;
            end else if (a_busy_q) begin
                if (a_c_q == f_c - 16'd1) begin
                    a_c_q    <= 16'd0;
                    a_t_q    <= a_t_q + 16'd1;
                    a_kpos_q <= a_kpos_q + kvdw_q;
                    a_epos_q <= a_epos_q + f_nkv[KVE_AW-1:0];
                    if (a_t_q == pos) a_busy_q <= 1'b0;
                end else begin
                    a_c_q <= a_c_q + 16'd1;
                end
            end
        end
    end
    wire [31:0] a_c32 = {16'd0, a_c_q};
    assign er_raddr_a = f_er_src + nh_q;
    assign xb_re      = a_busy_q;
    assign xb_raddr   = a_qa_q + a_c_q[ACT_AW-1:0];
    assign kc_re      = a_busy_q;
    assign kc_raddr   = a_kpos_q + a_c32[KV_AW-1:0];
    assign ke_re      = a_busy_q;
    assign ke_raddr   = a_epos_q;
    assign ve_re      = a_busy_q;
    assign ve_raddr   = a_epos_q;

    // A pipeline: 1 data + products, 2 sum, 3 dot, 4 score, 5 store + max.
    reg                a1_v, a1_c0, a1_cl, a1_t0, a1_tl;
    reg  [15:0]        a1_t;
    reg                a2_v, a2_c0, a2_cl, a2_t0, a2_tl;
    reg  [15:0]        a2_t;
    reg  signed [31:0] a2_prod [0:K-1];
    reg  signed [15:0] a2_ek, a2_ev;
    reg                a3_v, a3_c0, a3_cl, a3_t0, a3_tl;
    reg  [15:0]        a3_t;
    reg  signed [DOTW-1:0] a3_sum;
    reg  signed [15:0] a3_ek, a3_ev;
    reg                a4_v, a4_t0, a4_tl;
    reg  [15:0]        a4_t;
    reg  signed [DOTW-1:0] a4_dot;
    reg  signed [15:0] a4_ev;
    reg                a5_v, a5_t0, a5_tl;
    reg  [15:0]        a5_t;
    reg  signed [31:0] a5_score;
    reg  signed [15:0] a5_ev;
    reg  signed [31:0] a_max_q;
    reg  signed [15:0] a_emv_q;
    reg                b_go_q;

    reg  signed [DOTW-1:0] a_tree;
    integer li;
    always @* begin
        a_tree = {DOTW{1'b0}};
        for (li = 0; li < K; li = li + 1)
            a_tree = a_tree + {{(DOTW-32){a2_prod[li][31]}}, a2_prod[li]};
    end
    // the score's shift e_q + e_k + 16, clamped, registered with the dot product
    wire signed [17:0] a_d  = {{2{a_eq_q[15]}}, a_eq_q} + {{2{a3_ek[15]}}, a3_ek} + 18'sd16;
    wire signed [8:0]  a_ds_d = a_d > 18'sd127 ? 9'sd127 : (a_d < -18'sd128 ? -9'sd128 : a_d[8:0]);
    reg  signed [8:0]  a_ds;
    wire signed [63:0] a_score;
    cw_fn_shift_sat u_score (
        .v  ({{(64-DOTW){a4_dot[DOTW-1]}}, a4_dot}),
        .s  (a_ds),
        .lim(64'sd2147483647),
        .out(a_score)
    );

    always @(posedge clk) begin
        if (rst) begin
            a1_v <= 1'b0; a2_v <= 1'b0; a3_v <= 1'b0; a4_v <= 1'b0; a5_v <= 1'b0;
            b_go_q <= 1'b0;
        end else begin
            a1_v <= a_busy_q;
            a2_v <= a1_v;
            a3_v <= a2_v;
            a4_v <= a3_v && a3_cl;
            a5_v <= a4_v;
            b_go_q <= a5_v && a5_tl;
        end
        a1_c0 <= a_c_q == 16'd0;
        a1_cl <= a_c_q == f_c - 16'd1;
        a1_t0 <= a_t_q == 16'd0;
        a1_tl <= a_t_q == pos;
        a1_t  <= a_t_q;
        // stage 1: the data of the reads is here
        for (li = 0; li < K; li = li + 1)
            a2_prod[li] <= $signed(xb_rdata[16*li +: 16]) * $signed(kc_rdata[16*li +: 16]);
        a2_ek <= $signed(ke_rdata);
        a2_ev <= $signed(ve_rdata);
        {a2_c0, a2_cl, a2_t0, a2_tl, a2_t} <= {a1_c0, a1_cl, a1_t0, a1_tl, a1_t};
        // stage 2: adder tree
        a3_sum <= a_tree;
        a3_ek  <= a2_ek;
        a3_ev  <= a2_ev;
        {a3_c0, a3_cl, a3_t0, a3_tl, a3_t} <= {a2_c0, a2_cl, a2_t0, a2_tl, a2_t};
        // stage 3: the dot product over the words of a position
        if (a3_v) begin
            a4_dot <= (a3_c0 ? {DOTW{1'b0}} : a4_dot) + a3_sum;
            if (a3_c0) begin
                a_ds  <= a_ds_d;
                a4_ev <= a3_ev;
            end
        end
        {a4_t0, a4_tl, a4_t} <= {a3_t0, a3_tl, a3_t};
        // stage 4: the score
        a5_score <= a_score[31:0];
        a5_ev    <= a4_ev;
        {a5_t0, a5_tl, a5_t} <= {a4_t0, a4_tl, a4_t};
        // stage 5: max of the scores and of the v exponents
        if (a5_v) begin
            a_max_q <= (a5_t0 || a5_score > a_max_q) ? a5_score : a_max_q;
            a_emv_q <= (a5_t0 || a5_ev > a_emv_q) ? a5_ev : a_emv_q;
        end
    end

    // Score buffer: {ev, score} per position, half = head parity.
    reg  [47:0] sbuf [0:2*MAX_CTX-1];
    reg  [47:0] sb_rd_q;
    wire [SB_AW-1:0] sb_wa = {a_par_q, a5_t[CTX_AW-1:0]};

    // ------------------------------------------------------------ stage B
    reg                b_busy_q;
    reg  [15:0]        b_t_q, b_c_q;
    wire [31:0]        b_c32 = {16'd0, b_c_q};
    reg  [KV_AW-1:0]   b_vpos_q;
    reg                b_par_q;
    reg  signed [31:0] b_max_q;
    reg  signed [15:0] b_emv_q;
    wire [SB_AW-1:0]   sb_ra = {b_par_q, b_t_q[CTX_AW-1:0]};
    always @(posedge clk) begin
        if (a5_v) sbuf[sb_wa] <= {a5_ev, a5_score};
        sb_rd_q <= sbuf[sb_ra];
    end
    always @(posedge clk) begin
        if (rst) begin
            b_busy_q <= 1'b0;
        end else if (b_go_q) begin
            b_busy_q <= 1'b1;
            b_t_q    <= 16'd0;
            b_c_q    <= 16'd0;
            b_vpos_q <= a_kbase_q;
            b_par_q  <= a_par_q;
            b_max_q  <= a_max_q;
            b_emv_q  <= a_emv_q;
        end else if (b_busy_q) begin
            if (b_c_q == f_c - 16'd1) begin
                b_c_q    <= 16'd0;
                b_t_q    <= b_t_q + 16'd1;
                b_vpos_q <= b_vpos_q + kvdw_q;
                if (b_t_q == pos) b_busy_q <= 1'b0;
            end else begin
                b_c_q <= b_c_q + 16'd1;
            end
        end
    end

    // Items: issue (score buffer read) at i, exp input at i+1, VC read at
    // i+3, VC data and p at i+4, products at i+5, shifted at i+6, acc at i+7.
    reg  [2:0]         bd_v;                  // delay line of the items
    reg  [KV_AW-1:0]   bd_va [0:2];
    reg  [CW_AW-1:0]   bd_c  [0:2];
    reg  [2:0]         bd_c0, bd_cl, bd_t0, bd_tl;
    wire signed [32:0] b_x = {b_max_q[31], b_max_q} - {sb_rd_q[31], sb_rd_q[31:0]};
    wire signed [16:0] b_sd = {b_emv_q[15], b_emv_q} - {sb_rd_q[47], sb_rd_q[47:32]};
    wire [5:0]         b_s1 = b_sd > 17'sd42 ? 6'd42 : b_sd[5:0];
    reg  [5:0]         b_s2, b_s3, b_s4;
    wire [24:0]        b_p;
    cw_fn_exp u_exp (
        .clk(clk),
        .x  ({30'd0, b_x[32:0]}),
        .y  (b_p)
    );
    reg                b4_v, b4_c0, b4_cl, b4_t0, b4_tl;
    reg  [CW_AW-1:0]   b4_c;
    reg  [24:0]        b_phold_q;
    reg  [5:0]         b_shold_q;
    wire [24:0]        b_puse = b4_c0 ? b_p : b_phold_q;
    wire [5:0]         b_suse = b4_c0 ? b_s4 : b_shold_q;
    reg  [41:0]        b_sum_q;               // < 2^41
    reg                b5_v, b5_cl, b5_t0, b5_tl;
    reg  [CW_AW-1:0]   b5_c;
    reg  [5:0]         b5_s;
    reg  signed [41:0] b5_prod [0:K-1];
    reg                b6_v, b6_cl, b6_t0, b6_tl;
    reg  [CW_AW-1:0]   b6_c;
    reg  signed [41:0] b6_sh [0:K-1];
    reg  [ACCW*K-1:0]  acc  [0:CWORDS-1];
    reg  [ACCW*K-1:0]  fbuf [0:CWORDS-1];
    reg  [ACCW-1:0]    b_ma_q;                // OR of |acc| of the last position
    reg                p_go_q;
    reg  signed [15:0] p_emv_in_q;

    // rshift_round of the 42-bit products by s <= 42 (s >= 41 gives 0)
    reg  signed [47:0] b_rnd [0:K-1];
    reg  signed [47:0] b_p48;
    reg  [ACCW*K-1:0]  b_new;
    reg  [ACCW-1:0]    b_or;
    reg  signed [ACCW-1:0] b_lane;
    always @* begin
        b_or = {ACCW{1'b0}};
        for (li = 0; li < K; li = li + 1) begin
            b_p48     = {{6{b5_prod[li][41]}}, b5_prod[li]};
            b_rnd[li] = b5_s == 6'd0 ? b_p48 : (b_p48 + (48'sd1 <<< (b5_s - 6'd1))) >>> b5_s;
            b_lane = (b6_t0 ? {ACCW{1'b0}} : $signed(acc[b6_c][ACCW*li +: ACCW]))
                   + {{(ACCW-42){b6_sh[li][41]}}, b6_sh[li]};
            b_new[ACCW*li +: ACCW] = b_lane;
            b_or = b_or | (b_lane[ACCW-1] ? -b_lane : b_lane);
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            bd_v <= 3'd0;
            b4_v <= 1'b0; b5_v <= 1'b0; b6_v <= 1'b0;
            p_go_q <= 1'b0;
        end else begin
            bd_v <= {bd_v[1:0], b_busy_q};
            b4_v <= bd_v[2];
            b5_v <= b4_v;
            b6_v <= b5_v;
            p_go_q <= b6_v && b6_tl && b6_cl;
        end
        bd_va[0] <= b_vpos_q + b_c32[KV_AW-1:0];
        bd_va[1] <= bd_va[0];
        bd_va[2] <= bd_va[1];
        bd_c[0]  <= b_c_q[CW_AW-1:0];
        bd_c[1]  <= bd_c[0];
        bd_c[2]  <= bd_c[1];
        bd_c0    <= {bd_c0[1:0], b_c_q == 16'd0};
        bd_cl    <= {bd_cl[1:0], b_c_q == f_c - 16'd1};
        bd_t0    <= {bd_t0[1:0], b_t_q == 16'd0};
        bd_tl    <= {bd_tl[1:0], b_t_q == pos};
        b_s2 <= b_s1;
        b_s3 <= b_s2;
        b_s4 <= b_s3;
        // stage 4: VC data, p and the shift of this position
        {b4_c0, b4_cl, b4_t0, b4_tl, b4_c} <= {bd_c0[2], bd_cl[2], bd_t0[2], bd_tl[2], bd_c[2]};
        if (b4_v && b4_c0) begin
            b_phold_q <= b_p;
            b_shold_q <= b_s4;
            b_sum_q   <= (b4_t0 ? 42'd0 : b_sum_q) + {17'd0, b_p};
        end
        for (li = 0; li < K; li = li + 1)
            b5_prod[li] <= $signed({1'b0, b_puse}) * $signed(vc_rdata[16*li +: 16]);
        {b5_cl, b5_t0, b5_tl, b5_c, b5_s} <= {b4_cl, b4_t0, b4_tl, b4_c, b_suse};
        // stage 5: the rounding shift
        for (li = 0; li < K; li = li + 1)
            b6_sh[li] <= b_rnd[li][41:0];
        {b6_cl, b6_t0, b6_tl, b6_c} <= {b5_cl, b5_t0, b5_tl, b5_c};
        // stage 6: accumulate; the last position also fills the final buffer
        if (b6_v) begin
            acc[b6_c] <= b_new;
            if (b6_tl) begin
                fbuf[b6_c] <= b_new;
                b_ma_q <= (b6_c == {CW_AW{1'b0}} ? {ACCW{1'b0}} : b_ma_q) | b_or;
            end
        end
        if (b6_v && b6_tl && b6_cl) p_emv_in_q <= b_emv_q;
    end
    assign vc_re    = bd_v[2];
    assign vc_raddr = bd_va[2];

    // ------------------------------------------------------------ Post
    wire [6:0]  p_mabl;
    cw_fn_bitlen u_mabl (
        .v  ({{(64-ACCW){1'b0}}, b_ma_q}),
        .len(p_mabl)
    );
    wire [30:0]        p_r;
    wire signed [15:0] p_er;
    cw_fn_recip #(.SHARED(1)) u_recip (        // one v per head, D > 4 cycles apart
        .clk  (clk),
        .rst  (rst),
        .start(p_go_q),
        .v    ({21'd0, b_sum_q}),
        .r    (p_r),
        .e    (p_er)
    );
    reg  [5:0]         p_sa_q;
    reg  signed [15:0] p_emv_q;
    reg  [30:0]        p_rq;
    reg  signed [15:0] p_erq;
    reg  [2:0]         p_wait_q;
    reg                p_wait_on_q;
    reg                p_busy_q;
    reg  [15:0]        p_k_q;                 // element, counts hs twice
    reg                p_ph_q;                // 0: OR of |w|, 1: normalize
    reg  [7:0]         p_h_q;                 // head in Post
    reg  [OB_AW-1:0]   p_obase_q;
    // item pipeline: +1 rounded acc, +2 w
    reg                p1_v, p1_ph, p1_first, p1_last;
    reg  [15:0]        p1_e;
    reg  signed [32:0] p1_a;
    reg                p2_v, p2_ph, p2_first, p2_last;
    reg  [15:0]        p2_e;
    reg  signed [63:0] p2_w;
    reg  [62:0]        p_mw_q;
    reg  signed [15:0] f_emax_q;              // max of the head exponents
    reg                f_go_q;
    reg  [15:0]        ehead [0:MAX_HEADS-1];

    wire [15:0]        p_elem = p_k_q;
    wire [ACCW*K-1:0]  p_fword = fbuf[p_elem[CW_AW+LOG2K-1:LOG2K]];
    reg  signed [ACCW-1:0] p_f;               // lane select (a mux, not an index multiply)
    integer pli;
    always @* begin
        p_f = p_fword[ACCW-1:0];
        for (pli = 1; pli < K; pli = pli + 1)
            if (p_elem[LOG2K-1:0] == pli[LOG2K-1:0]) p_f = p_fword[ACCW*pli +: ACCW];
    end
    wire signed [63:0] p_f64 = {{(64-ACCW){p_f[ACCW-1]}}, p_f};
    wire signed [63:0] p_fr  = p_sa_q == 6'd0 ? p_f64
                             : (p_f64 + (64'sd1 <<< (p_sa_q - 6'd1))) >>> p_sa_q;
    // the OR of |w| and its bit length are registered as the first pass
    // goes (bitlen(a | b) of the running OR), so the second pass shifts by
    // a register: s = bitlen - 15, or 0 for an all-zero head
    wire [63:0]        p_wabs = p2_w[63] ? -p2_w : p2_w;
    wire [62:0]        p_mw_d = (p2_first ? 63'd0 : p_mw_q) | p_wabs[62:0];
    wire [6:0]         p_mwbl;
    cw_fn_bitlen u_mwbl (
        .v  ({1'b0, p_mw_d}),
        .len(p_mwbl)
    );
    reg  [6:0]         p_mwbl_q;
    wire signed [8:0]  p_s  = p_mwbl_q == 7'd0 ? 9'sd0 : $signed({2'b0, p_mwbl_q}) - 9'sd15;
    // every w of the head has |w| < 2^(s+15): the 17-bit window shifter is
    // exact (cw_fn_norm16_shift, the same result as cw_fn_shift_sat)
    wire signed [15:0] p_out;
    cw_fn_norm16_shift u_norm (
        .v  (p2_w),
        .s  (p_s[7:0]),
        .out(p_out)
    );
    wire signed [65:0] p_wmul = $signed(p1_a) * $signed({1'b0, p_rq});
    wire signed [17:0] p_eh = {{2{p_emv_q[15]}}, p_emv_q} + {{2{p_erq[15]}}, p_erq}
                            + {12'd0, p_sa_q} + {{9{p_s[8]}}, p_s};

    always @(posedge clk) begin
        if (rst) begin
            p_wait_on_q <= 1'b0;
            p_busy_q    <= 1'b0;
            p1_v <= 1'b0; p2_v <= 1'b0;
            f_go_q <= 1'b0;
        end else begin
            f_go_q <= 1'b0;
            if (p_go_q) begin
                p_wait_on_q <= 1'b1;
                p_wait_q    <= 3'd5;
            end else if (p_wait_on_q) begin
                p_wait_q <= p_wait_q - 3'd1;
                if (p_wait_q == 3'd0) begin
                    p_wait_on_q <= 1'b0;
                    p_busy_q    <= 1'b1;
                    p_k_q       <= 16'd0;
                    p_ph_q      <= 1'b0;
                end
            end
            if (p_busy_q) begin
                if (p_k_q == f_hs - 16'd1) begin
                    p_k_q  <= 16'd0;
                    p_ph_q <= 1'b1;
                    if (p_ph_q) p_busy_q <= 1'b0;
                end else begin
                    p_k_q <= p_k_q + 16'd1;
                end
            end
            p1_v <= p_busy_q;
            p2_v <= p1_v;
            if (p2_v && p2_ph && p2_last && p_h_q == f_n[7:0] - 8'd1) f_go_q <= 1'b1;
        end
        if (start) begin
            p_h_q     <= 8'd0;
            p_obase_q <= {OB_AW{1'b0}};
        end
        if (p_go_q) begin
            p_sa_q  <= p_mabl > 7'd31 ? p_mabl[5:0] - 6'd31 : 6'd0;
            p_emv_q <= p_emv_in_q;
        end
        if (p_wait_on_q && p_wait_q == 3'd0) begin
            p_rq  <= p_r;
            p_erq <= p_er;
        end
        p1_a     <= p_fr[32:0];
        p1_ph    <= p_ph_q;
        p1_first <= p_k_q == 16'd0;
        p1_last  <= p_k_q == f_hs - 16'd1;
        p1_e     <= p_elem;
        p2_w     <= p_wmul[63:0];
        {p2_ph, p2_first, p2_last, p2_e} <= {p1_ph, p1_first, p1_last, p1_e};
        if (p2_v && !p2_ph) begin
            p_mw_q   <= p_mw_d;
            p_mwbl_q <= p_mwbl;
        end
        if (p2_v && p2_ph && p2_last) begin
            ehead[p_h_q[EH_AW-1:0]] <= p_eh[15:0];
            if (p_h_q == 8'd0 || $signed(p_eh[15:0]) > f_emax_q) f_emax_q <= p_eh[15:0];
            p_h_q     <= p_h_q + 8'd1;
            p_obase_q <= p_obase_q + f_hs[OB_AW-1:0];
        end
    end

    // Output buffer.
    reg  [15:0] obuf [0:OBUF_DEPTH-1];
    reg  [15:0] ob_rd_q;
    wire [OB_AW-1:0] ob_wa = p_obase_q + p2_e[OB_AW-1:0];

    // ------------------------------------------------------------ final pass
    reg              f_busy_q;
    reg  [15:0]      f_j_q, f_i_q;
    reg  [7:0]       f_h_q;
    reg              g_v, g_last;
    reg  [15:0]      g_j;
    reg  [7:0]       g_h;
    always @(posedge clk) begin
        if (p2_v && p2_ph) obuf[ob_wa] <= p_out;
        ob_rd_q <= obuf[f_j_q[OB_AW-1:0]];
    end
    always @(posedge clk) begin
        if (rst) begin
            f_busy_q <= 1'b0;
            g_v      <= 1'b0;
        end else begin
            g_v <= f_busy_q;
            if (f_go_q) begin
                f_busy_q <= 1'b1;
                f_j_q    <= 16'd0;
                f_i_q    <= 16'd0;
                f_h_q    <= 8'd0;
            end else if (f_busy_q) begin
                f_j_q <= f_j_q + 16'd1;
                if (f_i_q == f_hs - 16'd1) begin
                    f_i_q <= 16'd0;
                    f_h_q <= f_h_q + 8'd1;
                    if (f_h_q == f_n[7:0] - 8'd1) f_busy_q <= 1'b0;
                end else begin
                    f_i_q <= f_i_q + 16'd1;
                end
            end
        end
        g_j    <= f_j_q;
        g_h    <= f_h_q;
        g_last <= f_i_q == f_hs - 16'd1 && f_h_q == f_n[7:0] - 8'd1;
    end
    wire signed [15:0] g_eh  = $signed(ehead[g_h[EH_AW-1:0]]);
    wire signed [16:0] g_sd  = {f_emax_q[15], f_emax_q} - {g_eh[15], g_eh};
    wire [4:0]         g_s   = g_sd > 17'sd17 ? 5'd17 : g_sd[4:0];
    wire signed [18:0] g_x   = {{3{ob_rd_q[15]}}, ob_rd_q};
    wire signed [18:0] g_y   = g_s == 5'd0 ? g_x : (g_x + (19'sd1 <<< (g_s - 5'd1))) >>> g_s;

    assign act_we    = g_v;
    assign act_waddr = f_dst[ACT_AW-1:0] + g_j[ACT_AW-1:0];
    assign act_wdata = {{48{g_y[15]}}, g_y[15:0]};
    assign er_we     = g_v && g_last;
    assign er_waddr  = f_er_dst;
    assign er_wdata  = f_emax_q;
    assign done      = g_v && g_last;

    // Unused ports of the standard interface.
    assign er_raddr_b = 8'd0;
    assign act_re     = 1'b0;
    assign act_raddr  = {ACT_AW{1'b0}};
    assign wgt_re     = 1'b0;
    assign wgt_raddr  = {WGT_AW{1'b0}};
    assign scl_re     = 1'b0;
    assign scl_raddr  = {SCL_AW{1'b0}};
    assign cst_re     = 1'b0;
    assign cst_raddr  = {CST_AW{1'b0}};
    assign kv_we      = 1'b0;
    assign kv_v       = 1'b0;
    assign kv_waddr   = {KV_AW{1'b0}};
    assign kv_wdata   = 16'd0;
    assign kve_we     = 1'b0;
    assign kve_v      = 1'b0;
    assign kve_waddr  = {KVE_AW{1'b0}};
    assign kve_wdata  = 16'd0;
    assign amax_valid = 1'b0;
    assign amax_idx   = 32'd0;

    wire unused = &{1'b0, tok, er_rdata_b, act_rdata, wgt_rdata, scl_rdata, cst_rdata, instr,
                    a_ebase_q, lmc_w, kvdw_w, f_nkv32, pc_w, lbw_w, lbe_w, p_out, p_wmul, p_fr, p_eh,
                    g_y, b_x, b_sd, p_elem, p_wabs[63], b_rnd[0], f_dst, f_src, a5_t, a_score,
                    p2_e, g_j, g_h, a_c32, b_c32, f_c32};
endmodule

`default_nettype wire
