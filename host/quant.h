/*
 * quant.h - the quantizer: a float32 llama2.c checkpoint to clockwork's
 * integer weights (int8 or int16 per-row-scaled matrices, fixed-point norm
 * gains, RoPE phase increments). Runs on the host at compile time and may
 * use floating point; everything after it is integer (hls/, forward_int.c).
 * Formats: docs/numerics.md.
 */
#ifndef CW_QUANT_H
#define CW_QUANT_H

#include <stdint.h>

#include "model.h"

/* A quantized matrix [rows][cols]: real w[r][c] = q[r][c] * mult[r] *
 * 2^(exp - shift[r]), mult[r] in [2^15, 2^16) (0 for an all-zero row),
 * 16 <= shift[r] <= 62. Exactly one of w8 / w16 is set. */
typedef struct cw_qmat {
    int rows, cols, bits;
    int8_t *w8;
    int16_t *w16;
    uint16_t *mult;
    uint8_t *shift;
    int32_t exp;
} cw_qmat;

/* A fixed-point vector: real v[i] = q[i] * 2^exp. */
typedef struct cw_qvec {
    int n;
    int16_t *q;
    int32_t exp;
} cw_qvec;

typedef struct cw_qmodel {
    cw_model_config cfg;
    int head_size, kv_dim, weight_bits;
    cw_qmat tok_emb;                  /* [vocab][dim] */
    cw_qmat cls;                      /* [vocab][dim]; aliases tok_emb when shared */
    cw_qmat *wq, *wk, *wv, *wo;       /* [n_layers]; wq includes 1/sqrt(head_size) */
    cw_qmat *w1, *w2, *w3;            /* [n_layers] */
    cw_qvec *rms_att, *rms_ffn;       /* [n_layers]; gains times sqrt(dim) */
    cw_qvec rms_final;
    uint32_t *rope_freq;              /* [head_size/2]: turns per position * 2^32 */
    uint32_t eps_mant;                /* dim * 1e-5 = eps_mant * 2^eps_exp */
    int32_t eps_exp;
} cw_qmodel;

/* Quantizes m with weight_bits 8 or 16. CW_ERR_UNSUPPORTED (naming the
 * field) for a shape beyond the limits of hls/cw_hls.h, CW_ERR_NO_MEMORY. */
int cw_quantize(const cw_model *m, int weight_bits, cw_qmodel **out);
void cw_qmodel_free(cw_qmodel *q);

/* Quantizes one float matrix (exposed for tests and the compiler). */
int cw_quantize_matrix(cw_qmat *out, const float *w, int rows, int cols,
                       int bits, float scale);
void cw_qmat_free(cw_qmat *q);

/* The real value of element (r, c), for tests and diagnostics. */
double cw_qmat_value(const cw_qmat *q, int r, int c);

#endif
