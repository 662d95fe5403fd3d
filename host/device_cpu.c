/*
 * device_cpu.c - the "cpu" device: the float32 forward pass on the host.
 */
#include <stdlib.h>

#include "device.h"
#include "error.h"
#include "forward_f32.h"

typedef struct cpu_device {
    const cw_model *model;
    cw_f32_state state;
} cpu_device;

static int cpu_open(cw_device *dev, const char *arg)
{
    if (arg[0] != '\0')
        return cw_fail(CW_ERR_NO_DEVICE, "device 'cpu' takes no argument (got 'cpu:%s')", arg);
    dev->impl = calloc(1, sizeof(cpu_device));
    return dev->impl ? CW_OK : cw_fail(CW_ERR_NO_MEMORY, "out of memory");
}

static void cpu_unload(cpu_device *c)
{
    if (!c->model)
        return;
    cw_f32_state_free(&c->state);
    cw_model_close((cw_model *)c->model);
    c->model = NULL;
}

static int cpu_load(cw_device *dev, const cw_model *m, const cw_load_params *p)
{
    cpu_device *c = dev->impl;
    cpu_unload(c);
    int rc = cw_f32_state_init(&c->state, m);
    if (rc != CW_OK)
        return rc;
    c->model = cw_model_retain(m);
    if (p->on_progress && p->on_progress(p->user, 1, 1) != 0) {
        cpu_unload(c);
        return cw_fail(CW_ERR_ABORTED, "load aborted by the progress callback");
    }
    return CW_OK;
}

static int cpu_step(void *ctx, int token, int pos, const float **logits, int *argmax)
{
    cpu_device *c = ctx;
    /* The state's logits are rewritten by every step, so the sampler may
     * scale them in place. */
    *logits = cw_f32_forward(&c->state, token, pos);
    *argmax = -1;
    return CW_OK;
}

static int cpu_generate(cw_device *dev, const int *prompt, int n_prompt,
                        const cw_generate_params *p, int *out, int max_out, int *n_out)
{
    cpu_device *c = dev->impl;
    if (!c->model)
        return cw_fail(CW_ERR_NOT_LOADED, "device 'cpu': no model loaded");
    return cw_host_generate(dev, &c->model->cfg, cpu_step, c, prompt, n_prompt, p, out,
                            max_out, n_out);
}

static void cpu_close(cw_device *dev)
{
    cpu_device *c = dev->impl;
    cpu_unload(c);
    free(c);
}

const cw_device_ops cw_cpu_device_ops = {
    "cpu", "float32 forward pass on the host (llama2.c's arithmetic)",
    cpu_open, cpu_load, cpu_generate, cpu_close, NULL, NULL, NULL,
};
