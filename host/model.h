/*
 * model.h - the in-memory llama2.c checkpoint, shared inside libclockwork.
 *
 * All tensors are float32, row-major [out][in], pointing into one buffer.
 */
#ifndef CW_MODEL_H
#define CW_MODEL_H

#include "clockwork.h"

/* Bounds the loader accepts. They keep every size computation far from
 * overflow and refuse nonsense headers before anything is allocated. */
#define CW_MAX_DIM (1 << 16)
#define CW_MAX_LAYERS 1024
#define CW_MAX_HEADS 1024
#define CW_MAX_VOCAB (1 << 20)
#define CW_MAX_SEQ_LEN (1 << 20)

struct cw_model {
    cw_model_config cfg;
    _Atomic int refs; /* cw_model_close frees at zero; devices retain */
    int head_size; /* dim / n_heads */
    int kv_dim;    /* head_size * n_kv_heads */
    float *data;   /* everything after the header */
    size_t n_floats;
    const float *tok_emb;   /* [vocab][dim] */
    const float *rms_att;   /* [layer][dim] */
    const float *wq;        /* [layer][dim][dim] */
    const float *wk;        /* [layer][kv_dim][dim] */
    const float *wv;        /* [layer][kv_dim][dim] */
    const float *wo;        /* [layer][dim][dim] */
    const float *rms_ffn;   /* [layer][dim] */
    const float *w1;        /* [layer][hidden][dim] */
    const float *w2;        /* [layer][dim][hidden] */
    const float *w3;        /* [layer][hidden][dim] */
    const float *rms_final; /* [dim] */
    const float *wcls;      /* [vocab][dim] (tok_emb when shared) */
};

/* Takes a reference: the model stays alive until a matching close. */
const cw_model *cw_model_retain(const cw_model *m);

/* Checks a configuration (as from a header; vocab_size may be negative for
 * a separate classifier, as in the file) and computes the number of floats
 * that follow the header, legacy RoPE tables included. CW_ERR_FORMAT with
 * cw_last_error() naming the field otherwise. */
int cw_model_config_check(const cw_model_config *cfg, size_t *n_floats);

#endif
