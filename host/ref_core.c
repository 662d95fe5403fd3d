/*
 * ref_core.c - the ref core: the accelerator's memories and its program
 * executed instruction by instruction. The arithmetic of every instruction
 * is a call into hls/ (the same calls host/forward_int.c makes); this file
 * only moves data between the memories and the kernels and counts cycles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_hls.h"
#include "error.h"
#include "fileio.h"
#include "ref_core.h"

int cw_ref_core_init(cw_ref_core *c, const cw_target_config *t)
{
    memset(c, 0, sizeof *c);
    c->t = *t;
    c->line_bytes = t->lanes * t->k * t->wbits / 8;
    const uint64_t sizes[CW_REG_COUNT] = {
        (uint64_t)t->prog_depth * CW_PROG_STRIDE,
        (uint64_t)t->wgt_lines * (uint64_t)c->line_bytes,
        (uint64_t)t->scl_depth * 4,
        (uint64_t)t->cst_depth * 4,
        (uint64_t)t->max_ctx * 4,
    };
    int ok = 1;
    for (int i = 0; i < CW_REG_COUNT; i++) {
        c->mem_bytes[i] = sizes[i];
        c->mem[i] = calloc((size_t)sizes[i], 1);
        ok &= c->mem[i] != NULL;
    }
    size_t act = (size_t)t->act_depth, kv = (size_t)t->kv_depth;
    c->act = calloc(act, sizeof *c->act);
    c->kc = calloc(kv, sizeof *c->kc);
    c->vc = calloc(kv, sizeof *c->vc);
    c->ke = calloc((size_t)cw_kve_depth(t) + 1, sizeof *c->ke);
    c->ve = calloc((size_t)cw_kve_depth(t) + 1, sizeof *c->ve);
    c->n16a = calloc(act, sizeof *c->n16a);
    c->n16b = calloc(act, sizeof *c->n16b);
    c->n16c = calloc(act, sizeof *c->n16c);
    c->n32 = calloc(act, sizeof *c->n32);
    c->w64a = calloc(act, sizeof *c->w64a);
    c->w64b = calloc(act, sizeof *c->w64b);
    c->scores = calloc((size_t)t->max_ctx, sizeof *c->scores);
    c->probs = calloc((size_t)t->max_ctx, sizeof *c->probs);
    c->mult = calloc(act, sizeof *c->mult);
    c->shift = calloc(act, sizeof *c->shift);
    ok &= c->act && c->kc && c->vc && c->ke && c->ve && c->n16a && c->n16b && c->n16c &&
          c->n32 && c->w64a && c->w64b && c->scores && c->probs && c->mult && c->shift;
    if (!ok) {
        cw_ref_core_free(c);
        return cw_fail(CW_ERR_NO_MEMORY, "ref: cannot allocate the memories of target '%s'",
                       t->name);
    }
    return CW_OK;
}

void cw_ref_core_free(cw_ref_core *c)
{
    for (int i = 0; i < CW_REG_COUNT; i++)
        free(c->mem[i]);
    free(c->act);
    free(c->kc);
    free(c->vc);
    free(c->ke);
    free(c->ve);
    free(c->n16a);
    free(c->n16b);
    free(c->n16c);
    free(c->n32);
    free(c->w64a);
    free(c->w64b);
    free(c->scores);
    free(c->probs);
    free(c->wtmp);
    free(c->mult);
    free(c->shift);
    memset(c, 0, sizeof *c);
}

int cw_ref_core_write(cw_ref_core *c, int region, uint64_t offset, const void *data, uint64_t n)
{
    if (region < 0 || region >= CW_REG_COUNT)
        return cw_fail(CW_ERR_INVALID_ARG, "ref: no memory region %d", region);
    if (offset > c->mem_bytes[region] || n > c->mem_bytes[region] - offset)
        return cw_fail(CW_ERR_INVALID_ARG,
                       "ref: write of %llu bytes at %llu is outside region %d (%llu bytes)",
                       (unsigned long long)n, (unsigned long long)offset, region,
                       (unsigned long long)c->mem_bytes[region]);
    if (n)
        memcpy(c->mem[region] + offset, data, (size_t)n);
    return CW_OK;
}

/* ------------------------------------------------------- data movement */

static void act_to16(const cw_ref_core *c, int16_t *out, uint32_t a, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (int16_t)c->act[a + (uint32_t)i];
}

