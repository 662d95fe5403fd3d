// cw_op_matvec - MATVEC: out[r] = round_half_up(acc_r * mult[r] / 2^shift[r]),
// acc_r = sum_c x[c] * w[r][c] exactly (cw_hls_matvec_w16 / cw_hls_matvec_w8),
// for r < rows = n, c < cols = aux. x is the narrow vector at ACT[src ..],
// read through XBUF (K values per row); w is the matrix at weight line a24
// (line a24 + b * nc + c holds rows b*LANES.. and columns c*K..; lane l,
// element j at bit (l*K + j) * WBITS); mult/shift are the SCL entries b24 + r.
// The results go to ACT[dst + r] as sign-extended 64-bit words, one per
// cycle; E[er_dst] = E[er_src] + imm (written on the done cycle).
// With WBITS = 16 and the W16 flag clear, a weight is the low byte of its
// 16-bit slot, sign-extended ((int8_t) of it, as host/ref_core.c reads it).
//
// Microarchitecture: one weight line (LANES x K weights) and one XBUF row
// (K values) are read per cycle; LANES x K multipliers and LANES adder trees
// (registered at every level) feed LANES accumulators. When a row block's
// last chunk has been added, its LANES sums and its SCL word are loaded into
// a shift buffer, which feeds one row per cycle to the serial requantizer
// (one 46x17 multiply, then cw_fn_shift_sat as the rounding shift) and the
// ACT write port. Because only one row can be written per cycle, a block
// takes P = max(nc, LANES) cycles of issue (nc = ceil(cols/K)): with
// nc < LANES the issue pauses LANES - nc cycles after each block, which
// costs nothing (the writes are the bottleneck then) and keeps the buffer
// one block deep.
//
// Pipeline of one weight line issued in cycle i (the first in cycle T, the
// start cycle): address i; read data i+1; operand registers (the x mask of
// the last chunk, the int8 selection) valid i+2; products i+3; adder tree
// level k valid i+3+k, the K-sum at i+3+LG (LG = clog2(K)); accumulate (and,
// on a block's last chunk, load the shift buffer together with the SCL word
// read in cycle i+2+LG) valid i+4+LG; per row: product acc*mult one cycle
// later, rounded shift the next, written on the cycle after (the output
// register drives the ACT write port).
//
// Timing, with nb = ceil(rows/LANES), nc = ceil(cols/K), P = max(nc, LANES),
// last = rows - (nb-1)*LANES (rows of the last block), LG = clog2(K):
// the last block's last line issues on T + (nb-1)*P + nc - 1, its first row
// is written 6 + LG cycles later and its last row last - 1 cycles after that:
//   latency = (nb-1)*P + nc + last + LG + 5
// (host/isa.c cw_instr_latency(), case CW_OP_MATVEC: 1 issue cycle + body).
//
// Widths: products 16+WBITS bits, K-sums 16+WBITS+LG, accumulator
// 16+WBITS+14 bits (cols <= 2^14, docs/numerics.md: |acc| < 2^44 with 16-bit
// weights; one spare bit covers even -32768 operands), acc*mult 63 bits.
// Resources: LANES*K multipliers of 16 x WBITS bits (MULT18X18D on ECP5),
// one (16+WBITS+14)x17 multiplier (3 MULT18X18D with 16-bit weights, 2 and
// a shift-and-add with 8-bit weights), LANES*(K-1) tree adders and LANES
// 46-bit accumulators, one 64-bit rounding shifter.
//
// The compiler guarantees: src and dst are multiples of K and LANES (x is
// whole XBUF rows), b24 is a multiple of LANES (one SCL word per block), the
// output range [dst, dst+rows) does not overlap the input [src, src+cols)
// (XBUF rows are still being read while the first results are written).
`default_nettype none

module cw_op_matvec #(
    parameter integer LANES   = 8,   // matrix unit rows per cycle (power of 2, >= 2)
    parameter integer K       = 8,   // matrix unit columns per cycle (power of 2, >= 2)
    parameter integer WBITS   = 16,  // weight lane width, 8 or 16
    parameter integer ACT_AW  = 14,  // ACT address bits (<= 16)
    parameter integer WGT_AW  = 16,  // WGT address bits (<= 24)
    parameter integer SCL_AW  = 12,  // SCL word address bits (<= 24)
    parameter integer CST_AW  = 14,  // CST address bits
    parameter integer KV_AW   = 20,  // KV cache value index bits
    parameter integer KVE_AW  = 19   // KV exponent index bits
) (
`include "cw_op_ports.vh"
);
    localparam integer LG  = $clog2(K);          // adder tree levels
    localparam integer LLG = $clog2(LANES);
    localparam integer NN  = 2 * K - 1;          // tree nodes per lane (heap 1..2K-1)
    localparam integer PW  = 16 + WBITS;         // product
    localparam integer SW  = PW + LG;            // K-term sum
    localparam integer AW  = 16 + WBITS + 14;    // accumulator: cols <= 2^14
    localparam integer QW  = AW + 17;            // acc * mult
    localparam integer NT  = 3 + LG;             // tag pipeline: issue .. K-sum

    initial begin
        if (K < 2 || K > 64 || (1 << LG) != K)
            $error("cw_op_matvec: K must be a power of 2 in [2, 64]");
        if (LANES < 2 || LANES > 64 || (1 << LLG) != LANES)
            $error("cw_op_matvec: LANES must be a power of 2 in [2, 64]");
        if (WBITS != 8 && WBITS != 16) $error("cw_op_matvec: WBITS must be 8 or 16");
        if (ACT_AW < LG + 1 || ACT_AW > 16) $error("cw_op_matvec: ACT_AW out of range");
        if (WGT_AW < 1 || WGT_AW > 24) $error("cw_op_matvec: WGT_AW out of range");
        if (SCL_AW < 1 || SCL_AW > 24) $error("cw_op_matvec: SCL_AW out of range");
        if (QW > 64) $error("cw_op_matvec: acc * mult exceeds 64 bits");
    end

    // ------------------------------------------------------------ fields
    wire [7:0]  f_flags  = instr[15:8];
    wire [7:0]  f_er_dst = instr[23:16];
    wire [7:0]  f_er_src = instr[31:24];
    wire [15:0] f_dst    = instr[47:32];
    wire [15:0] f_src    = instr[63:48];
    wire [15:0] f_rows   = instr[79:64];
    wire [15:0] f_cols   = instr[95:80];
    wire [23:0] f_a24    = instr[119:96];
    wire [7:0]  f_imm    = instr[127:120];
    wire [23:0] f_b24    = instr[151:128];
    wire        f_w16    = f_flags[0];           // CW_F_W16

    // Derived shape (combinational from the stable instruction).
    localparam [31:0] KM1 = K - 1;
    localparam [31:0] LM1 = LANES - 1;
    localparam [31:0] LANES32 = LANES;
    localparam [15:0] LANES16 = LANES32[15:0];
    wire [16:0] cols_up = {1'b0, f_cols} + KM1[16:0];
    wire [16:0] rows_up = {1'b0, f_rows} + LM1[16:0];
    wire [16:0] nc_w    = cols_up >> LG;
    wire [16:0] nb_w    = rows_up >> LLG;
    wire [15:0] nc      = nc_w[15:0];            // chunks per row block
    wire [15:0] nb      = nb_w[15:0];            // row blocks
    wire [15:0] per     = nc < LANES16 ? LANES16 : nc;   // cycles per block
    wire [LG-1:0]  cols_lo = f_cols[LG-1:0];
    wire [LLG-1:0] rows_lo = f_rows[LLG-1:0];
    // rows of the last block: 1 .. LANES
    wire [LLG:0] last_rows = rows_lo == {LLG{1'b0}} ? LANES16[LLG:0] : {1'b0, rows_lo};
    // columns of the last chunk that are inside the vector
    reg  [K-1:0] xmask;
    integer mi;
    always @* begin
        for (mi = 0; mi < K; mi = mi + 1)
            xmask[mi] = cols_lo == {LG{1'b0}} || mi < {{(32-LG){1'b0}}, cols_lo};
    end

    // ------------------------------------------------------------ issue
    // p_q = cycle within the block (chunk when < nc), b_q = block; both are
    // 0 between instructions, so the first line issues on the start cycle.
    reg                busy_q;
    reg  [15:0]        p_q, b_q;
    reg  [WGT_AW-1:0]  line_q;
    wire               run        = start | busy_q;
    wire [WGT_AW-1:0]  cur_line   = busy_q ? line_q : f_a24[WGT_AW-1:0];
    wire               iss        = run && (p_q < nc);
    wire               chunk_last = p_q == nc - 16'd1;
    wire               blk_last   = b_q == nb - 16'd1;
    wire               iss_fin    = iss && chunk_last && blk_last;
    wire [15:0]        xrow       = (f_src >> LG) + p_q;

    always @(posedge clk) begin
        if (rst) begin
            busy_q <= 1'b0;
            p_q    <= 16'd0;
            b_q    <= 16'd0;
            line_q <= {WGT_AW{1'b0}};
        end else if (run) begin
            line_q <= iss ? cur_line + {{(WGT_AW-1){1'b0}}, 1'b1} : cur_line;
            if (iss_fin) begin
                busy_q <= 1'b0;
                p_q    <= 16'd0;
                b_q    <= 16'd0;
            end else begin
                busy_q <= 1'b1;
                if (p_q == per - 16'd1) begin
                    p_q <= 16'd0;
                    b_q <= b_q + 16'd1;
                end else begin
                    p_q <= p_q + 16'd1;
                end
            end
        end
    end

    assign wgt_re    = iss;
    assign wgt_raddr = cur_line;
    assign xb_re     = iss;
    assign xb_raddr  = xrow[ACT_AW-1:0];

    // Tags travelling with each line: tg_*_q[s] belongs to the line issued
    // s cycles earlier. v = valid, f = first chunk of a block, l = last
    // chunk, z = last chunk of the last block.
    reg [NT:1] tg_v_q, tg_f_q, tg_l_q, tg_z_q;
    always @(posedge clk) begin
        if (rst) begin
            tg_v_q <= {NT{1'b0}};
            tg_f_q <= {NT{1'b0}};
            tg_l_q <= {NT{1'b0}};
            tg_z_q <= {NT{1'b0}};
        end else begin
            tg_v_q <= {tg_v_q[NT-1:1], iss};
            tg_f_q <= {tg_f_q[NT-1:1], iss && p_q == 16'd0};
            tg_l_q <= {tg_l_q[NT-1:1], iss && chunk_last};
            tg_z_q <= {tg_z_q[NT-1:1], iss_fin};
        end
    end

    // ------------------------------------------------------------ operands
    // x: columns past cols in the last chunk read as 0. w: the lane's value,
    // or its low byte sign-extended for 8-bit weights in 16-bit lanes.
    reg [16*K-1:0]          x_d, x_q;
    reg [LANES*K*WBITS-1:0] w_d, w_q;
    integer oj, oi;
    always @* begin
        for (oj = 0; oj < K; oj = oj + 1)
            x_d[16*oj +: 16] = (tg_l_q[1] && !xmask[oj]) ? 16'd0 : xb_rdata[16*oj +: 16];
        for (oi = 0; oi < LANES * K; oi = oi + 1) begin
            if (WBITS == 16 && !f_w16)
                w_d[WBITS*oi +: WBITS] = {{(WBITS-8){wgt_rdata[WBITS*oi+7]}},
                                          wgt_rdata[WBITS*oi +: 8]};
            else
                w_d[WBITS*oi +: WBITS] = wgt_rdata[WBITS*oi +: WBITS];
        end
    end
    always @(posedge clk) begin
        x_q <= x_d;
        w_q <= w_d;
    end

    // ------------------------------------------------------------ products and adder trees
    // Per lane l a heap of NN registered nodes (node n at index l*NN + n-1):
    // leaves n = K + j hold x[j] * w[l][j], node n < K the sum of 2n, 2n+1.
    reg  [LANES*NN*SW-1:0] node_d, node_q;
    reg  signed [PW-1:0]   prod;
    integer tl, tn;
    always @* begin
        node_d = node_q;
        prod   = {PW{1'b0}};
        for (tl = 0; tl < LANES; tl = tl + 1) begin
            for (tn = 1; tn < 2 * K; tn = tn + 1) begin
                if (tn >= K) begin
                    prod = $signed(x_q[16*(tn-K) +: 16]) *
                           $signed(w_q[WBITS*(tl*K + tn - K) +: WBITS]);
                    node_d[SW*(tl*NN + tn - 1) +: SW] = {{(SW-PW){prod[PW-1]}}, prod};
                end else begin
                    node_d[SW*(tl*NN + tn - 1) +: SW] =
                        node_q[SW*(tl*NN + 2*tn - 1) +: SW] + node_q[SW*(tl*NN + 2*tn) +: SW];
                end
            end
        end
    end
    always @(posedge clk) node_q <= node_d;

    // ------------------------------------------------------------ accumulate
    reg  [LANES*AW-1:0] acc_d, acc_q;
    reg  [SW-1:0]       root;
    integer al;
    always @* begin
        root = {SW{1'b0}};
        for (al = 0; al < LANES; al = al + 1) begin
            root = node_q[SW*(al*NN) +: SW];
            acc_d[AW*al +: AW] = (tg_f_q[NT] ? {AW{1'b0}} : acc_q[AW*al +: AW]) +
                                 {{(AW-SW){root[SW-1]}}, root};
        end
    end
    always @(posedge clk) begin
        if (tg_v_q[NT]) acc_q <= acc_d;
    end

    // The SCL word of a block is read so that it arrives with its last sum.
    reg  [SCL_AW-1:0] sb_q;
    wire [23:0]       scl_word = (f_b24 >> LLG) + {{(24-SCL_AW){1'b0}}, sb_q};
    assign scl_re    = tg_v_q[NT-1] && tg_l_q[NT-1];
    assign scl_raddr = scl_word[SCL_AW-1:0];
    always @(posedge clk) begin
        if (rst || start) sb_q <= {SCL_AW{1'b0}};
        else if (scl_re)  sb_q <= sb_q + {{(SCL_AW-1){1'b0}}, 1'b1};
    end

    // ------------------------------------------------------------ shift buffer
    // Entry 0 goes to the requantizer each cycle while dcnt_q != 0.
    reg  [LANES*AW-1:0] bacc_q;
    reg  [LANES*24-1:0] bscl_q;
    reg  [LLG:0]        dcnt_q;
    reg                 bfin_q;                  // the buffer holds the last block
    wire                load = tg_v_q[NT] && tg_l_q[NT];
    always @(posedge clk) begin
        if (rst) begin
            dcnt_q <= {(LLG+1){1'b0}};
            bfin_q <= 1'b0;
        end else if (load) begin
            dcnt_q <= tg_z_q[NT] ? last_rows : LANES16[LLG:0];
            bfin_q <= tg_z_q[NT];
        end else if (dcnt_q != {(LLG+1){1'b0}}) begin
            dcnt_q <= dcnt_q - {{LLG{1'b0}}, 1'b1};
        end
    end
    always @(posedge clk) begin
        if (load) begin
            bacc_q <= acc_d;
            bscl_q <= scl_rdata;
        end else begin
            bacc_q <= {{AW{1'b0}}, bacc_q[LANES*AW-1:AW]};
            bscl_q <= {24'd0, bscl_q[LANES*24-1:24]};
        end
    end

    // ------------------------------------------------------------ requantize and write
    reg                 q1v_q, q1fin_q;
    reg  signed [QW-1:0] qprod_q;
    reg  [7:0]          qsh_q;
    reg                 wv_q, wfin_q;
    reg  [63:0]         wd_q;
    reg  [ACT_AW-1:0]   wa_q;
    wire signed [63:0]  rq_v = {{(64-QW){qprod_q[QW-1]}}, qprod_q};
    wire signed [8:0]   rq_s = 9'sd0 - $signed({1'b0, qsh_q});
    wire signed [63:0]  rq_out;

    cw_fn_shift_sat u_round (
        .v  (rq_v),
        .s  (rq_s),
        .lim(64'sh3fff_ffff_ffff_ffff),          // never reached: |out| <= |acc|
        .out(rq_out)
    );

    // acc * mult = hi * mult * 2^36 + lo * mult, lo = acc[35:0] (unsigned,
    // two MULT18X18D); hi = the top HW = AW - 36 bits (signed): 2 bits with
    // 8-bit weights, done by shift-and-add rather than on a third MULT18X18D
    localparam integer HW = AW - 36;
    wire        [16:0]   qm   = {1'b0, bscl_q[15:0]};
    wire        [52:0]   q_lo = {17'd0, bacc_q[35:0]} * {36'd0, qm};
    wire signed [HW+16:0] q_hi;
    generate
        if (HW <= 4) begin : g_hi_lut
            reg signed [HW+16:0] hi_d;
            integer qi;
            always @* begin
                hi_d = {(HW+17){1'b0}};
                for (qi = 0; qi < HW - 1; qi = qi + 1)
                    if (bacc_q[36+qi]) hi_d = hi_d + ({{HW{1'b0}}, qm} << qi);
                if (bacc_q[AW-1]) hi_d = hi_d - ({{HW{1'b0}}, qm} << (HW - 1));
            end
            assign q_hi = hi_d;
        end else begin : g_hi_mul
            assign q_hi = $signed(bacc_q[AW-1:36]) * $signed(qm);
        end
    endgenerate
    wire signed [QW-1:0] q_prod = $signed({q_hi, 36'd0}) + $signed({{HW{1'b0}}, q_lo});

    always @(posedge clk) begin
        qprod_q <= q_prod;
        qsh_q   <= bscl_q[23:16];
        wd_q    <= rq_out;
        if (rst) begin
            q1v_q   <= 1'b0;
            q1fin_q <= 1'b0;
            wv_q    <= 1'b0;
            wfin_q  <= 1'b0;
            wa_q    <= {ACT_AW{1'b0}};
        end else begin
            q1v_q   <= dcnt_q != {(LLG+1){1'b0}};
            q1fin_q <= bfin_q && dcnt_q == {{LLG{1'b0}}, 1'b1};
            wv_q    <= q1v_q;
            wfin_q  <= q1v_q && q1fin_q;
            if (start)     wa_q <= f_dst[ACT_AW-1:0];
            else if (wv_q) wa_q <= wa_q + {{(ACT_AW-1){1'b0}}, 1'b1};
        end
    end

    assign act_we    = wv_q;
    assign act_waddr = wa_q;
    assign act_wdata = wd_q;
    assign done      = wfin_q;

    // E[er_dst] = E[er_src] + imm, on the done cycle.
    assign er_raddr_a = f_er_src;
    assign er_we      = wfin_q;
    assign er_waddr   = f_er_dst;
    assign er_wdata   = er_rdata_a + {{8{f_imm[7]}}, f_imm};

    // Unused ports of the standard interface.
    assign er_raddr_b = 8'd0;
    assign act_re     = 1'b0;
    assign act_raddr  = {ACT_AW{1'b0}};
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

    // Inputs and bits this op does not read.
    wire unused = &{1'b0, pos, tok, er_rdata_b, act_rdata, cst_rdata, kc_rdata, vc_rdata,
                    ke_rdata, ve_rdata, instr, f_flags, f_a24, f_dst, f_src, nc_w, nb_w,
                    xrow, scl_word, f_w16};
endmodule

`default_nettype wire
