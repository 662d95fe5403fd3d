/*
 * cw_hls.h - clockwork's integer arithmetic: the kernels, in C for Vitis HLS.
 *
 * This is the one implementation of the numerics of docs/numerics.md. The
 * integer forward pass (host/forward_int.c), the instruction-level `ref`
 * simulator and the RTL block tests all call these functions; the RTL must
 * reproduce them bit for bit.
 *
 * Vector conventions (docs/numerics.md, "Formats"):
 *   - a narrow vector is int16 mantissas m[i], |m| <= 32767, and one int32
 *     exponent e: value = m * 2^e;
 *   - a wide vector is int64 mantissas (|m| < 2^62, each kernel states its
 *     bound) and one exponent; kernels that produce one return the exponent
 *     offset or take the exponent as documented;
 *   - the residual stream is int32 mantissas normalized to |m| < 2^30.
 * Every function is pure: pointers + lengths + parameters, no allocation,
 * no globals other than the constant tables of cw_tables.h, fixed latency
 * for given lengths. Preconditions (the CW_HLS_MAX_* limits) are assert()ed;
 * cw_quantize() refuses any model outside them beforehand.
 */
#ifndef CW_HLS_H
#define CW_HLS_H

#include <stdint.h>

/* ------------------------------------------------------------ limits */
#define CW_HLS_MAX_VEC 16384   /* dim, hidden_dim, kv_dim: matvec columns */
#define CW_HLS_MAX_ROWS 1048576 /* matvec rows (vocab_size included) */
#define CW_HLS_MAX_HEAD 256    /* head_size (even) */
#define CW_HLS_MAX_SEQ 65536   /* positions attended (seq_len) */
#define CW_HLS_MAX_EXP 4096    /* |exponent| of any vector */

/* ------------------------------------------------------------ formats */
#define CW_ACT_MAX 32767        /* narrow (int16) mantissa bound */
#define CW_RES_BITS 30          /* residual mantissas |m| < 2^30 */
#define CW_RES_MAX ((1 << CW_RES_BITS) - 1)
#define CW_MULT_SHIFT_MIN 16    /* row scale: mult in [2^15, 2^16), shift >= 16 */
#define CW_SCORE_FRAC 16        /* attention scores: int32 Q16 */
#define CW_PROB_FRAC 24         /* softmax weights: uint32 Q24, max 2^24 */
#define CW_TRIG_FRAC 16         /* sin/cos: Q16 */
#define CW_SIG_FRAC 16          /* sigmoid: Q16 */
#define CW_LOG2E_Q30 1549082005 /* round(log2(e) * 2^30) */

/* ------------------------------------------------- scalar function units */

/* exp(-x) for x >= 0 given in Q16 (CW_SCORE_FRAC); result in Q24, 2^24 at
 * x = 0, 0 for x >= 17.33 * 2^16. */
uint32_t cw_hls_exp_neg(int64_t x_q16);

/* 1/sqrt(v) for v > 0 (v < 2^63): returns y in (2^29, 2^30] with
 * 1/sqrt(v) = y * 2^(*e). */
uint32_t cw_hls_rsqrt(uint64_t v, int32_t *e);

/* 1/v for v > 0 (v < 2^63): returns r in (2^29, 2^30] with 1/v = r * 2^(*e). */
uint32_t cw_hls_recip(uint64_t v, int32_t *e);

/* sin and cos of 2*pi*phase/2^32, in Q16 (CW_TRIG_FRAC). */
void cw_hls_sincos(uint32_t phase, int32_t *sin_q16, int32_t *cos_q16);

/* logistic sigmoid of x (Q16), result in Q16, in [0, 65536]. */
uint32_t cw_hls_sigmoid(int32_t x_q16);

/* ------------------------------------------------------------ kernels */

/* Matrix-vector product with per-row scales.
 * out[r] = round(acc_r * mult[r] / 2^shift[r]), acc_r = sum_c x[c]*w[r][c]
 * (exact, |acc| < 2^44), mult[r] in [2^15, 2^16) (or 0 for an all-zero
 * row), 16 <= shift[r] <= 62. |out| < 2^44. When the weights are
 * w * mult * 2^(Ew - shift) and x is x * 2^ex, out has exponent ex + Ew.
 * w is row-major [rows][cols]. */
void cw_hls_matvec_w8(int64_t *out, const int16_t *x, const int8_t *w,
                      const uint16_t *mult, const uint8_t *shift, int rows,
                      int cols);
void cw_hls_matvec_w16(int64_t *out, const int16_t *x, const int16_t *w,
                       const uint16_t *mult, const uint8_t *shift, int rows,
                       int cols);

/* Embedding row expansion: out[j] = row[j] * mult (|out| < 2^31); the
 * exponent is Ew - shift of that row. */