static void act_from16(cw_ref_core *c, uint32_t a, const int16_t *in, int n)
{
    for (int i = 0; i < n; i++)
        c->act[a + (uint32_t)i] = in[i];
}

static int32_t cst_word(const cw_ref_core *c, uint32_t w)
{
    return cw_read_le32s(c->mem[CW_REG_CST] + 4 * (size_t)w);
}

static void scale_of(const cw_ref_core *c, uint32_t entry, uint16_t *mult, uint8_t *shift)
{
    uint32_t v = cw_read_le32(c->mem[CW_REG_SCL] + 4 * (size_t)entry);
    *mult = (uint16_t)v;
    *shift = (uint8_t)(v >> 16);
}

/* Weight (row r, column col) of the matrix whose lines start at `base`. */
static int weight_at(const cw_ref_core *c, uint32_t base, int cols, int r, int col)
{
    const cw_target_config *t = &c->t;
    uint64_t chunks = ((uint64_t)cols + (uint64_t)t->k - 1) / (uint64_t)t->k;
    uint64_t line = base + (uint64_t)(r / t->lanes) * chunks + (uint64_t)(col / t->k);
    const unsigned char *p = c->mem[CW_REG_WGT] + line * (uint64_t)c->line_bytes +
                             (size_t)((r % t->lanes) * t->k + col % t->k) * (size_t)(t->wbits / 8);
    return t->wbits == 16 ? (int16_t)(p[0] | p[1] << 8) : (int8_t)p[0];
}

/* Unpacks a matrix into row-major c->wtmp (int8 or int16) and its scales. */
static int unpack_matrix(cw_ref_core *c, const cw_instr *in, int w16)
{
    size_t n = (size_t)in->n * in->aux * (w16 ? 2 : 1);
    if (n > c->wtmp_bytes) {
        void *p = realloc(c->wtmp, n);
        if (!p)
            return cw_fail(CW_ERR_NO_MEMORY, "ref: out of memory");
        c->wtmp = p;
        c->wtmp_bytes = n;
    }
    for (int r = 0; r < in->n; r++) {
        for (int col = 0; col < in->aux; col++) {
            int v = weight_at(c, in->a24, in->aux, r, col);
            size_t i = (size_t)r * in->aux + (size_t)col;
            if (w16)
                ((int16_t *)c->wtmp)[i] = (int16_t)v;
            else
                ((int8_t *)c->wtmp)[i] = (int8_t)v;
        }
        scale_of(c, in->b24 + (uint32_t)r, &c->mult[r], &c->shift[r]);
        /* the matvec kernel's contract; memory contents are not trusted */
        if (c->shift[r] < CW_MULT_SHIFT_MIN || c->shift[r] > 62)
            return cw_fail(CW_ERR_DEVICE, "ref: MATVEC scale entry %u has shift %u (%d..62)",
                           (unsigned)(in->b24 + (uint32_t)r), (unsigned)c->shift[r],
                           CW_MULT_SHIFT_MIN);
    }
    return CW_OK;
}

/* ------------------------------------------------------------ execution */

/* The exponents (registers, constants) the ref core accepts: a quarter of
 * the kernels' range, so sums of two and an immediate stay inside it. */
#define EXP_LIM (CW_HLS_MAX_EXP / 4)

typedef struct run_state {
    int pos, tok, next, n_prompt;
} run_state;

