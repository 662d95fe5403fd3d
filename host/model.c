/*
 * model.c - the llama2.c checkpoint: validate, load, and write synthetic ones.
 *
 * File layout (all little-endian): seven int32 (dim, hidden_dim, n_layers,
 * n_heads, n_kv_heads, vocab_size, seq_len), then float32 tensors in the
 * order of struct cw_model, then two legacy RoPE tables of
 * seq_len * head_size / 2 floats each, then the classifier [vocab][dim] only
 * when vocab_size is negative (the classifier is not shared).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"
#include "model.h"

#define HEADER_BYTES (7 * 4)

/* ------------------------------------------------------------ validation */

int cw_model_config_check(const cw_model_config *c, size_t *n_floats)
{
    static const struct { const char *name; int max; } lim[] = {
        { "dim", CW_MAX_DIM }, { "hidden_dim", CW_MAX_DIM },
        { "n_layers", CW_MAX_LAYERS }, { "n_heads", CW_MAX_HEADS },
        { "n_kv_heads", CW_MAX_HEADS }, { "vocab_size", CW_MAX_VOCAB },
        { "seq_len", CW_MAX_SEQ_LEN },
    };
    /* INT_MIN first: abs() of it is undefined */
    if (c->vocab_size == -2147483647 - 1)
        return cw_fail(CW_ERR_FORMAT, "header field vocab_size = %d is out of range",
                       c->vocab_size);
    const int v[7] = { c->dim, c->hidden_dim, c->n_layers, c->n_heads,
                       c->n_kv_heads, abs(c->vocab_size), c->seq_len };
    for (int i = 0; i < 7; i++) {
        if (v[i] <= 0 || v[i] > lim[i].max)
            return cw_fail(CW_ERR_FORMAT,
                           "header field %s = %d is out of range (1..%d)",
                           lim[i].name, i == 5 ? c->vocab_size : v[i], lim[i].max);
    }
    if (c->dim % c->n_heads != 0)
        return cw_fail(CW_ERR_FORMAT, "header field n_heads = %d does not divide dim = %d",
                       c->n_heads, c->dim);
    if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads != 0)
        return cw_fail(CW_ERR_FORMAT,
                       "header field n_kv_heads = %d does not divide n_heads = %d",
                       c->n_kv_heads, c->n_heads);
    size_t hs = (size_t)(c->dim / c->n_heads);
    if (hs % 2 != 0)
        return cw_fail(CW_ERR_FORMAT, "head size dim/n_heads = %zu must be even (RoPE pairs)",
                       hs);
    /* Every product below is of values < 2^20, in size_t (64-bit), so none
     * overflows; the total is compared with the file length by the caller. */
    size_t dim = (size_t)c->dim, hid = (size_t)c->hidden_dim;
    size_t L = (size_t)c->n_layers, voc = (size_t)abs(c->vocab_size);
    size_t kv = hs * (size_t)c->n_kv_heads;
    size_t n = voc * dim                 /* token embedding */
             + L * dim                   /* rms_att */
             + L * dim * dim * 2         /* wq, wo */
             + L * kv * dim * 2          /* wk, wv */
             + L * dim                   /* rms_ffn */
             + L * hid * dim * 3         /* w1, w2, w3 */
             + dim                       /* rms_final */
             + (size_t)c->seq_len * hs;  /* two legacy RoPE tables */
    if (c->vocab_size < 0)
        n += voc * dim;
    *n_floats = n;
    return CW_OK;
}

/* Points the tensor fields into m->data. */
static void map_tensors(cw_model *m)
{
    const cw_model_config *c = &m->cfg;
    size_t dim = (size_t)c->dim, hid = (size_t)c->hidden_dim;
    size_t L = (size_t)c->n_layers, kv = (size_t)m->kv_dim;
    const float *p = m->data;
    m->tok_emb = p;   p += (size_t)c->vocab_size * dim;
    m->rms_att = p;   p += L * dim;
    m->wq = p;        p += L * dim * dim;
    m->wk = p;        p += L * kv * dim;
    m->wv = p;        p += L * kv * dim;
    m->wo = p;        p += L * dim * dim;
    m->rms_ffn = p;   p += L * dim;
    m->w1 = p;        p += L * hid * dim;
    m->w2 = p;        p += L * dim * hid;
    m->w3 = p;        p += L * hid * dim;
    m->rms_final = p; p += dim;
    p += (size_t)c->seq_len * (size_t)m->head_size; /* legacy RoPE tables */
    m->wcls = c->shared_classifier ? m->tok_emb : p;
}

