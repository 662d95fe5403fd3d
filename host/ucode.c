/*
 * ucode.c - the serial core's micro-engine (ucode.h), in C: executes a
 * microprogram on a cw_ref_core's memories, or walks its control alone to
 * count its cycles. The RTL of the serial core is checked against this.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
/* cw_fixed.h's bit length carries a Vitis HLS pragma */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#endif
#include "cw_fixed.h"
#include "cw_tables.h"
#include "error.h"
#include "fileio.h"
#include "ref_core.h"
#include "ucode.h"

/* ------------------------------------------------------------- timing */

int cw_uop_cycles(const cw_uop *u)
{
    /* ACT and SCR hold 64-bit words in the serial core's 32-bit data
     * memory: two accesses a word, one cycle more */
    const int wide = (u->op == CW_U_LD || u->op == CW_U_ST) &&
                     (u->imm2 == CW_US_ACT || u->imm2 == CW_US_SCR);
    switch (u->op) {
    case CW_U_ENDL:
        return 0;
    case CW_U_LD:   /* address, then the memory's registered read */
        return 2 + wide;
    case CW_U_ST:
        return 1 + wide;
    case CW_U_MUL:  /* 64 x 64 from 16 x 16 multipliers */
        return 4;
    case CW_U_CDIV: /* a serial divider, one quotient bit a cycle */
        return 32;
    default:
        return 1;
    }
}

/* -------------------------------------------------------------- state */

static int ilog2(int v)
{
    int l = 0;
    while ((1 << (l + 1)) <= v)
        l++;
    return l;
}

#define LOOP_DEPTH 3

typedef struct engine {
    cw_ref_core *c;                 /* NULL: control only (cw_uc_cycles) */
    const cw_target_config *t;
    const cw_instr *in;
    cw_uc_run *rs;
    int64_t *scr;                   /* CW_US_SCR */
    int64_t r[16];
    uint32_t cnt[4];
    uint64_t cycles;
} engine;

static int64_t field(const engine *e, int f)
{
    const cw_instr *in = e->in;
    const cw_target_config *t = e->t;
    switch (f) {
    case CW_UF_N: return in->n;
    case CW_UF_AUX: return in->aux;
    case CW_UF_DST: return in->dst;
    case CW_UF_SRC: return in->src;
    case CW_UF_A24: return in->a24;
    case CW_UF_B24: return in->b24;
    case CW_UF_IMM: return in->imm;
    case CW_UF_FLAGS: return in->flags;
    case CW_UF_ER_DST: return in->er_dst;
    case CW_UF_ER_SRC: return in->er_src;
    case CW_UF_ER_SRC2: return in->er_src2;
    case CW_UF_POS: return e->rs->pos;
    case CW_UF_TOK: return e->rs->tok;
    case CW_UF_NPROMPT: return e->rs->n_prompt;
    case CW_UF_LANES: return t->lanes;
    case CW_UF_K: return t->k;
    case CW_UF_LOG2_LANES: return ilog2(t->lanes);
    case CW_UF_LOG2_K: return ilog2(t->k);
    case CW_UF_LINE_BYTES: return t->lanes * t->k * t->wbits / 8;
    case CW_UF_WBYTES: return t->wbits / 8;
    case CW_UF_MAX_CTX: return t->max_ctx;
    case CW_UF_KVBITS: return t->kvbits;
    case CW_UF_ONE: return 1;
    default: return 0;
    }
}

