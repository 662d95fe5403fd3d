/*
 * quant.c - float32 checkpoint -> integer weights (docs/numerics.md,
 * "Weights" and "Quantizer"). Host-side, compile time: floating point is
 * allowed here and nowhere after.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw_hls.h"
#include "error.h"
#include "forward_int.h"
#include "quant.h"

/* 8-bit calibration text: sequences x positions of the 16-bit path */
#define CW_CALIB_SEQS 8
#define CW_CALIB_LEN 128
/* largest dim / hidden_dim quantized with GPTQ */
#define CW_GPTQ_MAX_COLS 1024

#define CW_PI 3.14159265358979323846

/* round half up, the project's rounding rule, applied to the quantizer too */
static double rnd(double x)
{
    return floor(x + 0.5);
}

static double clampd(double x, double lim)
{
    return x > lim ? lim : (x < -lim ? -lim : x);
}

/* Sum of squared errors of quantizing w[0..n) with step s. */
static double row_err(const double *w, int n, double s, double qmax)
{
    double e = 0.0;
    for (int c = 0; c < n; c++) {
        double q = clampd(rnd(w[c] / s), qmax);
        double d = w[c] - q * s;
        e += d * d;
    }
    return e;
}

/* The step for one row. 16 bits: max-abs / 32767. 8 bits: the step that
 * minimizes the squared rounding error (a grid over clipping ratios, then
 * least-squares refits of the step for the chosen integers). */
static double row_step(const double *w, int n, int bits, double maxabs)
{
    double qmax = bits == 8 ? 127.0 : 32767.0;
    double best = maxabs / qmax;
    if (bits != 8)
        return best;
    double best_e = row_err(w, n, best, qmax);
    for (int i = 0; i < 200; i++) {
        double s = maxabs * (0.5 + 0.5 * i / 200.0) / qmax;
        double e = row_err(w, n, s, qmax);
        if (e < best_e) {
            best_e = e;
            best = s;
        }
    }
    for (int it = 0; it < 8; it++) {
        double num = 0.0, den = 0.0;
        for (int c = 0; c < n; c++) {
            double q = clampd(rnd(w[c] / best), qmax);
            num += q * w[c];
            den += q * q;
        }
        if (den <= 0.0)
            break;
        double s = num / den;
        double e = row_err(w, n, s, qmax);
        if (!(e < best_e))
            break;
        best_e = e;
        best = s;
    }
    return best;
}

void cw_qmat_free(cw_qmat *q)
{
    if (!q)
        return;
    free(q->w8);
    free(q->w16);
    free(q->mult);
    free(q->shift);
    memset(q, 0, sizeof *q);
}

/* GPTQ factor: the upper Cholesky factor U of (H + damp)^-1, U^T U =
 * (H + damp)^-1, n x n row-major; the damping is 1% of the mean diagonal.
 * Returns 0 on success, -1 if H is not positive definite. */
