/*
 * forward_f32.c - the float32 forward pass of a llama2.c model.
 *
 * The operations and their order follow llama2.c's run.c (sequential float
 * sums, expf/sqrtf/powf/cosf/sinf), because float addition is not
 * associative and bit-identical logits are the point.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "forward_f32.h"

int cw_f32_state_init(cw_f32_state *s, const cw_model *m)
{
    const cw_model_config *c = &m->cfg;
    size_t kv_cache = (size_t)c->n_layers * (size_t)c->seq_len * (size_t)m->kv_dim;
    memset(s, 0, sizeof *s);
    s->m = m;
    s->x = calloc((size_t)c->dim, sizeof(float));
    s->xb = calloc((size_t)c->dim, sizeof(float));
    s->xb2 = calloc((size_t)c->dim, sizeof(float));
    s->hb = calloc((size_t)c->hidden_dim, sizeof(float));
    s->hb2 = calloc((size_t)c->hidden_dim, sizeof(float));
    s->q = calloc((size_t)c->dim, sizeof(float));
    s->att = calloc((size_t)c->n_heads * (size_t)c->seq_len, sizeof(float));
    s->logits = calloc((size_t)c->vocab_size, sizeof(float));
    s->key_cache = calloc(kv_cache, sizeof(float));
    s->value_cache = calloc(kv_cache, sizeof(float));
    if (!s->x || !s->xb || !s->xb2 || !s->hb || !s->hb2 || !s->q || !s->att ||
        !s->logits || !s->key_cache || !s->value_cache) {
        cw_f32_state_free(s);
        return cw_fail(CW_ERR_NO_MEMORY, "cannot allocate the float32 run state");
    }
    return CW_OK;
}

void cw_f32_state_free(cw_f32_state *s)
{
    free(s->x);
    free(s->xb);
    free(s->xb2);
    free(s->hb);
    free(s->hb2);
    free(s->q);
    free(s->att);
    free(s->logits);
    free(s->key_cache);
    free(s->value_cache);
    memset(s, 0, sizeof *s);
}

static void rmsnorm(float *o, const float *x, const float *w, int n)
{
    float ss = 0.0f;
    for (int j = 0; j < n; j++)
        ss += x[j] * x[j];
    ss /= (float)n;
    ss += 1e-5f;
    ss = 1.0f / sqrtf(ss);
    for (int j = 0; j < n; j++)
        o[j] = w[j] * (ss * x[j]);
}

void cw_f32_softmax(float *x, int n)
{
    float max = x[0];
    for (int i = 1; i < n; i++)
        if (x[i] > max)
            max = x[i];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    for (int i = 0; i < n; i++)
        x[i] /= sum;
}

/* o[rows] = W[rows][n] x[n] */
static void matmul(float *o, const float *x, const float *w, int n, int rows)
{
    for (int i = 0; i < rows; i++) {
        const float *row = w + (size_t)i * (size_t)n;
        float v = 0.0f;
        for (int j = 0; j < n; j++)
            v += row[j] * x[j];
        o[i] = v;
    }
}

/* Rotates consecutive pairs of q (all of dim) and k (the first kv_dim). */
static void rope(float *q, float *k, int dim, int kv_dim, int head_size, int pos)
{
    for (int i = 0; i < dim; i += 2) {
        int hd = i % head_size;
        float freq = 1.0f / powf(10000.0f, (float)hd / (float)head_size);
        float val = (float)pos * freq;
        float c = cosf(val), sn = sinf(val);
        for (int v = 0; v < (i < kv_dim ? 2 : 1); v++) {
            float *vec = v == 0 ? q : k;
            float v0 = vec[i], v1 = vec[i + 1];
            vec[i] = v0 * c - v1 * sn;
            vec[i + 1] = v0 * sn + v1 * c;
        }
    }
}

const float *cw_f32_forward(cw_f32_state *s, int token, int pos)
{
    const cw_model *m = s->m;
    const cw_model_config *c = &m->cfg;
    const int dim = c->dim, hid = c->hidden_dim, kv_dim = m->kv_dim;
    const int hs = m->head_size, kv_mul = c->n_heads / c->n_kv_heads;
    const size_t ud = (size_t)dim, ukv = (size_t)kv_dim, uhid = (size_t)hid;

    memcpy(s->x, m->tok_emb + (size_t)token * ud, ud * sizeof(float));

    for (size_t l = 0; l < (size_t)c->n_layers; l++) {
        rmsnorm(s->xb, s->x, m->rms_att + l * ud, dim);

        size_t loff = l * (size_t)c->seq_len * ukv;
        float *k = s->key_cache + loff + (size_t)pos * ukv;
        float *v = s->value_cache + loff + (size_t)pos * ukv;
        matmul(s->q, s->xb, m->wq + l * ud * ud, dim, dim);
        matmul(k, s->xb, m->wk + l * ukv * ud, dim, kv_dim);
        matmul(v, s->xb, m->wv + l * ukv * ud, dim, kv_dim);
        rope(s->q, k, dim, kv_dim, hs, pos);

        for (int h = 0; h < c->n_heads; h++) {
            const float *q = s->q + h * hs;
            float *att = s->att + (size_t)h * (size_t)c->seq_len;
            size_t hoff = (size_t)(h / kv_mul) * (size_t)hs;
            for (int t = 0; t <= pos; t++) {
                const float *kt = s->key_cache + loff + (size_t)t * ukv + hoff;
                float score = 0.0f;
                for (int i = 0; i < hs; i++)
                    score += q[i] * kt[i];
                att[t] = score / sqrtf((float)hs);
            }
            cw_f32_softmax(att, pos + 1);
            float *xb = s->xb + h * hs;
            memset(xb, 0, (size_t)hs * sizeof(float));
            for (int t = 0; t <= pos; t++) {
                const float *vt = s->value_cache + loff + (size_t)t * ukv + hoff;
                for (int i = 0; i < hs; i++)
                    xb[i] += att[t] * vt[i];
            }
        }
        matmul(s->xb2, s->xb, m->wo + l * ud * ud, dim, dim);
        for (int i = 0; i < dim; i++)
            s->x[i] += s->xb2[i];

        rmsnorm(s->xb, s->x, m->rms_ffn + l * ud, dim);
        matmul(s->hb, s->xb, m->w1 + l * uhid * ud, dim, hid);
        matmul(s->hb2, s->xb, m->w3 + l * uhid * ud, dim, hid);
        for (int i = 0; i < hid; i++) {
            float val = s->hb[i];
            val *= 1.0f / (1.0f + expf(-val));
            s->hb[i] = val * s->hb2[i];
        }
        matmul(s->xb, s->hb, m->w2 + l * ud * uhid, hid, dim);
        for (int i = 0; i < dim; i++)
            s->x[i] += s->xb[i];
    }
    rmsnorm(s->x, s->x, m->rms_final, dim);
    matmul(s->logits, s->x, m->wcls, dim, c->vocab_size);
    return s->logits;
}
