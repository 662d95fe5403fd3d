// cw_op_embed - EMBED: row TOK of the embedding table, expanded with its row
// scale and normalized to the residual format: cw_hls_embed_w8/w16 (wide =
// w * mult) then cw_hls_norm_res with input exponent imm - shift, bit exact.
// ACT[dst .. dst+n-1] = the int32 values (sign-extended), E[er_dst] = their
// exponent.
//
// The table's n = dim values of row TOK are in WGT lines a24 + (TOK/LANES) *
// ceil(n/K) + c, lane TOK % LANES, element j at bits ((TOK%LANES)*K + j%K) *
// WBITS of line c = j/K. With flag W16 (w0 bit 8) clear the weight is the
// sign-extended low byte of its lane (int8, as host/ref_core.c reads it);
// on a WBITS = 8 target the flag is ignored. Its scale is SCL entry b24 +
// TOK (word (b24+TOK)/LANES, lane (b24+TOK)%LANES): mult[15:0] shift[23:16].
//
// mult >= 0, so the OR of |w*mult| has the bit length of max|w| * mult: the
// first pass finds max|w| over whole lines (K values per cycle), one
// product gives the normalization shift, the second pass expands, shifts
// and writes one element per cycle.
//
// Schedule (cnt = cycles since the issue cycle T, minus one; C = ceil(n/K)):
//   issue cycle   line base, lane, scale word registered from instr and tok
//   cnt 0         SCL read; cnt 1: mult and shift registered
//   pass 1: cnt 0 .. C-1     WGT line reads; data next cycle: max |w|
//   cnt C+1                  s = bitlen(max|w| * mult) - 30, registered
//   pass 2: cnt C+j          element j (a WGT line read when j % K == 0)
//           cnt C+j+1        w * mult (one 16x16 multiplier)
//           cnt C+j+2        cw_fn_shift_sat(-s, 2^30 - 1) into a register
//           cnt C+j+3        written to ACT[dst+j]
// Timing: done on T + C + n + 3 with the last write and E[er_dst]: latency
// ceil(n/K) + n + 4 (host/isa.c cw_instr_latency).
// LANES and K powers of two make every address computation bit slicing;
// other values use constant dividers (evaluated once per instruction).
`default_nettype none

module cw_op_embed #(
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
);
    initial begin
        if (ACT_AW < 1 || ACT_AW > 16) $error("cw_op_embed: ACT_AW out of range");
        if (K < 1 || K > 64 || LANES < 1 || LANES > 64) $error("cw_op_embed: K or LANES out of range");
        if (WBITS != 8 && WBITS != 16) $error("cw_op_embed: WBITS must be 8 or 16");
        if (WGT_AW < 1 || WGT_AW > 24 || SCL_AW < 1 || SCL_AW > 24)
            $error("cw_op_embed: WGT_AW or SCL_AW out of range");
    end

    localparam integer LOG_K  = $clog2(K);
    localparam integer LOG_L  = $clog2(LANES);
    localparam integer KW     = LOG_K < 1 ? 1 : LOG_K;
    localparam integer LW     = LOG_L < 1 ? 1 : LOG_L;
    localparam integer KP     = 1 << LOG_K;          // K rounded up to a power of two
    localparam [63:0]  RES_MAX = 64'd1073741823;      // 2^30 - 1

    // Fields: flags = w0[15:8] (W16 = bit 8), er_dst = w0[23:16],
    // dst = w1[15:0], n = w2[15:0], a24 = w3[23:0], imm = w3[31:24] (signed),
    // b24 = w4[23:0].
    wire               f_w16    = instr[8];
    wire [7:0]         f_er_dst = instr[23:16];
    wire [15:0]        f_dst    = instr[47:32];
    wire [15:0]        f_n      = instr[79:64];
    wire [23:0]        f_a24    = instr[119:96];
    wire signed [7:0]  f_imm    = instr[127:120];
    wire [23:0]        f_b24    = instr[151:128];

    wire [16:0] dst17 = {1'b0, f_dst};
    wire [32:0] sent  = {9'd0, f_b24} + {1'b0, tok};   // SCL entry b24 + TOK

    // Address arithmetic of the issue cycle.
    wire [16:0] chunks;        // ceil(n/K)
    wire [31:0] tblk;          // TOK / LANES
    wire [LW-1:0] tlane;       // TOK % LANES
    wire [32:0] sword;         // (b24 + TOK) / LANES
    wire [LW-1:0] slane;       // (b24 + TOK) % LANES
    generate
        if ((1 << LOG_K) == K) begin : g_kpow2
            wire [16:0] nk = {1'b0, f_n} + K[16:0] - 17'd1;
            assign chunks = nk >> LOG_K;
        end else begin : g_kdiv
            localparam [16:0] K17 = K[16:0];
            assign chunks = ({1'b0, f_n} + K17 - 17'd1) / K17;
        end
        if ((1 << LOG_L) == LANES) begin : g_lpow2
            assign tblk  = tok >> LOG_L;
            assign sword = sent >> LOG_L;
            if (LOG_L == 0) begin : g_one
                assign tlane = 1'b0;
                assign slane = 1'b0;
            end else begin : g_more
                assign tlane = tok[LW-1:0];
                assign slane = sent[LW-1:0];
            end
        end else begin : g_ldiv
            localparam [31:0] L32 = LANES[31:0];
            localparam [32:0] L33 = {1'b0, L32};
            wire [31:0] tr = tok % L32;
            wire [32:0] sr = sent % L33;
            assign tblk  = tok / L32;
            assign sword = sent / L33;
            assign tlane = tr[LW-1:0];
            assign slane = sr[LW-1:0];
            wire unused_rem = &{1'b0, tr, sr};
        end
    endgenerate
    wire [WGT_AW+16:0] tprod = tblk[WGT_AW-1:0] * chunks;

    reg              busy_q;
    reg  [16:0]      cnt_q;
    reg  [16:0]      c_q;                // ceil(n/K)
    reg  [WGT_AW-1:0] base_q;            // first line of the row block
    reg  [LW-1:0]    tlane_q, slane_q;
    reg  [SCL_AW-1:0] sword_q;
    reg  [15:0]      mult_q;
    reg  [7:0]       shift_q;
    reg  [16:0]      wmax_q;             // max |w|
    reg  signed [8:0]  sh_q;             // 30 - bitlen, the shift of pass 2
    reg  signed [15:0] eout_q;
    // pass 1 data tags
    reg              v1_q;
    reg  [16:0]      eb1_q;              // first element of the returning line
    // pass 2
    reg  [16:0]      ej_q;               // next element
    reg  [KW-1:0]    jk_q;               // its position in the line
    reg  [WGT_AW-1:0] line_q;            // next line of pass 2
    reg              v2_q, vp_q, w_q;
    reg              l2_q, lp_q, wlast_q;
    reg  [KW-1:0]    jk2_q;
    reg  [K*16-1:0]  row_q;              // the current line's K weights
    reg  signed [31:0] p_q;              // w * mult
    reg  [31:0]      wdata_q;
    reg  [16:0]      widx_q;

    wire rd1 = busy_q && (cnt_q < c_q);
    wire rd2 = busy_q && (cnt_q >= c_q) && (ej_q < {1'b0, f_n});
    wire rd2_last = rd2 && (ej_q[15:0] == f_n - 16'd1);

    // The K weights of row TOK in the line on wgt_rdata, as int16.
    wire [K*WBITS-1:0] lane_bits = wgt_rdata[tlane_q*K*WBITS +: K*WBITS];
    reg  [K*16-1:0]    lane_w;
    integer gi;
    always @* begin
        for (gi = 0; gi < K; gi = gi + 1) begin
            if (WBITS == 16 && f_w16)
                lane_w[16*gi +: 16] = lane_bits[WBITS*gi +: 16];
            else
                lane_w[16*gi +: 16] = {{8{lane_bits[WBITS*gi+7]}}, lane_bits[WBITS*gi +: 8]};
        end
    end

    // Pass 1: max |w| over the line's elements below n (a comparator tree,
    // level lv holds KP >> lv maxima).
    genvar tg, lv;
    generate
        for (lv = 0; lv <= LOG_K; lv = lv + 1) begin : g_lvl
            wire [17*(KP>>lv)-1:0] m;
            for (tg = 0; tg < (KP >> lv); tg = tg + 1) begin : g_n
                if (lv == 0 && tg < K) begin : g_leaf
                    wire signed [15:0] wv = lane_w[16*tg +: 16];
                    wire [16:0] av = wv[15] ? 17'd0 - {wv[15], wv} : {1'b0, wv};
                    wire [16:0] ej = eb1_q + tg[16:0];
                    assign m[17*tg +: 17] = (ej < {1'b0, f_n}) ? av : 17'd0;
                end else if (lv == 0) begin : g_pad
                    assign m[17*tg +: 17] = 17'd0;
                end else begin : g_max
                    wire [16:0] l = g_lvl[lv-1].m[17*(2*tg) +: 17];
                    wire [16:0] r = g_lvl[lv-1].m[17*(2*tg+1) +: 17];
                    assign m[17*tg +: 17] = l > r ? l : r;
                end
            end
        end
    endgenerate
    wire [16:0] lmax = g_lvl[LOG_K].m[16:0];

    // The normalization shift.
    wire [32:0] mprod = wmax_q * {1'b0, mult_q};
    wire [6:0]  mlen;
    cw_fn_bitlen u_bitlen (.v({31'd0, mprod}), .len(mlen));

    // Pass 2: w of the element on the data stage, times mult.
    wire [K*16-1:0]   row_now = (jk2_q == {KW{1'b0}}) ? lane_w : row_q;
    wire signed [15:0] w_now  = row_now[16*jk2_q +: 16];
    wire signed [63:0] p64    = {{32{p_q[31]}}, p_q};
    wire signed [63:0] sat;
    cw_fn_shift_sat u_sat (.v(p64), .s(sh_q), .lim(RES_MAX), .out(sat));

    // The row's SCL entry: a lane select by a mux (24 * slane_q as an index
    // would cost a multiplier).
    reg  [23:0] scl_ent;
    integer si;
    always @* begin
        scl_ent = scl_rdata[23:0];
        for (si = 1; si < LANES; si = si + 1)
            if (slane_q == si[LW-1:0]) scl_ent = scl_rdata[24*si +: 24];
    end

    always @(posedge clk) begin
        if (rst) begin
            busy_q  <= 1'b0;
            v1_q    <= 1'b0;
            v2_q    <= 1'b0;
            vp_q    <= 1'b0;
            w_q     <= 1'b0;
            l2_q    <= 1'b0;
            lp_q    <= 1'b0;
            wlast_q <= 1'b0;
        end else begin
            v1_q    <= rd1;
            v2_q    <= rd2;
            vp_q    <= v2_q;
            w_q     <= vp_q;
            l2_q    <= rd2_last;
            lp_q    <= l2_q;
            wlast_q <= lp_q;
            if (start) busy_q <= 1'b1;
            else if (wlast_q) busy_q <= 1'b0;
        end
    end

    always @(posedge clk) begin
        if (start) begin
            cnt_q   <= 17'd0;
            c_q     <= chunks;
            base_q  <= f_a24[WGT_AW-1:0] + tprod[WGT_AW-1:0];
            tlane_q <= tlane;
            slane_q <= slane;
            sword_q <= sword[SCL_AW-1:0];
            wmax_q  <= 17'd0;
            ej_q    <= 17'd0;
            jk_q    <= {KW{1'b0}};
            widx_q  <= 17'd0;
        end else begin
            if (busy_q) cnt_q <= cnt_q + 17'd1;
            if (v1_q && lmax > wmax_q) wmax_q <= lmax;
            if (rd2) begin
                ej_q <= ej_q + 17'd1;
                if (jk_q == K[KW-1:0] - 1'b1 || K == 1) jk_q <= {KW{1'b0}};
                else jk_q <= jk_q + 1'b1;
                if (jk_q == {KW{1'b0}}) line_q <= line_q + 1'b1;
            end
            if (w_q) widx_q <= widx_q + 17'd1;
        end
        if (busy_q && cnt_q == 17'd0) line_q <= base_q;
        if (busy_q && cnt_q == 17'd1) begin
            mult_q  <= scl_ent[15:0];
            shift_q <= scl_ent[23:16];
        end
        if (busy_q && cnt_q == c_q + 17'd1) begin
            if (mprod == 33'd0) begin
                sh_q   <= 9'sd0;
                eout_q <= {{8{f_imm[7]}}, f_imm} - {8'd0, shift_q};
            end else begin
                sh_q   <= 9'sd30 - $signed({2'b00, mlen});
                eout_q <= {{8{f_imm[7]}}, f_imm} - {8'd0, shift_q} + {9'd0, mlen} - 16'sd30;
            end
        end
        eb1_q   <= cnt_q * K[16:0];
        jk2_q   <= jk_q;
        row_q   <= row_now;
        p_q     <= w_now * $signed({1'b0, mult_q});
        wdata_q <= sat[31:0];
    end

    assign act_re     = 1'b0;
    assign act_raddr  = {ACT_AW{1'b0}};
    assign scl_re     = busy_q && cnt_q == 17'd0;
    assign scl_raddr  = sword_q;
    assign wgt_re     = rd1 | (rd2 && jk_q == {KW{1'b0}});
    assign wgt_raddr  = rd1 ? base_q + cnt_q[WGT_AW-1:0] : line_q;
    assign act_we     = w_q;
    assign act_waddr  = dst17[ACT_AW-1:0] + widx_q[ACT_AW-1:0];
    assign act_wdata  = {{32{wdata_q[31]}}, wdata_q};
    assign done       = wlast_q;
    assign er_we      = wlast_q;
    assign er_waddr   = f_er_dst;
    assign er_wdata   = eout_q;

    // Unused ports of the standard interface.
    assign er_raddr_a = 8'd0;
    assign er_raddr_b = 8'd0;
    assign xb_re      = 1'b0;
    assign xb_raddr   = {ACT_AW{1'b0}};
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

    // Inputs this op does not read.
    wire unused = &{1'b0, pos, er_rdata_a, er_rdata_b, act_rdata, xb_rdata, cst_rdata,
                    kc_rdata, vc_rdata, ke_rdata, ve_rdata, instr[15:9], instr[7:0], instr[31:24], f_a24,
                    instr[95:80], instr[63:48], instr[159:152], sat[63:32], tprod[WGT_AW+16:WGT_AW],
                    sword[32:SCL_AW], tblk[31:WGT_AW], dst17[16:ACT_AW], widx_q[16:ACT_AW],
                    mprod[32], lane_w};
endmodule

`default_nettype wire