/* The words of a space, and its storage. */
static uint64_t space_size(const cw_ref_core *c, int s)
{
    const cw_target_config *t = &c->t;
    switch (s) {
    case CW_US_ACT: return (uint64_t)t->act_depth;
    case CW_US_ER: return 256;
    case CW_US_W8: return c->mem_bytes[CW_REG_WGT];
    case CW_US_W16: return c->mem_bytes[CW_REG_WGT] - 1;
    case CW_US_SCL: return (uint64_t)t->scl_depth;
    case CW_US_CST: return (uint64_t)t->cst_depth;
    case CW_US_KC: case CW_US_VC: return (uint64_t)t->kv_depth;
    case CW_US_KE: case CW_US_VE: return cw_kve_depth(t);
    case CW_US_PROMPT: return (uint64_t)t->max_ctx;
    case CW_US_EXP2: return sizeof cw_exp2_tab / sizeof cw_exp2_tab[0];
    case CW_US_RSQRT: return sizeof cw_rsqrt_tab / sizeof cw_rsqrt_tab[0];
    case CW_US_RECIP: return sizeof cw_recip_tab / sizeof cw_recip_tab[0];
    case CW_US_SIN: return sizeof cw_sin_tab / sizeof cw_sin_tab[0];
    case CW_US_SIG: return sizeof cw_sigmoid_tab / sizeof cw_sigmoid_tab[0];
    case CW_US_SCR: return CW_UC_SCR_WORDS + (uint64_t)t->max_ctx;
    default: return 0;
    }
}

/* A word address inside space s. A 16-bit weight must be at an even byte
 * address, inside one 32-bit word (the serial core reads one word of WGT a
 * cycle); the microprograms read them so. */
static int in_space(const cw_ref_core *c, int s, int64_t a)
{
    return a >= 0 && (uint64_t)a < space_size(c, s) && !(s == CW_US_W16 && (a & 1));
}

static int64_t mem_read(const cw_ref_core *c, const int64_t *scr, int s, uint64_t a)
{
    const unsigned char *w = c->mem[CW_REG_WGT];
    switch (s) {
    case CW_US_ACT: return c->act[a];
    case CW_US_ER: return c->er[a];
    case CW_US_W8: return (int8_t)w[a];
    case CW_US_W16: return (int16_t)(w[a] | w[a + 1] << 8);
    case CW_US_SCL: return cw_read_le32(c->mem[CW_REG_SCL] + 4 * a);
    case CW_US_CST: return cw_read_le32s(c->mem[CW_REG_CST] + 4 * a);
    case CW_US_KC: return c->kc[a];
    case CW_US_VC: return c->vc[a];
    case CW_US_KE: return c->ke[a];
    case CW_US_VE: return c->ve[a];
    case CW_US_PROMPT: return cw_read_le32s(c->mem[CW_REG_PROMPT] + 4 * a);
    case CW_US_EXP2: return cw_exp2_tab[a];
    case CW_US_RSQRT: return cw_rsqrt_tab[a];
    case CW_US_RECIP: return cw_recip_tab[a];
    case CW_US_SIN: return cw_sin_tab[a];
    case CW_US_SIG: return cw_sigmoid_tab[a];
    case CW_US_SCR: return scr[a];
    default: return 0;
    }
}

/* Stores into the writable spaces; 0, or -1 for a read-only one. */
static int mem_write(cw_ref_core *c, int64_t *scr, int s, uint64_t a, int64_t v)
{
    switch (s) {
    case CW_US_ACT: c->act[a] = v; return 0;
    case CW_US_ER: c->er[a] = (int32_t)v; return 0;
    case CW_US_KC: c->kc[a] = (int16_t)v; return 0;
    case CW_US_VC: c->vc[a] = (int16_t)v; return 0;
    case CW_US_KE: c->ke[a] = (int16_t)v; return 0; /* 16 bits in the RTL */
    case CW_US_VE: c->ve[a] = (int16_t)v; return 0;
    case CW_US_SCR: scr[a] = v; return 0;
    default: return -1;
    }
}

/* ---------------------------------------------------------- execution */

/* The index of the ENDL that closes the loop opened at p[pc], or -1. */
static int loop_end(const cw_uop *p, int n, int pc)
{
    int depth = 0;
    for (int i = pc + 1; i < n; i++) {
        if (p[i].op == CW_U_LOOP)
            depth++;
        else if (p[i].op == CW_U_ENDL && depth-- == 0)
            return i;
    }
    return -1;
}

static int fail(const engine *e, int pc, const char *what)
{
    return cw_fail(CW_ERR_DEVICE, "serial core: %s (%s, micro-operation %d)", what,
                   cw_op_name(e->in->op), pc);
}

