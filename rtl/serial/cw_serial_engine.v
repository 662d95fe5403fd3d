// cw_serial_engine - the serial core's micro-engine (docs/serial.md): it
// runs one microprogram from the microcode ROM, one micro-operation a
// cycle, as host/ucode.c defines them and with the cycles cw_uop_cycles()
// gives (LD 2, MUL 4, CDIV 16, the rest 1; a loop's end costs nothing).
//
// The ROM image is generated from host/ucode_ops.c (cw_uc_rom_build(): 40
// bits a word, op, d, a, b, space/field in bits 21:0, a 14-bit immediate in
// 36:23 or, with bit 22, the index of a 64-bit constant in the pool; a
// LOOP's imm is the address of its body's last word). It is read
// synchronously: the word for the next cycle is addressed by pc_d, which
// the operation completing this cycle decides, so the engine needs no
// bubble after a taken loop.
//
// Memories are outside, behind one port: a read (m_re) returns its word on
// m_rdata in the next cycle; a write (m_we) takes effect at the clock edge;
// m_err flags an access outside its memory in the same cycle. Fields come
// through fld_sel / fld_val (sign-extended, combinational).
//
// This is the engine's first form: the datapath is written for clarity,
// not yet for the iCE40's LUTs (docs/serial.md, "The RTL").
`default_nettype none

module cw_serial_engine #(
    parameter integer UCODE_WORDS = 2048,       // ROM words (a power of two)
    parameter         UCODE_HEX   = "cw_serial_ucode.hex",
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
    reg [39:0] rom [0:UCODE_WORDS-1];
    reg [63:0] pool [0:63];
    initial begin
        $readmemh(UCODE_HEX, rom);
        $readmemh(POOL_HEX, pool);
    end

    reg  [39:0]   uop_q;
    reg  [UA-1:0] pc_q;
    reg  [UA-1:0] pc_d;
    reg           run_q;             // uop_q is the operation of this cycle

    wire [4:0]  op    = uop_q[4:0];
    wire [3:0]  f_d   = uop_q[8:5];
    wire [3:0]  f_a   = uop_q[12:9];
    wire [3:0]  f_b   = uop_q[16:13];
    wire [4:0]  f_sel = uop_q[21:17];
    wire [63:0] imm   = uop_q[22] ? pool[uop_q[28:23]] : {{50{uop_q[36]}}, uop_q[36:23]};
    wire        unused_ok = &{1'b0, uop_q[39:37]};   // bits 39:37 are reserved

    // ---------------------------------------------------------- registers
    reg  [63:0] r_q [1:15];
    reg  [31:0] c_q [0:3];
    wire [63:0] ra = f_a == 4'd0 ? 64'd0 : r_q[f_a];
    wire [63:0] rb = f_b == 4'd0 ? 64'd0 : r_q[f_b];
    wire [31:0] ca = c_q[f_a[1:0]];
    wire [31:0] cb = c_q[f_b[1:0]];

    // the loop stack
    reg  [UA-1:0] ls_start_q [0:3];   // 3 deep; entry 3 is never pushed
    reg  [UA-1:0] ls_end_q   [0:3];
    reg  [31:0]   ls_left_q  [0:3];
    reg  [1:0]    sp_q;
    wire [1:0]    top = sp_q - 2'd1;

    // a multi-cycle operation's cycles so far
    reg  [3:0]  wait_q;
    wire [3:0]  extra = op == U_LD ? 4'd1 : op == U_MUL ? 4'd3 : op == U_CDIV ? 4'd15 : 4'd0;
    wire        last  = run_q && wait_q == extra;     // the operation completes this cycle

    // ---------------------------------------------------------- datapath
    function automatic [63:0] sat(input [63:0] x, input [63:0] lim);
        begin
            if ($signed(x) > $signed(lim))
                sat = lim;
            else if ($signed(x) < -$signed(lim))
                sat = -lim;
            else
                sat = x;
        end
    endfunction

    function automatic [63:0] bitlen(input [63:0] v);
        reg [6:0] k;
        begin
            bitlen = 64'd0;
            for (k = 7'd0; k < 7'd64; k = k + 7'd1)
                if (v[k[5:0]]) bitlen = {57'd0, k + 7'd1};
        end
    endfunction

    // a shift amount clamped to [-64, 64], as host/ucode.c does
    function automatic signed [63:0] clamp64(input [63:0] s);
        begin
            if ($signed(s) > 64)       clamp64 = 64;
            else if ($signed(s) < -64) clamp64 = -64;
            else                       clamp64 = $signed(s);
        end
    endfunction

    // MUL in its 4 cycles: the low 64 bits of a 64 x 64 product from three
    // 32 x 32 ones (the high halves' product falls outside them), one a
    // cycle through a single multiplier, summed in mul_q; the sum is
    // complete in the fourth cycle (mul_acc).
    reg  [63:0] mul_q;
    wire [31:0] mul_x = wait_q == 4'd2 ? ra[63:32] : ra[31:0];
    wire [31:0] mul_y = wait_q == 4'd1 ? rb[63:32] : rb[31:0];
    wire [63:0] mul_p = mul_x * mul_y;
    wire [63:0] mul_acc = wait_q == 4'd0 ? mul_p :
                          wait_q == 4'd3 ? mul_q : mul_q + {mul_p[31:0], 32'd0};

    // CDIV in its 16 cycles: a restoring divider, two quotient bits a cycle
    // (the dividend's bits leave div_quo at the top as the quotient's enter
    // at the bottom); the quotient is complete in the sixteenth cycle.
    reg  [31:0] div_rem_q, div_quo_q;
    reg  [31:0] div_rem, div_quo;
    reg  [32:0] div_t;
    integer     div_i;
    always @* begin
        div_rem = wait_q == 4'd0 ? 32'd0 : div_rem_q;
        div_quo = wait_q == 4'd0 ? ca : div_quo_q;
        for (div_i = 0; div_i < 2; div_i = div_i + 1) begin
            div_t = {div_rem, div_quo[31]};
            if (div_t >= {1'b0, cb}) begin
                div_t   = div_t - {1'b0, cb};
                div_quo = {div_quo[30:0], 1'b1};
            end else begin
                div_quo = {div_quo[30:0], 1'b0};
            end
            div_rem = div_t[31:0];
        end
    end

    wire [63:0] mag_a = ra[63] ? -ra : ra;
    wire        shsat_big = mag_a >= (64'd1 << 62);   // the kernels' |v| < 2^62

    // One shifter pair serves every shift operation. The right shifter is
    // arithmetic and rounds half up when asked (cw_rshift_round: amounts of
    // 0 and below leave the value, 63 and above give 0); the left shifter's
    // overflow in SHSAT is found from the bit length, not from a shifted
    // bound: with |v| >= 2^(b-1), b + s >= 63 means |v| 2^s >= 2^62 > lim,
    // and below that v << s is exact, so saturating it is cw_shift_sat's
    // result.
    wire signed [63:0] s_reg = clamp64(rb);
    wire signed [63:0] s_imm = clamp64(imm);
    reg  signed [63:0] rr_s;      // the rounding shifts' amount
    reg  [5:0]  rr_n;
    reg         rr_rnd, rr_none, rr_zero;
    always @* begin
        rr_s    = op == U_SHSAT ? -s_reg : op == U_SRR ? s_reg : s_imm;
        rr_rnd  = op == U_SRR || op == U_SRRI || op == U_SHSAT;
        rr_none = rr_rnd && rr_s <= 0;
        rr_zero = rr_rnd && rr_s >= 63;
        rr_n    = op == U_SRAI ? imm[5:0] : op == U_SRA ? rb[5:0] : rr_s[5:0];
    end
    wire [63:0] rr_bias = rr_rnd && !rr_none && !rr_zero ? 64'd1 << (rr_n - 6'd1) : 64'd0;
    wire [63:0] rr_sh   = $signed(ra + rr_bias) >>> rr_n;   // alone: an arithmetic shift
    wire [63:0] rr_out  = rr_none ? ra : rr_zero ? 64'd0 : rr_sh;
    wire [5:0]  ll_n    = op == U_SLLI ? imm[5:0] : op == U_SLL ? rb[5:0] : s_reg[5:0];
    wire [63:0] ll_out  = ra << ll_n;
    wire [63:0] bl      = bitlen(op == U_SHSAT ? mag_a : ra);
    wire [63:0] lim_s   = ra[63] ? -imm : imm;           // the bound with v's sign
    wire [63:0] sh_sat  = sat(s_reg <= 0 ? rr_out : ll_out, imm);
    reg  [63:0] shsat;
    always @* begin
        if (s_reg <= 0)
            shsat = sh_sat;
        else if (s_reg >= 62)
            shsat = ra == 64'd0 ? 64'd0 : lim_s;
        else if ($signed(bl) + s_reg >= 63)
            shsat = lim_s;
        else
            shsat = sh_sat;
    end
    reg  [63:0] res;              // the register result of a one-cycle operation
    reg         res_we;
    always @* begin
        res = 64'd0;
        res_we = f_d != 4'd0;
        case (op)
            U_ADD:    res = ra + rb;
            U_ADDI:   res = ra + imm;
            U_SUB:    res = ra - rb;
            U_AND:    res = ra & rb;
            U_OR:     res = ra | rb;
            U_SLT:    res = {63'd0, $signed(ra) < $signed(rb)};
            U_SLTI:   res = {63'd0, $signed(ra) < $signed(imm)};
            U_CMOV:   begin res = ra; res_we = f_d != 4'd0 && rb != 64'd0; end
            U_ABS:    res = mag_a;
            U_BITLEN: res = bl;
            U_SLLI, U_SLL:          res = ll_out;
            U_SRAI, U_SRA, U_SRR, U_SRRI: res = rr_out;
            U_SHSAT:  res = shsat;
            U_MUL:    res = mul_acc;
            U_LI:     res = imm;
            U_FLD:    res = fld_val;
            U_MOVC:   res = {32'd0, ca};
            U_LD:     res = m_rdata;
            default:  res_we = 1'b0;
        endcase
    end

    // count results
    wire [63:0] cfld = fld_val + imm;
    reg  [31:0] cres;
    reg         cres_we;
    always @* begin
        cres = 32'd0;
        cres_we = 1'b1;
        case (op)
            U_CFLD:  cres = $signed(cfld) < 0 ? 32'd0 : cfld[31:0];
            U_CSRL:  cres = ca >> imm[4:0];
            U_CSUB:  cres = ca > cb ? ca - cb : 32'd0;
            U_CMUL:  cres = ca * cb;
            U_CDIV:  cres = div_quo;
            default: cres_we = 1'b0;
        endcase
    end

    wire known = op <= U_LOOP || op == U_NEXT || op == U_DONE;
    wire fault = run_q && (!known || ((op == U_LD || op == U_ST) && wait_q == 4'd0 && m_err) ||
                           (op == U_CDIV && cb == 32'd0) || (op == U_SHSAT && shsat_big));

    assign fld_sel  = f_sel;
    assign m_re     = run_q && op == U_LD && wait_q == 4'd0;
    assign m_we     = run_q && op == U_ST;   // the memory refuses it when m_err
    assign m_space  = f_sel;
    assign m_addr   = ra + imm;
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

    integer i;
    always @(posedge clk) begin
        uop_q <= rom[pc_d];
        pc_q  <= pc_d;
        if (rst) begin
            run_q  <= 1'b0;
            busy_q <= 1'b0;
            err_q  <= 1'b0;
            wait_q <= 4'd0;
            sp_q   <= 2'd0;
        end else if (start) begin
            run_q  <= 1'b1;
            busy_q <= 1'b1;
            err_q  <= 1'b0;
            wait_q <= 4'd0;
            sp_q   <= 2'd0;
        end else if (fault) begin
            run_q  <= 1'b0;
            busy_q <= 1'b0;
            err_q  <= 1'b1;
        end else if (run_q) begin
            wait_q <= last ? 4'd0 : wait_q + 4'd1;
            if (op == U_MUL) mul_q <= mul_acc;
            if (op == U_CDIV) begin
                div_rem_q <= div_rem;
                div_quo_q <= div_quo;
            end
            if (last) begin
                if (res_we) r_q[f_d] <= res;
                if (cres_we) c_q[f_d[1:0]] <= cres;
                if (op == U_DONE) begin
                    run_q  <= 1'b0;
                    busy_q <= 1'b0;
                end else if (op == U_LOOP) begin
                    if (ca != 32'd0) begin
                        ls_start_q[sp_q] <= pc_q + 1'b1;
                        ls_end_q[sp_q]   <= imm[UA-1:0];
                        ls_left_q[sp_q]  <= ca;
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
    initial for (i = 1; i < 16; i = i + 1) r_q[i] = 64'd0;
endmodule

`default_nettype wire
