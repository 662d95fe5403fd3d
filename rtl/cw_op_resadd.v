// cw_op_resadd - RESADD: the residual add of cw_hls_residual_add, bit exact.
// x = ACT[dst .. dst+n-1] (int32 residual, exponent E[er_dst]), b =
// ACT[src .. src+n-1] (wide, exponent E[er_src]); x = normalized (x + b) in
// place, E[er_dst] = its exponent.
//
// The kernel: mb = OR |b|, eb30 = e_b + bitlen(mb) - 30 (b in 30 bits),
// e = mx == 0 ? eb30 : (mb == 0 ? e_x : max(e_x, eb30)); sum = sat(x at e)
// + sat(b at e); s = bitlen(OR |sum|) - 30; x = sat(sum >> s), exponent e+s.
// mx = OR |x| only matters through mx == 0, and then x + b is just b at eb30
// whose OR has bit length exactly 30 (or is 0), so s = 0. The module
// therefore computes the sums assuming mx != 0, learns mx while doing so,
// and in the last pass either renormalizes the sums (mx != 0) or writes b
// aligned to eb30 (mx == 0). Four reads per element, one shared shifter.
//
// Schedule (cnt = cycles since the issue cycle T, minus one; one ACT read
// per cycle, data one cycle later, results registered and written the cycle
// after; p = n, or p = 1 with the ORV flag; q = p + 2n):
//   pass 1: cnt = 0 .. p-1       read b[i]: mb |= |b|. With ORV (flags bit
//                                3) nothing is read: mb starts as `orv`, the
//                                OR of |v| over the ACT writes of the
//                                instruction before (the sequencer lets ORV
//                                issue only right after the instruction
//                                that wrote exactly b, error 11), and the
//                                one cycle left lets P (cnt = 1) be ready
//   cnt = p+1                    e, the alignment shifts
//   pass 2: cnt = p+1 .. q       read x[i], b[i] alternately: mx |= |x|;
//                                sum = sat(x) + sat(b), written to x[i] on
//                                cnt = p+4+2i; ms |= |sum|
//   cnt = q+2                    the last pass's source (b when mx == 0)
//   cnt = q+3                    s (ms takes the sums a cycle behind), the shift;
//                                orv_clr: the core's ORV register forgets the
//                                sums, so after RESADD it holds the OR of the
//                                final x (no write on q+3 and q+4)
//   pass 3: cnt = q+3 .. q+n+2   read the sum x[i] (or b[i] when mx == 0),
//                                shift, write on cnt = q+5+i
// Timing: done on T + q + n + 5 with the last write and E[er_dst]: latency
// 4n + 6, or 3n + 7 with ORV (host/isa.c cw_instr_latency). The gap before
// pass 3 keeps every read of x[i] after its pass-2 write (n = 1 included).
//
// src and dst must not overlap (the compiler's x and wide vectors never do).
`default_nettype none

module cw_op_resadd #(
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
    input  wire [63:0]                 orv,    // OR of |v| the previous instruction wrote
    output wire                        orv_clr // clears cw_core's ORV register (before pass 3)
);
    initial begin
        if (ACT_AW < 1 || ACT_AW > 16) $error("cw_op_resadd: ACT_AW out of range");
    end

    localparam [63:0] RES_MAX = 64'd1073741823;  // 2^30 - 1

    // Fields: flags = w0[15:8] (bit 3: ORV), er_dst = w0[23:16] (x),
    // er_src = w0[31:24] (b), dst = w1[15:0], src = w1[31:16], n = w2[15:0].
    wire        f_orv    = instr[11];
    wire [7:0]  f_er_dst = instr[23:16];
    wire [7:0]  f_er_src = instr[31:24];
    wire [15:0] f_dst    = instr[47:32];
    wire [15:0] f_src    = instr[63:48];
    wire [15:0] f_n      = instr[79:64];

    wire [18:0] n19  = {3'b000, f_n};
    wire [18:0] n2   = {n19[17:0], 1'b0};
    wire [18:0] p19  = f_orv ? 19'd1 : n19;     // pass 1's length
    wire [18:0] n3   = n2 + p19;                // q
    wire [16:0] src17 = {1'b0, f_src};
    wire [16:0] dst17 = {1'b0, f_dst};

    reg         busy_q;
    reg  [18:0] cnt_q;
    reg  signed [17:0] ex_q, eb_q;        // E[er_dst], E[er_src]
    reg  [63:0] mb_q;                     // OR |b|
    reg  [31:0] mx_q, ms_q;               // OR |x|, OR |sum|
    reg  signed [17:0] e_q, eb30_q, efin_q;
    reg  signed [17:0] p_q;                       // e_x - e_b + 30 (from c = 2)
    reg  signed [8:0]  sbx_q;                     // clamp(e_b - e_x)
    reg  signed [8:0]  sx_q, sb_q, sb30_q, sh3_q;
    reg         selb_q;                   // pass 3 reads b (mx == 0)
    // data stage tags
    reg         v1_q, v2_q, v3_q, kx_q;
    reg  [16:0] didx_q;
    reg  signed [31:0] xs_q;              // aligned x of the current pair
    // write stage
    reg         w_q, wlast_q;
    reg  [16:0] widx_q;
    reg  [31:0] wdata_q;

    // ---------------------------------------------------------------- reads
    wire rd1 = busy_q && !f_orv && (cnt_q < p19);
    wire rd2 = busy_q && (cnt_q > p19) && (cnt_q <= n3);
    wire rd3 = busy_q && (cnt_q > n3 + 19'd2) && (cnt_q <= n3 + n19 + 19'd2);
    wire [18:0] j2 = cnt_q - p19 - 19'd1;        // pass 2: 2i (x) or 2i+1 (b)
    wire [18:0] j3 = cnt_q - n3 - 19'd3;         // pass 3: i
    wire [16:0] ridx = rd1 ? cnt_q[16:0] : (rd2 ? j2[17:1] : j3[16:0]);
    wire        rkx  = rd2 ? ~j2[0] : (rd3 & ~selb_q);   // reads an x
    wire [16:0] rbase = rkx ? dst17 : src17;

    // ----------------------------------------------------------- data stage
    wire signed [63:0] rdata = act_rdata;
    wire signed [63:0] x64   = {{32{act_rdata[31]}}, act_rdata[31:0]};
    wire [63:0] babs = rdata[63] ? 64'd0 - act_rdata : act_rdata;
    wire [31:0] xabs = act_rdata[31] ? 32'd0 - act_rdata[31:0] : act_rdata[31:0];

    wire signed [8:0]  s_in = v3_q ? sh3_q : (kx_q ? sx_q : sb_q);
    wire signed [63:0] v_in = kx_q ? x64 : rdata;
    wire signed [63:0] sat;
    cw_fn_shift_sat u_sat (.v(v_in), .s(s_in), .lim(RES_MAX), .out(sat));

    wire signed [31:0] sum = xs_q + sat[31:0];   // |sum| <= 2^31 - 2
    // ms |= |sum| from the registered sum, a cycle behind (sv_q)
    reg         sv_q;
    wire [31:0] sabs = wdata_q[31] ? 32'd0 - wdata_q : wdata_q;

    // ------------------------------------------------- exponents and shifts
    wire [6:0] lb, ls;
    cw_fn_bitlen u_lb (.v(mb_q), .len(lb));
    cw_fn_bitlen u_ls (.v({32'd0, ms_q}), .len(ls));
    wire signed [17:0] lb18  = $signed({11'd0, lb});
    wire signed [17:0] ls18  = $signed({11'd0, ls});
    wire signed [17:0] eb30  = eb_q + lb18 - 18'sd30;
    // e = max(e_x, eb30) (e_x when mb == 0, i.e. lb == 0), split so that
    // only one subtraction follows the bit length: with P = e_x - e_b + 30
    // (registered early), e_x > eb30 <=> P > lb; e_x - eb30 = P - lb;
    // e_b - eb30 = 30 - lb; e_b - e_x = 30 - P
    wire               take_x = lb == 7'd0 || p_q > lb18;
    wire signed [17:0] e_sel = take_x ? ex_q : eb30;
    wire signed [17:0] s3    = (ms_q == 32'd0) ? 18'sd0 : ls18 - 18'sd30;

    function automatic signed [8:0] clamp9(input signed [17:0] v);
        clamp9 = v > 18'sd127 ? 9'sd127 : (v < -18'sd128 ? -9'sd128 : v[8:0]);
    endfunction
    wire signed [8:0]  sb30_d = clamp9(18'sd30 - lb18);   // b's shift to eb30

    wire last_rd3 = rd3 && (j3[15:0] == f_n - 16'd1);
    reg  dlast_q;

    always @(posedge clk) begin
        if (rst) begin
            busy_q  <= 1'b0;
            cnt_q   <= 19'd0;
            v1_q    <= 1'b0;
            v2_q    <= 1'b0;
            v3_q    <= 1'b0;
            w_q     <= 1'b0;
            wlast_q <= 1'b0;
            dlast_q <= 1'b0;
        end else begin
            v1_q    <= rd1;
            v2_q    <= rd2;
            v3_q    <= rd3;
            dlast_q <= last_rd3;
            w_q     <= (v2_q & ~kx_q) | v3_q;
            wlast_q <= dlast_q;
            if (start) begin
                busy_q <= 1'b1;
                cnt_q  <= 19'd0;
            end else begin
                if (busy_q) cnt_q <= cnt_q + 19'd1;
                if (wlast_q) busy_q <= 1'b0;
            end
        end
    end

    always @(posedge clk) begin
        kx_q   <= rkx;
        didx_q <= ridx;
        sv_q   <= v2_q && !kx_q;
        if (busy_q && cnt_q == 19'd0) begin
            ex_q <= {{2{er_rdata_a[15]}}, er_rdata_a};
            eb_q <= {{2{er_rdata_b[15]}}, er_rdata_b};
        end
        if (start) begin
            mb_q <= f_orv ? orv : 64'd0;
            mx_q <= 32'd0;
            ms_q <= 32'd0;
        end else begin
            if (v1_q) mb_q <= mb_q | babs;
            if (v2_q && kx_q) mx_q <= mx_q | xabs;
            if (sv_q) ms_q <= ms_q | sabs;
        end
        if (busy_q && cnt_q == 19'd1) begin
            p_q   <= ex_q - eb_q + 18'sd30;
            sbx_q <= clamp9(eb_q - ex_q);
        end
        if (busy_q && cnt_q == p19 + 19'd1) begin
            e_q    <= e_sel;
            eb30_q <= eb30;
            sx_q   <= take_x ? 9'sd0 : clamp9(p_q - lb18);
            sb_q   <= take_x ? sbx_q : sb30_d;
            sb30_q <= sb30_d;
        end
        if (busy_q && cnt_q == n3 + 19'd2)
            selb_q <= mx_q == 32'd0;
        if (busy_q && cnt_q == n3 + 19'd3) begin     // ms is complete
            sh3_q  <= selb_q ? sb30_q : clamp9(-s3);
            efin_q <= selb_q ? eb30_q : e_q + s3;
        end
        if (v2_q && kx_q) xs_q <= sat[31:0];
        wdata_q <= v3_q ? sat[31:0] : sum;
        widx_q  <= didx_q;
    end

    assign orv_clr    = busy_q && cnt_q == n3 + 19'd3;
    assign act_re     = rd1 | rd2 | rd3;
    assign act_raddr  = rbase[ACT_AW-1:0] + ridx[ACT_AW-1:0];
    assign act_we     = w_q;
    assign act_waddr  = dst17[ACT_AW-1:0] + widx_q[ACT_AW-1:0];
    assign act_wdata  = {{32{wdata_q[31]}}, wdata_q};
    assign done       = wlast_q;
    assign er_raddr_a = f_er_dst;
    assign er_raddr_b = f_er_src;
    assign er_we      = wlast_q;
    assign er_waddr   = f_er_dst;
    assign er_wdata   = efin_q[15:0];

    // Unused ports of the standard interface.
    assign xb_re      = 1'b0;
    assign xb_raddr   = {ACT_AW{1'b0}};
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
    wire unused = &{1'b0, pos, tok, xb_rdata, wgt_rdata, scl_rdata, cst_rdata,
                    kc_rdata, vc_rdata, ke_rdata, ve_rdata, instr[10:0], instr[15:12], instr[159:80],
                    rbase[16:ACT_AW], ridx[16:ACT_AW], widx_q[16:ACT_AW], dst17[16:ACT_AW],
                    sat[63:32], j2[18], j3[18:16], efin_q[17:16], n2[18], babs[63]};
endmodule

`default_nettype wire