/* a shift amount clamped to [-64, 64] (the RTL's 8-bit amounts) */
static int shift_amount(int64_t s)
{
    return s > 64 ? 64 : s < -64 ? -64 : (int)s;
}

/* One data operation of p[pc] (not control, not counts). */
static int data_op(engine *e, const cw_uop *u, int pc)
{
    int64_t *r = e->r;
    const int64_t a = r[u->a & 15], b = r[u->b & 15];
    int64_t v = 0;
    switch (u->op) {
    case CW_U_ADD: v = (int64_t)((uint64_t)a + (uint64_t)b); break;
    case CW_U_ADDI: v = (int64_t)((uint64_t)a + (uint64_t)u->imm); break;
    case CW_U_SUB: v = (int64_t)((uint64_t)a - (uint64_t)b); break;
    case CW_U_AND: v = a & b; break;
    case CW_U_OR: v = a | b; break;
    case CW_U_SLT: v = a < b; break;
    case CW_U_SLTI: v = a < u->imm; break;
    case CW_U_CMOV: v = b ? a : r[u->d & 15]; break;
    case CW_U_ABS: v = (int64_t)cw_abs64(a); break;
    case CW_U_BITLEN: v = cw_bitlen((uint64_t)a); break;
    case CW_U_SLLI: v = (int64_t)((uint64_t)a << (u->imm & 63)); break;
    case CW_U_SRAI: v = a >> (u->imm & 63); break;
    case CW_U_SLL: v = (int64_t)((uint64_t)a << (b & 63)); break;
    case CW_U_SRA: v = a >> (b & 63); break;
    case CW_U_SRR: v = cw_rshift_round(a, shift_amount(b)); break;
    case CW_U_SRRI: v = cw_rshift_round(a, shift_amount(u->imm)); break;
    case CW_U_SHSAT: {
        int s = shift_amount(b);
        /* the kernels' contract: |v| < 2^62 */
        if (cw_abs64(a) >= (uint64_t)1 << 62)
            return fail(e, pc, "SHSAT operand beyond 2^62");
        v = cw_shift_sat(a, s, u->imm);
        break;
    }
    case CW_U_MUL: v = (int64_t)((uint64_t)a * (uint64_t)b); break;
    case CW_U_LI: v = u->imm; break;
    case CW_U_FLD: v = field(e, u->imm2); break;
    case CW_U_MOVC: v = e->cnt[u->a & 3]; break;
    case CW_U_LD:
    case CW_U_ST: {
        uint64_t addr = (uint64_t)a + (uint64_t)u->imm; /* wraps, as the RTL's adder */
        int s = cw_uc_space(e->in, u->imm2);
        if (!in_space(e->c, s, (int64_t)addr))
            return fail(e, pc, "memory access out of range");
        if (u->op == CW_U_ST)
            return mem_write(e->c, e->scr, s, addr, b)
                       ? fail(e, pc, "store to a read-only memory") : CW_OK;
        v = mem_read(e->c, e->scr, s, addr);
        break;
    }
    case CW_U_NEXT:
        e->rs->next = (int)a;
        return CW_OK;
    default:
        return fail(e, pc, "unknown micro-operation");
    }
    if ((u->d & 15) != 0)
        r[u->d & 15] = v;
    return CW_OK;
}

/* Runs p (n operations) from its start to DONE; data operations only when
 * e->c is set. */
