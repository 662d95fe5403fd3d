// cw_serial_engine - the serial core's micro-engine (docs/serial.md): it
// runs one microprogram from the microcode ROM, one micro-operation a
// cycle, as host/ucode.c defines them and with the cycles cw_uop_cycles()
// gives (LD 2, MUL 4, CDIV 32, the rest 1; LD and ST of a wide space, ACT
// or SCR, one more; a loop's end costs nothing).
//
// The ROM image is generated from host/ucode_ops.c (cw_uc_rom_build(): 48
// bits a word, op, d, a, b, space/field in bits 21:0, a 14-bit immediate in
// 36:23 or, with bit 22, the index of a 64-bit constant in the pool; a
// LOOP's imm is the address of its body's last word). It is read
// synchronously: the word for the next cycle is addressed by pc_d, which
// the operation completing this cycle decides, so the engine needs no
// bubble after a taken loop.
//
// The registers are block RAM (two copies, one per operand), read a cycle
// ahead: each word carries the a and b of the next word (bits 47:40), a
// LOOP the a and b of the word after its body (in its d and b), and the
// loop stack those of the body's first word; they are read with pc_d's
// choice. A register written by the operation completing in that cycle is
// forwarded (the block RAM's word is undefined then). The registers keep
// their words from one instruction to the next: the ROM builder refuses a
// program that could read one before writing it.
//
// Memories are outside, behind one port: a read (m_re) returns its word on
// m_rdata in the next cycle; a write (m_we) takes effect at the clock edge;
// m_err flags an access outside its memory in the same cycle. A wide space's
// 64-bit word is two accesses of a 32-bit memory, on two cycles with the same
// address: m_hi is low for the first (the low half), high for the second;
// a read's whole word is on m_rdata in the cycle after the second. Fields come
// through fld_sel / fld_val (sign-extended, combinational).
//
`default_nettype none

module cw_serial_engine #(
    parameter integer UCODE_WORDS = 2048,       // ROM words (a power of two)
    parameter         UCODE_HEX   = "cw_serial_ucode16.hex",
    parameter         POOL_HEX    = "cw_serial_pool.hex"  // the large constants (64)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,        // start the microprogram at `entry`
    input  wire [$clog2(UCODE_WORDS)-1:0] entry,
    output reg         busy_q,       // from start to DONE
    output reg         err_q,        // stopped: an access outside a memory, a zero divisor,
                                     // an unknown operation (cleared by start)
    output wire [4:0]  fld_sel,
    input  wire [63:0] fld_val,
    output wire        m_re,
    output wire        m_we,
    output wire [4:0]  m_space,
    output wire        m_hi,         // the second access of a wide space's word
    output wire [63:0] m_addr,
    output wire [63:0] m_wdata,
    input  wire [63:0] m_rdata,
    input  wire        m_err,
    output wire        next_we,      // NEXT = next_val
    output wire [63:0] next_val
);
    localparam integer UA = $clog2(UCODE_WORDS);

    initial begin
        if ((1 << UA) != UCODE_WORDS) $error("cw_serial_engine: UCODE_WORDS must be a power of two");
    end

    // micro-operations (host/ucode.h, enum cw_uop_code)
    localparam [4:0] U_ADD = 5'd0, U_ADDI = 5'd1, U_SUB = 5'd2, U_AND = 5'd3, U_OR = 5'd4,
                     U_SLT = 5'd5, U_SLTI = 5'd6, U_CMOV = 5'd7, U_ABS = 5'd8,
                     U_BITLEN = 5'd9, U_SLLI = 5'd10, U_SRAI = 5'd11, U_SLL = 5'd12,
                     U_SRA = 5'd13, U_SRR = 5'd14, U_SRRI = 5'd15, U_SHSAT = 5'd16,
                     U_MUL = 5'd17, U_LI = 5'd18, U_FLD = 5'd19, U_MOVC = 5'd20,
                     U_LD = 5'd21, U_ST = 5'd22, U_CFLD = 5'd23, U_CSRL = 5'd24,
                     U_CSUB = 5'd25, U_CMUL = 5'd26, U_CDIV = 5'd27, U_LOOP = 5'd28,
                     U_NEXT = 5'd30, U_DONE = 5'd31;

    // ------------------------------------------------------------ the ROM
    reg [47:0] rom [0:UCODE_WORDS-1];
    reg [63:0] pool [0:63];
`ifdef SYNTHESIS
    initial begin
        $readmemh(UCODE_HEX, rom);
        $readmemh(POOL_HEX, pool);
    end