static int exec(cw_ref_core *c, const cw_instr *in, run_state *rs)
{
    const cw_target_config *t = &c->t;
    const int n = in->n;
    int32_t *er = c->er;
    /* Programs from the compiler keep every exponent far inside the kernels'
     * range (CW_HLS_MAX_EXP); memory contents are not trusted, so a register
     * that drifts out stops the core rather than breaking a kernel's contract. */
    for (int i = 0; i < (int)(sizeof c->er / sizeof c->er[0]); i++)
        if (er[i] > EXP_LIM || er[i] < -EXP_LIM)
            return cw_fail(CW_ERR_DEVICE, "ref: exponent register %d = %d is out of range "
                           "(instruction %s)", i, (int)er[i], cw_op_name(in->op));
    switch (in->op) {
    case CW_OP_NOP:
    case CW_OP_END:
        return CW_OK;
    case CW_OP_EMBED: {
        int w16 = (in->flags & CW_F_W16) != 0;
        uint16_t mult;
        uint8_t shift;
        uint64_t chunks = ((uint64_t)n + (uint64_t)t->k - 1) / (uint64_t)t->k;
        uint64_t last = in->a24 + ((uint64_t)rs->tok / (uint64_t)t->lanes + 1) * chunks;
        if (rs->tok < 0 || last > (uint64_t)t->wgt_lines ||
            in->b24 + (uint64_t)rs->tok >= (uint64_t)t->scl_depth)
            return cw_fail(CW_ERR_DEVICE, "ref: EMBED of token %d reads outside the weights",
                           rs->tok);
        scale_of(c, in->b24 + (uint32_t)rs->tok, &mult, &shift);
        if (w16) {
            for (int j = 0; j < n; j++)
                c->n16a[j] = (int16_t)weight_at(c, in->a24, n, rs->tok, j);
            cw_hls_embed_w16(c->w64a, c->n16a, mult, n);
        } else {
            int8_t *row = (int8_t *)c->n16a;
            for (int j = 0; j < n; j++)
                row[j] = (int8_t)weight_at(c, in->a24, n, rs->tok, j);
            cw_hls_embed_w8(c->w64a, row, mult, n);
        }
        er[in->er_dst] = cw_hls_norm_res(c->n32, c->w64a, n, in->imm - shift);
        for (int j = 0; j < n; j++)
            c->act[in->dst + (uint32_t)j] = c->n32[j];
        return CW_OK;
    }
    case CW_OP_RMSNORM: {
        for (int j = 0; j < n; j++) {
            c->n32[j] = (int32_t)c->act[in->src + (uint32_t)j];
            c->n16b[j] = (int16_t)cst_word(c, in->a24 + 3 + (uint32_t)j);
        }
        const int32_t e_g = cst_word(c, in->a24), eps_exp = cst_word(c, in->a24 + 2);
        if (e_g > EXP_LIM || e_g < -EXP_LIM || eps_exp > EXP_LIM || eps_exp < -EXP_LIM)
            return cw_fail(CW_ERR_DEVICE, "ref: RMSNORM constants at %u: exponents %d, %d "
                           "out of range", (unsigned)in->a24, (int)e_g, (int)eps_exp);
        int32_t e = cw_hls_rmsnorm(c->w64a, c->n32, er[in->er_src], c->n16b, e_g, n,
                                   (uint32_t)cst_word(c, in->a24 + 1), eps_exp);
        er[in->er_dst] = cw_hls_norm16(c->n16a, c->w64a, n, e);
        act_from16(c, in->dst, c->n16a, n);
        return CW_OK;
    }
    case CW_OP_MATVEC: {
        int w16 = (in->flags & CW_F_W16) != 0;
        int rc = unpack_matrix(c, in, w16);
        if (rc != CW_OK)
            return rc;
        act_to16(c, c->n16a, in->src, in->aux);
        if (w16)
            cw_hls_matvec_w16(c->w64a, c->n16a, c->wtmp, c->mult, c->shift, n, in->aux);
        else
            cw_hls_matvec_w8(c->w64a, c->n16a, c->wtmp, c->mult, c->shift, n, in->aux);
        memcpy(c->act + in->dst, c->w64a, (size_t)n * sizeof *c->w64a);
        er[in->er_dst] = er[in->er_src] + in->imm;
        return CW_OK;
    }
    case CW_OP_NORM16:
        er[in->er_dst] = cw_hls_norm16(c->n16a, c->act + in->src, n, er[in->er_src] + in->imm);
        act_from16(c, in->dst, c->n16a, n);
        return CW_OK;
    case CW_OP_HEADS: {
        const int hs = in->aux, kvd = n * hs;
        const uint64_t cell = (uint64_t)in->b24 * (uint64_t)t->max_ctx + (uint64_t)rs->pos;
        int16_t *cache = (in->flags & CW_F_DST_KC) ? c->kc : (in->flags & CW_F_DST_VC) ? c->vc : NULL;
        int32_t *cexp = (in->flags & CW_F_DST_KC) ? c->ke : c->ve;
        if (cache && ((cell + 1) * (uint64_t)kvd > (uint64_t)t->kv_depth ||
                      (cell + 1) * (uint64_t)n > cw_kve_depth(t)))
            return cw_fail(CW_ERR_DEVICE, "ref: HEADS writes layer %u position %d outside the "
                           "KV cache", in->b24, rs->pos);
        uint32_t *freq = NULL;
        uint32_t fbuf[CW_HLS_MAX_HEAD / 2];
        if (in->flags & CW_F_ROPE) {
            if (hs > CW_HLS_MAX_HEAD || in->a24 + (uint32_t)hs / 2 > (uint32_t)t->cst_depth)
                return cw_fail(CW_ERR_DEVICE, "ref: HEADS RoPE table outside the constants");
            for (int i = 0; i < hs / 2; i++)
                fbuf[i] = (uint32_t)cst_word(c, in->a24 + (uint32_t)i);
            freq = fbuf;
        }
        const int32_t e = er[in->er_src];
        for (int h = 0; h < n; h++) {
            int16_t *out = cache ? cache + cell * (uint64_t)kvd + (uint64_t)h * (uint64_t)hs
                                 : c->n16b;
            int32_t eo;
            if (freq) {
                int32_t et = cw_hls_norm16(c->n16a, c->act + in->src + (uint32_t)(h * hs), hs, e);
                cw_hls_rope(c->w64b, c->n16a, freq, hs, rs->pos);
                eo = cw_hls_norm16(out, c->w64b, hs, et - CW_TRIG_FRAC);
            } else {
                eo = cw_hls_norm16(out, c->act + in->src + (uint32_t)(h * hs), hs, e);
            }
            if (cache) {
                if (t->kvbits < 16) /* the target's narrow cache entries */
                    eo = cw_hls_kv_round(out, hs, eo, t->kvbits);
                cexp[cell * (uint64_t)n + (uint64_t)h] = eo;
            } else {
                act_from16(c, in->dst + (uint32_t)(h * hs), out, hs);
                er[in->er_dst + h] = eo;
            }
        }
        return CW_OK;
    }
    case CW_OP_ATTN: {
        const int hs = in->aux, nkv = (int)in->a24;
        if (nkv <= 0 || n % nkv != 0)
            return cw_fail(CW_ERR_DEVICE, "ref: ATTN with %d heads over %d kv heads", n, nkv);
        const int kvd = nkv * hs, kv_mul = n / nkv;
        const uint64_t lbase = (uint64_t)in->b24 * (uint64_t)t->max_ctx;
        if ((lbase + (uint64_t)rs->pos + 1) * (uint64_t)kvd > (uint64_t)t->kv_depth ||
            (lbase + (uint64_t)rs->pos + 1) * (uint64_t)nkv > cw_kve_depth(t))
            return cw_fail(CW_ERR_DEVICE, "ref: ATTN reads layer %u outside the KV cache",
                           in->b24);
        act_to16(c, c->n16a, in->src, n * hs);
        int32_t emax = INT32_MIN;
        for (int h = 0; h < n; h++) {
            int kvh = h / kv_mul;
            int32_t eh = cw_hls_attention(
                c->n16b + h * hs, c->n16a + h * hs, er[in->er_src + h],
                c->kc + lbase * (uint64_t)kvd + (uint64_t)(kvh * hs), c->ke + lbase * (uint64_t)nkv + (uint64_t)kvh,
                c->vc + lbase * (uint64_t)kvd + (uint64_t)(kvh * hs), c->ve + lbase * (uint64_t)nkv + (uint64_t)kvh,
                rs->pos + 1, hs, kvd, nkv, c->scores, c->probs);
            c->n32[h] = eh;
            if (eh > emax)
                emax = eh;
        }
        for (int h = 0; h < n; h++)
            cw_hls_shift16(c->n16b + h * hs, hs, emax - c->n32[h]);
        act_from16(c, in->dst, c->n16b, n * hs);
        er[in->er_dst] = emax;
        return CW_OK;
    }
    case CW_OP_RESADD:
        for (int j = 0; j < n; j++)
            c->n32[j] = (int32_t)c->act[in->dst + (uint32_t)j];
        er[in->er_dst] = cw_hls_residual_add(c->n32, er[in->er_dst], c->act + in->src,
                                             er[in->er_src], n);
        for (int j = 0; j < n; j++)
            c->act[in->dst + (uint32_t)j] = c->n32[j];
        return CW_OK;
    case CW_OP_SILU:
        act_to16(c, c->n16a, in->src, n);
        act_to16(c, c->n16b, in->aux, n);
        cw_hls_silu_gate(c->w64a, c->n16a, er[in->er_src], c->n16b, n);
        memcpy(c->act + in->dst, c->w64a, (size_t)n * sizeof *c->w64a);
        er[in->er_dst] = er[in->er_src] + er[in->er_src2] - CW_SIG_FRAC;
        return CW_OK;
    case CW_OP_ARGMAX: {
        int best = cw_hls_argmax(c->act + in->src, n);
        rs->next = rs->pos + 1 < rs->n_prompt
                       ? cw_read_le32s(c->mem[CW_REG_PROMPT] + 4 * (size_t)(rs->pos + 1))
                       : best;
        return CW_OK;
    }
    default:
        return cw_fail(CW_ERR_DEVICE, "ref: illegal opcode %u", in->op);
    }
}