static int run(engine *e, const cw_uop *p, int n)
{
    struct { int start, end; uint32_t left; } stack[LOOP_DEPTH];
    int sp = 0;
    for (int pc = 0; pc < n;) {
        const cw_uop *u = &p[pc];
        e->cycles += (uint64_t)cw_uop_cycles(u);
        switch (u->op) {
        case CW_U_DONE:
            return sp == 0 ? CW_OK : fail(e, pc, "DONE inside a loop");
        case CW_U_LOOP: {
            int end = loop_end(p, n, pc);
            if (end < 0 || sp == LOOP_DEPTH)
                return fail(e, pc, end < 0 ? "LOOP without ENDL" : "loops nested too deep");
            uint32_t k = e->cnt[u->a & 3];
            if (k == 0) {
                pc = end + 1;
                continue;
            }
            stack[sp].start = pc + 1;
            stack[sp].end = end;
            stack[sp].left = k;
            sp++;
            pc++;
            continue;
        }
        case CW_U_ENDL:
            if (sp == 0 || stack[sp - 1].end != pc)
                return fail(e, pc, "ENDL without LOOP");
            if (--stack[sp - 1].left) {
                pc = stack[sp - 1].start;
                continue;
            }
            sp--;
            pc++;
            continue;
        case CW_U_CFLD: {
            int64_t v = field(e, u->imm2) + u->imm;
            e->cnt[u->d & 3] = v < 0 ? 0 : (uint32_t)v;
            break;
        }
        case CW_U_CSRL:
            e->cnt[u->d & 3] = e->cnt[u->a & 3] >> (u->imm & 31);
            break;
        case CW_U_CSUB:
            e->cnt[u->d & 3] = e->cnt[u->a & 3] > e->cnt[u->b & 3]
                                   ? e->cnt[u->a & 3] - e->cnt[u->b & 3] : 0;
            break;
        case CW_U_CMUL:
            e->cnt[u->d & 3] = e->cnt[u->a & 3] * e->cnt[u->b & 3];
            break;
        case CW_U_CDIV:
            if (e->cnt[u->b & 3] == 0)
                return fail(e, pc, "count division by zero");
            e->cnt[u->d & 3] = e->cnt[u->a & 3] / e->cnt[u->b & 3];
            break;
        default:
            if (e->c) {
                int rc = data_op(e, u, pc);
                if (rc != CW_OK)
                    return rc;
            }
            break;
        }
        pc++;
    }
    return fail(e, n, "microprogram without DONE");
}

int cw_uc_exec(cw_ref_core *c, const cw_instr *in, cw_uc_run *rs, uint64_t *cycles)
{
    int n;
    const cw_uop *p = cw_uc_program(in, &c->t, &n);
    *cycles = 0;
    if (!p)
        return in->op == CW_OP_NOP || in->op == CW_OP_END
                   ? CW_OK
                   : cw_fail(CW_ERR_DEVICE, "serial core: no microprogram for opcode %u", in->op);
    return cw_uc_exec_program(c, p, n, in, rs, cycles);
}

int cw_uc_exec_program(cw_ref_core *c, const cw_uop *p, int n, const cw_instr *in,
                       cw_uc_run *rs, uint64_t *cycles)
{
    engine e;
    memset(&e, 0, sizeof e);
    e.c = c;
    e.t = &c->t;
    e.in = in;
    e.rs = rs;
    *cycles = 0;
    e.scr = calloc(CW_UC_SCR_WORDS + (size_t)c->t.max_ctx, sizeof *e.scr);
    if (!e.scr)
        return cw_fail(CW_ERR_NO_MEMORY, "serial core: out of memory");
    int rc = run(&e, p, n);
    *cycles = e.cycles;
    free(e.scr);
    return rc;
}

uint64_t cw_uc_cycles(const cw_instr *in, int pos, const cw_target_config *t)
{
    int n;
    const cw_uop *p = cw_uc_program(in, t, &n);
    if (!p)
        return 0;
    cw_uc_run rs = { pos, 0, -1, 1 };
    engine e;
    memset(&e, 0, sizeof e);
    e.t = t;
    e.in = in;
    e.rs = &rs;
    return run(&e, p, n) == CW_OK ? e.cycles : 0;
}

/* ---------------------------------------------------- the RTL's view */

int64_t cw_uc_field(const cw_instr *in, const cw_uc_run *rs, const cw_target_config *t, int f)
{
    engine e;
    memset(&e, 0, sizeof e);
    e.t = t;
    e.in = in;
    e.rs = (cw_uc_run *)rs; /* read only */
    return field(&e, f);
}

