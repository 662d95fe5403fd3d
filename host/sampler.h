/*
 * sampler.h - llama2.c's sampler: argmax, temperature, top-p, and its
 * xorshift generator, so that a seed gives the tokens llama2.c gives.
 */
#ifndef CW_SAMPLER_H
#define CW_SAMPLER_H

#include <stdint.h>

typedef struct cw_prob_index {
    float prob;
    int index;
} cw_prob_index;

typedef struct cw_sampler {
    int vocab_size;
    float temperature;
    float topp;
    uint64_t rng;
    cw_prob_index *scratch; /* [vocab], for top-p */
} cw_sampler;

int cw_sampler_init(cw_sampler *s, int vocab_size, float temperature, float topp,
                    uint64_t seed);
void cw_sampler_free(cw_sampler *s);

/* Picks the next token from logits (modified in place when sampling). */
int cw_sampler_sample(cw_sampler *s, float *logits);

/* Index of the largest value; the lowest index on ties. */
int cw_argmax_f32(const float *v, int n);

#endif
