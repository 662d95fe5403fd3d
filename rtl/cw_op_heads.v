// cw_op_heads - HEADS: per head h of n (hs = aux values each) of the wide
// vector at ACT[src ..] with exponent e = E[er_src]:
//   tmp, et = cw_hls_norm16(ACT[src + h*hs ..], hs, e)
//   ROPE:   wide2 = cw_hls_rope(tmp, freq = CST[a24 ..], hs, POS);
//           out, eo = cw_hls_norm16(wide2, hs, et - 16)
//   else:   out, eo = tmp, et
// then out -> ACT[dst + h*hs ..] (int16, sign-extended) and E[er_dst + h] = eo,
// or with DST_KC / DST_VC (flags bit 1 / 2; KC wins) -> the K / V cache at the
// flat index ((b24 * MAX_CTX + POS) * n*hs + h*hs + i) and eo -> KE / VE at
// ((b24 * MAX_CTX + POS) * n + h) (host/ref_core.c, exec(), CW_OP_HEADS),
// bit exact. With KV_BITS < 16 (a target's kvbits) a cached value is first
// rounded to KV_BITS bits, cw_hls_kv_round: round(out / 2^(16-KV_BITS)) half
// up, saturated to +-(2^(KV_BITS-1) - 1) (sign-extended on kv_wdata; the core
// stores its low KV_BITS bits), and its exponent is eo + 16 - KV_BITS; same
// cycle, same latency.
//
// Each value is read from ACT once: pass A streams the heads back to back
// (one value per cycle) into a two-bank buffer while it ORs |value|; pass B
// re-reads a head from the buffer one head behind, shifts it to int16 and
// (without ROPE) writes it, or (ROPE) rotates each pair (sin/cos from
// cw_fn_sincos on pos * freq, computed ahead of the data) into a second
// two-bank buffer with its OR; pass C, one head further, shifts that to int16
// and writes it. hs must be even, 2 <= hs <= MAX_HEAD.
//
// Timing (T = the issue cycle, c = cycle - T, j = h*hs + i, N = n*hs):
//   pass A  reads ACT at c = 1 + j; the data is buffered at c = 2 + j and its
//           |value| registered, ORed at c = 3 + j; head h's shift known at
//           c = (h+1) hs + 3, its exponent at c = (h+1) hs + 4
//   pass B  reads the buffer at c = hs + 2 + j; int16 value at c = hs + 4 + j
//           (without ROPE: written then; done at c = N + hs + 3)
//   ROPE    freq[i/2] read at c = hs + j (even i), phase, sin/cos (4 cycles)
//           rotated value at c = hs + 7 + j; head h's shift at c = (h+2) hs + 7
//   pass C  reads the second buffer at c = 2 hs + 6 + j; written at c = 2 hs + 8 + j;
//           done at c = N + 2 hs + 7
// latency = (n + 1) hs + 4, with ROPE (n + 2) hs + 8 (host/isa.c
// cw_instr_latency, CW_OP_HEADS). Exponent and KE/VE writes: one per head,
// with the head's first value.
//
// Multipliers: 2 x (16 x 18) for the rotation, 16 x 32 (pos * freq), and the
// two cache-index products (computed once per instruction).
`default_nettype none

module cw_op_heads #(
    parameter integer LANES    = 8,    // matrix unit rows per cycle
    parameter integer K        = 8,    // matrix unit columns per cycle
    parameter integer WBITS    = 16,   // weight lane width
    parameter integer ACT_AW   = 14,   // ACT address bits
    parameter integer WGT_AW   = 16,   // WGT address bits
    parameter integer SCL_AW   = 12,   // SCL word address bits
    parameter integer CST_AW   = 14,   // CST address bits
    parameter integer KV_AW    = 20,   // KV cache value index bits
    parameter integer KVE_AW   = 19,   // KV exponent index bits
    parameter integer MAX_CTX  = 1024, // the target's max_ctx: the cache's layer stride
    parameter integer MAX_HEAD = 256,  // largest head size (power of two): buffer depth / 2
    parameter integer KV_BITS  = 16    // bits per KV cache entry, 8..16 (below 16: rounded)
) (
`include "cw_op_ports.vh"
);
    localparam integer HW = $clog2(MAX_HEAD);   // element index bits within a head

    initial begin
        if (ACT_AW < 1 || ACT_AW > 16) $error("cw_op_heads: ACT_AW out of range (1..16)");
        if (CST_AW < 1 || CST_AW > 24) $error("cw_op_heads: CST_AW out of range (1..24)");
        if (KV_AW < 1 || KV_AW > 32) $error("cw_op_heads: KV_AW out of range (1..32)");
        if (KVE_AW < 1 || KVE_AW > 32) $error("cw_op_heads: KVE_AW out of range (1..32)");
        if (MAX_CTX < 1) $error("cw_op_heads: MAX_CTX must be positive");
        if (MAX_HEAD < 2 || MAX_HEAD > 32768 || (1 << HW) != MAX_HEAD)
            $error("cw_op_heads: MAX_HEAD must be a power of two in 2..32768");
        if (KV_BITS < 8 || KV_BITS > 16) $error("cw_op_heads: KV_BITS must be in 8..16");
    end

    // Fields: flags = w0[15:8], er_dst = w0[23:16], er_src = w0[31:24],
    // dst = w1[15:0], src = w1[31:16], n = w2[15:0], hs = aux = w2[31:16],
    // a24 = w3[23:0], b24 = w4[23:0].
    wire [7:0]  f_flags = instr[15:8];
    wire [7:0]  f_erd   = instr[23:16];
    wire [7:0]  f_ers   = instr[31:24];
    wire [15:0] f_dst   = instr[47:32];
    wire [15:0] f_src   = instr[63:48];
    wire [15:0] f_n     = instr[79:64];
    wire [15:0] f_hs    = instr[95:80];
    wire [23:0] f_a24   = instr[119:96];
    wire [23:0] f_b24   = instr[151:128];
    wire        rope     = f_flags[0];
    wire        to_kc    = f_flags[1];
    wire        to_cache = f_flags[1] | f_flags[2];
    wire [15:0] hsm1     = f_hs - 16'd1;

    // ---------------------------------------------------------------- per instruction
    // N = n*hs and the cache bases, registered (instr is stable from start).
    reg  [19:0]       tot_q;
    reg  [31:0]       tot32_q, cell_q;
    reg  [KV_AW-1:0]  base_q;
    reg  [KVE_AW-1:0] kbase_q;
    wire [31:0]       tot_w   = f_n * f_hs;
    wire [55:0]       cell_w  = f_b24 * MAX_CTX + {40'd0, pos};
    wire [31:0]       n32     = {16'd0, f_n};
    wire [KV_AW-1:0]  base_w  = cell_q[KV_AW-1:0] * tot32_q[KV_AW-1:0];
    wire [KVE_AW-1:0] kbase_w = cell_q[KVE_AW-1:0] * n32[KVE_AW-1:0];
    always @(posedge clk) begin
        tot_q   <= tot_w[19:0];
        tot32_q <= tot_w;
        cell_q  <= cell_w[31:0];
        base_q  <= base_w;
        kbase_q <= kbase_w;
    end
    wire [19:0] totm1 = tot_q - 20'd1;

    // ---------------------------------------------------------------- schedule
    reg         busy_q;
    reg  [19:0] cyc_q;
    wire        fin;                               // the last write (done)
    always @(posedge clk) begin
        if (rst) begin
            busy_q <= 1'b0;
            cyc_q  <= 20'd0;
        end else if (start) begin
            busy_q <= 1'b1;
            cyc_q  <= 20'd1;
        end else if (busy_q) begin
            cyc_q <= cyc_q + 20'd1;
            if (fin) busy_q <= 1'b0;
        end
    end
    wire [19:0] hs20 = {4'd0, f_hs};
    wire go_b = busy_q && cyc_q == hs20 + 20'd1;                      // B from c = hs + 2
    wire go_c = busy_q && rope && cyc_q == {hs20[18:0], 1'b0} + 20'd5; // C from 2 hs + 6
    wire go_l = rope && busy_q && cyc_q == hs20 - 20'd1;              // L from c = hs

    // Stream counters: active, j (element), i (in head), h (head).
    reg         a_q, l_q, b_q, c_q;
    reg  [19:0] aj_q, lj_q, bj_q, cj_q;
    reg  [15:0] ai_q, li_q, bi_q, ci_q;
    reg  [15:0] ah_q, bh_q, ch_q;
    always @(posedge clk) begin
        if (rst) begin
            a_q <= 1'b0;
            l_q <= 1'b0;
            b_q <= 1'b0;
            c_q <= 1'b0;
        end else begin
            if (start) begin
                a_q <= 1'b1; aj_q <= 20'd0; ai_q <= 16'd0; ah_q <= 16'd0;
            end else if (a_q) begin
                aj_q <= aj_q + 20'd1;
                ai_q <= ai_q == hsm1 ? 16'd0 : ai_q + 16'd1;
                if (ai_q == hsm1) ah_q <= ah_q + 16'd1;
                if (aj_q == totm1) a_q <= 1'b0;
            end
            if (go_l) begin
                l_q <= 1'b1; lj_q <= 20'd0; li_q <= 16'd0;
            end else if (l_q) begin
                lj_q <= lj_q + 20'd1;
                li_q <= li_q == hsm1 ? 16'd0 : li_q + 16'd1;
                if (lj_q == totm1) l_q <= 1'b0;
            end
            if (go_b) begin
                b_q <= 1'b1; bj_q <= 20'd0; bi_q <= 16'd0; bh_q <= 16'd0;
            end else if (b_q) begin
                bj_q <= bj_q + 20'd1;
                bi_q <= bi_q == hsm1 ? 16'd0 : bi_q + 16'd1;
                if (bi_q == hsm1) bh_q <= bh_q + 16'd1;
                if (bj_q == totm1) b_q <= 1'b0;
            end
            if (go_c) begin
                c_q <= 1'b1; cj_q <= 20'd0; ci_q <= 16'd0; ch_q <= 16'd0;
            end else if (c_q) begin
                cj_q <= cj_q + 20'd1;
                ci_q <= ci_q == hsm1 ? 16'd0 : ci_q + 16'd1;
                if (ci_q == hsm1) ch_q <= ch_q + 16'd1;
                if (cj_q == totm1) c_q <= 1'b0;
            end
        end
    end

    // The input exponent, captured on the first cycle.
    assign er_raddr_a = f_ers;
    reg signed [15:0] e_q;
    always @(posedge clk) begin
        if (busy_q && cyc_q == 20'd1) e_q <= er_rdata_a;
    end

    // norm16's shift of a head: bitlen(OR |v|) - 15, 0 for an all-zero head
    // (bit length 0).
    function automatic signed [7:0] norm_shift(input [6:0] len);
        norm_shift = len == 7'd0 ? 8'sd0 : $signed({1'b0, len}) - 8'sd15;
    endfunction

    // ---------------------------------------------------------------- pass A
    // a1: the data on act_rdata is buffered and its |value| registered; a2:
    // the OR, its bit length and (last value of a head) the head's shift
    reg  [63:0] buf_a [0:2*MAX_HEAD-1];
    reg         a1_v_q, a1_last_q, a2_v_q, a2_last_q;
    reg  [15:0] a1_i_q, a1_h_q, a2_h_q;
    reg         a2_first_q;                        // a2 holds a head's first value
    reg  [63:0] abs_a_q;
    reg         a3_et_q;
    reg  [1:0]  a3_h_q;
    reg  [63:0] or_a_q;
    reg  signed [7:0]  s_a_q;
    reg  signed [15:0] et_buf [0:3];               // et per head, h mod 4
    wire [63:0] abs_a = act_rdata[63] ? 64'd0 - act_rdata : act_rdata;
    wire [63:0] or_a  = (a2_first_q ? 64'd0 : or_a_q) | abs_a_q;
    wire [6:0]  len_a;
    cw_fn_bitlen u_bl_a (.v(or_a), .len(len_a));
    wire signed [7:0] s_a = norm_shift(len_a);
    always @(posedge clk) begin
        if (rst) begin
            a1_v_q  <= 1'b0;
            a2_v_q  <= 1'b0;
            a3_et_q <= 1'b0;
        end else begin
            a1_v_q  <= a_q;
            a2_v_q  <= a1_v_q;
            a3_et_q <= a2_v_q && a2_last_q;
        end
        a1_i_q    <= ai_q;
        a1_h_q    <= ah_q;
        a1_last_q <= ai_q == hsm1;
        a2_first_q <= a1_i_q == 16'd0;
        a2_h_q    <= a1_h_q;
        a2_last_q <= a1_last_q;
        abs_a_q   <= abs_a;
        if (a1_v_q)
            buf_a[{a1_h_q[0], a1_i_q[HW-1:0]}] <= act_rdata;
        if (a2_v_q) begin
            or_a_q <= or_a;
            if (a2_last_q) s_a_q <= s_a;
        end
        // the head's exponent a cycle after its shift, in time for the
        // head's first write (c = (h+1) hs + 4)
        a3_h_q  <= a2_h_q[1:0];
        if (a3_et_q) et_buf[a3_h_q] <= e_q + {{8{s_a_q[7]}}, s_a_q};
    end
    wire [15:0] ra16 = f_src + aj_q[15:0];
    assign act_re    = a_q;
    assign act_raddr = ra16[ACT_AW-1:0];

    // ---------------------------------------------------------------- pass B
    reg  [63:0] buf_a_q;
    reg         b1_v_q, b2_v_q, b3_v_q;
    reg  [15:0] b1_i_q, b2_i_q, b3_i_q, b1_h_q, b2_h_q, b3_h_q;
    reg  [19:0] b1_j_q, b2_j_q;
    reg  signed [15:0] x16_q, x16_d_q, x16_dd_q;
    wire signed [15:0] x16_w;
    cw_fn_norm16_shift #(.W(64)) u_sh_b (
        .v  (buf_a_q),
        .s  (s_a_q),
        .out(x16_w)
    );
    always @(posedge clk) begin
        if (b_q) buf_a_q <= buf_a[{bh_q[0], bi_q[HW-1:0]}];
        if (rst) begin
            b1_v_q <= 1'b0;
            b2_v_q <= 1'b0;
            b3_v_q <= 1'b0;
        end else begin
            b1_v_q <= b_q;
            b2_v_q <= b1_v_q;
            b3_v_q <= b2_v_q;
        end
        b3_i_q   <= b2_i_q;
        b3_h_q   <= b2_h_q;
        x16_dd_q <= x16_d_q;
        b1_i_q  <= bi_q;
        b1_h_q  <= bh_q;
        b1_j_q  <= bj_q;
        b2_i_q  <= b1_i_q;
        b2_h_q  <= b1_h_q;
        b2_j_q  <= b1_j_q;
        x16_q   <= x16_w;
        x16_d_q <= x16_q;
    end

    // ---------------------------------------------------------------- RoPE
    // freq[i/2] read for even i, phase = pos * freq (mod 2^32) held two cycles.
    reg         l1_v_q, ph_v_q;
    reg  [31:0] phase_q;
    wire [15:0] fa_off = {1'b0, li_q[15:1]};
    wire [23:0] fa24   = f_a24 + {8'd0, fa_off};
    wire [31:0] phase_w = {16'd0, pos} * cst_rdata;   // mod 2^32
    always @(posedge clk) begin
        if (rst) begin
            l1_v_q <= 1'b0;
            ph_v_q <= 1'b0;
        end else begin
            l1_v_q <= l_q && !li_q[0];
            ph_v_q <= l1_v_q;
        end
        if (l1_v_q) phase_q <= phase_w;
    end
    assign cst_re    = l_q && !li_q[0];
    assign cst_raddr = fa24[CST_AW-1:0];

    wire signed [17:0] sin_w, cos_w;
    cw_fn_sincos u_sincos (
        .clk  (clk),
        .rst  (rst),
        .valid(ph_v_q),
        .phase(phase_q),
        .s    (sin_w),
        .c    (cos_w)
    );

    // Pair (x0, x1), one cycle after the int16 values (sin/cos take 4 cycles from
    // the phase): x0 c - x1 s when x1 is in x16_d (odd i), x0 s + x1 c the cycle after.
    reg                r2_q;                       // second half of a pair
    reg  signed [15:0] px0_q, px1_q;
    reg                rv_q;
    reg  [15:0]        ri_q, rh_q;
    reg  signed [32:0] rope_q;                     // |.| < 2^32
    wire               r1 = b3_v_q && b3_i_q[0];
    wire signed [15:0] mul_xa = r2_q ? px0_q : x16_dd_q;
    wire signed [15:0] mul_xb = r2_q ? px1_q : x16_d_q;
    wire signed [17:0] mul_ta = r2_q ? sin_w : cos_w;
    wire signed [17:0] mul_tb = r2_q ? cos_w : sin_w;
    wire signed [33:0] pa = mul_xa * mul_ta;
    wire signed [33:0] pb = mul_xb * mul_tb;
    wire signed [33:0] rsum = r2_q ? pa + pb : pa - pb;
    always @(posedge clk) begin
        if (rst) begin
            r2_q <= 1'b0;
            rv_q <= 1'b0;
        end else begin
            r2_q <= r1;
            rv_q <= r1 || r2_q;
        end
        rope_q <= rsum[32:0];
        if (r1) begin
            px0_q <= x16_dd_q;
            px1_q <= x16_d_q;
            ri_q  <= b3_i_q - 16'd1;
            rh_q  <= b3_h_q;
        end else if (r2_q) begin
            ri_q  <= ri_q + 16'd1;
        end
    end

    // Second buffer, OR and shift of the rotated head.
    reg  [32:0] buf_b [0:2*MAX_HEAD-1];
    // |rope| < 2^32: the OR and its bit length are 33 bits wide
    reg  [32:0] or_b_q;
    reg  signed [7:0]  s_b_q;
    reg  signed [15:0] eo_b_q;
    wire [32:0] abs_b  = rope_q[32] ? 33'd0 - rope_q : rope_q;
    wire [32:0] or_b   = (ri_q == 16'd0 ? 33'd0 : or_b_q) | abs_b;
    wire [6:0]  len_b;
    cw_fn_bitlen u_bl_b (.v({31'd0, or_b}), .len(len_b));
    wire signed [7:0]  s_b  = norm_shift(len_b);
    wire signed [15:0] et_r = et_buf[rh_q[1:0]];
    always @(posedge clk) begin
        if (rv_q) begin
            buf_b[{rh_q[0], ri_q[HW-1:0]}] <= rope_q;
            or_b_q <= or_b;
            if (ri_q == hsm1) begin
                s_b_q  <= s_b;
                eo_b_q <= et_r - 16'sd16 + {{8{s_b[7]}}, s_b};
            end
        end
    end

    // ---------------------------------------------------------------- pass C
    reg  [32:0] buf_b_q;
    reg         c1_v_q, c2_v_q;
    reg  [15:0] c1_i_q, c2_i_q, c1_h_q, c2_h_q;
    reg  [19:0] c1_j_q, c2_j_q;
    reg  signed [15:0] res_q;
    wire signed [15:0] res_w;
    cw_fn_norm16_shift #(.W(33)) u_sh_c (
        .v  (buf_b_q),
        .s  (s_b_q),
        .out(res_w)
    );
    always @(posedge clk) begin
        if (c_q) buf_b_q <= buf_b[{ch_q[0], ci_q[HW-1:0]}];
        if (rst) begin
            c1_v_q <= 1'b0;
            c2_v_q <= 1'b0;
        end else begin
            c1_v_q <= c_q;
            c2_v_q <= c1_v_q;
        end
        c1_i_q <= ci_q;
        c1_h_q <= ch_q;
        c1_j_q <= cj_q;
        c2_i_q <= c1_i_q;
        c2_h_q <= c1_h_q;
        c2_j_q <= c1_j_q;
        res_q  <= res_w;
    end

    // ---------------------------------------------------------------- writes
    wire               w_v   = rope ? c2_v_q : b2_v_q;
    wire [19:0]        w_j   = rope ? c2_j_q : b2_j_q;
    wire [15:0]        w_h   = rope ? c2_h_q : b2_h_q;
    wire               w_i0  = (rope ? c2_i_q : b2_i_q) == 16'd0;
    wire signed [15:0] w_val = rope ? res_q : x16_q;
    wire signed [15:0] w_eo  = rope ? eo_b_q : et_buf[b2_h_q[1:0]];
    assign fin = w_v && w_j == totm1;

    wire [15:0]       wa16 = f_dst + w_j[15:0];
    wire [31:0]       w_j32 = {12'd0, w_j};
    wire [31:0]       w_h32 = {16'd0, w_h};
    wire [KV_AW-1:0]  kva  = base_q + w_j32[KV_AW-1:0];
    wire [KVE_AW-1:0] kvea = kbase_q + w_h32[KVE_AW-1:0];
    assign act_we    = w_v && !to_cache;
    assign act_waddr = wa16[ACT_AW-1:0];
    assign act_wdata = {{48{w_val[15]}}, w_val};
    // KV_BITS < 16: round(w_val / 2^KS) half up, saturated to +-KV_LIM
    // (|w_val| <= 32767, so only the positive side can reach 2^(KV_BITS-1))
    localparam integer KS = 16 - KV_BITS;
    localparam signed [15:0] KS_E = KS[15:0];  // the exponent grows by the bits dropped
    localparam signed [16:0] KV_LIM = (17'sd1 <<< (KV_BITS - 1)) - 17'sd1;
    localparam signed [16:0] KV_HALF = KS == 0 ? 17'sd0 : (17'sd1 <<< (KS > 0 ? KS - 1 : 0));
    wire signed [16:0] kvr_t = {w_val[15], w_val} + KV_HALF;
    wire signed [16:0] kvr_q = kvr_t >>> KS;
    wire signed [16:0] kvr_s = kvr_q > KV_LIM ? KV_LIM : kvr_q < -KV_LIM ? -KV_LIM : kvr_q;
    wire signed [15:0] kvr   = kvr_s[15:0];
    assign kv_we     = w_v && to_cache;
    assign kv_v      = !to_kc;
    assign kv_waddr  = kva;
    assign kv_wdata  = kvr;
    assign er_we     = w_v && w_i0 && !to_cache;
    assign er_waddr  = f_erd + w_h[7:0];
    assign er_wdata  = w_eo;
    assign kve_we    = w_v && w_i0 && to_cache;
    assign kve_v     = !to_kc;
    assign kve_waddr = kvea;
    assign kve_wdata = w_eo + KS_E;
    assign done      = fin;

    // Unused ports of the standard interface.
    assign er_raddr_b = 8'd0;
    assign xb_re      = 1'b0;
    assign xb_raddr   = {ACT_AW{1'b0}};
    assign wgt_re     = 1'b0;
    assign wgt_raddr  = {WGT_AW{1'b0}};
    assign scl_re     = 1'b0;
    assign scl_raddr  = {SCL_AW{1'b0}};
    assign kc_re      = 1'b0;
    assign kc_raddr   = {KV_AW{1'b0}};
    assign vc_re      = 1'b0;
    assign vc_raddr   = {KV_AW{1'b0}};
    assign ke_re      = 1'b0;
    assign ke_raddr   = {KVE_AW{1'b0}};
    assign ve_re      = 1'b0;
    assign ve_raddr   = {KVE_AW{1'b0}};
    assign amax_valid = 1'b0;
    assign amax_idx   = 32'd0;

    // Inputs and bits this op does not use.
    wire unused = &{1'b0, tok, er_rdata_b, xb_rdata, wgt_rdata, scl_rdata, kc_rdata, vc_rdata,
                    ke_rdata, ve_rdata, instr, f_flags, f_dst, f_src, f_a24, ra16, wa16, fa24,
                    tot_w, cell_w, tot32_q, cell_q, n32, rsum, lj_q, li_q, kvr_s[16],
                    ai_q, bi_q, ci_q, ah_q, bh_q, ch_q, a1_i_q, a1_h_q, a2_h_q, b1_h_q, b2_h_q, c2_h_q,
                    b2_i_q, c2_i_q, b3_i_q, b3_h_q, ri_q, rh_q, w_j32, w_h32};
endmodule

`default_nettype wire
