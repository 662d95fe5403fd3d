// cw_op_rmsnorm - RMSNORM: the residual x = ACT[src .. src+n-1] (int32) with
// exponent E[er_src] and the gain block at CST[a24 ..] ([e_g, eps_mant,
// eps_exp, g0 .. g(n-1)]) -> cw_hls_rmsnorm, then cw_hls_norm16, into
// ACT[dst ..] (int16, sign-extended) with E[er_dst] = the exponent
// (host/ref_core.c, exec(), case CW_OP_RMSNORM), bit exact.
//
// Three passes over x, one ACT read per cycle:
//   1. b = bitlen(OR |x|): sh = b - 20 (squares of 20-bit values), sx = b - 15.
//      With ORV (flags bit 3) the pass is one cycle: OR |x| is `orv[31:0]`
//      (valid in the issue cycle only, so registered then), the OR of |v|
//      over the ACT writes of the instruction before (the sequencer lets
//      ORV issue only right after the instruction that wrote exactly x,
//      error 11); its one read (x[0]) is not used.
//   2. ss = sum round(x / 2^sh)^2, and t = round(x * g / 2^sx) (|t| <= 2^30)
//      written to ACT[dst ..] as scratch, with max |t|.
//   then v = ss (in the units of eps) + eps, y = rsqrt(v) (cw_fn_rsqrt).
//   3. out = t * y; norm16's shift s = bitlen(OR |out|) - 15 is known before
//      the pass: OR |t*y| has the bit length of max|t| * y (y > 0), one
//      product. Each out is shifted to int16 and written over its t.
// dst is scratch from pass 2 on: it must equal src or not overlap
// [src, src + n) (the compiler's plan keeps them apart).
//
// Timing (T = the issue cycle, c = cycle - T; p = n, or 1 with ORV; m = p + n):
//   c = 1 .. p         pass 1 reads; CST reads eps_exp, eps_mant, e_g at c = 1, 2, 3
//   c = p+1 .. m       pass 2 reads (gains read 2 cycles behind, t written 4 cycles
//                      after the data), ss complete at m+3 -> rsqrt start
//   c = m+12           y valid (rsqrt: 9 cycles); max|t| * y; s at m+14
//   c = m+12 .. m+n+11 pass 3 reads t; out and its shift two stages behind;
//                      writes at m+15 .. m+n+14; done (and E[er_dst]) at m+n+14
// latency = 3 n + 15, or 2 n + 16 with ORV (host/isa.c cw_instr_latency,
// CW_OP_RMSNORM).
//
// Multipliers: 22x22 (squares), 32x16 (x*g), 33x32 (t*y and max|t|*y), and
// the 32x30 one inside cw_fn_rsqrt.
`default_nettype none

module cw_op_rmsnorm #(
    parameter integer LANES   = 8,   // matrix unit rows per cycle
    parameter integer K       = 8,   // matrix unit columns per cycle
    parameter integer WBITS   = 16,  // weight lane width
    parameter integer ACT_AW  = 14,  // ACT address bits
    parameter integer WGT_AW  = 16,  // WGT address bits
    parameter integer SCL_AW  = 12,  // SCL word address bits
    parameter integer CST_AW  = 14,  // CST address bits
    parameter integer KV_AW   = 20,  // KV cache value index bits
    parameter integer KVE_AW  = 19   // KV exponent index bits
) (
`include "cw_op_ports.vh"
,
    input  wire [63:0]                 orv     // OR of |v| the previous instruction wrote
);
    initial begin
        if (ACT_AW < 1 || ACT_AW > 16) $error("cw_op_rmsnorm: ACT_AW out of range (1..16)");
        if (CST_AW < 2 || CST_AW > 24) $error("cw_op_rmsnorm: CST_AW out of range (2..24)");
    end

    // Fields: flags = w0[15:8] (bit 3: ORV), er_dst = w0[23:16],
    // er_src = w0[31:24], dst = w1[15:0], src = w1[31:16], n = w2[15:0],
    // a24 = w3[23:0].
    wire        f_orv = instr[11];
    wire [7:0]  f_erd = instr[23:16];
    wire [7:0]  f_ers = instr[31:24];
    wire [15:0] f_dst = instr[47:32];
    wire [15:0] f_src = instr[63:48];
    wire [15:0] f_n   = instr[79:64];
    wire [23:0] f_a24 = instr[119:96];

    // ---------------------------------------------------------------- schedule
    reg         busy_q;
    reg  [17:0] cyc_q;                         // c = cycle - T while busy
    wire [17:0] n18    = {2'b00, f_n};
    wire [17:0] m18    = (f_orv ? 18'd1 : n18) + n18;  // m = p + n
    wire [17:0] c_rs   = m18 + 18'd3;          // m+3: rsqrt start
    wire [17:0] c_y    = m18 + 18'd12;         // m+12: y valid, max|t|*y
    wire [17:0] c_p3   = m18 + 18'd11;         // m+11: pass 3 armed
    wire [17:0] c_s4   = m18 + 18'd13;         // m+13: s from max|t|*y
    wire [17:0] c_done = m18 + n18 + 18'd14;   // m+n+14
    wire        at_rs   = busy_q && cyc_q == c_rs;
    wire        at_y    = busy_q && cyc_q == c_y;
    wire        at_s4   = busy_q && cyc_q == c_s4;
    wire        at_done = busy_q && cyc_q == c_done;

    always @(posedge clk) begin
        if (rst) begin
            busy_q <= 1'b0;
            cyc_q  <= 18'd0;
        end else if (start) begin
            busy_q <= 1'b1;
            cyc_q  <= 18'd1;
        end else if (busy_q) begin
            cyc_q <= cyc_q + 18'd1;
            if (at_done) busy_q <= 1'b0;
        end
    end

    // Read stream: rpass 1 and 2 read x at src, 3 reads t at dst; j = element.
    reg  [1:0]  rpass_q;
    reg  [15:0] rj_q;
    wire        r_last = rj_q == f_n - 16'd1 || (rpass_q == 2'd1 && f_orv);
    always @(posedge clk) begin
        if (rst) begin
            rpass_q <= 2'd0;
            rj_q    <= 16'd0;
        end else if (start) begin
            rpass_q <= 2'd1;
            rj_q    <= 16'd0;
        end else if (busy_q && cyc_q == c_p3) begin
            rpass_q <= 2'd3;
            rj_q    <= 16'd0;
        end else if (rpass_q != 2'd0) begin
            rj_q <= r_last ? 16'd0 : rj_q + 16'd1;
            if (r_last) rpass_q <= rpass_q == 2'd1 ? 2'd2 : 2'd0;
        end
    end
    assign act_re    = rpass_q != 2'd0;
    wire [15:0] ra16 = (rpass_q == 2'd3 ? f_dst : f_src) + rj_q;
    assign act_raddr = ra16[ACT_AW-1:0];

    // Data cycle tags (one cycle behind the read).
    reg  [1:0]  dpass_q;
    reg  [15:0] dj_q;
    reg         dlast_q;
    always @(posedge clk) begin
        if (rst) begin
            dpass_q <= 2'd0;
            dj_q    <= 16'd0;
            dlast_q <= 1'b0;
        end else begin
            dpass_q <= rpass_q;
            dj_q    <= rj_q;
            dlast_q <= r_last;
        end
    end
    wire signed [31:0] x_in = act_rdata[31:0];   // residual (pass 1, 2) or t (pass 3)

    // Exponent of x, captured on the first cycle (the module writes ER only at done).
    assign er_raddr_a = f_ers;
    reg signed [15:0] ex_q;
    always @(posedge clk) begin
        if (busy_q && cyc_q == 18'd1) ex_q <= er_rdata_a;
    end

    // ---------------------------------------------------------------- pass 1
    reg  [31:0] orv_q;                                       // `orv` at the issue
    always @(posedge clk) if (start) orv_q <= orv[31:0];
    wire [31:0] absx = f_orv ? orv_q                         // ORV: pass 1's one element
                             : x_in[31] ? 32'd0 - x_in : x_in;  // |x| <= 2^31
    reg  [31:0] orx_q;
    wire [31:0] orx_d = (dj_q == 16'd0 ? 32'd0 : orx_q) | absx;
    wire [6:0]  bx;
    cw_fn_bitlen u_bl_x (.v({32'd0, orx_d}), .len(bx));
    wire [6:0]  bxm15 = bx - 7'd15;
    reg  signed [7:0] sh_q;                      // b - 20, -20 .. 12
    reg  [4:0]  sx_q;                            // max(b - 15, 0), 0 .. 17
    always @(posedge clk) begin
        if (dpass_q == 2'd1) begin
            orx_q <= orx_d;
            if (dlast_q) begin
                sh_q <= $signed({1'b0, bx}) - 8'sd20;
                sx_q <= bx > 7'd15 ? bxm15[4:0] : 5'd0;
            end
        end
    end

    // ---------------------------------------------------------------- pass 2
    // Squares: xs = shift_sat(x, -sh, 2^20), ss += xs^2. With sh = bitlen(OR |x|) - 20
    // of this same vector, |x| < 2^(sh+20): the rounding right shift (sh > 0) or the
    // left shift (sh <= 0) never exceeds 2^20, so no saturation logic is needed.
    wire signed [32:0] xe     = {x_in[31], x_in};
    wire        [4:0]  sh_r   = sh_q[4:0];                 // sh when sh > 0 (1 .. 12)
    wire        [4:0]  sh_l   = 5'd0 - sh_q[4:0];          // -sh when sh <= 0 (0 .. 20)
    wire signed [32:0] xs_rnd = xe + (33'sd1 <<< (sh_r - 5'd1));
    wire signed [32:0] xs_r   = xs_rnd >>> sh_r;
    wire signed [52:0] xs_l   = {{20{xe[32]}}, xe} <<< sh_l;
    wire signed [21:0] xs_full = (sh_q > 8'sd0) ? xs_r[21:0] : xs_l[21:0];
    reg  signed [21:0] xs_q;
    reg                xs_v_q, xs_first_q;
    reg  [56:0]        ss_q;                     // <= 2^14 * 2^40
    // xs^2 (<= 2^40) on one MULT18X18D: xs = xh * 2^18 + xl, xl = xs[17:0]
    // unsigned, xh = xs[21:18] signed (|xs| <= 2^20: |xh| <= 4), so
    // xs^2 = xl^2 + xl * xh * 2^19 + xh^2 * 2^36, the small products by
    // shift-and-add (a 22 x 22 product would take four).
    wire        [17:0] sq_l  = xs_q[17:0];
    wire        [3:0]  sq_h  = xs_q[21:18];
    wire        [35:0] sq_ll = {18'd0, sq_l} * {18'd0, sq_l};
    wire signed [22:0] sq_lh = (sq_h[0] ? $signed({5'd0, sq_l})       : 23'sd0)
                             + (sq_h[1] ? $signed({4'd0, sq_l, 1'b0}) : 23'sd0)
                             + (sq_h[2] ? $signed({3'd0, sq_l, 2'b0}) : 23'sd0)
                             - (sq_h[3] ? $signed({2'd0, sq_l, 3'b0}) : 23'sd0);
    wire        [3:0]  sq_ha = sq_h[3] ? 4'd0 - sq_h : sq_h;   // |xh| <= 4
    wire        [4:0]  sq_hh = (sq_ha[0] ? {1'b0, sq_ha}       : 5'd0)
                             + (sq_ha[1] ? {sq_ha, 1'b0}       : 5'd0)
                             + (sq_ha[2] ? {sq_ha[2:0], 2'b0}  : 5'd0);
    wire signed [43:0] xs_sq = $signed({8'd0, sq_ll}) + $signed({{2{sq_lh[22]}}, sq_lh, 19'd0})
                             + $signed({3'd0, sq_hh, 36'd0});
    always @(posedge clk) begin
        if (rst) xs_v_q <= 1'b0;
        else     xs_v_q <= dpass_q == 2'd2;
        xs_q       <= xs_full;
        xs_first_q <= dj_q == 16'd0;
        if (xs_v_q) ss_q <= (xs_first_q ? 57'd0 : ss_q) + {13'd0, xs_sq[43:0]};
    end

    // Gains: read 2 cycles behind the data, so that the gain block's header
    // words can be read at c = 1..3 for every n.
    reg  signed [31:0] x1_q, x2_q;
    reg  [3:0]   g_v_q;                          // pass-2 tag at data + 1 .. + 4
    reg  [15:0]  g_j1_q, g_j2_q, g_j3_q, g_j4_q;
    reg          g_first2_q, g_first3_q, g_first4_q;
    reg  signed [47:0] p_q;                      // x * g
    reg  signed [31:0] t_q;                      // round(x * g / 2^sx), |t| <= 2^30
    reg  [30:0]  maxt_q;
    wire signed [15:0] g_in = cst_rdata[15:0];
    wire signed [47:0] p_rnd = p_q + ((sx_q == 5'd0) ? 48'sd0 : (48'sd1 <<< (sx_q - 5'd1)));
    wire signed [47:0] t_full = p_rnd >>> sx_q;
    wire [31:0]  abst = t_q[31] ? 32'd0 - t_q : t_q;
    always @(posedge clk) begin
        x1_q       <= x_in;
        x2_q       <= x1_q;
        if (rst) g_v_q <= 4'd0;
        else     g_v_q <= {g_v_q[2:0], dpass_q == 2'd2};
        g_j1_q     <= dj_q;
        g_j2_q     <= g_j1_q;
        g_j3_q     <= g_j2_q;
        g_j4_q     <= g_j3_q;
        g_first2_q <= g_j1_q == 16'd0;
        g_first3_q <= g_first2_q;
        g_first4_q <= g_first3_q;
        p_q        <= x2_q * g_in;               // data + 2: the gain arrives
        t_q        <= t_full[31:0];              // data + 3
        if (g_v_q[3])                            // data + 4: t written, max |t|
            maxt_q <= (g_first4_q || abst[30:0] > maxt_q) ? abst[30:0] : maxt_q;
    end

    // CST: eps_exp, eps_mant, e_g at c = 1, 2, 3; gain j at data + 1.
    reg signed [31:0] epse_q, eg_q;
    reg        [31:0] epsm_q;
    always @(posedge clk) begin
        if (busy_q && cyc_q == 18'd2) epse_q <= cst_rdata;
        if (busy_q && cyc_q == 18'd3) epsm_q <= cst_rdata;
        if (busy_q && cyc_q == 18'd4) eg_q   <= cst_rdata;
    end
    wire hdr_rd = busy_q && (cyc_q == 18'd1 || cyc_q == 18'd2 || cyc_q == 18'd3);
    wire [1:0]  hdr_off = cyc_q == 18'd1 ? 2'd2 : (cyc_q == 18'd2 ? 2'd1 : 2'd0);
    wire [23:0] hdr_a   = f_a24 + {22'd0, hdr_off};
    wire [23:0] gain_a  = f_a24 + 24'd3 + {8'd0, g_j1_q};
    assign cst_re    = hdr_rd || g_v_q[0];
    assign cst_raddr = hdr_rd ? hdr_a[CST_AW-1:0] : gain_a[CST_AW-1:0];

    // eps * n in the units of the squares (free-running; settled well before
    // c = 2n+3): d = eps_exp - 2 (e_x + sh); k = even excess over 25;
    // eps = shift_sat(eps_mant, d - k, 2^56).
    reg  signed [33:0] d_q, k_q;
    reg  signed [63:0] eps_q;
    wire signed [33:0] d_d   = {{2{epse_q[31]}}, epse_q}
                               - 34'sd2 * ({{18{ex_q[15]}}, ex_q} + {{26{sh_q[7]}}, sh_q});
    wire signed [33:0] d25   = d_d - 34'sd25;
    wire signed [33:0] k_d   = d_d > 34'sd25 ? d25 + {33'd0, d25[0]} : 34'sd0;
    wire signed [33:0] dk    = d_q - k_q;
    wire signed [8:0]  dk9   = dk < -34'sd256 ? -9'sd256 : dk[8:0];   // dk <= 25
    wire signed [8:0]  mk9   = k_q > 34'sd255 ? -9'sd255 : -k_q[8:0]; // -min(k, 255)
    // eps_mant <= 2^31 and d - k <= 25: the left shift stays <= 2^56 (no
    // saturation); a right shift by 33 or more gives 0 (clamped to 33).
    wire        [4:0]  eps_l   = dk9[4:0];                          // 0 .. 25
    wire        [8:0]  eps_r9  = 9'd0 - dk9;                        // 1 .. 256
    wire        [5:0]  eps_r   = eps_r9 > 9'd33 ? 6'd33 : eps_r9[5:0];
    wire        [63:0] eps_sl  = {32'd0, epsm_q} << eps_l;
    wire        [33:0] eps_rnd = {2'd0, epsm_q} + (34'd1 << (eps_r - 6'd1));
    wire        [33:0] eps_sr  = eps_rnd >> eps_r;
    wire signed [63:0] eps_d   = dk9[8] ? {30'd0, eps_sr} : eps_sl;
    always @(posedge clk) begin
        d_q   <= d_d;
        k_q   <= k_d;
        eps_q <= eps_d;
    end

    // v = round(ss / 2^k) + eps (1 if 0), then rsqrt.
    // round(ss / 2^k): ss < 2^55, so k >= 57 gives 0 (clamped to 57).
    wire        [8:0]  k9     = 9'd0 - mk9;                         // min(k, 255)
    wire        [5:0]  kk     = k9 > 9'd57 ? 6'd57 : k9[5:0];
    wire        [57:0] ss_rnd = {1'b0, ss_q} + (kk == 6'd0 ? 58'd0 : 58'd1 << (kk - 6'd1));
    wire        [57:0] ss_k   = ss_rnd >> kk;
    wire [63:0] v_sum = {6'd0, ss_k} + eps_q;    // < 2^57
    wire [62:0] v_in  = v_sum == 64'd0 ? 63'd1 : v_sum[62:0];
    wire [31:0] y_r;
    wire signed [15:0] e_r;
    wire        y_valid;
    cw_fn_rsqrt u_rsqrt (
        .clk  (clk),
        .rst  (rst),
        .start(at_rs),
        .v    (v_in),
        .valid(y_valid),
        .y    (y_r),
        .e    (e_r)
    );

    // ---------------------------------------------------------------- pass 3
    // One multiplier: max|t| * y at c = 2n+12, then t * y for every element.
    wire signed [32:0] mul_a = at_y ? {2'b00, maxt_q} : {x_in[31], x_in};
    wire signed [63:0] prod  = mul_a * $signed({1'b0, y_r});
    reg  signed [63:0] out_q;
    reg                o_v_q, r_v_q;
    reg  [15:0]        o_j_q, r_j_q;
    reg  signed [7:0]  s4_q;
    reg  signed [15:0] res_q;
    wire [6:0]         bo;
    cw_fn_bitlen u_bl_o (.v(out_q), .len(bo));   // out_q = max|t| * y >= 0 at c = 2n+13
    wire signed [15:0] res_full;
    cw_fn_norm16_shift #(.W(62)) u_res (         // |out| <= 2^60
        .v  (out_q[61:0]),
        .s  (s4_q),
        .out(res_full)
    );
    always @(posedge clk) begin
        if (rst) begin
            o_v_q <= 1'b0;
            r_v_q <= 1'b0;
        end else begin
            o_v_q <= dpass_q == 2'd3;
            r_v_q <= o_v_q;
        end
        out_q <= prod;
        o_j_q <= dj_q;
        res_q <= res_full;
        r_j_q <= o_j_q;
        if (at_s4) s4_q <= out_q == 64'sd0 ? 8'sd0 : $signed({1'b0, bo}) - 8'sd15;
    end

    // ---------------------------------------------------------------- writes
    // Pass 2 writes t at data + 4; pass 3 writes the result (never both).
    wire pass2_we = g_v_q[3];
    assign act_we    = pass2_we || r_v_q;
    wire [15:0] wa16 = f_dst + (pass2_we ? g_j4_q : r_j_q);
    assign act_waddr = wa16[ACT_AW-1:0];
    assign act_wdata = pass2_we ? {{32{t_q[31]}}, t_q} : {{48{res_q[15]}}, res_q};

    // Exponent: e_g + (e_rsqrt - k/2) - sh + sx, then + s (norm16).
    wire signed [33:0] e_fin = {{2{eg_q[31]}}, eg_q} + {{18{e_r[15]}}, e_r}
                               - (k_q >>> 1) - {{26{sh_q[7]}}, sh_q}
                               + {29'd0, sx_q} + {{26{s4_q[7]}}, s4_q};
    assign done     = at_done;
    assign er_we    = at_done;
    assign er_waddr = f_erd;
    assign er_wdata = e_fin[15:0];

    // Unused ports of the standard interface.
    assign er_raddr_b = 8'd0;
    assign xb_re      = 1'b0;
    assign xb_raddr   = {ACT_AW{1'b0}};
    assign wgt_re     = 1'b0;
    assign wgt_raddr  = {WGT_AW{1'b0}};
    assign scl_re     = 1'b0;
    assign scl_raddr  = {SCL_AW{1'b0}};
    assign kv_we      = 1'b0;
    assign kv_v       = 1'b0;
    assign kv_waddr   = {KV_AW{1'b0}};
    assign kv_wdata   = 16'd0;
    assign kve_we     = 1'b0;
    assign kve_v      = 1'b0;
    assign kve_waddr  = {KVE_AW{1'b0}};
    assign kve_wdata  = 16'd0;
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
    wire unused = &{1'b0, pos, tok, er_rdata_b, xb_rdata, wgt_rdata, scl_rdata, kc_rdata,
                    vc_rdata, ke_rdata, ve_rdata, instr, act_rdata[63:32], cst_rdata[31:16],
                    f_dst, f_src, f_a24, ra16, wa16, hdr_a, gain_a, xs_sq[43:41], xs_r[32:22], xs_l[52:22],
                    t_full[47:32], v_sum[63], out_q[63:62], eps_r9, k9[8:6], e_fin[33:16], y_valid,
                    abst[31], dk[33:9], bxm15[6:5], orv[63:32]};
endmodule

`default_nettype wire
