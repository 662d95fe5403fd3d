/*
 * device_int.c - the "int" device: the integer forward pass on the host,
 * built from the hls/ kernels (the arithmetic every accelerator target
 * reproduces bit for bit).
 */
#include <stdlib.h>

#include "device.h"
#include "error.h"
#include "forward_int.h"
#include "quant.h"

typedef struct int_device {
    cw_qmodel *q;
    cw_int_state state;
    double *logits_d;
    float *logits; /* for sampling at temperature > 0 */
} int_device;

static int int_open(cw_device *dev, const char *arg)
{
    if (arg[0] != '\0')
        return cw_fail(CW_ERR_NO_DEVICE, "device 'int' takes no argument (got 'int:%s')", arg);
    dev->impl = calloc(1, sizeof(int_device));
    return dev->impl ? CW_OK : cw_fail(CW_ERR_NO_MEMORY, "out of memory");
}

static void int_unload(int_device *d)
{
    if (!d->q)
        return;
    cw_int_state_free(&d->state);
    cw_qmodel_free(d->q);
    free(d->logits_d);
    free(d->logits);
    d->q = NULL;
    d->logits_d = NULL;
    d->logits = NULL;
}

static int int_load(cw_device *dev, const cw_model *m, const cw_load_params *p)
{
    int_device *d = dev->impl;
    int_unload(d);
    int bits = p->weight_bits ? p->weight_bits : 16;
    int rc = cw_quantize(m, bits, &d->q);
    if (rc != CW_OK)
        return rc;
    size_t v = (size_t)m->cfg.vocab_size;
    d->logits_d = malloc(v * sizeof *d->logits_d);
    d->logits = malloc(v * sizeof *d->logits);
    if (!d->logits_d || !d->logits) {
        int_unload(d);
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    }
    if ((rc = cw_int_state_init(&d->state, d->q)) != CW_OK) {
        free(d->logits_d);
        free(d->logits);
        d->logits_d = NULL;
        d->logits = NULL;
        cw_qmodel_free(d->q);
        d->q = NULL;
        return rc;
    }
    d->state.kv_bits = p->kv_bits ? p->kv_bits : 16;
    if (p->on_progress && p->on_progress(p->user, 1, 1) != 0) {
        int_unload(d);
        return cw_fail(CW_ERR_ABORTED, "load aborted by the progress callback");
    }
    return CW_OK;
}

static int int_step(void *ctx, int token, int pos, const float **logits, int *argmax)
{
    int_device *d = ctx;
    int rc = cw_int_forward(&d->state, token, pos, argmax);
    if (rc != CW_OK)
        return rc;
    /* Float logits only matter for sampling; greedy uses the integer argmax. */
    cw_int_logits_double(&d->state, d->logits_d);
    for (int i = 0; i < d->q->cfg.vocab_size; i++)
        d->logits[i] = (float)d->logits_d[i];
    *logits = d->logits;
    return CW_OK;
}

static int int_generate(cw_device *dev, const int *prompt, int n_prompt,
                        const cw_generate_params *p, int *out, int max_out, int *n_out)
{
    int_device *d = dev->impl;
    if (!d->q)
        return cw_fail(CW_ERR_NOT_LOADED, "device 'int': no model loaded");
    return cw_host_generate(dev, &d->q->cfg, int_step, d, prompt, n_prompt, p, out, max_out,
                            n_out);
}

static void int_close(cw_device *dev)
{
    int_device *d = dev->impl;
    int_unload(d);
    free(d);
}

const cw_device_ops cw_int_device_ops = {
    "int", "integer forward pass on the host (the hls/ kernels' arithmetic)",
    int_open, int_load, int_generate, int_close, NULL, NULL, NULL,
};
