/*
 * forward_int.h - the integer forward pass: a quantized model run through
 * the hls/ kernels only (no floating point). docs/numerics.md, "Forward
 * pass", lists the sequence of kernel calls.
 */
#ifndef CW_FORWARD_INT_H
#define CW_FORWARD_INT_H

#include <stdint.h>

#include "quant.h"

/* Where a calibration tap sees a projection input (quantizer use). */
enum {
    CW_TAP_QKV = 0, /* input of wq, wk, wv */
    CW_TAP_WO = 1,  /* input of wo (attention output) */
    CW_TAP_W13 = 2, /* input of w1, w3 */
    CW_TAP_W2 = 3,  /* input of w2 (gated FFN activation) */
    CW_TAP_CLS = 4, /* input of the classifier (layer = n_layers) */
    CW_TAP_KINDS = 5
};

/* Called with every projection input x[n] (value x * 2^e) when set. */
typedef void (*cw_int_tap_fn)(void *user, int layer, int kind,
                              const int16_t *x, int32_t e, int n);

typedef struct cw_int_state {
    const cw_qmodel *q;
    int32_t *x;        /* residual stream [dim], value x * 2^e_x */
    int32_t e_x;
    int16_t *xb;       /* normalized input of a projection [dim] */
    int16_t *att;      /* attention output, all heads [dim] */
    int32_t *e_att;    /* [n_heads] */
    int16_t *qv;       /* rotated queries [dim] */
    int32_t *e_q;      /* [n_heads] */
    int16_t *hb, *hb2; /* FFN [hidden] */
    int16_t *tmp;      /* [head_size] */
    int64_t *wide;     /* kernel outputs [max(dim, hidden)] */
    int64_t *wide2;    /* [head_size] */
    int64_t *logits;   /* [vocab], value logits * 2^e_logits */
    int32_t e_logits;
    int kv_bits;       /* cache entries: 16, or 8..15 (cw_hls_kv_round; a
                          target's kvbits); cw_int_state_init sets 16 */
    int16_t *kc, *vc;  /* KV cache [layer][seq_len][kv_dim] */
    int32_t *ekc, *evc; /* exponents [layer][seq_len][n_kv_heads] */
    int32_t *scores;   /* [seq_len] */
    uint32_t *probs;   /* [seq_len] */
    cw_int_tap_fn tap; /* NULL, or the quantizer's calibration tap */
    void *tap_user;
} cw_int_state;

int cw_int_state_init(cw_int_state *s, const cw_qmodel *q);
void cw_int_state_free(cw_int_state *s);

/* Runs token at position pos (0 <= pos < seq_len; positions must be run in
 * order 0, 1, ... as the KV cache fills). The logits are left in
 * s->logits (int64, exponent s->e_logits); *argmax_out (may be NULL)
 * receives the greedy token (ties to the lowest id). */
int cw_int_forward(cw_int_state *s, int token, int pos, int *argmax_out);

/* The logits as doubles (diagnostics and tests only). */
void cw_int_logits_double(const cw_int_state *s, double *out);

#endif