void cw_hls_embed_w8(int64_t *out, const int8_t *row, uint16_t mult, int n);
void cw_hls_embed_w16(int64_t *out, const int16_t *row, uint16_t mult, int n);

/* Block normalization of a wide vector (|in| < 2^62) to int16: shift
 * s = bitlen(max|in|) - 15 (either sign), round half up, saturate to
 * +-32767. Returns the output exponent e_in + s. An all-zero vector keeps
 * e_in. */
int32_t cw_hls_norm16(int16_t *out, const int64_t *in, int n, int32_t e_in);

/* The same to the residual format: |out| <= 2^30 - 1, max in [2^29, 2^30). */
int32_t cw_hls_norm_res(int32_t *out, const int64_t *in, int n, int32_t e_in);

/* x[i] = round(x[i] / 2^s), s >= 0 (aligns a narrow vector to a larger
 * exponent, e.g. the heads of the attention output). */
void cw_hls_shift16(int16_t *x, int n, int s);

/* The KV cache's narrow entries (a target's kvbits b, 8 <= b <= 16): a head
 * vector about to be cached (norm16 output, |x| <= 32767) is rounded in
 * place to x[i] = round(x[i] / 2^(16-b)) (half up), saturated to
 * +-(2^(b-1) - 1). Returns e + 16 - b, the exponent of the rounded vector;
 * an all-zero vector (to which norm16 gave its input exponent) gets the same.
 * b = 16 changes nothing. The values stay int16 mantissas, so attention
 * reads them unchanged. */
#define CW_KV_MIN_BITS 8
#define CW_KV_MAX_BITS 16
int32_t cw_hls_kv_round(int16_t *x, int n, int32_t e, int bits);

/* Residual add, in place: x (residual format, exponent e_x) += b (wide,
 * |b| < 2^62, exponent e_b). Both are aligned to the larger exponent (b
 * first brought to 30 bits), added exactly, and the sum renormalized to the
 * residual format. Returns the new exponent of x. */
int32_t cw_hls_residual_add(int32_t *x, int32_t e_x, const int64_t *b,
                            int32_t e_b, int n);

/* RMSNorm of the residual x (exponent e_x) with gains g (exponent e_g; the
 * quantizer stores g*sqrt(n) so that no division by n is needed) and
 * eps*n = eps_mant * 2^eps_exp:
 *   out[i] = x[i] * g[i] / sqrt(sum x^2 + eps*n)   (wide, |out| < 2^60).
 * Returns the exponent of out. */
int32_t cw_hls_rmsnorm(int64_t *out, const int32_t *x, int32_t e_x,
                       const int16_t *g, int32_t e_g, int n,
                       uint32_t eps_mant, int32_t eps_exp);

/* RoPE on one head of n (even) values: pair (2p, 2p+1) rotated by the
 * angle 2*pi*(pos*freq[p] mod 2^32)/2^32. out is wide (|out| < 2^32) with
 * exponent e_x - 16. */
void cw_hls_rope(int64_t *out, const int16_t *x, const uint32_t *freq,
                 int n, int pos);

/* SwiGLU gate: out[i] = a[i] * sigmoid(a[i]*2^e_a) * b[i], wide (|out| <
 * 2^47), exponent e_a + e_b - 16. */
void cw_hls_silu_gate(int64_t *out, const int16_t *a, int32_t e_a,
                      const int16_t *b, int n);

/* Index of the largest value; ties go to the lowest index. */
int cw_hls_argmax(const int64_t *v, int n);

/* Attention, one query head against n_pos cached positions.
 * Cache entry t: k + t*stride (hs int16), exponent ek[t*estride].
 * scores[t] = q.k_t * 2^(e_q + ek[t]) in Q16, saturated to int32. The
 * 1/sqrt(head_size) factor is folded into wq by the quantizer. */
void cw_hls_attn_scores(int32_t *scores, const int16_t *q, int32_t e_q,
                        const int16_t *k, const int32_t *ek, int n_pos,
                        int hs, int stride, int estride);

/* p[t] = exp(scores[t] - max) in Q24; returns sum p (2^24 <= sum < 2^41). */
uint64_t cw_hls_softmax(uint32_t *p, const int32_t *scores, int n);

/* out = sum_t p[t] v_t / sum, normalized to int16; returns its exponent. */
int32_t cw_hls_attn_wsum(int16_t *out, const uint32_t *p, uint64_t sum,
                         const int16_t *v, const int32_t *ev, int n_pos,
                         int hs, int stride, int estride);

/* The three above in sequence; score_buf and p_buf hold n_pos entries. */
int32_t cw_hls_attention(int16_t *out, const int16_t *q, int32_t e_q,
                         const int16_t *k, const int32_t *ek,
                         const int16_t *v, const int32_t *ev, int n_pos,
                         int hs, int stride, int estride, int32_t *score_buf,
                         uint32_t *p_buf);

#endif