const uint32_t *cw_uc_table(int space, int *n)
{
#define TAB(t) (*n = (int)(sizeof t / sizeof t[0]), t)
    switch (space) {
    case CW_US_EXP2: return TAB(cw_exp2_tab);
    case CW_US_RSQRT: return TAB(cw_rsqrt_tab);
    case CW_US_RECIP: return TAB(cw_recip_tab);
    case CW_US_SIN: return TAB(cw_sin_tab);
    case CW_US_SIG: return TAB(cw_sigmoid_tab);
    default: *n = 0; return NULL;
    }
#undef TAB
}

#define TAB_N(t) (sizeof t / sizeof t[0])
_Static_assert(TAB_N(cw_exp2_tab) + TAB_N(cw_rsqrt_tab) + TAB_N(cw_recip_tab) + TAB_N(cw_sin_tab) +
                       TAB_N(cw_sigmoid_tab) ==
                   CW_UC_TAB_WORDS,
               "CW_UC_TAB_WORDS is the five tables' words");
#undef TAB_N

int cw_uc_space(const cw_instr *in, int space)
{
    const int vc = in->op == CW_OP_HEADS && !(in->flags & CW_F_DST_KC) &&
                   (in->flags & CW_F_DST_VC);
    if (vc && space == CW_US_KC)
        return CW_US_VC;
    if (vc && space == CW_US_KE)
        return CW_US_VE;
    return space;
}

int cw_uc_tables(uint32_t *out)
{
    int words = 0;
    for (int s = CW_US_EXP2; s <= CW_US_SIG; s++) {
        int n;
        const uint32_t *tab = cw_uc_table(s, &n);
        if (out)
            memcpy(out + words, tab, (size_t)n * sizeof *tab);
        words += n;
    }
    return words;
}

int cw_uc_mem_read(struct cw_ref_core *c, int space, int64_t addr, int64_t *v)
{
    if (space < 0 || space >= CW_US_COUNT || space == CW_US_SCR || !in_space(c, space, addr))
        return cw_fail(CW_ERR_DEVICE, "serial core: read of word %lld of memory %d",
                       (long long)addr, space);
    *v = mem_read(c, NULL, space, (uint64_t)addr);
    return CW_OK;
}

int cw_uc_mem_write(struct cw_ref_core *c, int space, int64_t addr, int64_t v)
{
    if (space < 0 || space >= CW_US_COUNT || space == CW_US_SCR || !in_space(c, space, addr) ||
        mem_write(c, NULL, space, (uint64_t)addr, v))
        return cw_fail(CW_ERR_DEVICE, "serial core: write of word %lld of memory %d",
                       (long long)addr, space);
    return CW_OK;
}

/* ------------------------------------------------------------ the ROM */

/* The registers an operation reads and writes: bits 0..15 r0..r15, 16..19
 * c0..c3. */
static void uop_regs(const cw_uop *u, unsigned *rd, unsigned *wr)
{
    unsigned a = 1u << (u->a & 15), b = 1u << (u->b & 15), d = 1u << (u->d & 15);
    unsigned ca = 1u << (16 + (u->a & 3)), cb = 1u << (16 + (u->b & 3)), cd = 1u << (16 + (u->d & 3));
    *rd = *wr = 0;
    switch (u->op) {
    case CW_U_ADD: case CW_U_SUB: case CW_U_AND: case CW_U_OR: case CW_U_SLT: case CW_U_SLL:
    case CW_U_SRA: case CW_U_SRR: case CW_U_SHSAT: case CW_U_MUL:
        *rd = a | b, *wr = d; break;
    case CW_U_CMOV: *rd = a | b | d, *wr = d; break;       /* keeps d when b is 0 */
    case CW_U_ADDI: case CW_U_SLTI: case CW_U_ABS: case CW_U_BITLEN: case CW_U_SLLI:
    case CW_U_SRAI: case CW_U_SRRI: case CW_U_LD:
        *rd = a, *wr = d; break;
    case CW_U_LI: case CW_U_FLD: *wr = d; break;
    case CW_U_MOVC: *rd = ca, *wr = d; break;
    case CW_U_ST: *rd = a | b; break;
    case CW_U_NEXT: *rd = a; break;
    case CW_U_CFLD: *wr = cd; break;
    case CW_U_CSRL: *rd = ca, *wr = cd; break;
    case CW_U_CSUB: case CW_U_CMUL: case CW_U_CDIV: *rd = ca | cb, *wr = cd; break;
    case CW_U_LOOP: *rd = ca; break;
    default: break;
    }
}