int cw_ref_core_exec(cw_ref_core *c, const cw_instr *in, int pos, int tok, int n_prompt,
                     int *next)
{
    run_state rs = { pos, tok, *next, n_prompt };
    int rc = exec(c, in, &rs);
    *next = rs.next;
    return rc;
}

int cw_ref_core_begin(cw_ref_core *c, cw_ref_run *r, int n_instr, int n_prompt, int steps)
{
    const cw_target_config *t = &c->t;
    memset(r, 0, sizeof *r);
    if (n_instr < 1 || n_instr > t->prog_depth || n_prompt < 1 || n_prompt > t->max_ctx ||
        steps < 1 || steps > t->max_ctx)
        return cw_fail(CW_ERR_INVALID_ARG, "ref: run with %d instructions, %d prompt ids, "
                       "%d steps", n_instr, n_prompt, steps);
    r->n_instr = n_instr;
    r->n_prompt = n_prompt;
    r->steps = steps;
    r->tok = cw_read_le32s(c->mem[CW_REG_PROMPT]);
    return CW_OK;
}

int cw_ref_core_step(cw_ref_core *c, cw_ref_run *r, cw_token_event *ev)
{
    const cw_target_config *t = &c->t;
    if (r->pos >= r->steps)
        return 0;
    run_state rs = { r->pos, r->tok, -1, r->n_prompt };
    const uint64_t start = r->cycle;
    cw_instr prev;
    for (int pc = 0; pc < r->n_instr; pc++) {
        cw_instr in;
        cw_instr_decode(c->mem[CW_REG_PROG] + (size_t)pc * CW_PROG_STRIDE, &in);
        int rc;
        if ((rc = cw_instr_check(&in, pc ? &prev : NULL, pc, t)) != CW_OK) {
            char why[400];
            snprintf(why, sizeof why, "%s", cw_last_error());
            return cw_fail(CW_ERR_DEVICE, "ref: %s", why);
        }
        if ((rc = exec(c, &in, &rs)) != CW_OK)
            return rc;
        r->cycle += cw_instr_latency(&in, rs.pos, t);
        prev = in;
        if (in.op != CW_OP_END)
            continue;
        if (rs.next < 0)
            return cw_fail(CW_ERR_DEVICE, "ref: END at position %d without ARGMAX", rs.pos);
        if (rs.next == CW_TOKEN_BOS)
            return 0;
        cw_token_event e = { rs.pos + 1, rs.next, r->cycle, r->cycle - start, 0 };
        *ev = e;
        r->tok = rs.next;
        r->pos++;
        return 1;
    }
    return cw_fail(CW_ERR_DEVICE, "ref: the program ends without END");
}

int cw_ref_core_run(cw_ref_core *c, int n_instr, int n_prompt, int steps,
                    cw_ref_token_fn on_token, void *user, atomic_int *cancel,
                    uint64_t *cycles)
{
    cw_ref_run r;
    if (cycles)
        *cycles = 0;
    int rc = cw_ref_core_begin(c, &r, n_instr, n_prompt, steps);
    while (rc == CW_OK && r.pos < r.steps) {
        if (cancel && atomic_load(cancel))
            return cw_fail(CW_ERR_ABORTED, "cancelled at position %d", r.pos);
        cw_token_event ev;
        int k = cw_ref_core_step(c, &r, &ev);
        if (cycles)
            *cycles = r.cycle;
        if (k <= 0)
            return k;
        if (on_token && on_token(user, &ev) != 0)
            return cw_fail(CW_ERR_ABORTED, "stopped by the token callback at position %d",
                           ev.pos);
    }
    return rc;
}
