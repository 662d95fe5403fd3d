// cw_core - the accelerator: the sequencer, one module per opcode, the
// memories and the write port through which the link engine (or the
// simulator harness) loads them. docs/rtl.md describes the structure,
// docs/isa.md the program it runs.
//
// Write port regions (the link protocol's ids, docs/protocol.md), addressed
// in 32-bit words:
//   0 PROG    instruction i, word j (0..4) at word 8*i + j
//   1 WGT     line l, 32-bit slice s at word l * (LANES*K*WBITS/32) + s
//   2 SCL     scale entry e at word e (mult[15:0] shift[23:16])
//   3 CST     constant word w at word w
//   6 PROMPT  token id at word position
// Writes while a run is in progress are ignored (the link engine refuses
// them before they get here). The word address is the protocol's byte
// offset / 4 in every region (PROGRAM's stride is CW_PROG_STRIDE = 32
// bytes; its words 5..7 are not stored).
//
// Host read port (hr_*, for the link engine's READ and partial-word
// WRITEs): the same regions and addressing, plus
//   7 OUTPUT  token record k (position k+1) at words 4k..4k+3:
//             pos, token, cycle[31:0], cycle[63:32]
// Data arrive with hr_valid two cycles after hr_en. OUTPUT has a read port
// of its own and can be read at any time; the other regions share the
// sequencer's and the op modules' read ports and are read only while the
// core is idle (a read while busy returns 0). PROGRAM words 5..7, SCALES'
// top byte and unknown regions read as 0.
//
// Assertions (simulation only, `ifndef SYNTHESIS; Verilator --assert): the
// write port and the host read port stay inside the region they address;
// every memory port of the op module in flight stays inside its memory;
// only the op module of the instruction in flight writes or raises done.
`default_nettype none

module cw_core #(
    parameter integer LANES      = 8,       // matrix unit rows per cycle
    parameter integer K          = 8,       // matrix unit columns per cycle
    parameter integer WBITS      = 16,      // weight lane width (8 or 16)
    parameter integer PROG_DEPTH = 4096,    // instructions
    parameter integer WGT_LINES  = 65536,   // weight lines
    parameter integer SCL_DEPTH  = 32768,   // scale entries (multiple of LANES)
    parameter integer CST_DEPTH  = 16384,   // constant words
    parameter integer ACT_DEPTH  = 16384,   // scratch words (multiple of K)
    parameter integer KV_DEPTH   = 1048576, // values per cache (multiple of K)
    parameter integer MAX_CTX    = 1024,    // positions
    parameter integer KV_BITS    = 16,      // bits per KV cache entry (8..16)
    parameter [63:0]  CONFIG_HASH = 64'd0,  // the target's configuration hash
    parameter integer WATCHDOG_CYCLES = 0    // cw_sequencer's watchdog (0: automatic)
) (
    input  wire        clk,
    input  wire        rst,
    // memory write port
    input  wire        wr_en,
    input  wire [2:0]  wr_region,
    input  wire [23:0] wr_addr,
    input  wire [31:0] wr_data,
    // control and status
    input  wire        run_start,
    input  wire [15:0] run_n_prompt,
    input  wire [15:0] run_steps,
    input  wire        cancel,
    output wire        busy,
    output wire        run_done,
    output wire        err,
    output wire [7:0]  err_code,
    output wire [15:0] err_pc,
    output wire [63:0] cycle,
    output wire [15:0] tokens,
    output wire [63:0] config_hash,
    // tokens as they are produced
    output wire        tok_valid,
    output wire [15:0] tok_pos,
    output wire [31:0] tok_id,
    output wire [63:0] tok_cycle,
    // host read port
    input  wire        hr_en,
    input  wire [2:0]  hr_region,
    input  wire [23:0] hr_addr,
    output reg         hr_valid,
    output reg  [31:0] hr_data
);
    // ------------------------------------------------------------ widths
    localparam integer PROG_AW = $clog2(PROG_DEPTH);
    localparam integer WGT_AW  = $clog2(WGT_LINES);
    localparam integer SCL_WDS = SCL_DEPTH / LANES;
    localparam integer SCL_AW  = $clog2(SCL_WDS) < 1 ? 1 : $clog2(SCL_WDS);
    localparam integer CST_AW  = $clog2(CST_DEPTH);
    localparam integer ACT_AW  = $clog2(ACT_DEPTH);
    localparam integer KV_AW   = $clog2(KV_DEPTH);
    // KE/VE: one exponent per cached head vector; a cached head is whole KV
    // words (the compiler emits head sizes that are multiples of K, the
    // sequencer stops other programs with error 6), so KV_DEPTH / K entries
    localparam integer KVE_DEPTH = KV_DEPTH / K;
    localparam integer KVE_AW  = $clog2(KVE_DEPTH) < 1 ? 1 : $clog2(KVE_DEPTH);
    localparam integer CTX_AW  = $clog2(MAX_CTX);
    localparam integer LINE    = LANES * K * WBITS;     // bits per weight line
    localparam integer LW      = LINE / 32;             // 32-bit slices per line
    localparam integer LW_B    = $clog2(LW) < 1 ? 1 : $clog2(LW);
    localparam integer LW_S    = $clog2(LW);            // word -> line shift (may be 0)
    localparam integer L_S     = $clog2(LANES);         // entry -> SCL word shift
    localparam integer K_B     = $clog2(K) < 1 ? 1 : $clog2(K);
    localparam integer L_B     = $clog2(LANES) < 1 ? 1 : $clog2(LANES);
    localparam integer XB_AW   = ACT_AW - $clog2(K) < 1 ? 1 : ACT_AW - $clog2(K);
    localparam integer KW_AW   = KV_AW - $clog2(K);     // KV word address bits
    // the largest head size HEADS and ATTN hold; the sequencer refuses
    // larger ones (error 2) rather than let the modules' buffers wrap
    localparam integer MAX_HEAD = 128;

    initial begin
        if ((1 << $clog2(K)) != K || (1 << $clog2(LANES)) != LANES)
            $error("cw_core: LANES and K must be powers of two");
        if (LINE % 32 != 0 || (1 << $clog2(LW)) != LW)
            $error("cw_core: a weight line must be a power-of-two number of 32-bit words");
        if ((1 << $clog2(MAX_CTX)) != MAX_CTX || (1 << $clog2(ACT_DEPTH)) != ACT_DEPTH)
            $error("cw_core: MAX_CTX and ACT_DEPTH must be powers of two");
        if (SCL_DEPTH % LANES != 0 || ACT_DEPTH % K != 0 || KV_DEPTH % K != 0)
            $error("cw_core: SCL_DEPTH, ACT_DEPTH, KV_DEPTH must be multiples of LANES, K, K");
        if (WBITS != 8 && WBITS != 16) $error("cw_core: WBITS must be 8 or 16");
        if (KV_BITS < 8 || KV_BITS > 16) $error("cw_core: KV_BITS must be in 8..16");
        if (LW > 256 || LANES > 256) $error("cw_core: the host read port selects among at most 256 slices");
    end

    // ------------------------------------------------------------ sequencer
    wire               prog_re, pr_re;
    wire [PROG_AW-1:0] prog_raddr;
    wire [159:0]       prog_rdata;
    wire [CTX_AW-1:0]  pr_raddr;
    wire [31:0]        pr_rdata;
    wire               op_start, op_rst;
    wire [3:0]         op_sel;
    wire [159:0]       op_instr;
    wire [15:0]        op_pos;
    wire [31:0]        op_tok;
    wire               op_done, amax_valid;
    wire [31:0]        amax_idx;
    wire               out_we;
    wire [CTX_AW-1:0]  out_addr;
    wire [127:0]       out_wdata;

    cw_sequencer #(
        .LANES(LANES), .K(K), .WBITS(WBITS), .PROG_DEPTH(PROG_DEPTH),
        .WGT_LINES(WGT_LINES), .SCL_DEPTH(SCL_DEPTH), .CST_DEPTH(CST_DEPTH),
        .ACT_DEPTH(ACT_DEPTH), .KV_DEPTH(KV_DEPTH), .MAX_CTX(MAX_CTX),
        .PROG_AW(PROG_AW), .CTX_AW(CTX_AW), .MAX_HEAD(MAX_HEAD),
        .WATCHDOG_CYCLES(WATCHDOG_CYCLES)
    ) u_seq (
        .clk(clk), .rst(rst),
        .run_start(run_start), .run_n_prompt(run_n_prompt), .run_steps(run_steps),
        .cancel(cancel), .busy(busy), .run_done(run_done), .err(err), .err_code(err_code),
        .err_pc(err_pc), .cycle(cycle), .tokens(tokens),
        .prog_re(prog_re), .prog_raddr(prog_raddr), .prog_rdata(prog_rdata),
        .pr_re(pr_re), .pr_raddr(pr_raddr), .pr_rdata(pr_rdata),
        .tok_valid(tok_valid), .tok_pos(tok_pos), .tok_id(tok_id), .tok_cycle(tok_cycle),
        .out_we(out_we), .out_addr(out_addr), .out_wdata(out_wdata),
        .op_start(op_start), .op_sel(op_sel), .op_instr(op_instr), .op_pos(op_pos),
        .op_tok(op_tok), .op_rst(op_rst), .op_done(op_done), .amax_valid(amax_valid),
        .amax_idx(amax_idx)
    );
    assign config_hash = CONFIG_HASH;

    // ------------------------------------------------------------ op ports
    // One bundle per opcode 1..9, selected by the opcode in flight.
    localparam integer NOPS = 10;
    wire               m_done [0:NOPS-1];
    wire [7:0]         m_er_raddr_a [0:NOPS-1];
    wire [7:0]         m_er_raddr_b [0:NOPS-1];
    wire               m_er_we [0:NOPS-1];
    wire [7:0]         m_er_waddr [0:NOPS-1];
    wire [15:0]        m_er_wdata [0:NOPS-1];
    wire               m_act_re [0:NOPS-1];
    wire [ACT_AW-1:0]  m_act_raddr [0:NOPS-1];
    wire               m_act_we [0:NOPS-1];
    wire [ACT_AW-1:0]  m_act_waddr [0:NOPS-1];
    wire [63:0]        m_act_wdata [0:NOPS-1];
    wire               m_xb_re [0:NOPS-1];
    wire [ACT_AW-1:0]  m_xb_raddr [0:NOPS-1];
    wire               m_wgt_re [0:NOPS-1];
    wire [WGT_AW-1:0]  m_wgt_raddr [0:NOPS-1];
    wire               m_scl_re [0:NOPS-1];
    wire [SCL_AW-1:0]  m_scl_raddr [0:NOPS-1];
    wire               m_cst_re [0:NOPS-1];
    wire [CST_AW-1:0]  m_cst_raddr [0:NOPS-1];
    wire               m_kv_we [0:NOPS-1];
    wire               m_kv_v [0:NOPS-1];
    wire [KV_AW-1:0]   m_kv_waddr [0:NOPS-1];
    wire [15:0]        m_kv_wdata [0:NOPS-1];
    wire               m_kve_we [0:NOPS-1];
    wire               m_kve_v [0:NOPS-1];
    wire [KVE_AW-1:0]  m_kve_waddr [0:NOPS-1];
    wire [15:0]        m_kve_wdata [0:NOPS-1];
    wire               m_kc_re [0:NOPS-1];
    wire [KV_AW-1:0]   m_kc_raddr [0:NOPS-1];
    wire               m_vc_re [0:NOPS-1];
    wire [KV_AW-1:0]   m_vc_raddr [0:NOPS-1];
    wire               m_ke_re [0:NOPS-1];
    wire [KVE_AW-1:0]  m_ke_raddr [0:NOPS-1];
    wire               m_ve_re [0:NOPS-1];
    wire [KVE_AW-1:0]  m_ve_raddr [0:NOPS-1];
    wire               m_amax_valid [0:NOPS-1];
    wire [31:0]        m_amax_idx [0:NOPS-1];

    // shared read data
    wire signed [15:0]   er_rdata_a, er_rdata_b;
    wire [63:0]          act_rdata;
    wire [16*K-1:0]      xb_rdata, kc_rdata, vc_rdata;
    wire [LINE-1:0]      wgt_rdata;
    wire [24*LANES-1:0]  scl_rdata;
    wire [31:0]          cst_rdata;
    wire [15:0]          ke_rdata, ve_rdata;

    // ORV: the OR of |v| over the ACT writes of the instruction in flight
    // (cleared at each issue, and by RESADD before its last pass, whose
    // writes are its final x). NORM16, RESADD and RMSNORM with ORV take it at
    // their issue for the OR of their source instead of a pass over it
    // (docs/isa.md, "ORV"; the sequencer allows it only right after the
    // MATVEC, SILU, EMBED or RESADD that wrote exactly that source, error
    // 11). It is cleared on the cycle after the issue, so a module takes it
    // in its issue cycle. Below, next to ACT's write port.
    reg  [63:0]          orv_q;
    wire                 orv_clr;

    // ------------------------------------------------------------ op clocks
    // In synthesis every op module runs on clk. The Verilated device
    // (scripts/build-sim.sh defines CW_SIM_GATE) stops a module's clock
    // OP_TAIL cycles after its opcode leaves flight, and starts it again in
    // the cycle that issues it, so Verilator evaluates only the module at
    // work (docs/rtl.md, "Simulation speed"). The enable is latched while
    // clk is low, as a clock gate does: the module sees the edge that
    // samples its start and every edge after. A module has finished its
    // work when its opcode leaves flight (the assertion below checks that
    // none writes or raises done out of flight) and its pipelines have
    // drained OP_TAIL cycles later, far deeper than any of them, so the
    // stopped clock changes no state. test_sim checks the gated device
    // against ref token by token and cycle by cycle; the block tests and
    // tb_core run the ungated RTL.
    wire op_clk [1:NOPS-1];
`ifdef CW_SIM_GATE
    localparam [5:0] OP_TAIL = 6'd63;
    genvar g_i;
    generate for (g_i = 1; g_i < NOPS; g_i = g_i + 1) begin : g_gate
        wire      on = op_rst || {28'd0, op_sel} == g_i;
        reg [5:0] tail_q;   // cycles since the opcode left flight, up to OP_TAIL
        reg       gate_l;   // the enable, latched on the falling edge
        always @(posedge clk) tail_q <= on ? 6'd0 : tail_q + {5'd0, tail_q != OP_TAIL};
        always @(negedge clk) gate_l <= on || tail_q != OP_TAIL;
        assign op_clk[g_i] = clk && gate_l;
    end endgenerate
