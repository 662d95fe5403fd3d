/*
 * cw_attention.c - the attention kernel for one query head: scores q.k_t
 * over the KV cache (one exponent per cached head vector), softmax by the
 * exp unit, weighted sum of v_t, division by the sum through the reciprocal
 * unit, block normalization to int16. docs/numerics.md, "Attention".
 */
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
/* gcc builds: the HLS pragmas and loop labels are for Vitis HLS only */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"
#endif
#include <assert.h>

#include "cw_fixed.h"
#include "cw_hls.h"

void cw_hls_attn_scores(int32_t *scores, const int16_t *q, int32_t e_q,
                        const int16_t *k, const int32_t *ek, int n_pos,
                        int hs, int stride, int estride)
{
    assert(n_pos > 0 && n_pos <= CW_HLS_MAX_SEQ);
    assert(hs > 0 && hs <= CW_HLS_MAX_HEAD);
POS:
    for (int t = 0; t < n_pos; t++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536
        const int16_t *kt = k + (long)t * stride;
        int64_t dot = 0; /* |dot| <= 256 * 2^30 = 2^38 */
DOT:
        for (int i = 0; i < hs; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=256
#pragma HLS PIPELINE II=1
            dot += (int32_t)q[i] * (int32_t)kt[i];
        }
        int d = e_q + ek[(long)t * estride] + CW_SCORE_FRAC;
        scores[t] = (int32_t)cw_shift_sat(dot, d, INT32_MAX);
    }
}

uint64_t cw_hls_softmax(uint32_t *p, const int32_t *scores, int n)
{
    assert(n > 0 && n <= CW_HLS_MAX_SEQ);
    int32_t m = scores[0];
MAX:
    for (int t = 1; t < n; t++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536
#pragma HLS PIPELINE II=1
        if (scores[t] > m)
            m = scores[t];
    }
    uint64_t sum = 0; /* <= 2^16 * 2^24 = 2^40 */
EXP:
    for (int t = 0; t < n; t++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536
#pragma HLS PIPELINE II=1
        p[t] = cw_hls_exp_neg((int64_t)m - scores[t]);
        sum += p[t];
    }
    return sum;
}

int32_t cw_hls_attn_wsum(int16_t *out, const uint32_t *p, uint64_t sum,
                         const int16_t *v, const int32_t *ev, int n_pos,
                         int hs, int stride, int estride)
{
    assert(n_pos > 0 && n_pos <= CW_HLS_MAX_SEQ);
    assert(hs > 0 && hs <= CW_HLS_MAX_HEAD && sum > 0);
    int64_t acc[CW_HLS_MAX_HEAD];
    int64_t w[CW_HLS_MAX_HEAD];
#pragma HLS ARRAY_PARTITION variable=acc complete
    int32_t emax = ev[0];
EMAX:
    for (int t = 1; t < n_pos; t++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536
#pragma HLS PIPELINE II=1
        if (ev[(long)t * estride] > emax)
            emax = ev[(long)t * estride];
    }
CLEAR:
    for (int i = 0; i < hs; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=256
        acc[i] = 0;
    }
    /* |p*v| <= 2^24 * 2^15 = 2^39; n_pos <= 2^16 terms: |acc| < 2^55 */
POS:
    for (int t = 0; t < n_pos; t++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=65536
        const int16_t *vt = v + (long)t * stride;
        int s = emax - ev[(long)t * estride];
ACC:
        for (int i = 0; i < hs; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=256
#pragma HLS PIPELINE II=1
            acc[i] += cw_rshift_round((int64_t)p[t] * vt[i], s);
        }
    }
    /* out = acc * 2^(emax-24) / (sum * 2^-24) = acc * 2^emax / sum */
    int32_t er;
    int64_t r = cw_hls_recip(sum, &er); /* 1/sum = r * 2^er, r <= 2^30 */
    uint64_t ma = 0;
ORABS:
    for (int i = 0; i < hs; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=256
        ma |= cw_abs64(acc[i]);
    }
    int sa = ma ? cw_bitlen(ma) - 31 : 0;
    if (sa < 0)
        sa = 0;
SCALE:
    for (int i = 0; i < hs; i++) {
#pragma HLS LOOP_TRIPCOUNT min=8 max=256
#pragma HLS PIPELINE II=1
        w[i] = cw_rshift_round(acc[i], sa) * r; /* < 2^31 * 2^30 */
    }
    return cw_hls_norm16(out, w, hs, emax + er + sa);
}

int32_t cw_hls_attention(int16_t *out, const int16_t *q, int32_t e_q,
                         const int16_t *k, const int32_t *ek,
                         const int16_t *v, const int32_t *ev, int n_pos,
                         int hs, int stride, int estride, int32_t *score_buf,
                         uint32_t *p_buf)
{
    cw_hls_attn_scores(score_buf, q, e_q, k, ek, n_pos, hs, stride, estride);
    uint64_t sum = cw_hls_softmax(p_buf, score_buf, n_pos);
    return cw_hls_attn_wsum(out, p_buf, sum, v, ev, n_pos, hs, stride, estride);
}
