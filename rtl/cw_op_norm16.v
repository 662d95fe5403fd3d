// cw_op_norm16 - NORM16: block normalization of the wide vector ACT[src ..
// src+n-1] (signed 64-bit, exponent E[er_src] + imm) to int16 at ACT[dst ..]
// (sign-extended), E[er_dst] = the output exponent: cw_hls_norm16, bit exact.
//
// Two passes at one element per cycle (cnt = cycles since the issue cycle T,
// minus one; p = n, or p = 0 with the ORV flag):
//   pass 1: reads cnt = 0 .. p-1, data one cycle later: or_q |= |v|; with
//           ORV (flags bit 3) there is no pass 1: or_q starts as `orv`, the
//           OR of |v| over the ACT writes of the instruction before (the
//           sequencer lets ORV issue only right after the instruction that
//           wrote exactly this vector, error 11);
//   cnt = p+1: s = bitlen(or_q) - 15 (0 for an all-zero vector), registered;
//   cnt = p+2: the output exponent e + s, registered;
//   pass 2: reads cnt = p+1 .. p+n, data one cycle later through
//           cw_fn_norm16_shift (round(v / 2^s), saturation to +-32767: exact,
//           since every |v| < 2^(s+15)) into a register, written on
//           cnt = p+3 .. p+n+2; E[er_dst] is written with the last element.
// Timing: done on T + p + n + 3: latency 2n + 4, or n + 4 with ORV
// (host/isa.c cw_instr_latency).
//
// dst may equal src (each element is read two cycles before any write that
// could hit it) or be disjoint from it; other overlaps are not supported.
`default_nettype none

module cw_op_norm16 #(
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
        if (ACT_AW < 1 || ACT_AW > 16) $error("cw_op_norm16: ACT_AW out of range");
    end

    // Fields: flags = w0[15:8] (bit 3: ORV), er_dst = w0[23:16],
    // er_src = w0[31:24], dst = w1[15:0], src = w1[31:16], n = w2[15:0],
    // imm = w3[31:24] (signed).
    wire               f_orv    = instr[11];
    wire [7:0]         f_er_dst = instr[23:16];
    wire [7:0]         f_er_src = instr[31:24];
    wire [15:0]        f_dst    = instr[47:32];
    wire [15:0]        f_src    = instr[63:48];
    wire [15:0]        f_n      = instr[79:64];
    wire signed [7:0]  f_imm    = instr[127:120];

    wire [17:0] n18 = {2'b00, f_n};
    wire [17:0] p18 = f_orv ? 18'd0 : n18;   // pass 1's length
    wire [16:0] src17 = {1'b0, f_src};
    wire [16:0] dst17 = {1'b0, f_dst};

    reg         busy_q;
    reg  [17:0] cnt_q;
    reg         v1_q, v2_q;          // pass 1 / pass 2 data on act_rdata
    reg  [63:0] or_q;                // OR of |v|
    reg  signed [7:0]  s_q;          // s of pass 2
    reg  signed [15:0] ein_q, eout_q;
    reg         w_q;                 // a result is in wdata_q
    reg  [16:0] widx_q;
    reg  [15:0] wdata_q;

    // Read schedule.
    wire rd1 = busy_q && (cnt_q < p18);
    wire rd2 = busy_q && (cnt_q > p18) && (cnt_q <= p18 + n18);
    wire [17:0] ridx = rd1 ? cnt_q : cnt_q - p18 - 18'd1;

    // |v| of the returning word (|v| < 2^62, so no overflow).
    wire signed [63:0] rdata = act_rdata;
    wire [63:0] rabs = rdata[63] ? 64'd0 - act_rdata : act_rdata;

    wire [6:0] or_len;
    cw_fn_bitlen u_bitlen (.v(or_q), .len(or_len));

    wire signed [15:0] sat;
    cw_fn_norm16_shift #(.W(64)) u_sat (.v(rdata), .s(s_q), .out(sat));

    wire last_w = w_q && (widx_q[15:0] == f_n - 16'd1);

    always @(posedge clk) begin
        if (rst) begin
            busy_q <= 1'b0;
            cnt_q  <= 18'd0;
            v1_q   <= 1'b0;
            v2_q   <= 1'b0;
            w_q    <= 1'b0;
            widx_q <= 17'd0;
        end else begin
            v1_q <= rd1;
            v2_q <= rd2;
            w_q  <= v2_q;
            if (start) begin
                busy_q <= 1'b1;
                cnt_q  <= 18'd0;
                widx_q <= 17'd0;
            end else begin
                if (busy_q) cnt_q <= cnt_q + 18'd1;
                if (w_q) widx_q <= widx_q + 17'd1;
                if (last_w) busy_q <= 1'b0;
            end
        end
    end

    // Datapath (no reset needed: every register is written before use).
    always @(posedge clk) begin
        if (start) or_q <= f_orv ? orv : 64'd0;
        else if (v1_q) or_q <= or_q | rabs;
        if (busy_q && cnt_q == 18'd0) ein_q <= er_rdata_a + {{8{f_imm[7]}}, f_imm};
        if (busy_q && cnt_q == p18 + 18'd1)
            s_q <= or_len == 7'd0 ? 8'sd0 : $signed({1'b0, or_len}) - 8'sd15;
        // the exponent a cycle later (written with the last element)
        if (busy_q && cnt_q == p18 + 18'd2)
            eout_q <= ein_q + {{8{s_q[7]}}, s_q};
        wdata_q <= sat;
    end

    assign act_re     = rd1 | rd2;
    assign act_raddr  = src17[ACT_AW-1:0] + ridx[ACT_AW-1:0];
    assign act_we     = w_q;
    assign act_waddr  = dst17[ACT_AW-1:0] + widx_q[ACT_AW-1:0];
    assign act_wdata  = {{48{wdata_q[15]}}, wdata_q};
    assign done       = last_w;
    assign er_raddr_a = f_er_src;
    assign er_we      = last_w;
    assign er_waddr   = f_er_dst;
    assign er_wdata   = eout_q;

    // Unused ports of the standard interface.
    assign er_raddr_b = 8'd0;
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
    wire unused = &{1'b0, pos, tok, er_rdata_b, xb_rdata, wgt_rdata, scl_rdata, cst_rdata,
                    kc_rdata, vc_rdata, ke_rdata, ve_rdata, instr[10:0], instr[15:12], instr[159:128],
                    instr[119:80], ridx[17:ACT_AW], widx_q[16:ACT_AW], src17[16:ACT_AW],
                    dst17[16:ACT_AW]};
endmodule

`default_nettype wire