static int gptq_factor(const double *H, int n, double *U)
{
    size_t un = (size_t)n;
    double *A = malloc(un * un * sizeof *A);
    if (!A)
        return -2;
    double mean = 0.0;
    for (int i = 0; i < n; i++)
        mean += H[(size_t)i * un + (size_t)i];
    mean /= n;
    double damp = 0.01 * (mean > 0.0 ? mean : 1.0);
    memcpy(A, H, un * un * sizeof *A);
    for (int i = 0; i < n; i++) {
        if (A[(size_t)i * un + (size_t)i] <= 0.0)
            A[(size_t)i * un + (size_t)i] = 1.0;
        A[(size_t)i * un + (size_t)i] += damp;
    }
    /* A = L L^T, L in the lower triangle of A */
    for (int j = 0; j < n; j++) {
        double d = A[(size_t)j * un + (size_t)j];
        for (int k = 0; k < j; k++)
            d -= A[(size_t)j * un + (size_t)k] * A[(size_t)j * un + (size_t)k];
        if (!(d > 0.0)) {
            free(A);
            return -1;
        }
        d = sqrt(d);
        A[(size_t)j * un + (size_t)j] = d;
        for (int i = j + 1; i < n; i++) {
            double v = A[(size_t)i * un + (size_t)j];
            for (int k = 0; k < j; k++)
                v -= A[(size_t)i * un + (size_t)k] * A[(size_t)j * un + (size_t)k];
            A[(size_t)i * un + (size_t)j] = v / d;
        }
    }
    /* M = L^-1 (lower), into U temporarily */
    memset(U, 0, un * un * sizeof *U);
    for (int i = 0; i < n; i++) {
        U[(size_t)i * un + (size_t)i] = 1.0 / A[(size_t)i * un + (size_t)i];
        for (int j = 0; j < i; j++) {
            double v = 0.0;
            for (int k = j; k < i; k++)
                v -= A[(size_t)i * un + (size_t)k] * U[(size_t)k * un + (size_t)j];
            U[(size_t)i * un + (size_t)j] = v / A[(size_t)i * un + (size_t)i];
        }
    }
    /* A^-1 = M^T M, into A (symmetric) */
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double v = 0.0;
            for (int k = i; k < n; k++)
                v += U[(size_t)k * un + (size_t)i] * U[(size_t)k * un + (size_t)j];
            A[(size_t)i * un + (size_t)j] = v;
            A[(size_t)j * un + (size_t)i] = v;
        }
    /* A^-1 = C C^T (lower C); U = C^T */
    memset(U, 0, un * un * sizeof *U);
    for (int j = 0; j < n; j++) {
        double d = A[(size_t)j * un + (size_t)j];
        for (int k = 0; k < j; k++)
            d -= U[(size_t)k * un + (size_t)j] * U[(size_t)k * un + (size_t)j];
        if (!(d > 0.0)) {
            free(A);
            return -1;
        }
        d = sqrt(d);
        U[(size_t)j * un + (size_t)j] = d;
        for (int i = j + 1; i < n; i++) {
            double v = A[(size_t)i * un + (size_t)j];
            for (int k = 0; k < j; k++)
                v -= U[(size_t)k * un + (size_t)i] * U[(size_t)k * un + (size_t)j];
            U[(size_t)j * un + (size_t)i] = v / d;
        }
    }
    free(A);
    return 0;
}

/* Quantizes w (scaled by `scale`) to `bits`. With H (cols x cols, the sum
 * of x x^T over calibration inputs), the integers are chosen column by
 * column with GPTQ error compensation; without, by rounding. */