`else
    // a test bench may load ROMs of its own: +ucode=FILE +pool=FILE
    reg [8*256-1:0] rom_file;
    initial begin
        if ($value$plusargs("ucode=%s", rom_file)) $readmemh(rom_file, rom);
        else $readmemh(UCODE_HEX, rom);
        if ($value$plusargs("pool=%s", rom_file)) $readmemh(rom_file, pool);
        else $readmemh(POOL_HEX, pool);
    end
`endif

    reg  [47:0]   uop_q;
    reg  [UA-1:0] pc_q;
    reg  [UA-1:0] pc_d;
    reg           run_q;             // uop_q is the operation of this cycle

    wire [4:0]  op    = uop_q[4:0];
    wire [3:0]  f_d   = uop_q[8:5];
    wire [3:0]  f_a   = uop_q[12:9];
    wire [3:0]  f_b   = uop_q[16:13];
    wire [4:0]  f_sel = uop_q[21:17];
    wire [63:0] imm   = uop_q[22] ? pool[uop_q[28:23]] : {{50{uop_q[36]}}, uop_q[36:23]};
    wire [3:0]  nx_a  = uop_q[43:40];                  // the next word's a and b
    wire [3:0]  nx_b  = uop_q[47:44];
    wire        unused_ok = &{1'b0, uop_q[39:37]};   // bits 39:37 are reserved

    // ---------------------------------------------------------- registers
    wire [63:0] rf_a, rf_b;       // the block RAMs' words
    reg  [63:0] res_q;            // the result written as they were read
    reg         fwd_a_q, fwd_b_q;
    reg  [31:0] c_q [0:3];
    wire [63:0] ra = f_a == 4'd0 ? 64'd0 : fwd_a_q ? res_q : rf_a;
    wire [63:0] rb = f_b == 4'd0 ? 64'd0 : fwd_b_q ? res_q : rf_b;
    wire [31:0] ca = c_q[f_a[1:0]];
    wire [31:0] cb = c_q[f_b[1:0]];

    // the loop stack
    reg  [UA-1:0] ls_start_q [0:3];   // 3 deep; entry 3 is never pushed
    reg  [UA-1:0] ls_end_q   [0:3];
    reg  [31:0]   ls_left_q  [0:3];
    reg  [7:0]    ls_ab_q    [0:3];   // the body's first word's a and b
    reg  [1:0]    sp_q;
    wire [1:0]    top = sp_q - 2'd1;

    // a multi-cycle operation's cycles so far
    localparam [4:0] S_ACT = 5'd0, S_SCR = 5'd16;   // the wide spaces (host/ucode.h)
    reg  [4:0]  wait_q;
    wire        wide  = f_sel == S_ACT || f_sel == S_SCR;
    wire [4:0]  extra = op == U_LD ? {3'd0, wide, !wide} : op == U_ST ? {4'd0, wide} :
                        op == U_MUL ? 5'd3 : op == U_CDIV ? 5'd31 : 5'd0;
    wire        last  = run_q && wait_q == extra;     // the operation completes this cycle

    // ---------------------------------------------------------- datapath
    // One adder, one shifter, one multiplier, one bit-length unit: every
    // operation below is a choice of their inputs (docs/serial.md, "The
    // RTL").

    // the number of significant bits (0 for 0)
    function automatic [6:0] bitlen(input [63:0] v);
        integer k;
        begin
            bitlen = 7'd0;
            for (k = 0; k < 64; k = k + 1)
                if (v[k]) bitlen = k[6:0] + 7'd1;
        end
    endfunction

    // a shift amount clamped to [-64, 64], as host/ucode.c does, in 8 bits
    function automatic [7:0] clamp8(input [63:0] s);
        begin
            if (&s[63:6] || ~|s[63:6]) clamp8 = s[7:0];        // -64 .. 63
            else                        clamp8 = s[63] ? 8'hc0 : 8'h40;
        end
    endfunction

    function automatic [63:0] reverse(input [63:0] v);
        integer k;
        begin
            for (k = 0; k < 64; k = k + 1) reverse[k] = v[63 - k];
        end
    endfunction

    // MUL's sum (below), and CDIV's remainder and quotient
    reg  [63:0] mul_q;

    // CDIV in its 32 cycles: a restoring divider, one quotient bit a cycle
    // (the dividend's bits leave the quotient half of mul_q at the top as
    // the quotient's enter at the bottom); the quotient is complete in the
    // last cycle. The trial subtraction is the adder's.
    wire [31:0] div_rem0 = wait_q == 5'd0 ? 32'd0 : mul_q[63:32];
    wire [31:0] div_quo0 = wait_q == 5'd0 ? ca : mul_q[31:0];
    wire [32:0] div_t    = {div_rem0, div_quo0[31]};

    // The adder, 65 bits on sign-extended operands so that its top bit is
    // the exact sign: ADD, ADDI, SUB, SLT, SLTI (a - b < 0), ABS (0 - a), the
    // memory address (a + imm), CFLD (field + imm) and SHSAT's -imm; and
    // the moves, with an immediate the ROM sets to 0 where the operation has
    // none: LI (0 + imm), FLD (field + 0), CMOV (a + 0).
    reg  [64:0] add_x, add_y;
    reg         add_sub;
    always @* begin
        add_x   = {ra[63], ra};
        add_y   = {imm[63], imm};
        add_sub = 1'b0;
        case (op)
            U_ADD:        add_y = {rb[63], rb};
            U_SUB, U_SLT: begin add_y = {rb[63], rb}; add_sub = 1'b1; end
            U_SLTI:       add_sub = 1'b1;
            U_ABS:        begin add_x = 65'd0; add_y = {ra[63], ra}; add_sub = 1'b1; end
            U_SHSAT:      begin add_x = 65'd0; add_sub = 1'b1; end
            U_CFLD, U_FLD: add_x = {fld_val[63], fld_val};
            U_LI:         add_x = 65'd0;
            U_CDIV:       begin add_x = {32'd0, div_t}; add_y = {33'd0, cb}; add_sub = 1'b1; end
            default:      ;                                   // ADDI, LD, ST: a + imm
        endcase
    end
    wire [64:0] add_s = add_x + (add_sub ? ~add_y : add_y) + {64'd0, add_sub};

    wire        div_ge  = !add_s[64];                         // div_t >= cb
    wire [32:0] div_d   = div_ge ? add_s[32:0] : div_t;
    wire [31:0] div_rem = div_d[31:0];
    wire [31:0] div_quo = {div_quo0[30:0], div_ge};
    wire        unused_div = div_d[32];    // the remainder is below cb

    // MUL in its 4 cycles: the low 64 bits of a 64 x 64 product from three
    // 32 x 32 ones (the high halves' product falls outside them), one a
    // cycle through a single multiplier, summed in mul_q; the sum is
    // complete in the fourth cycle (mul_acc). CMUL is the same multiplier's
    // low half in one cycle.
    wire [31:0] mul_x = op == U_CMUL ? ca : wait_q == 5'd2 ? ra[63:32] : ra[31:0];
    wire [31:0] mul_y = op == U_CMUL ? cb : wait_q == 5'd1 ? rb[63:32] : rb[31:0];
    wire [63:0] mul_p = mul_x * mul_y;
    wire [63:0] mul_acc = wait_q == 5'd0 ? mul_p :
                          wait_q == 5'd3 ? mul_q : mul_q + {mul_p[31:0], 32'd0};


    // The shifter: one arithmetic right shift by 0..63 serves every shift.
    // A left shift is the right shift of the bit-reversed value, reversed
    // back (zeros in). A rounding shift by k (cw_rshift_round: k <= 0
    // leaves the value, k >= 63 gives 0) shifts by k - 1 and adds the last
    // bit shifted out, which is (v + 2^(k-1)) >> k without the sum's
    // overflow. CSRL shifts the count c[a].
    wire [7:0] s_reg = clamp8(rb);
    wire [7:0] s_imm = clamp8(imm);
    wire       sat_left = op == U_SHSAT && !s_reg[7] && s_reg != 8'd0;  // SHSAT by s > 0
    reg  [7:0] rnd_k;             // the rounding shifts' amount
    reg        rnd, left;
    reg  [5:0] sh_n;
    reg [63:0] sh_x;
    always @* begin
        rnd   = op == U_SRR || op == U_SRRI || (op == U_SHSAT && !sat_left);
        left  = op == U_SLLI || op == U_SLL || sat_left;
        rnd_k = op == U_SHSAT ? -s_reg : op == U_SRR ? s_reg : s_imm;
        case (op)
            U_SLLI, U_SRAI: sh_n = imm[5:0];
            U_SLL, U_SRA:   sh_n = rb[5:0];
            U_CSRL:         sh_n = {1'b0, imm[4:0]};
            default:        sh_n = rnd ? rnd_k[5:0] - 6'd1 : s_reg[5:0];  // SHSAT: s
        endcase
        sh_x = left ? reverse(ra) : op == U_CSRL ? {32'd0, ca} : ra;
    end
    wire [64:0] sh_w65   = $signed({!left && sh_x[63], sh_x}) >>> sh_n;
    wire [63:0] sh_w     = sh_w65[63:0];
    wire        rnd_none = rnd_k[7] || rnd_k == 8'd0;
    wire        rnd_zero = !rnd_k[7] && rnd_k >= 8'd63;
    wire [63:0] rnd_out  = rnd_none ? ra : rnd_zero ? 64'd0 :
                           {sh_w[63], sh_w[63:1]} + {63'd0, sh_w[0]};
    wire [63:0] ll_out   = reverse(sh_w);

    // SHSAT: v * 2^s saturated to [-imm, imm] (cw_shift_sat), for
    // |v| < 2^62. The shifted value x keeps v's sign, so it saturates when
    // x >= imm (v >= 0) or x + imm < 0 (v < 0), one comparison. A left
    // shift that does not fit is found before it happens: with b the bit
    // length of v, or of ~v for negative v (|v| - 1 < 2^b, and
    // |v| - 1 >= 2^(b-1)), b + s >= 63 means |v| 2^s > 2^62 > imm; below
    // that, v << s is exact. s >= 62 saturates every v but 0.
    wire [6:0]  bl       = bitlen(op == U_SHSAT ? ra ^ {64{ra[63]}} : ra);
    wire [63:0] sat_x    = sat_left ? ll_out : rnd_out;
    wire [64:0] sat_c    = {sat_x[63], sat_x} + (ra[63] ? {imm[63], imm} : ~{imm[63], imm}) +
                           {64'd0, !ra[63]};              // x + imm, or x - imm
    wire        sat_hit  = sat_c[64] == ra[63];
    wire        sat_over = sat_left && |ra && (s_reg >= 8'd62 || {1'b0, bl} + s_reg >= 8'd63);
    wire [63:0] lim_s    = ra[63] ? add_s[63:0] : imm;                // the bound with v's sign
    wire [63:0] shsat    = sat_hit || sat_over ? lim_s : sat_x;
    wire        shsat_big = ra[63] ? !ra[62] || ~|ra[61:0] : ra[62];  // |v| >= 2^62
    wire        unused_sh = &{1'b0, sh_w65[64], sat_c[63:0]};   // only the signs

    reg  [63:0] res;              // the register result of an operation
    reg         res_we;
    always @* begin
        res = 64'd0;
        res_we = f_d != 4'd0;
        case (op)
            U_ADD, U_ADDI, U_SUB, U_LI, U_FLD: res = add_s[63:0];
            U_AND:    res = ra & rb;
            U_OR:     res = ra | rb;
            U_SLT, U_SLTI: res = {63'd0, add_s[64]};
            U_CMOV:   begin res = add_s[63:0]; res_we = f_d != 4'd0 && rb != 64'd0; end
            U_ABS:    res = ra[63] ? add_s[63:0] : ra;
            U_BITLEN: res = {57'd0, bl};
            U_SLLI, U_SLL:  res = ll_out;
            U_SRAI, U_SRA:  res = sh_w;
            U_SRR, U_SRRI:  res = rnd_out;
            U_SHSAT:  res = shsat;
            U_MUL:    res = mul_acc;
            U_MOVC:   res = {32'd0, ca};
            U_LD:     res = m_rdata;
            default:  res_we = 1'b0;
        endcase
    end

    // count results
    wire [32:0] csub = {1'b0, ca} - {1'b0, cb};
    reg  [31:0] cres;
    reg         cres_we;
    always @* begin
        cres = 32'd0;
        cres_we = 1'b1;
        case (op)
            U_CFLD:  cres = add_s[64] ? 32'd0 : add_s[31:0];
            U_CSRL:  cres = sh_w[31:0];
            U_CSUB:  cres = csub[32] ? 32'd0 : csub[31:0];
            U_CMUL:  cres = mul_p[31:0];
            U_CDIV:  cres = div_quo;
            default: cres_we = 1'b0;
        endcase
    end

    wire known = op <= U_LOOP || op == U_NEXT || op == U_DONE;
    wire fault = run_q && (!known || ((op == U_LD || op == U_ST) && wait_q == 5'd0 && m_err) ||
                           (op == U_CDIV && cb == 32'd0) || (op == U_SHSAT && shsat_big));

    assign fld_sel  = f_sel;
    assign m_re     = run_q && op == U_LD && wait_q != extra;   // all but the last cycle
    assign m_we     = run_q && op == U_ST;   // the memory refuses it when m_err
    assign m_hi     = wait_q[0];             // LD and ST: the second access
    assign m_space  = f_sel;
    assign m_addr   = add_s[63:0];            // a + imm
    assign m_wdata  = rb;
    assign next_we  = last && op == U_NEXT;
    assign next_val = ra;

    // ------------------------------------------------------------ control
    wire at_end = sp_q != 2'd0 && pc_q == ls_end_q[top];
    always @* begin
        pc_d = pc_q + 1'b1;
        if (start)
            pc_d = entry;
        else if (run_q && !last)
            pc_d = pc_q;                                   // a multi-cycle operation
        else if (run_q && op == U_LOOP && ca == 32'd0)
            pc_d = imm[UA-1:0] + 1'b1;                     // an empty loop: past its body
        else if (run_q && op != U_LOOP && at_end && ls_left_q[top] > 32'd1)
            pc_d = ls_start_q[top];                        // the body again
    end

    // the next operation's registers, as pc_d chooses it
    reg  [3:0] rd_a, rd_b;
    always @* begin
        rd_a = nx_a;
        rd_b = nx_b;
        if (run_q && op == U_LOOP && ca == 32'd0) begin
            rd_a = f_d;                                     // past an empty loop
            rd_b = f_b;
        end else if (run_q && op != U_LOOP && at_end && ls_left_q[top] > 32'd1) begin
            rd_a = ls_ab_q[top][3:0];                       // the body again
            rd_b = ls_ab_q[top][7:4];
        end
    end
    wire rf_re = start || last;
    wire rf_we = !rst && !start && !fault && last && res_we;
    cw_ram #(.DEPTH(16), .WIDTH(64), .LANE(64), .AW(4), .STYLE("block"), .RDW_OLD(0)) u_ra (
        .clk(clk), .we(rf_we), .waddr(f_d), .wlanes(1'b1), .wdata(res),
        .re(rf_re), .raddr(rd_a), .rdata(rf_a));
    cw_ram #(.DEPTH(16), .WIDTH(64), .LANE(64), .AW(4), .STYLE("block"), .RDW_OLD(0)) u_rb (
        .clk(clk), .we(rf_we), .waddr(f_d), .wlanes(1'b1), .wdata(res),
        .re(rf_re), .raddr(rd_b), .rdata(rf_b));
    always @(posedge clk)
        if (rf_re) begin
            fwd_a_q <= rf_we && f_d == rd_a;
            fwd_b_q <= rf_we && f_d == rd_b;
            res_q   <= res;
        end

    always @(posedge clk) begin
        uop_q <= rom[pc_d];
        pc_q  <= pc_d;
        if (rst) begin
            run_q  <= 1'b0;
            busy_q <= 1'b0;
            err_q  <= 1'b0;
            wait_q <= 5'd0;
            sp_q   <= 2'd0;
        end else if (start) begin
            run_q  <= 1'b1;
            busy_q <= 1'b1;
            err_q  <= 1'b0;
            wait_q <= 5'd0;
            sp_q   <= 2'd0;
        end else if (fault) begin
            run_q  <= 1'b0;
            busy_q <= 1'b0;
            err_q  <= 1'b1;
        end else if (run_q) begin
            wait_q <= last ? 5'd0 : wait_q + 5'd1;
            if (op == U_MUL) mul_q <= mul_acc;
            if (op == U_CDIV) mul_q <= {div_rem, div_quo};
            if (last) begin
                if (cres_we) c_q[f_d[1:0]] <= cres;
                if (op == U_DONE) begin
                    run_q  <= 1'b0;
                    busy_q <= 1'b0;
                end else if (op == U_LOOP) begin
                    if (ca != 32'd0) begin
                        ls_start_q[sp_q] <= pc_q + 1'b1;
                        ls_end_q[sp_q]   <= imm[UA-1:0];
                        ls_left_q[sp_q]  <= ca;
                        ls_ab_q[sp_q]    <= uop_q[47:40];
                        sp_q <= sp_q + 2'd1;
                    end
                end else if (at_end) begin
                    if (ls_left_q[top] > 32'd1)
                        ls_left_q[top] <= ls_left_q[top] - 32'd1;
                    else
                        sp_q <= top;
                end
            end
        end
    end

`ifndef SYNTHESIS
    always @(posedge clk)
        if (!rst && run_q && last && op == U_LOOP && ca != 32'd0)
            assert (sp_q != 2'd3) else $error("cw_serial_engine: loops nested deeper than 3");
`endif
endmodule

`default_nettype wire
