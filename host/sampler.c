/*
 * sampler.c - choosing the next token, as llama2.c's run.c does.
 */
#include <stdlib.h>

#include "error.h"
#include "forward_f32.h"
#include "sampler.h"

int cw_sampler_init(cw_sampler *s, int vocab_size, float temperature, float topp,
                    uint64_t seed)
{
    s->vocab_size = vocab_size;
    s->temperature = temperature;
    s->topp = topp;
    s->rng = seed;
    s->scratch = malloc((size_t)vocab_size * sizeof *s->scratch);
    if (!s->scratch)
        return cw_fail(CW_ERR_NO_MEMORY, "cannot allocate the sampler");
    return CW_OK;
}

void cw_sampler_free(cw_sampler *s)
{
    free(s->scratch);
    s->scratch = NULL;
}

/* xorshift64* as llama2.c uses it: 32 random bits per call. */
static uint32_t random_u32(uint64_t *st)
{
    *st ^= *st >> 12;
    *st ^= *st << 25;
    *st ^= *st >> 27;
    return (uint32_t)((*st * 0x2545F4914F6CDD1Dull) >> 32);
}

static float random_f32(uint64_t *st)
{
    return (float)(random_u32(st) >> 8) / 16777216.0f;
}

int cw_argmax_f32(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

static int sample_mult(const float *p, int n, float coin)
{
    float cdf = 0.0f;
    for (int i = 0; i < n; i++) {
        cdf += p[i];
        if (coin < cdf)
            return i;
    }
    return n - 1;
}

static int by_prob_desc(const void *a, const void *b)
{
    const cw_prob_index *x = a, *y = b;
    if (x->prob > y->prob)
        return -1;
    if (x->prob < y->prob)
        return 1;
    return 0;
}

/* Samples among the smallest set of tokens whose probability exceeds topp;
 * tokens below (1 - topp) / (n - 1) cannot be in it and are dropped first. */
static int sample_topp(const float *p, int n, float topp, cw_prob_index *pi, float coin)
{
    const float cutoff = (1.0f - topp) / (float)(n - 1);
    int n0 = 0;
    for (int i = 0; i < n; i++)
        if (p[i] >= cutoff)
            pi[n0++] = (cw_prob_index){ p[i], i };
    qsort(pi, (size_t)n0, sizeof *pi, by_prob_desc);
    float cum = 0.0f;
    int last = n0 - 1;
    for (int i = 0; i < n0; i++) {
        cum += pi[i].prob;
        if (cum > topp) {
            last = i;
            break;
        }
    }
    float r = coin * cum, cdf = 0.0f;
    for (int i = 0; i <= last; i++) {
        cdf += pi[i].prob;
        if (r < cdf)
            return pi[i].index;
    }
    return pi[last].index;
}

int cw_sampler_sample(cw_sampler *s, float *logits)
{
    if (s->temperature == 0.0f)
        return cw_argmax_f32(logits, s->vocab_size);
    for (int i = 0; i < s->vocab_size; i++)
        logits[i] /= s->temperature;
    cw_f32_softmax(logits, s->vocab_size);
    float coin = random_f32(&s->rng);
    if (s->topp <= 0.0f || s->topp >= 1.0f)
        return sample_mult(logits, s->vocab_size, coin);
    return sample_topp(logits, s->vocab_size, s->topp, s->scratch, coin);
}
