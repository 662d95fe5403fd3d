/*
 * cw_vector.c - the vector kernels: block normalization, the KV cache's
 * narrow entries, residual add, RMSNorm, RoPE, SwiGLU gate, argmax.
 * Formats and bounds: cw_hls.h and docs/numerics.md.
 */
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
/* gcc builds: the HLS pragmas and loop labels are for Vitis HLS only */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"
#endif
#include <assert.h>

#include "cw_fixed.h"
#include "cw_hls.h"

/* OR of |v| has the bit length of max |v| (cheaper than a max in RTL). */
static uint64_t or_abs64(const int64_t *v, int n)
{
    uint64_t m = 0;
ORABS:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        m |= cw_abs64(v[i]);
    }
    return m;
}

static uint64_t or_abs32(const int32_t *v, int n)
{
    uint64_t m = 0;
ORABS:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        m |= cw_abs64(v[i]);
    }
    return m;
}

int32_t cw_hls_norm16(int16_t *out, const int64_t *in, int n, int32_t e_in)
{
    assert(n > 0 && n <= CW_HLS_MAX_ROWS);
    uint64_t m = or_abs64(in, n);
    int s = m ? cw_bitlen(m) - 15 : 0;
NORM:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        out[i] = (int16_t)cw_shift_sat(in[i], -s, CW_ACT_MAX);
    }
    assert(e_in + s > -CW_HLS_MAX_EXP && e_in + s < CW_HLS_MAX_EXP);
    return e_in + s;
}

int32_t cw_hls_norm_res(int32_t *out, const int64_t *in, int n, int32_t e_in)
{
    assert(n > 0 && n <= CW_HLS_MAX_VEC);
    uint64_t m = or_abs64(in, n);
    int s = m ? cw_bitlen(m) - CW_RES_BITS : 0;
NORM:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        out[i] = (int32_t)cw_shift_sat(in[i], -s, CW_RES_MAX);
    }
    assert(e_in + s > -CW_HLS_MAX_EXP && e_in + s < CW_HLS_MAX_EXP);
    return e_in + s;
}

void cw_hls_shift16(int16_t *x, int n, int s)
{
    assert(s >= 0);
SHIFT:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        x[i] = (int16_t)cw_rshift_round(x[i], s);
    }
}

int32_t cw_hls_kv_round(int16_t *x, int n, int32_t e, int bits)
{
    assert(n > 0 && n <= CW_HLS_MAX_HEAD);
    assert(bits >= CW_KV_MIN_BITS && bits <= CW_KV_MAX_BITS);
    const int s = 16 - bits;
    const int64_t lim = ((int64_t)1 << (bits - 1)) - 1;
KV:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=256
#pragma HLS PIPELINE II=1
        x[i] = (int16_t)cw_shift_sat(x[i], -s, lim);
    }
    assert(e + s < CW_HLS_MAX_EXP);
    return e + s;
}

int32_t cw_hls_residual_add(int32_t *x, int32_t e_x, const int64_t *b,
                            int32_t e_b, int n)
{
    assert(n > 0 && n <= CW_HLS_MAX_VEC);
    uint64_t mx = or_abs32(x, n), mb = or_abs64(b, n);
    /* exponent at which b fits in 30 bits */
    int32_t eb30 = e_b + cw_bitlen(mb) - CW_RES_BITS;
    int32_t e = mx == 0 ? eb30 : (mb == 0 ? e_x : (e_x > eb30 ? e_x : eb30));
    /* aligned operands are each <= 2^30 - 1, so the sum fits in int32 */
ADD:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        int64_t xa = cw_shift_sat(x[i], e_x - e, CW_RES_MAX);
        int64_t ba = cw_shift_sat(b[i], e_b - e, CW_RES_MAX);
        x[i] = (int32_t)(xa + ba);
    }
    uint64_t ms = or_abs32(x, n);
    int s = ms ? cw_bitlen(ms) - CW_RES_BITS : 0;