`else
    genvar g_i;
    generate for (g_i = 1; g_i < NOPS; g_i = g_i + 1) begin : g_clk
        assign op_clk[g_i] = clk;
    end endgenerate
`endif

`define CW_OP_PORTS(i) \
        .clk(op_clk[i]), .rst(op_rst), .start(op_start && op_sel == (i)), .instr(op_instr), \
        .pos(op_pos), .tok(op_tok), .done(m_done[i]), \
        .er_raddr_a(m_er_raddr_a[i]), .er_rdata_a(er_rdata_a), \
        .er_raddr_b(m_er_raddr_b[i]), .er_rdata_b(er_rdata_b), \
        .er_we(m_er_we[i]), .er_waddr(m_er_waddr[i]), .er_wdata(m_er_wdata[i]), \
        .act_re(m_act_re[i]), .act_raddr(m_act_raddr[i]), .act_rdata(act_rdata), \
        .act_we(m_act_we[i]), .act_waddr(m_act_waddr[i]), .act_wdata(m_act_wdata[i]), \
        .xb_re(m_xb_re[i]), .xb_raddr(m_xb_raddr[i]), .xb_rdata(xb_rdata), \
        .wgt_re(m_wgt_re[i]), .wgt_raddr(m_wgt_raddr[i]), .wgt_rdata(wgt_rdata), \
        .scl_re(m_scl_re[i]), .scl_raddr(m_scl_raddr[i]), .scl_rdata(scl_rdata), \
        .cst_re(m_cst_re[i]), .cst_raddr(m_cst_raddr[i]), .cst_rdata(cst_rdata), \
        .kv_we(m_kv_we[i]), .kv_v(m_kv_v[i]), .kv_waddr(m_kv_waddr[i]), \
        .kv_wdata(m_kv_wdata[i]), .kve_we(m_kve_we[i]), .kve_v(m_kve_v[i]), \
        .kve_waddr(m_kve_waddr[i]), .kve_wdata(m_kve_wdata[i]), \
        .kc_re(m_kc_re[i]), .kc_raddr(m_kc_raddr[i]), .kc_rdata(kc_rdata), \
        .vc_re(m_vc_re[i]), .vc_raddr(m_vc_raddr[i]), .vc_rdata(vc_rdata), \
        .ke_re(m_ke_re[i]), .ke_raddr(m_ke_raddr[i]), .ke_rdata(ke_rdata), \
        .ve_re(m_ve_re[i]), .ve_raddr(m_ve_raddr[i]), .ve_rdata(ve_rdata), \
        .amax_valid(m_amax_valid[i]), .amax_idx(m_amax_idx[i])

`define CW_OP_PARAMS \
        .LANES(LANES), .K(K), .WBITS(WBITS), .ACT_AW(ACT_AW), .WGT_AW(WGT_AW), \
        .SCL_AW(SCL_AW), .CST_AW(CST_AW), .KV_AW(KV_AW), .KVE_AW(KVE_AW)

    cw_op_embed   #(`CW_OP_PARAMS) u_embed   (`CW_OP_PORTS(1));
    cw_op_rmsnorm #(`CW_OP_PARAMS) u_rmsnorm (`CW_OP_PORTS(2), .orv(orv_q));
    cw_op_matvec  #(`CW_OP_PARAMS) u_matvec  (`CW_OP_PORTS(3));
    cw_op_norm16  #(`CW_OP_PARAMS) u_norm16  (`CW_OP_PORTS(4), .orv(orv_q));
    cw_op_heads   #(`CW_OP_PARAMS, .MAX_CTX(MAX_CTX), .MAX_HEAD(MAX_HEAD), .KV_BITS(KV_BITS))
                    u_heads (`CW_OP_PORTS(5));
    cw_op_attn    #(`CW_OP_PARAMS, .MAX_CTX(MAX_CTX), .MAX_HS(MAX_HEAD), .OBUF_DEPTH(ACT_DEPTH),
                    .MAX_HEADS(256)) u_attn (`CW_OP_PORTS(6));
    cw_op_resadd  #(`CW_OP_PARAMS) u_resadd  (`CW_OP_PORTS(7), .orv(orv_q),
                    .orv_clr(orv_clr));
    cw_op_silu    #(`CW_OP_PARAMS) u_silu    (`CW_OP_PORTS(8));
    cw_op_argmax  #(`CW_OP_PARAMS) u_argmax  (`CW_OP_PORTS(9));

`undef CW_OP_PORTS
`undef CW_OP_PARAMS

    // Opcode 0 (NOP; END and above map here too) has no module: an idle bundle.
    assign m_done[0] = 1'b0;
    assign m_er_raddr_a[0] = 8'd0;
    assign m_er_raddr_b[0] = 8'd0;
    assign m_er_we[0] = 1'b0;
    assign m_er_waddr[0] = 8'd0;
    assign m_er_wdata[0] = 16'd0;
    assign m_act_re[0] = 1'b0;
    assign m_act_raddr[0] = {ACT_AW{1'b0}};
    assign m_act_we[0] = 1'b0;
    assign m_act_waddr[0] = {ACT_AW{1'b0}};
    assign m_act_wdata[0] = 64'd0;
    assign m_xb_re[0] = 1'b0;
    assign m_xb_raddr[0] = {ACT_AW{1'b0}};
    assign m_wgt_re[0] = 1'b0;
    assign m_wgt_raddr[0] = {WGT_AW{1'b0}};
    assign m_scl_re[0] = 1'b0;
    assign m_scl_raddr[0] = {SCL_AW{1'b0}};
    assign m_cst_re[0] = 1'b0;
    assign m_cst_raddr[0] = {CST_AW{1'b0}};
    assign m_kv_we[0] = 1'b0;
    assign m_kv_v[0] = 1'b0;
    assign m_kv_waddr[0] = {KV_AW{1'b0}};
    assign m_kv_wdata[0] = 16'd0;
    assign m_kve_we[0] = 1'b0;
    assign m_kve_v[0] = 1'b0;
    assign m_kve_waddr[0] = {KVE_AW{1'b0}};
    assign m_kve_wdata[0] = 16'd0;
    assign m_kc_re[0] = 1'b0;
    assign m_kc_raddr[0] = {KV_AW{1'b0}};
    assign m_vc_re[0] = 1'b0;
    assign m_vc_raddr[0] = {KV_AW{1'b0}};
    assign m_ke_re[0] = 1'b0;
    assign m_ke_raddr[0] = {KVE_AW{1'b0}};
    assign m_ve_re[0] = 1'b0;
    assign m_ve_raddr[0] = {KVE_AW{1'b0}};
    assign m_amax_valid[0] = 1'b0;
    assign m_amax_idx[0] = 32'd0;

    wire [3:0] s = (op_sel >= 4'd1 && op_sel <= 4'd9) ? op_sel : 4'd0;
    assign op_done    = m_done[s];
    assign amax_valid = m_amax_valid[s];
    assign amax_idx   = m_amax_idx[s];

    // ------------------------------------------------------------ memories
    wire ld = wr_en && !busy;   // loads only while idle

    // Host reads of PROG..PROMPT borrow the core's read ports while it is
    // idle (and not being started: run_start reads PROG and PROMPT).
    wire hr_idle = hr_en && !busy && !run_start;
    wire hr_prog = hr_idle && hr_region == 3'd0;
    wire hr_wgt  = hr_idle && hr_region == 3'd1;
    wire hr_scl  = hr_idle && hr_region == 3'd2;
    wire hr_cst  = hr_idle && hr_region == 3'd3;
    wire hr_pr   = hr_idle && hr_region == 3'd6;
    wire hr_out  = hr_en && hr_region == 3'd7;

    // PROG: 5 lanes of 32 bits; instruction i at words 8i .. 8i+4
    wire [PROG_AW-1:0] prog_waddr = wr_addr[PROG_AW+2:3];
    wire [4:0]         prog_wl    = 5'd1 << wr_addr[2:0];
    cw_ram #(.DEPTH(PROG_DEPTH), .WIDTH(160), .LANE(32), .AW(PROG_AW)) u_prog (
        .clk(clk), .we(ld && wr_region == 3'd0 && wr_addr[2:0] < 3'd5),
        .waddr(prog_waddr), .wlanes(prog_wl), .wdata({5{wr_data}}),
        .re(prog_re || hr_prog), .raddr(prog_re ? prog_raddr : hr_addr[PROG_AW+2:3]),
        .rdata(prog_rdata));

    // WGT: LW lanes of 32 bits per line (line = word >> LW_S, lane = the rest)
    wire [23:0]       wr_line   = wr_addr >> LW_S;
    wire [23:0]       hr_line   = hr_addr >> LW_S;
    wire [LW_B-1:0]   wr_wlane  = LW == 1 ? {LW_B{1'b0}} : wr_addr[LW_B-1:0];
    wire [WGT_AW-1:0] wgt_waddr = wr_line[WGT_AW-1:0];
    wire [LW-1:0]     wgt_wl    = {{(LW-1){1'b0}}, 1'b1} << wr_wlane;
    // (written whole lines by read-modify-write, in a power-of-two block-RAM
    // bank plus a LUT-RAM overflow bank: cw_ram_rmw, cw_ram_split)
    cw_ram_rmw #(.DEPTH(WGT_LINES), .WIDTH(LINE), .LANE(32), .AW(WGT_AW)) u_wgt (
        .clk(clk), .rst(rst), .we(ld && wr_region == 3'd1), .waddr(wgt_waddr), .wlanes(wgt_wl),
        .wdata({LW{wr_data}}),
        .re(m_wgt_re[s] || hr_wgt), .raddr(hr_wgt ? hr_line[WGT_AW-1:0] : m_wgt_raddr[s]),
        .rdata(wgt_rdata));

    // SCL: LANES lanes of 24 bits per word
    wire [23:0]       wr_sw     = wr_addr >> L_S;
    wire [23:0]       hr_sw     = hr_addr >> L_S;
    wire [L_B-1:0]    wr_slane  = LANES == 1 ? {L_B{1'b0}} : wr_addr[L_B-1:0];
    wire [SCL_AW-1:0] scl_waddr = wr_sw[SCL_AW-1:0];
    wire [LANES-1:0]  scl_wl    = {{(LANES-1){1'b0}}, 1'b1} << wr_slane;
    cw_ram #(.DEPTH(SCL_WDS), .WIDTH(24*LANES), .LANE(24), .AW(SCL_AW)) u_scl (
        .clk(clk), .we(ld && wr_region == 3'd2), .waddr(scl_waddr), .wlanes(scl_wl),
        .wdata({LANES{wr_data[23:0]}}),
        .re(m_scl_re[s] || hr_scl), .raddr(hr_scl ? hr_sw[SCL_AW-1:0] : m_scl_raddr[s]),
        .rdata(scl_rdata));

    // A PROMPT of up to 32 Kbit goes to LUT RAM: on ulx3s-85f that frees a
    // block RAM the weights and the KV cache need. CST stays in block RAM:
    // in LUT RAM it cost 512 TRELLIS_DPR16X4, about 3000 LUT4 and their
    // routing to save 2 blocks, which the board now has (docs/rtl.md, "What
    // fitting the LFE5U-85F takes")
    localparam [8*11-1:0] PROMPT_STYLE = MAX_CTX * 32 <= 32768 ? "distributed" : "auto";
    cw_ram #(.DEPTH(CST_DEPTH), .WIDTH(32), .LANE(32), .AW(CST_AW)) u_cst (
        .clk(clk), .we(ld && wr_region == 3'd3), .waddr(wr_addr[CST_AW-1:0]), .wlanes(1'b1),
        .wdata(wr_data), .re(m_cst_re[s] || hr_cst),
        .raddr(hr_cst ? hr_addr[CST_AW-1:0] : m_cst_raddr[s]), .rdata(cst_rdata));

    cw_ram #(.DEPTH(MAX_CTX), .WIDTH(32), .LANE(32), .AW(CTX_AW), .STYLE(PROMPT_STYLE)) u_prompt (
        .clk(clk), .we(ld && wr_region == 3'd6), .waddr(wr_addr[CTX_AW-1:0]), .wlanes(1'b1),
        .wdata(wr_data), .re(pr_re || hr_pr), .raddr(pr_re ? pr_raddr : hr_addr[CTX_AW-1:0]),
        .rdata(pr_rdata));

    // OUTPUT: one 128-bit record per position, written by the sequencer at
    // each END, read by the host at any time through its own port
    wire [127:0] out_rdata;
    cw_ram #(.DEPTH(MAX_CTX), .WIDTH(128), .LANE(128), .AW(CTX_AW)) u_out (
        .clk(clk), .we(out_we), .waddr(out_addr), .wlanes(1'b1), .wdata(out_wdata),
        .re(hr_out), .raddr(hr_addr[CTX_AW+1:2]), .rdata(out_rdata));

    // host read: memory data on the next cycle, the 32-bit slice after that
    reg          hr_p1_q;
    reg [2:0]    hr_reg_q;
    reg [7:0]    hr_sel_q;   // word bits that pick the slice
    reg          hr_ok_q;    // the read was served (not refused while busy)
    wire [LW_B-1:0] hr_wsel = LW == 1 ? {LW_B{1'b0}} : hr_sel_q[LW_B-1:0];
    wire [L_B-1:0]  hr_ssel = LANES == 1 ? {L_B{1'b0}} : hr_sel_q[L_B-1:0];
    reg  [31:0]  hr_slice;
    always @* begin
        hr_slice = 32'd0;
        if (hr_ok_q) case (hr_reg_q)
            3'd0: if (hr_sel_q[2:0] < 3'd5) hr_slice = prog_rdata[32*hr_sel_q[2:0] +: 32];
            3'd1: hr_slice = wgt_rdata[32*hr_wsel +: 32];
            3'd2: hr_slice = {8'd0, scl_rdata[24*hr_ssel +: 24]};
            3'd3: hr_slice = cst_rdata;
            3'd6: hr_slice = pr_rdata;
            3'd7: hr_slice = out_rdata[32*hr_sel_q[1:0] +: 32];
            default: hr_slice = 32'd0;
        endcase
    end
    always @(posedge clk) begin
        if (rst) begin
            hr_p1_q  <= 1'b0;
            hr_reg_q <= 3'd0;
            hr_sel_q <= 8'd0;
            hr_ok_q  <= 1'b0;
            hr_valid <= 1'b0;
            hr_data  <= 32'd0;
        end else begin
            hr_p1_q  <= hr_en;
            hr_reg_q <= hr_region;
            hr_sel_q <= hr_addr[7:0];
            hr_ok_q  <= hr_out || hr_prog || hr_wgt || hr_scl || hr_cst || hr_pr;
            hr_valid <= hr_p1_q;
            hr_data  <= hr_slice;
        end
    end

    // ACT, and XBUF: K narrow lanes per row mirroring ACT's low 16 bits
    wire              act_we    = m_act_we[s];
    wire [ACT_AW-1:0] act_waddr = m_act_waddr[s];
    wire [63:0]       act_wdata = m_act_wdata[s];
    wire [63:0]       act_wabs  = act_wdata[63] ? 64'd0 - act_wdata : act_wdata;
    always @(posedge clk) begin
        if (op_start || orv_clr) orv_q <= 64'd0;
        else if (act_we) orv_q <= orv_q | act_wabs;
    end
    cw_ram #(.DEPTH(ACT_DEPTH), .WIDTH(64), .LANE(64), .AW(ACT_AW)) u_act (
        .clk(clk), .we(act_we), .waddr(act_waddr), .wlanes(1'b1), .wdata(act_wdata),
        .re(m_act_re[s]), .raddr(m_act_raddr[s]), .rdata(act_rdata));

    wire [XB_AW-1:0] xb_waddr = act_waddr[ACT_AW-1:ACT_AW-XB_AW];
    wire [K-1:0]     xb_wl    = {{(K-1){1'b0}}, 1'b1} << act_waddr[K_B-1:0];
    wire [XB_AW-1:0] xb_raddr = m_xb_raddr[s][XB_AW-1:0];
    cw_ram #(.DEPTH(ACT_DEPTH / K), .WIDTH(16*K), .LANE(16), .AW(XB_AW)) u_xbuf (
        .clk(clk), .we(act_we), .waddr(xb_waddr), .wlanes(xb_wl),
        .wdata({K{act_wdata[15:0]}}),
        .re(m_xb_re[s]), .raddr(xb_raddr), .rdata(xb_rdata));

    // KV caches: K values per word, KV_BITS bits each (below 16: HEADS's
    // rounded entries, sign-extended back to int16 at the read so ATTN sees
    // the same values either way); exponents one per cached head vector
    wire [KV_BITS*K-1:0] kc_raw, vc_raw;
    wire              kv_we    = m_kv_we[s];
    wire [KV_AW-1:0]  kv_waddr = m_kv_waddr[s];
    wire [K-1:0]      kv_wl    = {{(K-1){1'b0}}, 1'b1} << kv_waddr[K_B-1:0];
    wire [KW_AW-1:0]  kv_wrow  = kv_waddr[KV_AW-1:KV_AW-KW_AW];
    cw_ram #(.DEPTH(KV_DEPTH / K), .WIDTH(KV_BITS*K), .LANE(KV_BITS), .AW(KW_AW)) u_kc (
        .clk(clk), .we(kv_we && !m_kv_v[s]), .waddr(kv_wrow), .wlanes(kv_wl),
        .wdata({K{m_kv_wdata[s][KV_BITS-1:0]}}),
        .re(m_kc_re[s]), .raddr(m_kc_raddr[s][KW_AW-1:0]), .rdata(kc_raw));
    cw_ram #(.DEPTH(KV_DEPTH / K), .WIDTH(KV_BITS*K), .LANE(KV_BITS), .AW(KW_AW)) u_vc (
        .clk(clk), .we(kv_we && m_kv_v[s]), .waddr(kv_wrow), .wlanes(kv_wl),
        .wdata({K{m_kv_wdata[s][KV_BITS-1:0]}}),
        .re(m_vc_re[s]), .raddr(m_vc_raddr[s][KW_AW-1:0]), .rdata(vc_raw));
    genvar kv_g;
    generate
        for (kv_g = 0; kv_g < K; kv_g = kv_g + 1) begin : g_kv_ext
            if (KV_BITS == 16) begin : g_16
                assign kc_rdata[16*kv_g +: 16] = kc_raw[16*kv_g +: 16];
                assign vc_rdata[16*kv_g +: 16] = vc_raw[16*kv_g +: 16];
            end else begin : g_ext
                assign kc_rdata[16*kv_g +: 16] = {{(16-KV_BITS){kc_raw[KV_BITS*kv_g+KV_BITS-1]}},
                                                  kc_raw[KV_BITS*kv_g +: KV_BITS]};
                assign vc_rdata[16*kv_g +: 16] = {{(16-KV_BITS){vc_raw[KV_BITS*kv_g+KV_BITS-1]}},
                                                  vc_raw[KV_BITS*kv_g +: KV_BITS]};
            end
        end
    endgenerate
    cw_ram #(.DEPTH(KVE_DEPTH), .WIDTH(16), .LANE(16), .AW(KVE_AW)) u_ke (
        .clk(clk), .we(m_kve_we[s] && !m_kve_v[s]), .waddr(m_kve_waddr[s]), .wlanes(1'b1),
        .wdata(m_kve_wdata[s]), .re(m_ke_re[s]), .raddr(m_ke_raddr[s]), .rdata(ke_rdata));
    cw_ram #(.DEPTH(KVE_DEPTH), .WIDTH(16), .LANE(16), .AW(KVE_AW)) u_ve (
        .clk(clk), .we(m_kve_we[s] && m_kve_v[s]), .waddr(m_kve_waddr[s]), .wlanes(1'b1),
        .wdata(m_kve_wdata[s]), .re(m_ve_re[s]), .raddr(m_ve_raddr[s]), .rdata(ve_rdata));

    // ER: 256 exponent registers, two combinational reads, one write
    reg signed [15:0] er_q [0:255];
    always @(posedge clk)
        if (m_er_we[s]) er_q[m_er_waddr[s]] <= m_er_wdata[s];
    assign er_rdata_a = er_q[m_er_raddr_a[s]];
    assign er_rdata_b = er_q[m_er_raddr_b[s]];

`ifndef SYNTHESIS
    // ------------------------------------------------------------ assertions
    // words per region of the write port and the host read port (0: none)
    function automatic [31:0] a_words(input [2:0] r);
        case (r)
            3'd0: a_words = PROG_DEPTH * 8;
            3'd1: a_words = WGT_LINES * LW;
            3'd2: a_words = SCL_DEPTH;
            3'd3: a_words = CST_DEPTH;
            3'd6: a_words = MAX_CTX;
            3'd7: a_words = MAX_CTX * 4;
            default: a_words = 32'd0;
        endcase
    endfunction
    localparam [31:0] A_WGT = WGT_LINES, A_SCL = SCL_WDS, A_CST = CST_DEPTH,
                      A_ACT = ACT_DEPTH, A_KW = KV_DEPTH / K, A_KVE = KVE_DEPTH,
                      A_KV = KV_DEPTH, A_PROG = PROG_DEPTH;
    integer a_i;
    always @(posedge clk) begin
        if (!rst) begin
            if (wr_en)
                assert ({8'd0, wr_addr} < a_words(wr_region))
                    else $error("cw_core: write outside region %0d: word %0d of %0d", wr_region,
                                wr_addr, a_words(wr_region));
            if (hr_en)
                assert ({8'd0, hr_addr} < a_words(hr_region))
                    else $error("cw_core: host read outside region %0d: word %0d of %0d",
                                hr_region, hr_addr, a_words(hr_region));
            if (prog_re)
                assert ({{(32-PROG_AW){1'b0}}, prog_raddr} < A_PROG)
                    else $error("cw_core: program read at %0d", prog_raddr);
            if (m_wgt_re[s])
                assert ({{(32-WGT_AW){1'b0}}, m_wgt_raddr[s]} < A_WGT)
                    else $error("cw_core: op %0d reads weight line %0d", s, m_wgt_raddr[s]);
            if (m_scl_re[s])
                assert ({{(32-SCL_AW){1'b0}}, m_scl_raddr[s]} < A_SCL)
                    else $error("cw_core: op %0d reads scale word %0d", s, m_scl_raddr[s]);
            if (m_cst_re[s])
                assert ({{(32-CST_AW){1'b0}}, m_cst_raddr[s]} < A_CST)
                    else $error("cw_core: op %0d reads constant %0d", s, m_cst_raddr[s]);
            if (m_act_re[s] || m_act_we[s])
                assert ({{(32-ACT_AW){1'b0}}, m_act_we[s] ? m_act_waddr[s] : m_act_raddr[s]} < A_ACT)
                    else $error("cw_core: op %0d: ACT address out of range", s);
            if (m_xb_re[s])
                assert ({{(32-ACT_AW){1'b0}}, m_xb_raddr[s]} < A_ACT / K)
                    else $error("cw_core: op %0d reads XBUF row %0d", s, m_xb_raddr[s]);
            if (m_kv_we[s])
                assert ({{(32-KV_AW){1'b0}}, m_kv_waddr[s]} < A_KV)
                    else $error("cw_core: op %0d writes cache value %0d", s, m_kv_waddr[s]);
            if (m_kc_re[s] || m_vc_re[s])
                assert ({{(32-KV_AW){1'b0}}, m_kc_re[s] ? m_kc_raddr[s] : m_vc_raddr[s]} < A_KW)
                    else $error("cw_core: op %0d reads cache word out of range", s);
            if (m_kve_we[s] || m_ke_re[s] || m_ve_re[s])
                assert ({{(32-KVE_AW){1'b0}}, m_kve_we[s] ? m_kve_waddr[s] :
                         m_ke_re[s] ? m_ke_raddr[s] : m_ve_raddr[s]} < A_KVE)
                    else $error("cw_core: op %0d: cache exponent address out of range", s);
            // only the op module of the instruction in flight acts
            for (a_i = 1; a_i < NOPS; a_i = a_i + 1)
                if (a_i != {28'd0, s})
                    assert (!m_done[a_i] && !m_act_we[a_i] && !m_kv_we[a_i] && !m_kve_we[a_i] &&
                            !m_er_we[a_i])
                        else $error("cw_core: op module %0d active while op %0d is selected",
                                    a_i, s);
        end
    end
`endif

    wire unused = &{1'b0, wr_addr, m_xb_raddr[s], m_kc_raddr[s], m_vc_raddr[s], wr_line,
                    hr_line, wr_sw, hr_sw, hr_addr, hr_sel_q};
endmodule

`default_nettype wire
