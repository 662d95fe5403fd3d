/*
 * isa.c - instruction encoding, field checks and latencies (docs/isa.md).
 */
#include "error.h"
#include "fileio.h"
#include "isa.h"
#include "ucode.h"

/* --------------------------------------------------------------- encoding
 *
 *   w0: op[7:0] flags[15:8] er_dst[23:16] er_src[31:24]
 *   w1: dst[15:0] src[31:16]
 *   w2: n[15:0] aux[31:16]
 *   w3: a24[23:0] imm[31:24] (signed)
 *   w4: b24[23:0] er_src2[31:24]
 */
void cw_instr_encode(const cw_instr *in, unsigned char out[CW_INSTR_BYTES])
{
    cw_write_le32(out, (uint32_t)in->op | (uint32_t)in->flags << 8 |
                           (uint32_t)in->er_dst << 16 | (uint32_t)in->er_src << 24);
    cw_write_le32(out + 4, (uint32_t)in->dst | (uint32_t)in->src << 16);
    cw_write_le32(out + 8, (uint32_t)in->n | (uint32_t)in->aux << 16);
    cw_write_le32(out + 12, (in->a24 & 0xffffffu) | (uint32_t)(uint8_t)in->imm << 24);
    cw_write_le32(out + 16, (in->b24 & 0xffffffu) | (uint32_t)in->er_src2 << 24);
}

void cw_instr_decode(const unsigned char in[CW_INSTR_BYTES], cw_instr *out)
{
    uint32_t w0 = cw_read_le32(in), w1 = cw_read_le32(in + 4), w2 = cw_read_le32(in + 8);
    uint32_t w3 = cw_read_le32(in + 12), w4 = cw_read_le32(in + 16);
    out->op = (uint8_t)w0;
    out->flags = (uint8_t)(w0 >> 8);
    out->er_dst = (uint8_t)(w0 >> 16);
    out->er_src = (uint8_t)(w0 >> 24);
    out->dst = (uint16_t)w1;
    out->src = (uint16_t)(w1 >> 16);
    out->n = (uint16_t)w2;
    out->aux = (uint16_t)(w2 >> 16);
    out->a24 = w3 & 0xffffffu;
    out->imm = (int8_t)(uint8_t)(w3 >> 24);
    out->b24 = w4 & 0xffffffu;
    out->er_src2 = (uint8_t)(w4 >> 24);
}

const char *cw_op_name(int op)
{
    static const char *const names[CW_OP_COUNT] = {
        "NOP", "EMBED", "RMSNORM", "MATVEC", "NORM16", "HEADS",
        "ATTN", "RESADD", "SILU", "ARGMAX", "END",
    };
    return op >= 0 && op < CW_OP_COUNT ? names[op] : "ILLEGAL";
}

const char *cw_core_error_name(int code)
{
    static const char *const names[CW_CORE_ERR_COUNT] = {
        "none",
        "illegal opcode",
        "vector outside ACT",
        "weights outside WGT",
        "scales outside SCL",
        "constants outside CST",
        "cache outside KV",
        "bad run parameters",
        "16-bit weights on an 8-bit target",
        "exponent registers out of range",
        "watchdog",
        "ORV without its producer",
    };
    return code >= 0 && code < CW_CORE_ERR_COUNT ? names[code] : "unknown";
}

int cw_op_unit(int op)
{
    switch (op) {
    case CW_OP_MATVEC: return CW_UNIT_MATRIX;
    case CW_OP_ATTN: return CW_UNIT_ATTN;
    case CW_OP_NOP:
    case CW_OP_END: return CW_UNIT_SEQ;
    default: return CW_UNIT_VECTOR;
    }
}

const char *cw_unit_name(int unit)
{
    static const char *const names[CW_UNIT_COUNT] = { "sequencer", "matrix", "attention",
                                                      "vector" };
    return unit >= 0 && unit < CW_UNIT_COUNT ? names[unit] : "?";
}

/* -------------------------------------------------------------- latencies */