static int quantize_matrix_h(cw_qmat *out, const float *w, int rows, int cols,
                             int bits, float scale, const double *H)
{
    memset(out, 0, sizeof *out);
    if ((bits != 8 && bits != 16) || rows <= 0 || cols <= 0)
        return cw_fail(CW_ERR_INVALID_ARG, "quantize: bits %d, shape %dx%d", bits, rows, cols);
    size_t n = (size_t)rows * (size_t)cols, uc = (size_t)cols;
    out->rows = rows;
    out->cols = cols;
    out->bits = bits;
    out->mult = calloc((size_t)rows, sizeof *out->mult);
    out->shift = calloc((size_t)rows, sizeof *out->shift);
    int *k = calloc((size_t)rows, sizeof *k);
    double *row = malloc(uc * sizeof *row);
    double *U = H ? malloc(uc * uc * sizeof *U) : NULL;
    if (bits == 8)
        out->w8 = calloc(n, 1);
    else
        out->w16 = calloc(n, sizeof *out->w16);
    if (!out->mult || !out->shift || !k || !row || (H && !U) || (!out->w8 && !out->w16)) {
        free(k);
        free(row);
        free(U);
        cw_qmat_free(out);
        return cw_fail(CW_ERR_NO_MEMORY, "quantize: cannot allocate a %dx%d matrix", rows, cols);
    }
    if (U && gptq_factor(H, cols, U) != 0) {
        free(U); /* not positive definite: fall back to rounding */
        U = NULL;
    }
    double qmax = bits == 8 ? 127.0 : 32767.0;
    int kmin = INT32_MAX;
    for (int r = 0; r < rows; r++) {
        double maxabs = 0.0;
        for (int c = 0; c < cols; c++) {
            row[c] = (double)w[(size_t)r * uc + (size_t)c] * (double)scale;
            if (fabs(row[c]) > maxabs)
                maxabs = fabs(row[c]);
        }
        if (maxabs == 0.0) {
            k[r] = INT32_MAX; /* all-zero row */
            continue;
        }
        double st = U ? maxabs / qmax : row_step(row, cols, bits, maxabs);
        int e;
        double f = frexp(st, &e); /* st = f * 2^e, f in [0.5, 1) */
        long m = (long)rnd(f * 65536.0);
        int kr = 16 - e;         /* st ~ m * 2^-kr, m in [2^15, 2^16] */
        if (m >= 65536) {
            m = 32768;
            kr--;
        }
        out->mult[r] = (uint16_t)m;
        k[r] = kr;
        if (kr < kmin)
            kmin = kr;
        /* the integers, against the step as the hardware will apply it */
        double sq = (double)m * ldexp(1.0, -kr);
        for (int c = 0; c < cols; c++) {
            double q = clampd(rnd(row[c] / sq), qmax);
            if (U) { /* push this column's error onto the columns not yet quantized */
                double err = (row[c] - q * sq) / U[(size_t)c * uc + (size_t)c];
                for (int j = c + 1; j < cols; j++)
                    row[j] -= err * U[(size_t)c * uc + (size_t)j];
            }
            size_t i = (size_t)r * uc + (size_t)c;
            if (bits == 8)
                out->w8[i] = (int8_t)q;
            else
                out->w16[i] = (int16_t)q;
        }
    }
    if (kmin == INT32_MAX)
        kmin = 0; /* the whole matrix is zero */
    out->exp = CW_MULT_SHIFT_MIN - kmin;
    for (int r = 0; r < rows; r++) {
        long sh = k[r] == INT32_MAX ? 62 : (long)k[r] - kmin + CW_MULT_SHIFT_MIN;
        if (sh > 62) { /* 2^-46 of the largest row: below resolution */
            out->mult[r] = 0;
            sh = 62;
        }
        if (k[r] == INT32_MAX)
            out->mult[r] = 0;
        out->shift[r] = (uint8_t)sh;
    }
    free(k);
    free(row);
    free(U);
    return CW_OK;
}

int cw_quantize_matrix(cw_qmat *out, const float *w, int rows, int cols,
                       int bits, float scale)
{
    return quantize_matrix_h(out, w, rows, cols, bits, scale, NULL);
}

double cw_qmat_value(const cw_qmat *q, int r, int c)
{
    size_t i = (size_t)r * (size_t)q->cols + (size_t)c;
    double v = q->bits == 8 ? q->w8[i] : q->w16[i];
    return v * q->mult[r] * ldexp(1.0, q->exp - q->shift[r]);
}

static int quantize_vec(cw_qvec *out, const float *g, int n, double scale)
{
    out->n = n;
    out->q = calloc((size_t)n, sizeof *out->q);
    if (!out->q)
        return cw_fail(CW_ERR_NO_MEMORY, "quantize: cannot allocate a vector");
    double maxabs = 0.0;
    for (int i = 0; i < n; i++)
        if (fabs((double)g[i] * scale) > maxabs)
            maxabs = fabs((double)g[i] * scale);
    int e = 0;
    if (maxabs > 0.0) {
        frexp(maxabs, &e); /* maxabs in [2^(e-1), 2^e) */
        e -= 15;           /* maxabs / 2^e in [2^14, 2^15) */
    }
    out->exp = e;
    for (int i = 0; i < n; i++)
        out->q[i] = (int16_t)clampd(rnd((double)g[i] * scale * ldexp(1.0, -e)), CW_ACT_MAX);
    return CW_OK;
}

void cw_qmodel_free(cw_qmodel *q)
{
    if (!q)
        return;
    int L = q->cfg.n_layers;
    cw_qmat *mats[] = {q->wq, q->wk, q->wv, q->wo, q->w1, q->w2, q->w3};
    for (size_t j = 0; j < sizeof mats / sizeof mats[0]; j++) {
        if (!mats[j])
            continue;
        for (int l = 0; l < L; l++)
            cw_qmat_free(&mats[j][l]);
        free(mats[j]);
    }
    for (int l = 0; l < L; l++) {
        if (q->rms_att)
            free(q->rms_att[l].q);
        if (q->rms_ffn)
            free(q->rms_ffn[l].q);
    }
    free(q->rms_att);
    free(q->rms_ffn);
    free(q->rms_final.q);
    if (q->cls.mult != q->tok_emb.mult)
        cw_qmat_free(&q->cls);
    cw_qmat_free(&q->tok_emb);
    free(q->rope_freq);
    free(q);
}

