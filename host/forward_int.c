/*
 * forward_int.c - the integer forward pass, built from the hls/ kernels.
 * Every arithmetic operation is a kernel call; this file only sequences
 * them and tracks the exponents (docs/numerics.md, "Forward pass").
 */
#include <stdlib.h>
#include <string.h>

#include "cw_hls.h"
#include "error.h"
#include "forward_int.h"

int cw_int_state_init(cw_int_state *s, const cw_qmodel *q)
{
    if (!s || !q)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_int_state_init: NULL argument");
    const cw_model_config *c = &q->cfg;
    size_t dim = (size_t)c->dim, hid = (size_t)c->hidden_dim, hs = (size_t)q->head_size;
    size_t seq = (size_t)c->seq_len, L = (size_t)c->n_layers;
    size_t kvc = L * seq * (size_t)q->kv_dim, kve = L * seq * (size_t)c->n_kv_heads;
    size_t wide = dim > hid ? dim : hid;
    memset(s, 0, sizeof *s);
    s->q = q;
    s->kv_bits = 16;
    s->x = calloc(dim, sizeof *s->x);
    s->xb = calloc(dim, sizeof *s->xb);
    s->att = calloc(dim, sizeof *s->att);
    s->e_att = calloc((size_t)c->n_heads, sizeof *s->e_att);
    s->qv = calloc(dim, sizeof *s->qv);
    s->e_q = calloc((size_t)c->n_heads, sizeof *s->e_q);
    s->hb = calloc(hid, sizeof *s->hb);
    s->hb2 = calloc(hid, sizeof *s->hb2);
    s->tmp = calloc(hs, sizeof *s->tmp);
    s->wide = calloc(wide, sizeof *s->wide);
    s->wide2 = calloc(hs, sizeof *s->wide2);
    s->logits = calloc((size_t)c->vocab_size, sizeof *s->logits);
    s->kc = calloc(kvc, sizeof *s->kc);
    s->vc = calloc(kvc, sizeof *s->vc);
    s->ekc = calloc(kve, sizeof *s->ekc);
    s->evc = calloc(kve, sizeof *s->evc);
    s->scores = calloc(seq, sizeof *s->scores);
    s->probs = calloc(seq, sizeof *s->probs);
    if (!s->x || !s->xb || !s->att || !s->e_att || !s->qv || !s->e_q || !s->hb ||
        !s->hb2 || !s->tmp || !s->wide || !s->wide2 || !s->logits || !s->kc ||
        !s->vc || !s->ekc || !s->evc || !s->scores || !s->probs) {
        cw_int_state_free(s);
        return cw_fail(CW_ERR_NO_MEMORY, "cannot allocate the integer run state");
    }
    return CW_OK;
}

void cw_int_state_free(cw_int_state *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->xb);
    free(s->att);
    free(s->e_att);
    free(s->qv);
    free(s->e_q);
    free(s->hb);
    free(s->hb2);
    free(s->tmp);
    free(s->wide);
    free(s->wide2);
    free(s->logits);
    free(s->kc);
    free(s->vc);
    free(s->ekc);
    free(s->evc);
    free(s->scores);
    free(s->probs);
    memset(s, 0, sizeof *s);
}

static void matvec(int64_t *out, const int16_t *x, const cw_qmat *m)
{
    if (m->bits == 8)
        cw_hls_matvec_w8(out, x, m->w8, m->mult, m->shift, m->rows, m->cols);
    else
        cw_hls_matvec_w16(out, x, m->w16, m->mult, m->shift, m->rows, m->cols);
}

/* RMSNorm of the residual into s->xb; returns the exponent of s->xb. */
static int32_t norm_input(cw_int_state *s, const cw_qvec *g)
{
    const cw_qmodel *q = s->q;
    int dim = q->cfg.dim;
    int32_t e = cw_hls_rmsnorm(s->wide, s->x, s->e_x, g->q, g->exp, dim,
                               q->eps_mant, q->eps_exp);
    return cw_hls_norm16(s->xb, s->wide, dim, e);
}

/* Projection of s->xb (exponent e_xb) by m, split into heads of hs values
 * each normalized on its own, optionally rotated: out[h*hs..], eout[h];
 * to_cache: rounded to the cache's entries when they are 8-bit. */
static void project_heads(cw_int_state *s, const cw_qmat *m, int32_t e_xb,
                          int rotate, int pos, int16_t *out, int32_t *eout,
                          int n_heads, int to_cache)
{
    const cw_qmodel *q = s->q;
    int hs = q->head_size;
    matvec(s->wide, s->xb, m);
    int32_t e = e_xb + m->exp;
    for (int h = 0; h < n_heads; h++) {
        if (rotate) {
            int32_t et = cw_hls_norm16(s->tmp, s->wide + h * hs, hs, e);
            cw_hls_rope(s->wide2, s->tmp, q->rope_freq, hs, pos);
            eout[h] = cw_hls_norm16(out + h * hs, s->wide2, hs, et - CW_TRIG_FRAC);
        } else {
            eout[h] = cw_hls_norm16(out + h * hs, s->wide + h * hs, hs, e);
        }
        if (to_cache && s->kv_bits < 16)
            eout[h] = cw_hls_kv_round(out + h * hs, hs, eout[h], s->kv_bits);
    }
}