RENORM:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        x[i] = (int32_t)cw_shift_sat(x[i], -s, CW_RES_MAX);
    }
    assert(e + s > -CW_HLS_MAX_EXP && e + s < CW_HLS_MAX_EXP);
    return e + s;
}

int32_t cw_hls_rmsnorm(int64_t *out, const int32_t *x, int32_t e_x,
                       const int16_t *g, int32_t e_g, int n,
                       uint32_t eps_mant, int32_t eps_exp)
{
    assert(n > 0 && n <= CW_HLS_MAX_VEC);
    uint64_t mx = or_abs32(x, n);
    int b = cw_bitlen(mx);
    int sh = b - 20;  /* either sign: squares of 20-bit values */
    uint64_t ss = 0;  /* <= 2^14 * 2^40 = 2^54 */
SUMSQ:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        int64_t xs = cw_shift_sat(x[i], -sh, (int64_t)1 << 20);
        ss += (uint64_t)(xs * xs);
    }
    /* eps*n in units of 2^(2(e_x+sh)); when that exceeds 2^56 (eps
     * dominates), both terms move to units 2^k larger (k even) */
    int d = eps_exp - 2 * (e_x + sh);
    int k = d > 25 ? d - 25 + ((d - 25) & 1) : 0;
    int64_t eps = cw_shift_sat((int64_t)eps_mant, d - k, (int64_t)1 << 56);
    uint64_t v = (uint64_t)cw_rshift_round((int64_t)ss, k) + (uint64_t)eps;
    if (v == 0)
        v = 1;
    int32_t er;
    int64_t y = cw_hls_rsqrt(v, &er); /* 1/sqrt(v) = y * 2^er, y <= 2^30 */
    er -= k / 2;
    int sx = b > 15 ? b - 15 : 0; /* x * g < 2^(b+15): keep 30 bits */
SCALE:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        int64_t t = cw_rshift_round((int64_t)x[i] * g[i], sx); /* <= 2^30 */
        out[i] = t * y;                                      /* <= 2^60 */
    }
    /* x*2^e_x * g*2^e_g * y*2^er * 2^-(e_x+sh), with the >>sx above */
    return e_g + er - sh + sx;
}

void cw_hls_rope(int64_t *out, const int16_t *x, const uint32_t *freq,
                 int n, int pos)
{
    assert(n > 0 && n <= CW_HLS_MAX_VEC && (n & 1) == 0 && pos >= 0);
ROPE:
    for (int p = 0; p < n / 2; p++) {
#pragma HLS LOOP_TRIPCOUNT min=4 max=128
#pragma HLS PIPELINE II=1
        uint32_t phase = (uint32_t)pos * freq[p]; /* mod 2^32 */
        int32_t s, c;
        cw_hls_sincos(phase, &s, &c);
        int64_t x0 = x[2 * p], x1 = x[2 * p + 1];
        out[2 * p] = x0 * c - x1 * s;
        out[2 * p + 1] = x0 * s + x1 * c;
    }
}

void cw_hls_silu_gate(int64_t *out, const int16_t *a, int32_t e_a,
                      const int16_t *b, int n)
{
    assert(n > 0 && n <= CW_HLS_MAX_VEC);
    int d = e_a + CW_SIG_FRAC; /* a in Q16 = a * 2^d */
GATE:
    for (int i = 0; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=16384
#pragma HLS PIPELINE II=1
        int32_t xq = (int32_t)cw_shift_sat(a[i], d, (int64_t)16 << 16);
        int64_t sg = cw_hls_sigmoid(xq);
        out[i] = (int64_t)a[i] * sg * b[i];
    }
}

int cw_hls_argmax(const int64_t *v, int n)
{
    assert(n > 0);
    int best = 0;
    int64_t bv = v[0];
ARGMAX:
    for (int i = 1; i < n; i++) {
#pragma HLS LOOP_TRIPCOUNT min=64 max=32000
#pragma HLS PIPELINE II=1
        if (v[i] > bv) {
            bv = v[i];
            best = i;
        }
    }
    return best;
}