static int check_shape(const cw_model *m)
{
    const cw_model_config *c = &m->cfg;
    if (c->dim > CW_HLS_MAX_VEC || c->hidden_dim > CW_HLS_MAX_VEC || m->kv_dim > CW_HLS_MAX_VEC)
        return cw_fail(CW_ERR_UNSUPPORTED,
                       "dim %d / hidden_dim %d / kv_dim %d exceeds the integer limit %d",
                       c->dim, c->hidden_dim, m->kv_dim, CW_HLS_MAX_VEC);
    if (m->head_size > CW_HLS_MAX_HEAD || (m->head_size & 1))
        return cw_fail(CW_ERR_UNSUPPORTED, "head_size %d must be even and at most %d",
                       m->head_size, CW_HLS_MAX_HEAD);
    if (c->seq_len > CW_HLS_MAX_SEQ)
        return cw_fail(CW_ERR_UNSUPPORTED, "seq_len %d exceeds the integer limit %d",
                       c->seq_len, CW_HLS_MAX_SEQ);
    if (c->vocab_size > CW_HLS_MAX_ROWS)
        return cw_fail(CW_ERR_UNSUPPORTED, "vocab_size %d exceeds the integer limit %d",
                       c->vocab_size, CW_HLS_MAX_ROWS);
    return CW_OK;
}

/* Calibration statistics: for each projection input, the sum of x x^T. */
typedef struct calib {
    int n_layers, dim, hid;
    double **h; /* [layer * CW_TAP_KINDS + kind], [n x n]; cls at [n_layers * KINDS] */
    double *xs; /* scratch [max(dim, hid)] */
} calib;

static const double *calib_h(const calib *cb, int layer, int kind)
{
    return cb ? cb->h[layer * CW_TAP_KINDS + kind] : NULL;
}

