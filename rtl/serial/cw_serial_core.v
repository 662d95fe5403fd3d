// cw_serial_core - the serial core (docs/serial.md): the same ports and the
// same behaviour as cw_core (write port, host read port, run control,
// token records, error codes), with every instruction executed as a
// microprogram by cw_serial_engine. (One difference: a host read of SCL
// returns the 32-bit word written, as the ref device does; cw_core keeps
// 24 bits.)
//
// Sequencer: every instruction takes 8 issue cycles (CW_UC_ISSUE_CYCLES,
// host/ucode.h), then its microprogram's cycles:
//   issue cycles 0..4  read the instruction's five words (one a cycle; each
//                      arrives the cycle after its read)
//   issue cycle 6      the microprogram it runs (its variant) is known
//   issue cycle 7      NOP and END are done here; an opcode with a zero
//                      length, or MATVEC/EMBED with W16 on 8-bit lanes,
//                      stops the run; any other starts the engine, whose
//                      first micro-operation runs on the next cycle
// The other field checks of cw_sequencer are not made: a field that
// reaches outside a memory stops the run when the access happens.
// The next instruction's cycle 0 is the cycle after DONE. The cycle counter
// is 0 on the first instruction's cycle 0; the token of position pos + 1
// is stamped with the cycles of every instruction so far, END included,
// as the ref device counts them (cw_instr_latency()).
//
// Memories: the ISA's, the core's scratch (SCR) and the function tables
// (CST's first words), behind the engine's memory port (one access a cycle,
// a read's word on the next cycle), in two single-port memories, the form
// yosys maps to SPRAM: the KV cache with its exponents, and the data memory
// (every other space, 32-bit words; ACT's and SCR's 64-bit words take two).
// The data memory is the engine's while the core runs and the write and
// host read ports' while it does not (the token records, which the host
// reads at any time, have their own). The read word is chosen and
// extended after the memories' registers. A 16-bit weight must be at an
// even byte address, inside one 32-bit word (an odd one is an access
// outside WGT, as in host/ucode.c); the microprograms read them so.
//
// Errors (err_code, as cw_core's): 1 illegal opcode, END without ARGMAX or
// a program without END; 2 a zero length; 7 bad run parameters; 8 16-bit
// weights on an 8-bit target; and an access outside a
// memory by its memory: 2 ACT or SCR, 3 WGT, 4 SCL, 5 CST, 6 the KV cache
// and its exponents, 9 the exponent registers, 1 PROMPT or a table; 2 also
// for a zero count divisor or a saturating shift of |v| >= 2^62.
`default_nettype none

// where the generated ROM images are (scripts/build-sim.sh gives an
// absolute path, so the Verilated device reads them from any directory)
`ifndef CW_SERIAL_DIR
`define CW_SERIAL_DIR "rtl/serial"
`endif

