// cw_op_silu - SILU: the SwiGLU gate of cw_hls_silu_gate, bit exact.
// a = ACT[src .. src+n-1] (int16, exponent E[er_src]), b = ACT[aux ..]
// (int16, exponent E[er_src2]): ACT[dst+i] = a[i] * sigmoid(a[i] * 2^e_a) *
// b[i] (wide, |out| < 2^47), E[er_dst] = E[er_src] + E[er_src2] - 16.
// The sigmoid's argument is a in Q16, cw_fn_shift_sat(a, e_a + 16, 2^20).
//
// a is read from ACT, b from XBUF (K values per read, one read every K
// elements): one element per cycle. aux must be a multiple of K (the
// compiler aligns every ACT vector to K, docs/rtl.md).
//
// Pipeline (cnt = cycles since the issue cycle T, minus one), element i:
//   cnt i    ACT read of a[i]; XBUF read of b's row when i % K == 0
//   cnt i+1  a, b on the read ports: a * b, and a in Q16 (shift, saturate)
//   cnt i+2  cw_fn_sigmoid input (table read)
//   cnt i+3  cw_fn_sigmoid interpolation
//   cnt i+4  a * b * sigmoid
//   cnt i+5  written to ACT[dst+i]; E[er_dst] with the last one
// Timing: done on T + n + 5: latency n + 6 (host/isa.c cw_instr_latency).
// Multipliers: 16x16 (a*b), 32x17 (the gate), 18x11 (interpolation).
`default_nettype none

module cw_op_silu #(
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
        if (ACT_AW < 1 || ACT_AW > 16) $error("cw_op_silu: ACT_AW out of range");
        if (K < 1 || K > 64) $error("cw_op_silu: K out of range");
    end

    localparam integer LOG_K = $clog2(K);
    localparam integer KW    = LOG_K < 1 ? 1 : LOG_K;   // lane counter width

    // Fields: er_dst = w0[23:16], er_src = w0[31:24], dst = w1[15:0],
    // src = w1[31:16], n = w2[15:0], aux = w2[31:16], er_src2 = w4[31:24].
    wire [7:0]  f_er_dst  = instr[23:16];
    wire [7:0]  f_er_src  = instr[31:24];
    wire [15:0] f_dst     = instr[47:32];
    wire [15:0] f_src     = instr[63:48];
    wire [15:0] f_n       = instr[79:64];
    wire [15:0] f_aux     = instr[95:80];
    wire [7:0]  f_er_src2 = instr[159:152];

    wire [16:0] src17 = {1'b0, f_src};
    wire [16:0] dst17 = {1'b0, f_dst};

    // XBUF row of aux (aux is a multiple of K)
    wire [16:0] aux_row;
    generate
        if ((1 << LOG_K) == K) begin : g_pow2
            assign aux_row = {1'b0, f_aux} >> LOG_K;
        end else begin : g_div
            localparam [16:0] K17 = K[16:0];
            assign aux_row = {1'b0, f_aux} / K17;
        end
    endgenerate

    reg         busy_q;
    reg  [16:0] ridx_q;            // next element to read
    reg  [KW-1:0] rk_q;            // its lane in the XBUF row
    reg  [16:0] xrow_q;            // its XBUF row
    reg  signed [8:0]  d_q;        // e_a + 16, clamped
    reg  signed [15:0] eout_q;
    // pipeline
    reg         v1_q, v2_q, v3_q, v4_q, w_q;
    reg         l1_q, l2_q, l3_q, l4_q, wlast_q;
    reg  [KW-1:0] k1_q;
    reg  [16*K-1:0] brow_q;
    reg  signed [31:0] xq_q;
    reg  signed [31:0] ab1_q, ab2_q, ab3_q;
    reg  signed [48:0] out_q;
    reg  [16:0] widx_q;

    wire rd      = busy_q && (ridx_q < {1'b0, f_n});
    wire rd_last = rd && (ridx_q[15:0] == f_n - 16'd1);

    // -------------------------------------------------------------- cnt i+1
    wire [16*K-1:0] brow = (k1_q == {KW{1'b0}}) ? xb_rdata : brow_q;
    wire signed [15:0] a16 = act_rdata[15:0];
    wire signed [15:0] b16 = brow[16*k1_q +: 16];
    wire signed [63:0] xq;
    cw_fn_shift_sat u_sat (.v({{48{a16[15]}}, a16}), .s(d_q), .lim(64'sd1048576), .out(xq));

    // -------------------------------------------------------- cnt i+2, i+3
    wire [16:0] sg;
    cw_fn_sigmoid u_sig (.clk(clk), .x(xq_q), .y(sg));

    wire signed [16:0] d17 = {er_rdata_a[15], er_rdata_a} + 17'sd16;

    always @(posedge clk) begin
        if (rst) begin
            busy_q  <= 1'b0;
            v1_q    <= 1'b0;
            v2_q    <= 1'b0;
            v3_q    <= 1'b0;
            v4_q    <= 1'b0;
            w_q     <= 1'b0;
            l1_q    <= 1'b0;
            l2_q    <= 1'b0;
            l3_q    <= 1'b0;
            l4_q    <= 1'b0;
            wlast_q <= 1'b0;
        end else begin
            v1_q    <= rd;
            v2_q    <= v1_q;
            v3_q    <= v2_q;
            v4_q    <= v3_q;
            w_q     <= v4_q;
            l1_q    <= rd_last;
            l2_q    <= l1_q;
            l3_q    <= l2_q;
            l4_q    <= l3_q;
            wlast_q <= l4_q;
            if (start) busy_q <= 1'b1;
            else if (wlast_q) busy_q <= 1'b0;
        end
    end

    always @(posedge clk) begin
        if (start) begin
            ridx_q <= 17'd0;
            rk_q   <= {KW{1'b0}};
            xrow_q <= aux_row;
            widx_q <= 17'd0;
        end else begin
            if (rd) begin
                ridx_q <= ridx_q + 17'd1;
                if (rk_q == K[KW-1:0] - 1'b1 || K == 1) begin
                    rk_q   <= {KW{1'b0}};
                    xrow_q <= xrow_q + 17'd1;
                end else begin
                    rk_q <= rk_q + 1'b1;
                end
            end
            if (w_q) widx_q <= widx_q + 17'd1;
        end
        if (busy_q && ridx_q == 17'd0) begin
            d_q    <= d17 > 17'sd127 ? 9'sd127 : (d17 < -17'sd128 ? -9'sd128 : d17[8:0]);
            eout_q <= er_rdata_a + er_rdata_b - 16'sd16;
        end
        k1_q   <= rk_q;
        brow_q <= brow;
        xq_q   <= xq[31:0];
        ab1_q  <= a16 * b16;
        ab2_q  <= ab1_q;
        ab3_q  <= ab2_q;
        out_q  <= ab3_q * $signed({1'b0, sg});
    end

    assign act_re     = rd;
    assign act_raddr  = src17[ACT_AW-1:0] + ridx_q[ACT_AW-1:0];
    assign xb_re      = rd && rk_q == {KW{1'b0}};
    assign xb_raddr   = xrow_q[ACT_AW-1:0];
    assign act_we     = w_q;
    assign act_waddr  = dst17[ACT_AW-1:0] + widx_q[ACT_AW-1:0];
    assign act_wdata  = {{15{out_q[48]}}, out_q};
    assign done       = wlast_q;
    assign er_raddr_a = f_er_src;
    assign er_raddr_b = f_er_src2;
    assign er_we      = wlast_q;
    assign er_waddr   = f_er_dst;
    assign er_wdata   = eout_q;

    // Unused ports of the standard interface.
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
    wire unused = &{1'b0, pos, tok, wgt_rdata, scl_rdata, cst_rdata, kc_rdata, vc_rdata,
                    ke_rdata, ve_rdata, instr[15:0], instr[151:96], act_rdata[63:16],
                    xq[63:32], src17[16:ACT_AW], dst17[16:ACT_AW], ridx_q[16:ACT_AW],
                    widx_q[16:ACT_AW], xrow_q[16:ACT_AW], d17[16:9]};
endmodule

`default_nettype wire