static int build(const cw_model *m, int weight_bits, const calib *cb, cw_qmodel **out)
{
    const cw_model_config *c = &m->cfg;
    const int L = c->n_layers, dim = c->dim, hid = c->hidden_dim, kvd = m->kv_dim;
    const int hs = m->head_size;
    cw_qmodel *q = calloc(1, sizeof *q);
    if (!q)
        return cw_fail(CW_ERR_NO_MEMORY, "cw_quantize: out of memory");
    q->cfg = *c;
    q->head_size = hs;
    q->kv_dim = kvd;
    q->weight_bits = weight_bits;
    q->wq = calloc((size_t)L, sizeof(cw_qmat));
    q->wk = calloc((size_t)L, sizeof(cw_qmat));
    q->wv = calloc((size_t)L, sizeof(cw_qmat));
    q->wo = calloc((size_t)L, sizeof(cw_qmat));
    q->w1 = calloc((size_t)L, sizeof(cw_qmat));
    q->w2 = calloc((size_t)L, sizeof(cw_qmat));
    q->w3 = calloc((size_t)L, sizeof(cw_qmat));
    q->rms_att = calloc((size_t)L, sizeof(cw_qvec));
    q->rms_ffn = calloc((size_t)L, sizeof(cw_qvec));
    q->rope_freq = calloc((size_t)(hs / 2), sizeof(uint32_t));
    if (!q->wq || !q->wk || !q->wv || !q->wo || !q->w1 || !q->w2 || !q->w3 ||
        !q->rms_att || !q->rms_ffn || !q->rope_freq) {
        cw_qmodel_free(q);
        return cw_fail(CW_ERR_NO_MEMORY, "cw_quantize: out of memory");
    }
    const int b = weight_bits;
    const size_t ud = (size_t)dim, ukv = (size_t)kvd, uh = (size_t)hid;
    const double gscale = sqrt((double)dim);
    /* attention scores / sqrt(head_size): folded into wq */
    const float qscale = (float)(1.0 / sqrt((double)hs));
    /* a shared table is quantized for its classifier role (GPTQ against the
     * classifier's inputs); it serves the embedding lookup as well */
    const int shared = m->wcls == m->tok_emb;
    int rc = quantize_matrix_h(&q->tok_emb, m->tok_emb, c->vocab_size, dim, b, 1.0f,
                               shared ? calib_h(cb, L, CW_TAP_QKV) : NULL);
    if (!rc) {
        if (shared)
            q->cls = q->tok_emb;
        else
            rc = quantize_matrix_h(&q->cls, m->wcls, c->vocab_size, dim, b, 1.0f,
                                   calib_h(cb, L, CW_TAP_QKV));
    }
    for (int l = 0; l < L && !rc; l++) {
        size_t ul = (size_t)l;
        const double *hqkv = calib_h(cb, l, CW_TAP_QKV), *hwo = calib_h(cb, l, CW_TAP_WO);
        const double *h13 = calib_h(cb, l, CW_TAP_W13), *hw2 = calib_h(cb, l, CW_TAP_W2);
        rc = quantize_matrix_h(&q->wq[l], m->wq + ul * ud * ud, dim, dim, b, qscale, hqkv);
        if (!rc) rc = quantize_matrix_h(&q->wk[l], m->wk + ul * ukv * ud, kvd, dim, b, 1.0f, hqkv);
        if (!rc) rc = quantize_matrix_h(&q->wv[l], m->wv + ul * ukv * ud, kvd, dim, b, 1.0f, hqkv);
        if (!rc) rc = quantize_matrix_h(&q->wo[l], m->wo + ul * ud * ud, dim, dim, b, 1.0f, hwo);
        if (!rc) rc = quantize_matrix_h(&q->w1[l], m->w1 + ul * uh * ud, hid, dim, b, 1.0f, h13);
        if (!rc) rc = quantize_matrix_h(&q->w2[l], m->w2 + ul * ud * uh, dim, hid, b, 1.0f, hw2);
        if (!rc) rc = quantize_matrix_h(&q->w3[l], m->w3 + ul * uh * ud, hid, dim, b, 1.0f, h13);
        if (!rc) rc = quantize_vec(&q->rms_att[l], m->rms_att + ul * ud, dim, gscale);
        if (!rc) rc = quantize_vec(&q->rms_ffn[l], m->rms_ffn + ul * ud, dim, gscale);
    }
    if (!rc)
        rc = quantize_vec(&q->rms_final, m->rms_final, dim, gscale);
    if (rc) {
        cw_qmodel_free(q);
        return rc;
    }
    /* RoPE: the frequency as llama2.c computes it (float32), in turns per
     * position times 2^32, so that pos * freq wraps exactly mod one turn */
    for (int p = 0; p < hs / 2; p++) {
        float f = 1.0f / powf(10000.0f, (float)(2 * p) / (float)hs);
        q->rope_freq[p] = (uint32_t)rnd((double)f / (2.0 * CW_PI) * 4294967296.0);
    }
    /* eps * dim, as llama2.c's 1e-5f added to the mean of squares */
    int e;
    double f = frexp((double)1e-5f * (double)dim, &e);
    q->eps_mant = (uint32_t)rnd(f * 2147483648.0); /* [2^30, 2^31] */
    q->eps_exp = e - 31;
    *out = q;
    return CW_OK;
}

static void calib_tap(void *user, int layer, int kind, const int16_t *x, int32_t e, int n)
{
    calib *cb = user;
    double *h = cb->h[layer * CW_TAP_KINDS + (kind == CW_TAP_CLS ? CW_TAP_QKV : kind)];
    double *xs = cb->xs;
    double sc = ldexp(1.0, e);
    for (int i = 0; i < n; i++)
        xs[i] = x[i] * sc;
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
            h[(size_t)i * (size_t)n + (size_t)j] += xs[i] * xs[j];
}

static void calib_free(calib *cb)
{
    free(cb->xs);
    cb->xs = NULL;
    if (!cb->h)
        return;
    for (int i = 0; i < (cb->n_layers + 1) * CW_TAP_KINDS; i++)
        free(cb->h[i]);
    free(cb->h);
    cb->h = NULL;
}

/* Runs the 16-bit integer path over the calibration text and collects the
 * input statistics of every projection (docs/numerics.md, "8-bit weights"). */
