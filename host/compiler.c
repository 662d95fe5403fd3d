/*
 * compiler.c - checkpoint -> artifact: quantize, plan every memory
 * statically, emit the per-position program, predict every position's
 * cycles (docs/isa.md, docs/artifact.md).
 *
 * The program is the integer forward pass of host/forward_int.c, one
 * instruction per step, with the same kernels behind each instruction;
 * tests hold the ref device's tokens equal to forward_int's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "cw_hls.h"
#include "error.h"
#include "fileio.h"
#include "quant.h"
#include "target.h"
#include "ucode.h"

/* Exponent registers (docs/isa.md, "Exponent registers"). */
enum { ER_X = 0, ER_XB = 1, ER_WIDE = 2, ER_ATT = 3, ER_HB = 4, ER_HB2 = 5, ER_Q = 8 };
#define ER_COUNT 256

static uint64_t cd(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* ------------------------------------------------------------- the builder */

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

/* ACT vectors start on multiples of both k and lanes. */
static uint32_t act_align(const cw_target_config *t)
{
    uint32_t a = (uint32_t)t->k, l = (uint32_t)t->lanes;
    while (a % l != 0)
        a += (uint32_t)t->k;
    return a;
}

typedef struct builder {
    const cw_target_config *t;
    const cw_qmodel *q;
    int wbytes; /* bytes per weight lane */
    int line_bytes;
    /* images */
    unsigned char *wgt;
    uint64_t wgt_lines;
    unsigned char *scl;
    uint64_t scl_entries;
    unsigned char *cst;
    uint64_t cst_words;
    cw_instr *prog;
    int n_prog, cap_prog;
    /* ACT plan */
    uint32_t x, xb, qv, att, hb, hb2, wide, act_used;
} builder;

static int emit(builder *b, cw_instr in)
{
    if (b->n_prog == b->cap_prog) {
        int nc = b->cap_prog ? 2 * b->cap_prog : 64;
        cw_instr *p = realloc(b->prog, (size_t)nc * sizeof *p);
        if (!p)
            return cw_fail(CW_ERR_NO_MEMORY, "compile: out of memory");
        b->prog = p;
        b->cap_prog = nc;
    }
    /* A NORM16, RESADD or RMSNORM right after the instruction that wrote its
     * source takes the OR of |src| the core kept over those writes (ORV) and
     * skips its own pass over src (docs/isa.md, "ORV"). */
    if (cw_orv_ok(&in, b->n_prog ? &b->prog[b->n_prog - 1] : NULL))
        in.flags |= CW_F_ORV;
    b->prog[b->n_prog++] = in;
    return CW_OK;
}

/* Lines a [rows][cols] matrix takes: row blocks of `lanes`, column chunks
 * of `k`, one line per (block, chunk). */
static uint64_t mat_lines(const cw_target_config *t, int rows, int cols)
{
    return cd((uint64_t)rows, (uint64_t)t->lanes) * cd((uint64_t)cols, (uint64_t)t->k);
}

/* Appends a matrix's lines and scales; returns its line and scale bases. */
static void put_matrix(builder *b, const cw_qmat *m, uint32_t *wbase, uint32_t *sbase)
{
    const cw_target_config *t = b->t;
    const uint64_t chunks = cd((uint64_t)m->cols, (uint64_t)t->k);
    *wbase = (uint32_t)b->wgt_lines;
    /* a row block's scales are one SCL word of `lanes` entries (docs/rtl.md) */
    b->scl_entries = align_up((uint32_t)b->scl_entries, (uint32_t)t->lanes);
    *sbase = (uint32_t)b->scl_entries;
    for (uint64_t blk = 0; blk < cd((uint64_t)m->rows, (uint64_t)t->lanes); blk++) {
        for (uint64_t c = 0; c < chunks; c++) {
            unsigned char *line = b->wgt + (size_t)b->wgt_lines * (size_t)b->line_bytes;
            for (int l = 0; l < t->lanes; l++) {
                uint64_t r = blk * (uint64_t)t->lanes + (uint64_t)l;
                for (int j = 0; j < t->k; j++) {
                    uint64_t col = c * (uint64_t)t->k + (uint64_t)j;
                    int v = 0;
                    if (r < (uint64_t)m->rows && col < (uint64_t)m->cols) {
                        size_t i = (size_t)r * (size_t)m->cols + (size_t)col;
                        v = m->bits == 8 ? m->w8[i] : m->w16[i];
                    }
                    unsigned char *p = line + (size_t)(l * t->k + j) * (size_t)b->wbytes;
                    p[0] = (unsigned char)v;
                    if (b->wbytes == 2)
                        p[1] = (unsigned char)((unsigned)v >> 8);
                }
            }
            b->wgt_lines++;
        }
    }
    for (int r = 0; r < m->rows; r++) {
        cw_write_le32(b->scl + 4 * (size_t)b->scl_entries,
                      (uint32_t)m->mult[r] | (uint32_t)m->shift[r] << 16);
        b->scl_entries++;
    }
}

/* Appends an RMSNorm gain block: exp, eps_mant, eps_exp, then the gains. */
static uint32_t put_gains(builder *b, const cw_qvec *g)
{
    uint32_t base = (uint32_t)b->cst_words;
    unsigned char *p = b->cst + 4 * (size_t)b->cst_words;
    cw_write_le32s(p, g->exp);
    cw_write_le32(p + 4, b->q->eps_mant);
    cw_write_le32s(p + 8, b->q->eps_exp);
    for (int i = 0; i < g->n; i++)
        cw_write_le32s(p + 12 + 4 * (size_t)i, g->q[i]);
    b->cst_words += 3 + (uint64_t)g->n;
    return base;
}

static cw_instr matvec(builder *b, const cw_qmat *m, uint32_t src, int er_src, int64_t exp,
                       uint32_t wbase, uint32_t sbase)
{
    cw_instr in = { 0 };
    in.op = CW_OP_MATVEC;
    in.flags = m->bits == 16 ? CW_F_W16 : 0;
    in.dst = (uint16_t)b->wide;
    in.er_dst = ER_WIDE;
    in.src = (uint16_t)src;
    in.er_src = (uint8_t)er_src;
    in.n = (uint16_t)m->rows;
    in.aux = (uint16_t)m->cols;
    in.a24 = wbase;
    in.b24 = sbase;
    in.imm = (int8_t)exp;
    return in;
}

static cw_instr op2(int op, uint32_t dst, int er_dst, uint32_t src, int er_src, int n)
{
    cw_instr in = { 0 };
    in.op = (uint8_t)op;
    in.dst = (uint16_t)dst;
    in.er_dst = (uint8_t)er_dst;
    in.src = (uint16_t)src;
    in.er_src = (uint8_t)er_src;
    in.n = (uint16_t)n;
    return in;
}

/* -------------------------------------------------------- fit and shape */

typedef struct needs {
    uint64_t mem[CW_MEM_COUNT];
} needs;

static int exp_in_range(const cw_qmat *m)
{
    return m->exp >= -128 && m->exp <= 127;
}

/* Everything the target must hold; refuses with every shortfall named. */
static int check_fit(const cw_qmodel *q, const cw_target_config *t, int n_instr, needs *nd)
{
    const cw_model_config *c = &q->cfg;
    const int L = c->n_layers, hs = q->head_size, kvd = q->kv_dim;
    const uint64_t la = (uint64_t)t->lanes, al = act_align(t);
#define ALIGN(v, a) (((uint64_t)(v) + (a) - 1) / (a) * (a))
    uint64_t lines = mat_lines(t, c->vocab_size, c->dim), rows = ALIGN(c->vocab_size, la);
    if (!c->shared_classifier) {
        lines *= 2;
        rows *= 2;
    }
    lines += (uint64_t)L * (mat_lines(t, c->dim, c->dim) * 2 + mat_lines(t, kvd, c->dim) * 2 +
                            mat_lines(t, c->hidden_dim, c->dim) * 2 +
                            mat_lines(t, c->dim, c->hidden_dim));
    rows += (uint64_t)L * (3 * ALIGN(c->dim, la) + 2 * ALIGN(kvd, la) + 2 * ALIGN(c->hidden_dim, la));
    uint64_t wide = (uint64_t)c->dim;
    if ((uint64_t)c->hidden_dim > wide)
        wide = (uint64_t)c->hidden_dim;
    if ((uint64_t)c->vocab_size > wide)
        wide = (uint64_t)c->vocab_size;
    nd->mem[CW_MEM_PROG] = (uint64_t)n_instr;
    nd->mem[CW_MEM_WGT] = lines;
    nd->mem[CW_MEM_SCL] = rows;
    nd->mem[CW_MEM_CST] = (uint64_t)(2 * L + 1) * (3 + (uint64_t)c->dim) + (uint64_t)hs / 2 +
                          (t->serial ? CW_UC_TAB_WORDS : 0);
    nd->mem[CW_MEM_ACT] = 4 * ALIGN(c->dim, al) + 2 * ALIGN(c->hidden_dim, al) + wide;
#undef ALIGN
    nd->mem[CW_MEM_KV] = (uint64_t)L * (uint64_t)t->max_ctx * (uint64_t)kvd;
    const uint64_t cap[CW_MEM_COUNT] = {
        (uint64_t)t->prog_depth, (uint64_t)t->wgt_lines, (uint64_t)t->scl_depth,
        (uint64_t)t->cst_depth,  (uint64_t)t->act_depth, (uint64_t)t->kv_depth,
    };
    char msg[768];
    int o = 0, short_any = 0;
    for (int i = 0; i < CW_MEM_COUNT; i++) {
        if (nd->mem[i] <= cap[i])
            continue;
        o += snprintf(msg + o, sizeof msg - (size_t)o, "%s%s needs %llu %s, the target has %llu "
                      "(short by %llu)", short_any ? "; " : "", cw_memory_name(i),
                      (unsigned long long)nd->mem[i], cw_memory_unit(i),
                      (unsigned long long)cap[i], (unsigned long long)(nd->mem[i] - cap[i]));
        short_any = 1;
        if (o >= (int)sizeof msg)
            break;
    }
    /* KE and VE hold one exponent per cached head vector (cw_kve_depth());
     * with whole-word heads (check_shape) this follows from the KV line
     * above, checked here so the rule stands on its own. */
    const uint64_t ke = (uint64_t)L * (uint64_t)t->max_ctx * (uint64_t)c->n_kv_heads;
    if (ke > cw_kve_depth(t) && o < (int)sizeof msg) {
        o += snprintf(msg + o, sizeof msg - (size_t)o, "%sKE/VE needs %llu exponents, the target "
                      "has %llu (short by %llu)", short_any ? "; " : "",
                      (unsigned long long)ke, (unsigned long long)cw_kve_depth(t),
                      (unsigned long long)(ke - cw_kve_depth(t)));
        short_any = 1;
    }
    if (short_any)
        return cw_fail(CW_ERR_DOES_NOT_FIT, "the model does not fit target '%s': %s", t->name,
                       msg);
    return CW_OK;
}

static int check_shape(const cw_model_config *c, const cw_target_config *t, int bits)
{
    if (bits > t->wbits)
        return cw_fail(CW_ERR_DOES_NOT_FIT,
                       "target '%s' holds %d-bit weights; %d-bit weights do not fit", t->name,
                       t->wbits, bits);
    if (c->dim > 65535 || c->hidden_dim > 65535 || c->vocab_size > 65535)
        return cw_fail(CW_ERR_UNSUPPORTED,
                       "dim %d, hidden_dim %d, vocab_size %d: the ISA's 16-bit length fields "
                       "hold at most 65535", c->dim, c->hidden_dim, c->vocab_size);
    if (c->n_heads > ER_COUNT - ER_Q)
        return cw_fail(CW_ERR_UNSUPPORTED, "n_heads = %d: at most %d heads (exponent registers)",
                       c->n_heads, ER_COUNT - ER_Q);
    const int hs = c->dim / c->n_heads;
    if (hs > CW_MAX_HEAD_SIZE)
        return cw_fail(CW_ERR_UNSUPPORTED, "head size %d: the attention unit holds at most %d",
                       hs, CW_MAX_HEAD_SIZE);
    if (hs % t->k != 0)
        return cw_fail(CW_ERR_UNSUPPORTED,
                       "head size %d is not a multiple of target '%s''s k = %d (a cached head "
                       "must be whole KV words)", hs, t->name, t->k);
    if (c->n_layers > (1 << 24) - 1)
        return cw_fail(CW_ERR_UNSUPPORTED, "n_layers = %d is too many", c->n_layers);
    return CW_OK;
}

/* --------------------------------------------------------------- emission */

static int emit_program(builder *b, uint32_t (*mats)[2], const uint32_t *gains,
                        uint32_t rope)
{
    const cw_qmodel *q = b->q;
    const cw_model_config *c = &q->cfg;
    const int dim = c->dim, hid = c->hidden_dim, hs = q->head_size;
    int rc = CW_OK, mi = 0;
    cw_instr in;

    /* embedding: the row of TOK, through the table's lines and scales */
    in = op2(CW_OP_EMBED, b->x, ER_X, 0, 0, dim);
    in.flags = q->tok_emb.bits == 16 ? CW_F_W16 : 0;
    in.a24 = mats[0][0];
    in.b24 = mats[0][1];
    in.imm = (int8_t)q->tok_emb.exp;
    rc |= emit(b, in);
    mi = 1;
    for (int l = 0; l < c->n_layers; l++) {
        const cw_qmat *M[7] = { &q->wq[l], &q->wk[l], &q->wv[l], &q->wo[l],
                                &q->w1[l], &q->w2[l], &q->w3[l] };
        uint32_t (*w)[2] = mats + mi;
        mi += 7;
        in = op2(CW_OP_RMSNORM, b->xb, ER_XB, b->x, ER_X, dim);
        in.a24 = gains[2 * l];
        rc |= emit(b, in);
        /* q, k, v: project, then per head normalize (and rotate) */
        static const uint8_t head_flags[3] = { CW_F_ROPE, CW_F_ROPE | CW_F_DST_KC, CW_F_DST_VC };
        for (int j = 0; j < 3; j++) {
            rc |= emit(b, matvec(b, M[j], b->xb, ER_XB, M[j]->exp, w[j][0], w[j][1]));
            in = op2(CW_OP_HEADS, b->qv, ER_Q, b->wide, ER_WIDE,
                     j == 0 ? c->n_heads : c->n_kv_heads);
            in.flags = head_flags[j];
            in.aux = (uint16_t)hs;
            in.a24 = rope;
            in.b24 = (uint32_t)l;
            rc |= emit(b, in);
        }
        in = op2(CW_OP_ATTN, b->att, ER_ATT, b->qv, ER_Q, c->n_heads);
        in.aux = (uint16_t)hs;
        in.a24 = (uint32_t)c->n_kv_heads;
        in.b24 = (uint32_t)l;
        rc |= emit(b, in);
        rc |= emit(b, matvec(b, M[3], b->att, ER_ATT, M[3]->exp, w[3][0], w[3][1]));
        rc |= emit(b, op2(CW_OP_RESADD, b->x, ER_X, b->wide, ER_WIDE, dim));

        in = op2(CW_OP_RMSNORM, b->xb, ER_XB, b->x, ER_X, dim);
        in.a24 = gains[2 * l + 1];
        rc |= emit(b, in);
        rc |= emit(b, matvec(b, M[4], b->xb, ER_XB, M[4]->exp, w[4][0], w[4][1]));
        rc |= emit(b, op2(CW_OP_NORM16, b->hb, ER_HB, b->wide, ER_WIDE, hid));
        rc |= emit(b, matvec(b, M[6], b->xb, ER_XB, M[6]->exp, w[6][0], w[6][1]));
        rc |= emit(b, op2(CW_OP_NORM16, b->hb2, ER_HB2, b->wide, ER_WIDE, hid));
        in = op2(CW_OP_SILU, b->wide, ER_WIDE, b->hb, ER_HB, hid);
        in.aux = (uint16_t)b->hb2;
        in.er_src2 = ER_HB2;
        rc |= emit(b, in);
        rc |= emit(b, op2(CW_OP_NORM16, b->hb, ER_HB, b->wide, ER_WIDE, hid));
        rc |= emit(b, matvec(b, M[5], b->hb, ER_HB, M[5]->exp, w[5][0], w[5][1]));
        rc |= emit(b, op2(CW_OP_RESADD, b->x, ER_X, b->wide, ER_WIDE, dim));
    }
    in = op2(CW_OP_RMSNORM, b->xb, ER_XB, b->x, ER_X, dim);
    in.a24 = gains[2 * c->n_layers];
    rc |= emit(b, in);
    uint32_t *cls = c->shared_classifier ? mats[0] : mats[mi];
    rc |= emit(b, matvec(b, &q->cls, b->xb, ER_XB, q->cls.exp, cls[0], cls[1]));
    rc |= emit(b, op2(CW_OP_ARGMAX, 0, 0, b->wide, ER_WIDE, c->vocab_size));
    rc |= emit(b, op2(CW_OP_END, 0, 0, 0, 0, 0));
    return rc ? CW_ERR_NO_MEMORY : CW_OK;
}

static void free_builder(builder *b)
{
    free(b->wgt);
    free(b->scl);
    free(b->cst);
    free(b->prog);
}

int cw_compile(const cw_model *m, const cw_compile_params *p, cw_artifact **out)
{
    cw_clear_error();
    if (!m || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_compile: NULL argument");
    *out = NULL;
    cw_compile_params def;
    if (!p) {
        cw_compile_params_default(&def);
        p = &def;
    }
    if (p->weight_bits != 8 && p->weight_bits != 16)
        return cw_fail(CW_ERR_INVALID_ARG, "weight bits = %d: must be 8 or 16", p->weight_bits);
    cw_target_config t;
    int rc = cw_target_get(p->target ? p->target : "sim", &t);
    if (rc != CW_OK)
        return rc;
    const cw_model_config *c = &m->cfg;
    if ((rc = check_shape(c, &t, p->weight_bits)) != CW_OK)
        return rc;

    /* Instructions: EMBED, per layer 19, then RMSNORM, MATVEC, ARGMAX, END. */
    const int n_instr = 1 + 19 * c->n_layers + 4;
    cw_qmodel *q = NULL;
    if ((rc = cw_quantize(m, p->weight_bits, &q)) != CW_OK)
        return rc;
    needs nd;
    if ((rc = check_fit(q, &t, n_instr, &nd)) != CW_OK) {
        cw_qmodel_free(q);
        return rc;
    }
    const cw_qmat *all[2] = { &q->tok_emb, &q->cls };
    for (int i = 0; i < 2; i++)
        if (!exp_in_range(all[i]))
            rc = cw_fail(CW_ERR_UNSUPPORTED, "a matrix exponent (%d) is outside the ISA's "
                         "8-bit immediate", all[i]->exp);
    for (int l = 0; l < c->n_layers && rc == CW_OK; l++) {
        const cw_qmat *M[7] = { &q->wq[l], &q->wk[l], &q->wv[l], &q->wo[l],
                                &q->w1[l], &q->w2[l], &q->w3[l] };
        for (int j = 0; j < 7; j++)
            if (!exp_in_range(M[j]))
                rc = cw_fail(CW_ERR_UNSUPPORTED, "layer %d: a matrix exponent (%d) is outside "
                             "the ISA's 8-bit immediate", l, M[j]->exp);
    }
    if (rc != CW_OK) {
        cw_qmodel_free(q);
        return rc;
    }

    builder b;
    memset(&b, 0, sizeof b);
    b.t = &t;
    b.q = q;
    b.wbytes = t.wbits / 8;
    b.line_bytes = t.lanes * t.k * b.wbytes;
    b.wgt = calloc((size_t)nd.mem[CW_MEM_WGT], (size_t)b.line_bytes);
    b.scl = calloc((size_t)nd.mem[CW_MEM_SCL], 4);
    b.cst = calloc((size_t)nd.mem[CW_MEM_CST], 4);
    int n_mats = 1 + 7 * c->n_layers + 1;
    uint32_t (*mats)[2] = calloc((size_t)n_mats, sizeof *mats);
    uint32_t *gains = calloc((size_t)(2 * c->n_layers + 1), sizeof *gains);
    if (!b.wgt || !b.scl || !b.cst || !mats || !gains) {
        rc = cw_fail(CW_ERR_NO_MEMORY, "compile: out of memory");
        goto done;
    }
    /* ACT plan: every vector starts on a multiple of k and lanes (docs/rtl.md) */
    uint32_t a = 0, al = act_align(&t);
    b.x = a, a += align_up((uint32_t)c->dim, al);
    b.xb = a, a += align_up((uint32_t)c->dim, al);
    b.qv = a, a += align_up((uint32_t)c->dim, al);
    b.att = a, a += align_up((uint32_t)c->dim, al);
    b.hb = a, a += align_up((uint32_t)c->hidden_dim, al);
    b.hb2 = a, a += align_up((uint32_t)c->hidden_dim, al);
    b.wide = a;
    b.act_used = (uint32_t)nd.mem[CW_MEM_ACT];

    /* WGT and SCL images, in the program's order */
    int mi = 0;
    put_matrix(&b, &q->tok_emb, &mats[mi][0], &mats[mi][1]);
    mi++;
    for (int l = 0; l < c->n_layers; l++) {
        const cw_qmat *M[7] = { &q->wq[l], &q->wk[l], &q->wv[l], &q->wo[l],
                                &q->w1[l], &q->w2[l], &q->w3[l] };
        for (int j = 0; j < 7; j++, mi++)
            put_matrix(&b, M[j], &mats[mi][0], &mats[mi][1]);
    }
    if (!c->shared_classifier)
        put_matrix(&b, &q->cls, &mats[mi][0], &mats[mi][1]);
    /* CST image: on a serial target the function tables first (the serial
     * core reads them there; docs/artifact.md), then the gains, then the
     * RoPE phase increments */
    if (t.serial) {
        uint32_t tab[CW_UC_TAB_WORDS];
        b.cst_words = (uint64_t)cw_uc_tables(tab);
        for (uint64_t i = 0; i < b.cst_words; i++)
            cw_write_le32(b.cst + 4 * (size_t)i, tab[i]);
    }
    for (int l = 0; l < c->n_layers; l++) {
        gains[2 * l] = put_gains(&b, &q->rms_att[l]);
        gains[2 * l + 1] = put_gains(&b, &q->rms_ffn[l]);
    }
    gains[2 * c->n_layers] = put_gains(&b, &q->rms_final);
    uint32_t rope = (uint32_t)b.cst_words;
    for (int i = 0; i < q->head_size / 2; i++)
        cw_write_le32(b.cst + 4 * (size_t)b.cst_words++, q->rope_freq[i]);

    if ((rc = emit_program(&b, mats, gains, rope)) != CW_OK)
        goto done;
    if (b.n_prog != n_instr) {
        rc = cw_fail(CW_ERR_FORMAT, "compile: emitted %d instructions, planned %d", b.n_prog,
                     n_instr);
        goto done;
    }

    /* The info, the cycle table and the sections */
    cw_artifact_info info;
    memset(&info, 0, sizeof info);
    info.model = *c;
    info.target = t;
    info.weight_bits = p->weight_bits;
    info.context = c->seq_len < t.max_ctx ? c->seq_len : t.max_ctx;
    info.n_instructions = b.n_prog;
    uint64_t dim = (uint64_t)c->dim, hid = (uint64_t)c->hidden_dim, kvd = (uint64_t)q->kv_dim;
    info.macs_base = (uint64_t)c->n_layers * (2 * dim * dim + 2 * kvd * dim + 3 * hid * dim) +
                     (uint64_t)c->vocab_size * dim;
    info.macs_per_pos = (uint64_t)c->n_layers * 2 * (uint64_t)c->n_heads * (uint64_t)q->head_size;
    unsigned char meta[CW_META_BYTES], plan[CW_MEM_COUNT * 8];
    cw_meta_encode(&info, q->kv_dim, c->n_kv_heads, meta);
    for (int i = 0; i < CW_MEM_COUNT; i++)
        cw_write_le64(plan + 8 * i, nd.mem[i]);
    unsigned char *prog = malloc((size_t)b.n_prog * CW_INSTR_BYTES);
    unsigned char *cyc = malloc((size_t)info.context * 8);
    if (!prog || !cyc) {
        free(prog);
        free(cyc);
        rc = cw_fail(CW_ERR_NO_MEMORY, "compile: out of memory");
        goto done;
    }
    for (int i = 0; i < b.n_prog; i++)
        cw_instr_encode(&b.prog[i], prog + (size_t)i * CW_INSTR_BYTES);
    for (int pos = 0; pos < info.context; pos++)
        cw_write_le64(cyc + 8 * (size_t)pos, cw_program_cycles(b.prog, b.n_prog, pos, &t));
    const cw_section secs[] = {
        { CW_SEC_META, meta, CW_META_BYTES },
        { CW_SEC_PROG, prog, (uint64_t)b.n_prog * CW_INSTR_BYTES },
        { CW_SEC_WGT, b.wgt, b.wgt_lines * (uint64_t)b.line_bytes },
        { CW_SEC_SCL, b.scl, b.scl_entries * 4 },
        { CW_SEC_CST, b.cst, b.cst_words * 4 },
        { CW_SEC_CYCLES, cyc, (uint64_t)info.context * 8 },
        { CW_SEC_PLAN, plan, sizeof plan },
    };
    unsigned char *bytes;
    uint64_t n_bytes;
    rc = cw_container_build(t.hash, secs, (int)(sizeof secs / sizeof secs[0]), &bytes, &n_bytes);
    free(prog);
    free(cyc);
    if (rc == CW_OK) {
        cw_container cont;
        rc = cw_container_parse(bytes, n_bytes, "compiled artifact", &cont);
        if (rc == CW_OK)
            rc = cw_artifact_from_container(&cont, "compiled artifact", out);
    }
done:
    free(mats);
    free(gains);
    free_builder(&b);
    cw_qmodel_free(q);
    return rc;
}