/* ---------------------------------------------------------------- loading */

int cw_model_open(const char *path, cw_model **out)
{
    cw_clear_error();
    if (!path || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_model_open: NULL argument");
    *out = NULL;

    FILE *f = fopen(path, "rb");
    if (!f)
        return cw_fail(CW_ERR_IO, "%s: cannot open: %s", path, cw_errno_text());
    int rc;
    uint64_t file_len;
    if ((rc = cw_file_length(f, path, &file_len)) != CW_OK) {
        fclose(f);
        return rc;
    }
    unsigned char hdr[HEADER_BYTES];
    if (file_len < HEADER_BYTES || fread(hdr, 1, HEADER_BYTES, f) != HEADER_BYTES) {
        fclose(f);
        return cw_fail(CW_ERR_TRUNCATED, "%s: %llu bytes is shorter than the %d-byte header",
                       path, (unsigned long long)file_len, HEADER_BYTES);
    }
    int32_t h[7];
    for (int i = 0; i < 7; i++)
        h[i] = cw_read_le32s(hdr + 4 * i);
    cw_model_config cfg = { h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[5] > 0 };

    size_t n_floats;
    if ((rc = cw_model_config_check(&cfg, &n_floats)) != CW_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", cw_last_error());
        fclose(f);
        return cw_fail(rc, "%s: %s", path, why);
    }
    uint64_t want = HEADER_BYTES + (uint64_t)n_floats * 4;
    if (file_len != want) {
        fclose(f);
        return cw_fail(file_len < want ? CW_ERR_TRUNCATED : CW_ERR_FORMAT,
                       "%s: the header implies %llu bytes but the file has %llu (%s)",
                       path, (unsigned long long)want, (unsigned long long)file_len,
                       file_len < want ? "truncated" : "trailing bytes");
    }

    cw_model *m = calloc(1, sizeof *m);
    float *data = malloc(n_floats * sizeof(float));
    if (!m || !data) {
        free(m);
        free(data);
        fclose(f);
        return cw_fail(CW_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes", path,
                       n_floats * sizeof(float));
    }
    size_t got = fread(data, sizeof(float), n_floats, f);
    fclose(f);
    if (got != n_floats) {
        free(data);
        free(m);
        return cw_fail(CW_ERR_IO, "%s: read failed after %zu of %zu floats", path, got,
                       n_floats);
    }
    cw_le_floats_to_host(data, n_floats);
    for (size_t i = 0; i < n_floats; i++) {
        if (!isfinite(data[i])) {
            free(data);
            free(m);
            return cw_fail(CW_ERR_FORMAT, "%s: weight at byte offset %llu is not finite",
                           path, (unsigned long long)(HEADER_BYTES + 4 * (uint64_t)i));
        }
    }
    if (cfg.vocab_size < 0)
        cfg.vocab_size = -cfg.vocab_size;
    m->refs = 1;
    m->cfg = cfg;
    m->head_size = cfg.dim / cfg.n_heads;
    m->kv_dim = m->head_size * cfg.n_kv_heads;
    m->data = data;
    m->n_floats = n_floats;
    map_tensors(m);
    *out = m;
    return CW_OK;
}

const cw_model *cw_model_retain(const cw_model *m)
{
    ((cw_model *)m)->refs++;
    return m;
}

void cw_model_close(cw_model *m)
{
    if (!m || --m->refs > 0)
        return;
    free(m->data);
    free(m);
}

int cw_model_get_config(const cw_model *m, cw_model_config *out)
{
    if (!m || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_model_get_config: NULL argument");
    *out = m->cfg;
    return CW_OK;
}

/* ------------------------------------------------------ synthetic models */

/* splitmix64: a small, well-mixed generator, so a seed names one model. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [-1, 1) with 24 random bits. */
static float next_unit(uint64_t *s)
{
    return (float)((int64_t)(next_u64(s) >> 40) - (1 << 23)) / (float)(1 << 23);
}

/* Fills n floats: matrices uniform with variance 1/fan_in (fan_in > 0), or
 * norm gains near 1 (fan_in == 0). */
static int write_tensor(FILE *f, size_t n, int fan_in, uint64_t *s)
{
    float buf[1024];
    float a = fan_in > 0 ? sqrtf(3.0f / (float)fan_in) : 0.0f;
    while (n > 0) {
        size_t k = n < 1024 ? n : 1024;
        for (size_t i = 0; i < k; i++)
            buf[i] = fan_in > 0 ? a * next_unit(s) : 1.0f + 0.25f * next_unit(s);
        cw_host_floats_to_le(buf, k);
        if (fwrite(buf, sizeof(float), k, f) != k)
            return -1;
        n -= k;
    }
    return 0;
}

int cw_model_write_synthetic(const char *path, const cw_model_config *cfg,
                             uint64_t seed)
{
    cw_clear_error();
    if (!path || !cfg)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_model_write_synthetic: NULL argument");
    cw_model_config c = *cfg;
    c.vocab_size = c.shared_classifier ? abs(c.vocab_size) : -abs(c.vocab_size);
    size_t n_floats;
    int rc = cw_model_config_check(&c, &n_floats);
    if (rc != CW_OK)
        return rc;

    cw_tmpfile tf;
    FILE *f;
    if ((rc = cw_tmpfile_open(&tf, path, &f)) != CW_OK)
        return rc;
    unsigned char hdr[HEADER_BYTES];
    const int32_t h[7] = { c.dim, c.hidden_dim, c.n_layers, c.n_heads,
                           c.n_kv_heads, c.vocab_size, c.seq_len };
    for (int i = 0; i < 7; i++)
        cw_write_le32s(hdr + 4 * i, h[i]);

    size_t dim = (size_t)c.dim, hid = (size_t)c.hidden_dim, L = (size_t)c.n_layers;
    size_t hs = dim / (size_t)c.n_heads, kv = hs * (size_t)c.n_kv_heads;
    size_t voc = (size_t)abs(c.vocab_size);
    uint64_t s = seed;
    int bad = fwrite(hdr, 1, HEADER_BYTES, f) != HEADER_BYTES;
    /* Embeddings have unit-ish rows; projections scale as 1/sqrt(fan_in). */
    bad = bad || write_tensor(f, voc * dim, 3, &s);
    bad = bad || write_tensor(f, L * dim, 0, &s);
    bad = bad || write_tensor(f, L * dim * dim, c.dim, &s);
    bad = bad || write_tensor(f, L * kv * dim, c.dim, &s);
    bad = bad || write_tensor(f, L * kv * dim, c.dim, &s);
    bad = bad || write_tensor(f, L * dim * dim, c.dim, &s);
    bad = bad || write_tensor(f, L * dim, 0, &s);
    bad = bad || write_tensor(f, L * hid * dim, c.dim, &s);
    bad = bad || write_tensor(f, L * dim * hid, c.hidden_dim, &s);
    bad = bad || write_tensor(f, L * hid * dim, c.dim, &s);
    bad = bad || write_tensor(f, dim, 0, &s);
    bad = bad || write_tensor(f, (size_t)c.seq_len * hs, 1, &s); /* legacy, unused */
    if (c.vocab_size < 0)
        bad = bad || write_tensor(f, voc * dim, c.dim, &s);
    if (bad) {
        cw_tmpfile_abort(&tf, f);
        return cw_fail(CW_ERR_IO, "%s: write failed", path);
    }
    return cw_tmpfile_commit(&tf, f);
}
