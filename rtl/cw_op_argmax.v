// cw_op_argmax - ARGMAX: the index of the largest wide value of ACT[src ..
// src+n-1] (signed 64-bit), the lowest index on ties (cw_hls_argmax).
//
// Timing (T = the issue cycle): reads on T+1 .. T+n, data one cycle later,
// the last compare on T+n+1, done on T+n+2: latency n + 3 (docs/isa.md).
//
// This module also shows the standard op interface of docs/rtl.md: every
// op module has these ports and ties off the ones it does not use.
`default_nettype none

module cw_op_argmax #(
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
        if (ACT_AW < 1 || ACT_AW > 24) $error("cw_op_argmax: ACT_AW out of range");
    end

    // Fields: src = w1[31:16], n = w2[15:0].
    wire [15:0] f_src = instr[63:48];
    wire [15:0] f_n   = instr[79:64];

    // Read side: one address per cycle, counter rd_q = elements issued.
    reg         rd_busy_q;
    reg  [15:0] rd_q;
    // Compare side: valid_q marks a returning word, idx_q its index.
    reg         valid_q;
    reg  [15:0] idx_q;
    reg  signed [63:0] best_q;
    reg  [15:0] best_idx_q;
    reg         last_q;

    wire rd_last = rd_busy_q && (rd_q == f_n - 16'd1);

    always @(posedge clk) begin
        if (rst) begin
            rd_busy_q  <= 1'b0;
            rd_q       <= 16'd0;
            valid_q    <= 1'b0;
            idx_q      <= 16'd0;
            best_q     <= 64'sd0;
            best_idx_q <= 16'd0;
            last_q     <= 1'b0;
        end else begin
            last_q  <= 1'b0;
            valid_q <= rd_busy_q;
            idx_q   <= rd_q;
            if (start) begin
                rd_busy_q <= 1'b1;
                rd_q      <= 16'd0;
            end else if (rd_busy_q) begin
                rd_q <= rd_q + 16'd1;
                if (rd_last) rd_busy_q <= 1'b0;
            end
            if (valid_q) begin
                if (idx_q == 16'd0 || $signed(act_rdata) > best_q) begin
                    best_q     <= $signed(act_rdata);
                    best_idx_q <= idx_q;
                end
                if (idx_q == f_n - 16'd1) last_q <= 1'b1;
            end
        end
    end

    assign act_re     = rd_busy_q;
    assign act_raddr  = f_src[ACT_AW-1:0] + rd_q[ACT_AW-1:0];
    assign done       = last_q;
    assign amax_valid = last_q;
    assign amax_idx   = {16'd0, best_idx_q};

    // Unused ports of the standard interface.
    assign er_raddr_a = 8'd0;
    assign er_raddr_b = 8'd0;
    assign er_we      = 1'b0;
    assign er_waddr   = 8'd0;
    assign er_wdata   = 16'd0;
    assign act_we     = 1'b0;
    assign act_waddr  = {ACT_AW{1'b0}};
    assign act_wdata  = 64'd0;
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

    // Inputs this op does not read.
    wire unused = &{1'b0, pos, tok, er_rdata_a, er_rdata_b, xb_rdata, wgt_rdata, scl_rdata,
                    cst_rdata, kc_rdata, vc_rdata, ke_rdata, ve_rdata, instr, f_src};
endmodule

`default_nettype wire