/* Whether p reads a register that no operation before it is sure to have
 * written (a write inside a loop body counts only inside it: the loop may
 * run 0 times). The RTL keeps its registers from one instruction to the
 * next and host/ucode.c zeroes them, so such a read could differ. */
static int reads_unwritten(const cw_uop *p, int n, int *at)
{
    unsigned def = 1u, saved[LOOP_DEPTH + 1];     /* r0 is always 0 */
    int depth = 0;
    for (int i = 0; i < n; i++) {
        unsigned rd, wr;
        uop_regs(&p[i], &rd, &wr);
        if (rd & ~def) {
            *at = i;
            return 1;
        }
        if (p[i].op == CW_U_LOOP && depth <= LOOP_DEPTH)
            saved[depth++] = def;
        else if (p[i].op == CW_U_ENDL && depth > 0)
            def = saved[--depth];
        else
            def |= wr;
    }
    return 0;
}

static int rom_build(cw_uc_rom *rom, const cw_uop *const *progs, const int *lens, const int *ids,
                     int n_progs, int max);

/* The variants that only a core with 16-bit weight lanes runs */
static int w16_only(int v)
{
    return v == CW_UV_EMBED_W16 || v == CW_UV_EMBED_W16_8 || v == CW_UV_MATVEC_W16 ||
           v == CW_UV_MATVEC_W16_8;
}

int cw_uc_rom_build(cw_uc_rom *rom, int max)
{
    /* the W16 variants last, so that an 8-bit core's ROM is the words
     * before them */
    const cw_uop *progs[CW_UC_VARIANTS];
    int lens[CW_UC_VARIANTS], order[CW_UC_VARIANTS], k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int v = 0; v < CW_UC_VARIANTS; v++)
            if (w16_only(v) == pass)
                order[k++] = v;
    for (int i = 0; i < CW_UC_VARIANTS; i++)
        progs[i] = cw_uc_variant_program(order[i], &lens[i]);
    int rc = rom_build(rom, progs, lens, order, CW_UC_VARIANTS, max);
    if (rc != CW_OK)
        return rc;
    /* n8: the end of the last program an 8-bit core runs */
    int entry[CW_UC_VARIANTS];
    rom->n8 = 0;
    for (int i = 0; i < CW_UC_VARIANTS; i++) {
        entry[order[i]] = rom->entry[i];
        int end = rom->entry[i];
        for (int j = 0; j < lens[i]; j++)
            end += progs[i][j].op != CW_U_ENDL;
        if (!w16_only(order[i]) && end > rom->n8)
            rom->n8 = end;
    }
    memcpy(rom->entry, entry, sizeof entry);
    return CW_OK;
}

int cw_uc_rom_build_from(cw_uc_rom *rom, const cw_uop *const *progs, const int *lens,
                         int n_progs, int max)
{
    return rom_build(rom, progs, lens, NULL, n_progs, max);
}