int cw_int_forward(cw_int_state *s, int token, int pos, int *argmax_out)
{
    if (!s || !s->q)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_int_forward: NULL state");
    const cw_qmodel *q = s->q;
    const cw_model_config *c = &q->cfg;
    if (token < 0 || token >= c->vocab_size)
        return cw_fail(CW_ERR_INVALID_ARG, "token %d out of range [0, %d)", token, c->vocab_size);
    if (pos < 0 || pos >= c->seq_len)
        return cw_fail(CW_ERR_TOO_LONG, "position %d out of range [0, %d)", pos, c->seq_len);
    const int dim = c->dim, hid = c->hidden_dim, hs = q->head_size;
    const int nkv = c->n_kv_heads, kvd = q->kv_dim, kv_mul = c->n_heads / nkv;
    const size_t seq = (size_t)c->seq_len;

    /* token embedding -> residual */
    const cw_qmat *E = &q->tok_emb;
    size_t roff = (size_t)token * (size_t)dim;
    if (E->bits == 8)
        cw_hls_embed_w8(s->wide, E->w8 + roff, E->mult[token], dim);
    else
        cw_hls_embed_w16(s->wide, E->w16 + roff, E->mult[token], dim);
    s->e_x = cw_hls_norm_res(s->x, s->wide, dim, E->exp - E->shift[token]);

    for (int l = 0; l < c->n_layers; l++) {
        size_t lc = (size_t)l * seq;
        int16_t *kc = s->kc + lc * (size_t)kvd, *vc = s->vc + lc * (size_t)kvd;
        int32_t *ekc = s->ekc + lc * (size_t)nkv, *evc = s->evc + lc * (size_t)nkv;
        size_t p = (size_t)pos;

        /* attention block */
        int32_t e_xb = norm_input(s, &q->rms_att[l]);
        if (s->tap)
            s->tap(s->tap_user, l, CW_TAP_QKV, s->xb, e_xb, dim);
        project_heads(s, &q->wq[l], e_xb, 1, pos, s->qv, s->e_q, c->n_heads, 0);
        project_heads(s, &q->wk[l], e_xb, 1, pos, kc + p * (size_t)kvd, ekc + p * (size_t)nkv,
                      nkv, 1);
        project_heads(s, &q->wv[l], e_xb, 0, pos, vc + p * (size_t)kvd, evc + p * (size_t)nkv,
                      nkv, 1);
        int32_t emax = INT32_MIN;
        for (int h = 0; h < c->n_heads; h++) {
            int kvh = h / kv_mul;
            s->e_att[h] = cw_hls_attention(s->att + h * hs, s->qv + h * hs, s->e_q[h],
                                           kc + kvh * hs, ekc + kvh, vc + kvh * hs, evc + kvh,
                                           pos + 1, hs, kvd, nkv, s->scores, s->probs);
            if (s->e_att[h] > emax)
                emax = s->e_att[h];
        }
        for (int h = 0; h < c->n_heads; h++)
            cw_hls_shift16(s->att + h * hs, hs, emax - s->e_att[h]);
        if (s->tap)
            s->tap(s->tap_user, l, CW_TAP_WO, s->att, emax, dim);
        matvec(s->wide, s->att, &q->wo[l]);
        s->e_x = cw_hls_residual_add(s->x, s->e_x, s->wide, emax + q->wo[l].exp, dim);

        /* feed-forward block */
        e_xb = norm_input(s, &q->rms_ffn[l]);
        if (s->tap)
            s->tap(s->tap_user, l, CW_TAP_W13, s->xb, e_xb, dim);
        matvec(s->wide, s->xb, &q->w1[l]);
        int32_t e1 = cw_hls_norm16(s->hb, s->wide, hid, e_xb + q->w1[l].exp);
        matvec(s->wide, s->xb, &q->w3[l]);
        int32_t e3 = cw_hls_norm16(s->hb2, s->wide, hid, e_xb + q->w3[l].exp);
        cw_hls_silu_gate(s->wide, s->hb, e1, s->hb2, hid);
        int32_t eg = cw_hls_norm16(s->hb, s->wide, hid, e1 + e3 - CW_SIG_FRAC);
        if (s->tap)
            s->tap(s->tap_user, l, CW_TAP_W2, s->hb, eg, hid);
        matvec(s->wide, s->hb, &q->w2[l]);
        s->e_x = cw_hls_residual_add(s->x, s->e_x, s->wide, eg + q->w2[l].exp, dim);
    }

    /* final norm, classifier, argmax */
    int32_t e_xb = norm_input(s, &q->rms_final);
    if (s->tap)
        s->tap(s->tap_user, c->n_layers, CW_TAP_CLS, s->xb, e_xb, dim);
    matvec(s->logits, s->xb, &q->cls);
    s->e_logits = e_xb + q->cls.exp;
    if (argmax_out)
        *argmax_out = cw_hls_argmax(s->logits, c->vocab_size);
    return CW_OK;
}

void cw_int_logits_double(const cw_int_state *s, double *out)
{
    double scale = 1.0;
    int e = s->e_logits;
    for (; e > 0; e--)
        scale *= 2.0;
    for (; e < 0; e++)
        scale *= 0.5;
    for (int i = 0; i < s->q->cfg.vocab_size; i++)
        out[i] = (double)s->logits[i] * scale;
}