module cw_serial_core #(
    parameter integer LANES      = 2,       // a weight line is LANES x K weights
    parameter integer K          = 2,
    parameter integer WBITS      = 8,       // weight lane width (8 or 16)
    parameter integer PROG_DEPTH = 256,     // instructions
    parameter integer WGT_LINES  = 16384,   // weight lines
    parameter integer SCL_DEPTH  = 1024,    // scale entries
    parameter integer CST_DEPTH  = 4096,    // constant words (the function tables first)
    parameter integer ACT_DEPTH  = 512,     // scratch words
    parameter integer KV_DEPTH   = 8192,    // values per cache
    parameter integer MAX_CTX    = 128,     // positions
    parameter integer KV_BITS    = 16,      // bits per KV cache entry
    parameter [63:0]  CONFIG_HASH = 64'd0,  // the target's configuration hash
    parameter         UCODE_DIR  = `CW_SERIAL_DIR  // the generated ROM images
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        wr_en,
    input  wire [2:0]  wr_region,
    input  wire [23:0] wr_addr,
    input  wire [31:0] wr_data,
    input  wire        run_start,
    input  wire [15:0] run_n_prompt,
    input  wire [15:0] run_steps,
    input  wire        cancel,
    output wire        busy,
    output reg         run_done,
    output reg         err,
    output reg  [7:0]  err_code,
    output reg  [15:0] err_pc,
    output reg  [63:0] cycle,
    output reg  [15:0] tokens,
    output wire [63:0] config_hash,
    output reg         tok_valid,
    output reg  [15:0] tok_pos,
    output reg  [31:0] tok_id,
    output reg  [63:0] tok_cycle,
    input  wire        hr_en,
    input  wire [2:0]  hr_region,
    input  wire [23:0] hr_addr,
    output reg         hr_valid,
    output reg  [31:0] hr_data
);
    localparam integer LW      = LANES * K * WBITS / 32;   // 32-bit words a line
    localparam integer WGT_W   = WGT_LINES * LW;            // weight words
    localparam integer KVE     = KV_DEPTH / K;              // exponents per cache
`include "cw_serial_rom.vh"
    localparam integer SCR_W   = UC_SCR_WORDS + MAX_CTX;
    localparam integer N_VAR   = UC_VARIANTS;
    // an 8-bit core's ROM leaves out the W16 variants (the last words)
    localparam integer UWORDS  = 1 << $clog2(WBITS == 8 ? UC_WORDS8 : UC_WORDS);
    // address widths of the memories
    localparam integer XW  = $clog2(MAX_CTX), VW = $clog2(KV_DEPTH),
                       PAW = $clog2(PROG_DEPTH);
    // The data memory: the loaded memories, ER, ACT and SCR, one after
    // another in one single-port memory of 32-bit words (two SPRAMs on the
    // icebreaker). The function tables are CST's first words: the compiler
    // puts them there for a serial target and the artifact loader checks
    // them (cw_uc_tables()). ACT's and SCR's 64-bit words are two words
    // each, the low half first, at even addresses.
    localparam integer DM_WGT    = 0,
                       DM_PROG   = DM_WGT + WGT_W,
                       DM_SCL    = DM_PROG + PROG_DEPTH * 8,
                       DM_CST    = DM_SCL + SCL_DEPTH,
                       DM_PROMPT = DM_CST + CST_DEPTH,
                       DM_ER     = DM_PROMPT + MAX_CTX,
                       DM_ACT    = (DM_ER + 256 + 1) / 2 * 2,
                       DM_SCR    = DM_ACT + 2 * ACT_DEPTH,
                       DM_WORDS  = DM_SCR + 2 * SCR_W,
                       DW        = $clog2(DM_WORDS);

    initial begin
        if (LW < 1 || LANES * K * WBITS % 32 != 0)
            $error("cw_serial_core: a weight line must be whole 32-bit words");
        if (WBITS != 8 && WBITS != 16) $error("cw_serial_core: WBITS must be 8 or 16");
        if (K < 1 || KV_DEPTH % K != 0) $error("cw_serial_core: KV_DEPTH must be a multiple of K");
        if (UC_POOL != 64) $error("cw_serial_core: cw_serial_engine holds a pool of 64 constants");
        if (CST_DEPTH < TAB_WORDS) $error("cw_serial_core: CST must hold the function tables");
    end

    function automatic integer log2i(input integer v);
        integer l;
        begin
            l = 0;
            while ((1 << (l + 1)) <= v) l = l + 1;
            log2i = l;
        end
    endfunction

    // ------------------------------------------------------------ memories
    reg [31:0] out_m    [0:4*MAX_CTX-1]; // the token records, four words each
    reg [15:0] entry_m  [0:N_VAR-1];
    initial $readmemh({UCODE_DIR, "/cw_serial_entry.hex"}, entry_m);

    // ---------------------------------------------------------- run state
    localparam [1:0] S_IDLE = 2'd0, S_RUN = 2'd1;
    reg  [1:0]   state_q;
    reg  [2:0]   ic_q;            // the issue cycle
    reg          exec_q;          // the engine runs this instruction
    reg  [15:0]  pc_q;
    reg  [15:0]  pos_q, steps_q, n_prompt_q;
    reg  [31:0]  tok_q, next_q;
    reg          next_set_q;
    reg  [31:0]  w_q [0:4];       // the instruction's words
    assign busy = state_q != S_IDLE;
    assign config_hash = CONFIG_HASH;

    // the instruction's fields (docs/isa.md, "Encoding")
    wire [7:0]  i_op    = w_q[0][7:0];
    wire [7:0]  i_flags = w_q[0][15:8];
    wire [15:0] i_n     = w_q[2][15:0];

    // its variant (host/ucode_ops.c, cw_uc_variant())
    wire [4:0] w_sel = WBITS == 8 ? 5'd0 : i_flags[0] ? 5'd1 : 5'd2;
    wire [4:0] h_sel = i_flags[1] ? 5'd1 : i_flags[2] ? 5'd2 : 5'd0;
    reg  [4:0] variant;
    reg        is_micro;
    always @* begin
        is_micro = 1'b1;
        variant  = 5'd0;
        case (i_op)
            8'd1: variant = 5'd0 + w_sel;                               // EMBED
            8'd2: variant = 5'd3;                                       // RMSNORM
            8'd3: variant = 5'd4 + w_sel;                               // MATVEC
            8'd4: variant = 5'd7;                                       // NORM16
            8'd5: variant = (i_flags[0] ? 5'd11 : 5'd8) + h_sel;        // HEADS
            8'd6: variant = 5'd14;                                      // ATTN
            8'd7: variant = 5'd15;                                      // RESADD
            8'd8: variant = 5'd16;                                      // SILU
            8'd9: variant = 5'd17;                                      // ARGMAX
            default: is_micro = 1'b0;
        endcase
    end

    // ------------------------------------------------------------- engine
    wire        e_busy, e_err, e_mre, e_mwe, e_mhi, e_next_we;
    wire [4:0]  e_fsel, e_uspace, e_space;
    wire [63:0] e_addr, e_wdata, e_next;
    reg  [63:0] e_fval, e_rd;
    reg         e_merr;
    wire        refuse  = i_n == 16'd0 ||
                          (WBITS == 8 && i_flags[0] && (i_op == 8'd1 || i_op == 8'd3));
    wire        e_start = state_q == S_RUN && !exec_q && ic_q == 3'd7 && is_micro && !refuse;
    cw_serial_engine #(.UCODE_WORDS(UWORDS),
                       // (names of one length: a string's width is its length)
                       .UCODE_HEX({UCODE_DIR, WBITS == 8 ? "/cw_serial_ucode08.hex" :
                                                           "/cw_serial_ucode16.hex"}),
                       .POOL_HEX({UCODE_DIR, "/cw_serial_pool.hex"}))
    u_engine (
        .clk(clk), .rst(rst || cancel), .start(e_start), .entry(entry_m[variant][$clog2(UWORDS)-1:0]),
        .busy_q(e_busy), .err_q(e_err),
        .fld_sel(e_fsel), .fld_val(e_fval),
        .m_re(e_mre), .m_we(e_mwe), .m_space(e_uspace), .m_hi(e_mhi), .m_addr(e_addr),
        .m_wdata(e_wdata),
        .m_rdata(e_rd), .m_err(e_merr), .next_we(e_next_we), .next_val(e_next));

    // the engine's memory spaces (host/ucode.h, enum cw_uspace)
    localparam [4:0] SP_ACT = 5'd0, SP_ER = 5'd1, SP_W8 = 5'd2, SP_W16 = 5'd3, SP_SCL = 5'd4,
                     SP_CST = 5'd5, SP_KC = 5'd6, SP_VC = 5'd7, SP_KE = 5'd8, SP_VE = 5'd9,
                     SP_PROMPT = 5'd10, SP_EXP2 = 5'd11, SP_RSQRT = 5'd12, SP_RECIP = 5'd13,
                     SP_SIN = 5'd14, SP_SIG = 5'd15, SP_SCR = 5'd16;

    // A HEADS into the V cache runs the K cache's program: its KC and KE
    // accesses go to VC and VE (cw_uc_space()).
    wire heads_vc = i_op == 8'd5 && !i_flags[1] && i_flags[2];
    assign e_space = heads_vc && e_uspace == SP_KC ? SP_VC :
                     heads_vc && e_uspace == SP_KE ? SP_VE : e_uspace;

    // fields (host/ucode.h, enum cw_ufield)
    always @* begin
        case (e_fsel)
            5'd0:  e_fval = {48'd0, w_q[2][15:0]};                       // n
            5'd1:  e_fval = {48'd0, w_q[2][31:16]};                      // aux
            5'd2:  e_fval = {48'd0, w_q[1][15:0]};                       // dst
            5'd3:  e_fval = {48'd0, w_q[1][31:16]};                      // src
            5'd4:  e_fval = {40'd0, w_q[3][23:0]};                       // a24
            5'd5:  e_fval = {40'd0, w_q[4][23:0]};                       // b24
            5'd6:  e_fval = {{56{w_q[3][31]}}, w_q[3][31:24]};           // imm
            5'd7:  e_fval = {56'd0, w_q[0][15:8]};                       // flags
            5'd8:  e_fval = {56'd0, w_q[0][23:16]};                      // er_dst
            5'd9:  e_fval = {56'd0, w_q[0][31:24]};                      // er_src
            5'd10: e_fval = {56'd0, w_q[4][31:24]};                      // er_src2
            5'd11: e_fval = {48'd0, pos_q};
            5'd12: e_fval = {{32{tok_q[31]}}, tok_q};
            5'd13: e_fval = {48'd0, n_prompt_q};
            5'd14: e_fval = 64'(LANES);
            5'd15: e_fval = 64'(K);
            5'd16: e_fval = 64'(log2i(LANES));
            5'd17: e_fval = 64'(log2i(K));
            5'd18: e_fval = 64'(LANES * K * WBITS / 8);
            5'd19: e_fval = WBITS == 16 ? 64'd2 : 64'd1;
            5'd20: e_fval = 64'(MAX_CTX);
            5'd21: e_fval = 64'(KV_BITS);
            5'd22: e_fval = 64'd1;
            default: e_fval = 64'd0;
        endcase
    end

    // the memory port (host/ucode.c, space_size, mem_read, mem_write)
    // every space's size is below 2^ZW: an address is compared in ZW bits
    // (higher bits set: outside)
    function automatic integer max2(input integer x, input integer y);
        max2 = x > y ? x : y;
    endfunction
    localparam integer TAB_MAX = max2(max2(max2(TAB_EXP2_N, TAB_RSQRT_N), max2(TAB_RECIP_N, TAB_SIN_N)),
                                      max2(TAB_SIG_N, 256));   // the tables, ER
    localparam integer ZW = $clog2(max2(max2(max2(WGT_W * 4, KV_DEPTH), max2(SCR_W, ACT_DEPTH)),
                                        max2(max2(SCL_DEPTH, CST_DEPTH), max2(MAX_CTX, TAB_MAX))) + 1);
    reg [ZW-1:0] sp_size;
    always @* begin
        case (e_space)
            SP_ACT:    sp_size = ZW'(ACT_DEPTH);
            SP_ER:     sp_size = ZW'(256);
            SP_W8:     sp_size = ZW'(WGT_W * 4);
            SP_W16:    sp_size = ZW'(WGT_W * 4 - 1);
            SP_SCL:    sp_size = ZW'(SCL_DEPTH);
            SP_CST:    sp_size = ZW'(CST_DEPTH);
            SP_KC, SP_VC: sp_size = ZW'(KV_DEPTH);
            SP_KE, SP_VE: sp_size = ZW'(KVE);
            SP_PROMPT: sp_size = ZW'(MAX_CTX);
            SP_EXP2:   sp_size = ZW'(TAB_EXP2_N);
            SP_RSQRT:  sp_size = ZW'(TAB_RSQRT_N);
            SP_RECIP:  sp_size = ZW'(TAB_RECIP_N);
            SP_SIN:    sp_size = ZW'(TAB_SIN_N);
            SP_SIG:    sp_size = ZW'(TAB_SIG_N);
            SP_SCR:    sp_size = ZW'(SCR_W);
            default:   sp_size = {ZW{1'b0}};
        endcase
    end
    wire in_range = ~|e_addr[63:ZW] && e_addr[ZW-1:0] < sp_size &&
                    !(e_space == SP_W16 && e_addr[0]);   // 16-bit weights: even addresses
    wire writable = e_space == SP_ACT || e_space == SP_ER || e_space == SP_KC ||
                    e_space == SP_VC || e_space == SP_KE || e_space == SP_VE || e_space == SP_SCR;
    always @* e_merr = (e_mre && !in_range) || (e_mwe && !(in_range && writable));

    wire [63:0] a   = e_addr;        // in range when it is used
    wire        we  = e_mwe && in_range;

    // The KV cache and its exponents share one memory (one SPRAM on the
    // icebreaker): a quarter of 4 << VW words each, KC, VC, KE, VE in that
    // order (KE and VE are 16-bit exponents, |e| < 4096, docs/numerics.md).
    wire        kv_sp = e_space == SP_KC || e_space == SP_VC || e_space == SP_KE ||
                        e_space == SP_VE;
    wire [1:0]  kv_sel = e_space == SP_KC ? 2'd0 : e_space == SP_VC ? 2'd1 :
                         e_space == SP_KE ? 2'd2 : 2'd3;
    // (an address in range of KE or VE is below 2^EW <= 2^VW)
    // (read at its address in every cycle it is not written: one port)
    wire [15:0] kv_q;
    cw_serial_ram #(.DEPTH(4 << VW), .WIDTH(16), .AW(VW + 2), .STYLE("huge")) u_kv (.clk(clk),
        .we(we && kv_sp), .addr({kv_sel, a[VW-1:0]}), .wdata(e_wdata[15:0]), .rdata(kv_q));

    // a word inside a region of the write and host read ports (words 5..7
    // of an instruction are not stored; region 7, the token records, is
    // read only)
    function automatic region_ok(input [2:0] region, input [23:0] addr);
        begin
            case (region)
                3'd0: region_ok = addr[2:0] < 3'd5 && {8'd0, addr} < PROG_DEPTH * 8;
                3'd1: region_ok = {8'd0, addr} < WGT_W;
                3'd2: region_ok = {8'd0, addr} < SCL_DEPTH;
                3'd3: region_ok = {8'd0, addr} < CST_DEPTH;
                3'd6: region_ok = {8'd0, addr} < MAX_CTX;
                3'd7: region_ok = {8'd0, addr} < MAX_CTX * 4;
                default: region_ok = 1'b0;
            endcase
        end
    endfunction
    // The write and host read ports share one range check: the write's
    // region and address when it writes (a host read in that cycle reads
    // 0; the link engine never issues both at once), else the read's. A
    // write to the token records, region 7, is ignored, as cw_core does.
    wire [2:0]  p_reg  = wr_en ? wr_region : hr_region;
    wire [23:0] p_addr = wr_en ? wr_addr : hr_addr;
    wire        p_ok   = region_ok(p_reg, p_addr);
    wire        ld     = wr_en && !busy && wr_region != 3'd7 && p_ok;

    // The data memory (DM_*) has one address, taken in this order:
    //   the engine's access to one of its spaces;
    //   while the core runs, the sequencer's read of PROG (word ic_q of
    //   instruction pc_q: the engine is idle in the issue cycles);
    //   while it is idle, the write port, else the host read port (a host
    //   read in the cycle of a write reads 0; the link engine never issues
    //   both at once).
    wire          e_acc  = e_mre || e_mwe;
    reg  [DW-1:0] dm_base, dm_off;
    always @* begin
        dm_off = a[DW-1:0];
        case (e_space)
            SP_W8, SP_W16: begin dm_base = DW'(DM_WGT); dm_off = a[DW+1:2]; end
            SP_SCL:    dm_base = DW'(DM_SCL);
            SP_CST:    dm_base = DW'(DM_CST);
            SP_PROMPT: dm_base = DW'(DM_PROMPT);
            SP_ER:     dm_base = DW'(DM_ER);
            SP_ACT:    begin dm_base = DW'(DM_ACT); dm_off = {a[DW-2:0], e_mhi}; end
            SP_SCR:    begin dm_base = DW'(DM_SCR); dm_off = {a[DW-2:0], e_mhi}; end
            SP_EXP2:   dm_base = DW'(DM_CST + TAB_EXP2);
            SP_RSQRT:  dm_base = DW'(DM_CST + TAB_RSQRT);
            SP_RECIP:  dm_base = DW'(DM_CST + TAB_RECIP);
            SP_SIN:    dm_base = DW'(DM_CST + TAB_SIN);
            default:   dm_base = DW'(DM_CST + TAB_SIG);
        endcase
        if (!e_acc && busy) begin
            dm_base = DW'(DM_PROG);
            dm_off  = DW'({pc_q[PAW-1:0], ic_q});
        end else if (!e_acc) begin
            dm_off = p_addr[DW-1:0];
            case (p_reg)
                3'd0:    dm_base = DW'(DM_PROG);
                3'd1:    dm_base = DW'(DM_WGT);
                3'd2:    dm_base = DW'(DM_SCL);
                3'd3:    dm_base = DW'(DM_CST);
                default: dm_base = DW'(DM_PROMPT);
            endcase
        end
    end
    wire        dm_we = ld || (we && (e_space == SP_ER || e_space == SP_ACT || e_space == SP_SCR));
    wire [31:0] dm_q;
    cw_serial_ram #(.DEPTH(DM_WORDS), .WIDTH(32), .AW(DW), .STYLE("huge")) u_dm (.clk(clk),
        .we(dm_we), .addr(dm_base + dm_off),
        .wdata(ld ? wr_data : e_mhi ? e_wdata[63:32] : e_wdata[31:0]), .rdata(dm_q));
    reg  [31:0] dm_lo_q;   // the word read before: a wide word's low half
    always @(posedge clk) dm_lo_q <= dm_q;
    reg  [31:0] prompt0_q;  // the first token, for the run's start
    always @(posedge clk)
        if (ld && wr_region == 3'd6 && wr_addr == 24'd0) prompt0_q <= wr_data;

    // the word the engine reads, a cycle after its address
    reg  [4:0] sp_q;
    reg  [1:0] lo_q;
    always @(posedge clk) begin
        sp_q <= e_space;
        lo_q <= a[1:0];
    end
    wire [7:0]  wb0 = dm_q[8*lo_q +: 8];                   // the byte at a
    wire [15:0] wh0 = lo_q[1] ? dm_q[31:16] : dm_q[15:0];   // the half word at even a
    always @* begin
        case (sp_q)
            SP_ACT, SP_SCR: e_rd = {dm_q, dm_lo_q};
            SP_ER, SP_CST, SP_PROMPT: e_rd = {{32{dm_q[31]}}, dm_q};
            SP_W8:     e_rd = {{56{wb0[7]}}, wb0};
            SP_W16:    e_rd = {{48{wh0[15]}}, wh0};
            SP_KC, SP_VC, SP_KE, SP_VE: e_rd = {{48{kv_q[15]}}, kv_q};
            default:   e_rd = {32'd0, dm_q};   // SCL, the tables
        endcase
    end

    // the error code of a fault, by what it touched
    reg  [7:0] fault_code;
    always @* begin
        case (e_space)
            SP_ACT, SP_SCR: fault_code = 8'd2;
            SP_W8, SP_W16:  fault_code = 8'd3;
            SP_SCL:         fault_code = 8'd4;
            SP_CST:         fault_code = 8'd5;
            SP_KC, SP_VC, SP_KE, SP_VE: fault_code = 8'd6;
            SP_ER:          fault_code = 8'd9;
            default:        fault_code = 8'd1;
        endcase
    end
    reg [7:0] e_code_q;   // the code of the engine's last fault

    always @(posedge clk) e_code_q <= e_merr ? fault_code : 8'd2;

    // ------------------------------------------------ the host read port
    // The loaded memories while the core is idle, the token records at any
    // time: the address goes to the memories with hr_en, their words are
    // chosen a cycle later.
    // A record is written a word a cycle in the four cycles after its END,
    // from tok_pos, tok_id and tok_cycle (the next END is a whole position
    // away), so that the records are one memory with one write port.
    reg  [31:0] out_q;
    reg  [2:0]  ow_q;             // words of the record still to write (4 after END)
    reg  [XW-1:0] ow_rec_q;       // its position
    wire [1:0]  ow_word = 2'd0 - ow_q[1:0];   // 4 -> word 0, 3 -> 1, 2 -> 2, 1 -> 3
    reg  [31:0] ow_data;
    always @* begin
        case (ow_word)
            2'd0:    ow_data = {16'd0, tok_pos};
            2'd1:    ow_data = tok_id;
            2'd2:    ow_data = tok_cycle[31:0];
            default: ow_data = tok_cycle[63:32];
        endcase
    end
    always @(posedge clk) begin
        if (ow_q != 3'd0) out_m[{ow_rec_q, ow_word}] <= ow_data;
        out_q <= out_m[hr_addr[XW+1:0]];
    end
    reg         hr_p1_q, hr_ok_q;
    reg [2:0]   hr_region_q;
    always @(posedge clk) begin
        hr_p1_q     <= hr_en;
        hr_ok_q     <= hr_en && !wr_en && p_ok &&
                       (hr_region == 3'd7 || !busy);   // the data memory's one address
        hr_region_q <= hr_region;
        if (rst) begin
            hr_valid <= 1'b0;
            hr_data  <= 32'd0;
        end else begin
            hr_valid <= hr_p1_q;
            hr_data  <= 32'd0;
            if (hr_ok_q) hr_data <= hr_region_q == 3'd7 ? out_q : dm_q;
        end
    end

    // ---------------------------------------------------------- sequencer
    wire [15:0] pos_p1   = pos_q + 16'd1;
    wire [63:0] cycle_p1 = cycle + 64'd1;
    wire        run_ok   = run_n_prompt != 16'd0 && {16'd0, run_n_prompt} <= MAX_CTX &&
                           run_steps != 16'd0 && {16'd0, run_steps} <= MAX_CTX;
    wire [31:0] prog_rd_q = dm_q;     // word ic_q of instruction pc_q, a cycle later
    wire        running  = state_q == S_RUN;
    wire        ran_off  = {16'd0, pc_q} >= PROG_DEPTH;   // the last instruction was not END
    always @(posedge clk) begin
        run_done  <= 1'b0;
        tok_valid <= 1'b0;
        if (running) cycle <= cycle_p1;
        if (ow_q != 3'd0) ow_q <= ow_q - 3'd1;
        if (rst) begin
            ow_q     <= 3'd0;
            state_q  <= S_IDLE;
            exec_q   <= 1'b0;
            ic_q     <= 3'd0;
            err      <= 1'b0;
            err_code <= 8'd0;
            err_pc   <= 16'd0;
            cycle    <= 64'd0;
            tokens   <= 16'd0;
            tok_pos  <= 16'd0;
            tok_id   <= 32'd0;
            tok_cycle <= 64'd0;
        end else if (cancel) begin
            if (running) run_done <= 1'b1;
            state_q <= S_IDLE;
            exec_q  <= 1'b0;
        end else case (state_q)
            S_IDLE: if (run_start) begin
                err        <= !run_ok;
                err_code   <= run_ok ? 8'd0 : 8'd7;
                run_done   <= !run_ok;
                tokens     <= 16'd0;
                cycle      <= 64'd0;
                pos_q      <= 16'd0;
                pc_q       <= 16'd0;
                ic_q       <= 3'd0;
                exec_q     <= 1'b0;
                steps_q    <= run_steps;
                n_prompt_q <= run_n_prompt;
                tok_q      <= prompt0_q;
                next_set_q <= 1'b0;
                if (run_ok) state_q <= S_RUN;
            end
            default: begin // S_RUN
                if (e_next_we) begin
                    next_q     <= e_next[31:0];
                    next_set_q <= 1'b1;
                end
                if (exec_q && e_err) begin
                    err      <= 1'b1;
                    err_code <= e_code_q;
                    err_pc   <= pc_q - 16'd1;
                    run_done <= 1'b1;
                    state_q  <= S_IDLE;
                    exec_q   <= 1'b0;
                end else if (!(exec_q && e_busy) && ic_q == 3'd0 && ran_off) begin
                    err      <= 1'b1;
                    err_code <= 8'd1;
                    err_pc   <= pc_q - 16'd1;
                    run_done <= 1'b1;
                    state_q  <= S_IDLE;
                end else if (!(exec_q && e_busy)) begin
                    // an issue cycle (the first one right after the engine's DONE)
                    exec_q <= 1'b0;
                    ic_q   <= ic_q + 3'd1;
                    if (ic_q >= 3'd1 && ic_q <= 3'd5) w_q[ic_q - 3'd1] <= prog_rd_q;
                    if (ic_q == 3'd7) begin
                        if (is_micro && refuse) begin
                            err      <= 1'b1;           // a zero length; W16 on 8-bit lanes
                            err_code <= i_n == 16'd0 ? 8'd2 : 8'd8;
                            err_pc   <= pc_q;
                            run_done <= 1'b1;
                            state_q  <= S_IDLE;
                        end else if (is_micro) begin
                            exec_q <= 1'b1;
                            pc_q   <= pc_q + 16'd1;
                        end else if (i_op == 8'd0) begin                     // NOP
                            pc_q <= pc_q + 16'd1;
                        end else if (i_op == 8'd10 && next_set_q && next_q != 32'd1) begin
                            tok_valid <= 1'b1;                                 // END
                            tok_pos   <= pos_p1;
                            tok_id    <= next_q;
                            tok_cycle <= cycle_p1;
                            tokens    <= tokens + 16'd1;
                            ow_q      <= 3'd4;                                 // its record
                            ow_rec_q  <= pos_q[XW-1:0];
                            if (pos_p1 >= steps_q) begin
                                run_done <= 1'b1;
                                state_q  <= S_IDLE;
                            end
                            pos_q      <= pos_p1;
                            tok_q      <= next_q;
                            pc_q       <= 16'd0;
                            next_set_q <= 1'b0;
                        end else if (i_op == 8'd10 && next_set_q) begin      // END of BOS
                            run_done <= 1'b1;
                            state_q  <= S_IDLE;
                        end else begin                                        // illegal, or END without ARGMAX
                            err      <= 1'b1;
                            err_code <= 8'd1;
                            err_pc   <= pc_q;
                            run_done <= 1'b1;
                            state_q  <= S_IDLE;
                        end
                    end
                end
            end
        endcase
    end

    wire unused = &{1'b0, i_flags[7:3], e_next[63:32], a, p_addr};
endmodule

`default_nettype wire