/* cw_uc_rom_build_from(); ids[i] (NULL: i) names progs[i] in errors */
static int rom_build(cw_uc_rom *rom, const cw_uop *const *progs, const int *lens, const int *ids,
                     int n_progs, int max)
{
    memset(rom, 0, sizeof *rom);
    if (n_progs < 0 || n_progs > CW_UC_VARIANTS)
        return cw_fail(CW_ERR_INVALID_ARG, "microcode ROM: %d programs (at most %d)", n_progs,
                       CW_UC_VARIANTS);
    rom->words = calloc((size_t)max, sizeof *rom->words);
    if (!rom->words)
        return cw_fail(CW_ERR_NO_MEMORY, "microcode ROM: out of memory");
    const char *why = NULL;
    int v, i = 0;
    for (v = 0; v < n_progs; v++) {
        int n = lens[v], addr[1024], depth = 0, same = 0;
        const cw_uop *p = progs[v];
        /* one copy of a program that serves several variants */
        for (int u = 0; u < v && !same; u++)
            if (progs[u] == p && lens[u] == n) {
                rom->entry[v] = rom->entry[u];
                same = 1;
            }
        if (same)
            continue;
        if (n > 1024) {
            why = "longer than 1024 operations";
            break;
        }
        if (reads_unwritten(p, n, &i)) {
            why = "a register read before it is written";
            break;
        }
        rom->entry[v] = rom->n;
        /* addresses first (ENDL takes none), then the words */
        for (int j = 0, a = rom->n; j < n; j++) {
            addr[j] = a;
            a += p[j].op != CW_U_ENDL;
        }
        for (i = 0; i < n && !why; i++) {
            const cw_uop *u = &p[i];
            int64_t imm = u->imm;
            if (u->op == CW_U_ENDL) {
                depth--;
                continue;
            }
            /* counts come from fields and constants, never from data:
             * TOK is the one field that is data (the token generated) */
            if (u->op == CW_U_CFLD && u->imm2 == CW_UF_TOK) {
                why = "a count loaded from TOK, which is data";
                break;
            }
            if (u->op == CW_U_LOOP) {
                int end = loop_end(p, n, i);
                if (depth++ == LOOP_DEPTH)
                    why = "loops nested deeper than 3";
                else if (end < 0)
                    why = "LOOP without ENDL";
                else if (end == i + 1)
                    why = "an empty loop body";
                else if (p[end - 1].op == CW_U_ENDL)
                    why = "two loops ending on one operation";
                else
                    imm = addr[end - 1]; /* the body's last word */
            }
            /* the engine computes FLD (field + imm) and CMOV (a + imm) in
             * its adder: their immediate, which they ignore, is 0 */
            if (u->op == CW_U_FLD || u->op == CW_U_CMOV)
                imm = 0;
            if (!why && rom->n == max)
                why = "the ROM is full";
            /* a 14-bit immediate, or a constant of the pool */
            int pool = imm < -(1 << 13) || imm >= (1 << 13);
            if (!why && pool) {
                int k = 0;
                while (k < rom->n_pool && rom->pool[k] != imm)
                    k++;
                if (k == CW_UC_POOL)
                    why = "more large constants than the pool holds";
                else if (k == rom->n_pool)
                    rom->pool[rom->n_pool++] = imm;
                imm = k;
            }
            if (why)
                break;
            rom->words[rom->n] = (uint64_t)(u->op & 31) | (uint64_t)(u->d & 15) << 5 |
                                 (uint64_t)(u->a & 15) << 9 | (uint64_t)(u->b & 15) << 13 |
                                 (uint64_t)(u->imm2 & 31) << 17 | (uint64_t)pool << 22 |
                                 ((uint64_t)imm & 0x3FFF) << 23;
            rom->n++;
        }
        if (why)
            break;
    }
    if (!why) {
        /* the registers of the word that follows: the next word's, and for
         * a LOOP (d and b) the word's after its body */
        for (int k = 0; k < rom->n; k++) {
            uint64_t *w = &rom->words[k], next = k + 1 < rom->n ? rom->words[k + 1] : 0;
            *w |= (next >> 9 & 0xFF) << 40;
            if ((*w & 31) == CW_U_LOOP) {
                int64_t end = (int64_t)(*w >> 23 & 0x3FFF);
                uint64_t skip = end + 1 < rom->n ? rom->words[end + 1] : 0;
                *w = (*w & ~((uint64_t)15 << 5 | (uint64_t)15 << 13)) |
                     (skip >> 9 & 15) << 5 | (skip >> 13 & 15) << 13;
            }
        }
        rom->n8 = rom->n;
        return CW_OK;
    }
    cw_uc_rom_free(rom);
    return cw_fail(CW_ERR_INVALID_ARG, "microcode ROM: program %d, operation %d: %s (%d words "
                   "at most)", ids ? ids[v] : v, i, why, max);
}

void cw_uc_rom_free(cw_uc_rom *rom)
{
    free(rom->words);
    memset(rom, 0, sizeof *rom);
}
