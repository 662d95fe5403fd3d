/*
 * generate.c - the llama2.c generation loop for host-side devices.
 *
 * Position 0 runs prompt[0]; while the prompt lasts the next token is
 * forced, afterwards it is sampled; the run ends after `steps` positions or
 * when BOS comes out (BOS delimits sequences).
 */
#include "device.h"
#include "error.h"
#include "sampler.h"

int cw_check_generate_args(const cw_model_config *cfg, const int *prompt, int n_prompt,
                           const cw_generate_params *p, int *steps)
{
    if (n_prompt < 1)
        return cw_fail(CW_ERR_INVALID_ARG, "the prompt needs at least one token (BOS)");
    if (n_prompt > cfg->seq_len)
        return cw_fail(CW_ERR_TOO_LONG, "the prompt has %d tokens; the context holds %d",
                       n_prompt, cfg->seq_len);
    for (int i = 0; i < n_prompt; i++)
        if (prompt[i] < 0 || prompt[i] >= cfg->vocab_size)
            return cw_fail(CW_ERR_INVALID_ARG, "prompt token %d is id %d, outside 0..%d", i,
                           prompt[i], cfg->vocab_size - 1);
    if (!(p->temperature >= 0.0f) || !(p->topp >= 0.0f && p->topp <= 1.0f))
        return cw_fail(CW_ERR_INVALID_ARG, "temperature must be >= 0 and topp in [0, 1]");
    *steps = p->steps <= 0 || p->steps > cfg->seq_len ? cfg->seq_len : p->steps;
    return CW_OK;
}

int cw_host_generate(cw_device *dev, const cw_model_config *cfg, cw_step_fn step,
                     void *ctx, const int *prompt, int n_prompt,
                     const cw_generate_params *p, int *out, int max_out, int *n_out)
{
    int steps, rc;
    if ((rc = cw_check_generate_args(cfg, prompt, n_prompt, p, &steps)) != CW_OK)
        return rc;
    cw_sampler sampler;
    if ((rc = cw_sampler_init(&sampler, cfg->vocab_size, p->temperature, p->topp,
                              p->seed)) != CW_OK)
        return rc;
    int token = prompt[0], produced = 0;
    for (int pos = 0; pos < steps; pos++) {
        if (atomic_load(&dev->cancel)) {
            rc = cw_fail(CW_ERR_ABORTED, "cancelled at position %d", pos);
            break;
        }
        const float *logits = NULL;
        int argmax = -1;
        if ((rc = step(ctx, token, pos, &logits, &argmax)) != CW_OK)
            break;
        int next;
        if (pos + 1 < n_prompt)
            next = prompt[pos + 1];
        else if (p->temperature == 0.0f && argmax >= 0)
            next = argmax;
        else
            next = cw_sampler_sample(&sampler, (float *)logits);
        if (next == CW_TOKEN_BOS)
            break;
        if (produced < max_out)
            out[produced] = next;
        produced++;
        if (n_out)
            *n_out = produced;
        cw_token_event ev = { pos + 1, next, 0, 0, 0 };
        if (p->on_token && p->on_token(p->user, &ev) != 0) {
            rc = cw_fail(CW_ERR_ABORTED, "stopped by the token callback at position %d",
                         pos + 1);
            break;
        }
        token = next;
    }
    cw_sampler_free(&sampler);
    return rc;
}
