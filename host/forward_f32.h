/*
 * forward_f32.h - the float32 forward pass, with llama2.c's arithmetic in
 * llama2.c's order, so that it reproduces llama2.c token for token.
 */
#ifndef CW_FORWARD_F32_H
#define CW_FORWARD_F32_H

#include "model.h"

typedef struct cw_f32_state {
    const cw_model *m;
    float *x, *xb, *xb2;  /* residual stream and scratch [dim] */
    float *hb, *hb2;      /* FFN [hidden] */
    float *q;             /* [dim] */
    float *att;           /* [n_heads][seq_len] */
    float *logits;        /* [vocab] */
    float *key_cache;     /* [layer][seq_len][kv_dim] */
    float *value_cache;   /* [layer][seq_len][kv_dim] */
} cw_f32_state;

int cw_f32_state_init(cw_f32_state *s, const cw_model *m);
void cw_f32_state_free(cw_f32_state *s);

/* Runs token at position pos (0 <= pos < seq_len); returns the logits. */
const float *cw_f32_forward(cw_f32_state *s, int token, int pos);

/* llama2.c's softmax, in place (also used by the sampler). */
void cw_f32_softmax(float *x, int n);

#endif
