/*
 * eval.c - integer path vs float32 path: leading greedy tokens and
 * teacher-forced top-1 agreement.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "forward_f32.h"
#include "forward_int.h"
#include "model.h"
#include "sampler.h"
#include "quant.h"

/* One greedy generation; returns the number of generated ids in out. */
static int generate(cw_f32_state *fs, cw_int_state *is, const int *prompt,
                    int n_prompt, int steps, int *out, int *n_out)
{
    int token = prompt[0], n = 0;
    for (int pos = 0; pos < steps; pos++) {
        int next;
        if (fs) {
            const float *lg = cw_f32_forward(fs, token, pos);
            next = cw_argmax_f32(lg, fs->m->cfg.vocab_size);
        } else {
            int rc = cw_int_forward(is, token, pos, &next);
            if (rc)
                return rc;
        }
        if (pos < n_prompt - 1)
            next = prompt[pos + 1];
        else
            out[n++] = next;
        if (next == CW_TOKEN_BOS)
            break;
        token = next;
    }
    *n_out = n;
    return CW_OK;
}

int cw_eval(const cw_model *m, int weight_bits, int kv_bits, const int *prompt,
            int n_prompt, int steps, const int *forced, int n_forced,
            int *f32_out, int *int_out, cw_eval_result *res)
{
    if (!m || !prompt || n_prompt < 1 || !res || (forced && n_forced < 1))
        return cw_fail(CW_ERR_INVALID_ARG, "cw_eval: bad arguments");
    if (kv_bits == 0)
        kv_bits = 16;
    if (kv_bits < 8 || kv_bits > 16)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_eval: kv_bits = %d: must be 8 to 16", kv_bits);
    const int vocab = m->cfg.vocab_size;
    if (steps <= 0 || steps > m->cfg.seq_len)
        steps = m->cfg.seq_len;
    if (n_prompt > steps)
        return cw_fail(CW_ERR_TOO_LONG, "prompt of %d ids longer than %d steps", n_prompt, steps);
    if (forced && n_forced > m->cfg.seq_len)
        return cw_fail(CW_ERR_TOO_LONG, "forced sequence of %d ids exceeds seq_len %d",
                       n_forced, m->cfg.seq_len);
    for (int i = 0; i < n_prompt; i++)
        if (prompt[i] < 0 || prompt[i] >= vocab)
            return cw_fail(CW_ERR_INVALID_ARG, "prompt id %d out of range", prompt[i]);
    for (int i = 0; forced && i < n_forced; i++)
        if (forced[i] < 0 || forced[i] >= vocab)
            return cw_fail(CW_ERR_INVALID_ARG, "forced id %d out of range", forced[i]);

    memset(res, 0, sizeof *res);
    res->weight_bits = weight_bits;
    res->kv_bits = kv_bits;
    res->steps = steps;
    cw_qmodel *q = NULL;
    cw_f32_state fs;
    cw_int_state is;
    int *fg = calloc((size_t)steps, sizeof *fg), *ig = calloc((size_t)steps, sizeof *ig);
    int *seq = calloc((size_t)steps + (size_t)n_prompt + (forced ? (size_t)n_forced : 0), sizeof *seq);
    int rc = (!fg || !ig || !seq) ? cw_fail(CW_ERR_NO_MEMORY, "cw_eval: out of memory") : CW_OK;
    int have_f = 0, have_i = 0;
    if (!rc)
        rc = cw_quantize(m, weight_bits, &q);
    if (!rc && !(rc = cw_f32_state_init(&fs, m)))
        have_f = 1;
    if (!rc && !(rc = cw_int_state_init(&is, q))) {
        have_i = 1;
        is.kv_bits = kv_bits;
    }

    /* (a) greedy */
    int nf = 0, ni = 0;
    if (!rc)
        rc = generate(&fs, NULL, prompt, n_prompt, steps, fg, &nf);
    if (!rc)
        rc = generate(NULL, &is, prompt, n_prompt, steps, ig, &ni);
    if (!rc) {
        res->n_generated = nf;
        while (res->leading < nf && res->leading < ni && fg[res->leading] == ig[res->leading])
            res->leading++;
        if (f32_out)
            memcpy(f32_out, fg, (size_t)nf * sizeof *fg);
        if (int_out)
            memcpy(int_out, ig, (size_t)ni * sizeof *ig);
    }

    /* (b) teacher-forced */
    if (!rc) {
        int n;
        if (forced) {
            memcpy(seq, forced, (size_t)n_forced * sizeof *seq);
            n = n_forced;
        } else {
            memcpy(seq, prompt, (size_t)n_prompt * sizeof *seq);
            memcpy(seq + n_prompt, fg, (size_t)nf * sizeof *seq);
            n = n_prompt + nf;
            if (n > steps)
                n = steps; /* the last generated id is not fed back */
        }
        for (int pos = 0; pos < n && !rc; pos++) {
            int a_i;
            const float *lg = cw_f32_forward(&fs, seq[pos], pos);
            int a_f = cw_argmax_f32(lg, vocab);
            rc = cw_int_forward(&is, seq[pos], pos, &a_i);
            res->tf_positions++;
            res->tf_agree += a_f == a_i;
        }
    }
    if (have_f)
        cw_f32_state_free(&fs);
    if (have_i)
        cw_int_state_free(&is);
    cw_qmodel_free(q);
    free(fg);
    free(ig);
    free(seq);
    return rc;
}