static uint64_t cd(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

static int clog2(int v)
{
    int n = 0;
    while ((1 << n) < v)
        n++;
    return n;
}

uint64_t cw_instr_latency(const cw_instr *in, int pos, const cw_target_config *t)
{
    /* the serial core: the issue, then the instruction's microprogram */
    if (t->serial)
        return CW_UC_ISSUE_CYCLES + cw_uc_cycles(in, pos, t);
    const uint64_t L = (uint64_t)t->lanes, K = (uint64_t)t->k;
    const uint64_t n = in->n;
    uint64_t body = 0;
    switch (in->op) {
    case CW_OP_NOP:
    case CW_OP_END:
        /* rtl/cw_sequencer.v: the next word is read on the issue cycle and
         * checked in the two cycles after it, so the next issue is 3 cycles on */
        body = 2;
        break;
    case CW_OP_EMBED:
        /* rtl/cw_op_embed.v: max |w| pass over the row's cd(n, K) lines,
         * 1 cycle for the shift, expansion pass one element per cycle
         * (multiply, shift, write): latency cd(n, K) + n + 4 */
        body = cd(n, K) + n + 3;
        break;
    case CW_OP_RMSNORM:
        /* rtl/cw_op_rmsnorm.v: three passes of n reads (OR |x|, one cycle
         * with ORV; squares and t = x*g >> sx; t*y shifted to int16), rsqrt
         * (9 cycles) and the pipeline fills between them: latency = 3n + 15,
         * 2n + 16 with ORV. */
        body = (in->flags & CW_F_ORV) ? 2 * n + 15 : 3 * n + 14;
        break;
    case CW_OP_MATVEC: {
        /* rtl/cw_op_matvec.v: one weight line per cycle; a row block takes
         * max(nc, L) cycles (one ACT write per cycle: with nc < L the issue
         * pauses); the last block's rows are written one per cycle after
         * the pipeline (read, operands, multiply, clog2(K) tree levels,
         * accumulate, acc*mult, rounding shift):
         * latency = (nb-1) max(nc,L) + nc + last + clog2(K) + 5, with
         * nb = cd(rows,L), nc = cd(cols,K), last = rows - (nb-1) L. */
        uint64_t nb = cd(n, L), nc = cd(in->aux, K);
        uint64_t per = nc > L ? nc : L;
        if (nb == 0) /* rows = 0: refused by cw_instr_check() */
            nb = 1;
        body = (nb - 1) * per + nc + (n - (nb - 1) * L) + (uint64_t)clog2(t->k) + 4;
        break;
    }
    case CW_OP_NORM16:
        /* rtl/cw_op_norm16.v: OR pass (n reads; none with ORV), 1 cycle for
         * the shift, shift pass (n reads, data through the shifter into a
         * register, then written): latency 2n + 4, n + 4 with ORV */
        body = (in->flags & CW_F_ORV) ? n + 3 : 2 * n + 3;
        break;
    case CW_OP_HEADS: {
        /* rtl/cw_op_heads.v: each head's hs values are read once (one per
         * cycle, heads back to back, hs = aux >= 2, even) into a buffer;
         * the norm16 shift (and with ROPE the rotation, then the second
         * norm16 from a second buffer) follow one and two heads behind:
         * latency = (n + 1) hs + 4, with ROPE (n + 2) hs + 8. */
        uint64_t hs = in->aux;
        body = (in->flags & CW_F_ROPE) ? (n + 2) * hs + 7 : (n + 1) * hs + 3;
        break;
    }
    case CW_OP_ATTN: {
        /* rtl/cw_op_attn.v: per head, scores (K MACs, hs/K cycles per
         * position), then exp + weighted sum of v (K lanes, hs/K cycles per
         * position), then the normalization (2 hs cycles); head h+1 starts
         * one slot D after head h, so the three overlap; then the final
         * alignment pass writes n*hs values. n = heads, aux = head size. */
        const uint64_t P = (uint64_t)pos + 1, hs = in->aux, C = cd(hs, K);
        const uint64_t pc = P * C, sa = pc + 6, sb = 2 * hs + C + 7;
        const uint64_t D = sa > sb ? sa : sb;
        body = (n ? n - 1 : 0) * D + 2 * pc + (n + 2) * hs + 25;
        break;
    }
    case CW_OP_RESADD:
        /* rtl/cw_op_resadd.v: OR pass over b (n reads; with ORV none, one
         * cycle instead), add pass (x and b, 2n reads, sums written back),
         * renormalization pass (n reads and writes), 6 cycles of gaps and
         * pipeline: latency 4n + 6, 3n + 7 with ORV */
        body = (in->flags & CW_F_ORV) ? 3 * n + 6 : 4 * n + 5;
        break;
    case CW_OP_SILU:
        /* rtl/cw_op_silu.v: a from ACT, b from XBUF, one element per cycle
         * through a 5-stage pipeline (shift, sigmoid table, interpolation,
         * gate product, write): latency n + 6 */
        body = n + 5;
        break;
    case CW_OP_ARGMAX:
        body = n + 2; /* one read per cycle, one cycle of read latency, the compare */
        break;
    default:
        break;
    }
    return 1 + body;
}

uint64_t cw_program_cycles(const cw_instr *prog, int n, int pos, const cw_target_config *t)
{
    uint64_t c = 0;
    for (int i = 0; i < n; i++)
        c += cw_instr_latency(&prog[i], pos, t);
    return c;
}

/* ------------------------------------------------------------------ checks */

/* The core's ORV register holds the OR of |v| over the ACT writes of the
 * instruction before; it is the OR of src only when that instruction wrote
 * exactly src, each value once (MATVEC, SILU, EMBED) or once after RESADD
 * clears the register before its last pass. */
/* The opcodes whose flags bit 3 is ORV (on the others it means nothing). */
static int orv_op(int op)
{
    return op == CW_OP_NORM16 || op == CW_OP_RESADD || op == CW_OP_RMSNORM;
}

int cw_orv_ok(const cw_instr *in, const cw_instr *prev)
{
    if (!orv_op(in->op))
        return 0;
    if (!prev || prev->dst != in->src || prev->n != in->n)
        return 0;
    /* RMSNORM reads int32 and takes the OR's low 32 bits: only producers of
     * int32 values (the residual), not MATVEC's or SILU's wide ones. The
     * sequencer's error 11 does not make this distinction; this check is the
     * narrower rule, applied by the loader and the ref device. */
    if (in->op == CW_OP_RMSNORM)
        return prev->op == CW_OP_EMBED || prev->op == CW_OP_RESADD;
    return prev->op == CW_OP_MATVEC || prev->op == CW_OP_SILU || prev->op == CW_OP_EMBED ||
           prev->op == CW_OP_RESADD;
}

int cw_instr_check(const cw_instr *in, const cw_instr *prev, int index,
                   const cw_target_config *t)
{
    const char *name = cw_op_name(in->op);
    const uint32_t act = (uint32_t)t->act_depth;
#define BAD(...) return cw_fail(CW_ERR_FORMAT, __VA_ARGS__)
#define SPAN(field, len)                                                                    \
    do {                                                                                    \
        if ((uint32_t)(field) + (uint32_t)(len) > act)                                      \
            BAD("instruction %d (%s): %s %u + %u is outside the vector scratch (%u words)", \
                index, name, #field, (unsigned)(field), (unsigned)(len), act);              \
    } while (0)
    if (in->op >= CW_OP_COUNT)
        BAD("instruction %d: illegal opcode %u", index, in->op);
    switch (in->op) {
    case CW_OP_EMBED:
    case CW_OP_NORM16:
    case CW_OP_RESADD:
    case CW_OP_RMSNORM:
    case CW_OP_SILU:
        if (in->n == 0)
            BAD("instruction %d (%s): zero length", index, name);
        SPAN(in->dst, in->n);
        SPAN(in->src, in->n);
        if (in->op == CW_OP_SILU)
            SPAN(in->aux, in->n);
        if (in->op == CW_OP_RMSNORM && in->a24 + 3u + in->n > (uint32_t)t->cst_depth)
            BAD("instruction %d (%s): gains at %u are outside the constants (%d words)",
                index, name, in->a24, t->cst_depth);
        if (orv_op(in->op) && (in->flags & CW_F_ORV) && !cw_orv_ok(in, prev))
            BAD("instruction %d (%s): ORV needs the instruction that wrote src %u + %u "
                "right before it (%s)", index, name, (unsigned)in->src, (unsigned)in->n,
                in->op == CW_OP_RMSNORM ? "EMBED or RESADD" : "MATVEC, SILU, EMBED or RESADD");
        break;
    case CW_OP_MATVEC:
        if (in->n == 0 || in->aux == 0)
            BAD("instruction %d (%s): zero rows or columns", index, name);
        SPAN(in->dst, in->n);
        SPAN(in->src, in->aux);
        if ((uint64_t)in->a24 + cd(in->n, (uint64_t)t->lanes) * cd(in->aux, (uint64_t)t->k) >
            (uint64_t)t->wgt_lines)
            BAD("instruction %d (%s): weights at line %u run past the weight memory (%d lines)",
                index, name, in->a24, t->wgt_lines);
        if ((uint64_t)in->b24 + in->n > (uint64_t)t->scl_depth)
            BAD("instruction %d (%s): scales at %u run past the scale memory (%d entries)",
                index, name, in->b24, t->scl_depth);
        if ((in->flags & CW_F_W16) && t->wbits < 16)
            BAD("instruction %d (%s): 16-bit weights on a %d-bit target", index, name, t->wbits);
        break;
    case CW_OP_HEADS:
    case CW_OP_ATTN:
        if (in->n == 0 || in->aux == 0 || in->aux % 2 != 0 || in->aux % (unsigned)t->k != 0)
            BAD("instruction %d (%s): %u heads of %u (a head size is even and a multiple of "
                "k = %d)", index, name, in->n, in->aux, t->k);
        if (in->aux > CW_MAX_HEAD_SIZE)
            BAD("instruction %d (%s): head size %u: the attention unit holds at most %d",
                index, name, in->aux, CW_MAX_HEAD_SIZE);
        SPAN(in->dst, (uint32_t)in->n * in->aux);
        SPAN(in->src, (uint32_t)in->n * in->aux);
        if ((uint32_t)in->er_dst + in->n > 256 || (uint32_t)in->er_src + in->n > 256)
            BAD("instruction %d (%s): exponent registers out of range", index, name);
        /* every kv head serves the same number of query heads */
        if (in->op == CW_OP_ATTN && (in->a24 == 0 || in->n % in->a24 != 0))
            BAD("instruction %d (%s): %u heads over %u kv heads (each kv head serves the "
                "same number of heads)", index, name, in->n, in->a24);
        break;
    case CW_OP_ARGMAX:
        if (in->n == 0)
            BAD("instruction %d (%s): zero length", index, name);
        SPAN(in->src, in->n);
        break;
    default:
        break;
    }
#undef SPAN
#undef BAD
    return CW_OK;
}