static int calibrate(const cw_model *m, calib *cb)
{
    const cw_model_config *c = &m->cfg;
    memset(cb, 0, sizeof *cb);
    cb->n_layers = c->n_layers;
    cb->dim = c->dim;
    cb->hid = c->hidden_dim;
    int nh = (c->n_layers + 1) * CW_TAP_KINDS;
    cb->h = calloc((size_t)nh, sizeof *cb->h);
    cb->xs = calloc((size_t)(c->dim > c->hidden_dim ? c->dim : c->hidden_dim), sizeof *cb->xs);
    if (!cb->h || !cb->xs) {
        calib_free(cb);
        return cw_fail(CW_ERR_NO_MEMORY, "calibration: out of memory");
    }
    for (int i = 0; i < nh; i++) {
        int kind = i % CW_TAP_KINDS;
        if (i / CW_TAP_KINDS == c->n_layers && kind != CW_TAP_QKV)
            continue;
        size_t n = (size_t)(kind == CW_TAP_W2 ? c->hidden_dim : c->dim);
        if (kind == CW_TAP_CLS)
            continue;
        cb->h[i] = calloc(n * n, sizeof(double));
        if (!cb->h[i]) {
            calib_free(cb);
            return cw_fail(CW_ERR_NO_MEMORY, "calibration: out of memory");
        }
    }
    cw_qmodel *q16 = NULL;
    int rc = build(m, 16, NULL, &q16);
    cw_int_state st;
    if (!rc)
        rc = cw_int_state_init(&st, q16);
    if (rc) {
        cw_qmodel_free(q16);
        calib_free(cb);
        return rc;
    }
    st.tap = calib_tap;
    st.tap_user = cb;
    int len = c->seq_len < CW_CALIB_LEN ? c->seq_len : CW_CALIB_LEN;
    int half = c->vocab_size / 2;
    for (int sq = 0; sq < CW_CALIB_SEQS && !rc; sq++) {
        /* BOS, then a start token spread over the upper half of the vocabulary */
        int token = CW_TOKEN_BOS;
        int start = half + 3 + (int)((long)sq * (half - 3) / CW_CALIB_SEQS);
        if (start >= c->vocab_size)
            start = c->vocab_size - 1;
        for (int pos = 0; pos < len && !rc; pos++) {
            int next;
            rc = cw_int_forward(&st, token, pos, &next);
            token = pos == 0 ? start : next;
        }
    }
    cw_int_state_free(&st);
    cw_qmodel_free(q16);
    if (rc) {
        calib_free(cb);
        return rc;
    }
    /* mirror the lower triangles */
    for (int i = 0; i < nh; i++) {
        if (!cb->h[i])
            continue;
        int n = i % CW_TAP_KINDS == CW_TAP_W2 ? c->hidden_dim : c->dim;
        for (int a = 0; a < n; a++)
            for (int b2 = 0; b2 < a; b2++)
                cb->h[i][(size_t)b2 * (size_t)n + (size_t)a] = cb->h[i][(size_t)a * (size_t)n + (size_t)b2];
    }
    return CW_OK;
}

int cw_quantize(const cw_model *m, int weight_bits, cw_qmodel **out)
{
    if (!m || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_quantize: NULL argument");
    *out = NULL;
    if (weight_bits != 8 && weight_bits != 16)
        return cw_fail(CW_ERR_INVALID_ARG, "weight bits %d: must be 8 or 16", weight_bits);
    int rc = check_shape(m);
    if (rc)
        return rc;
    /* 16 bits need no calibration; beyond CW_GPTQ_MAX_COLS the statistics
     * (cols^2 doubles per projection input) and the cols^3 factorization
     * are too costly: 8-bit rows then use the error-minimizing step alone */
    if (weight_bits == 16 || m->cfg.dim > CW_GPTQ_MAX_COLS ||
        m->cfg.hidden_dim > CW_GPTQ_MAX_COLS)
        return build(m, weight_bits, NULL, out);
    calib cb;
    rc = calibrate(m, &cb);
    if (rc)
        return rc;
    rc = build(m, weight_bits, &cb, out);
    calib_free(&cb);
    return rc;
}
