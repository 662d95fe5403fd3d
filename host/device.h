/*
 * device.h - the device layer inside libclockwork.
 *
 * A device is a table of operations chosen by the URI's scheme. Host-side
 * devices (cpu, int) supply a step function and share cw_host_generate(),
 * the llama2.c generation loop; accelerator devices run that loop on the
 * device and implement generate themselves.
 */
#ifndef CW_DEVICE_H
#define CW_DEVICE_H

#include <stdatomic.h>

#include "clockwork.h"
#include "model.h"

typedef struct cw_device_ops {
    const char *scheme; /* "cpu", "int", ... */
    const char *summary;
    int (*open)(cw_device *dev, const char *arg); /* arg: text after "scheme:" */
    int (*load_model)(cw_device *dev, const cw_model *m, const cw_load_params *p);
    int (*generate)(cw_device *dev, const int *prompt, int n_prompt,
                    const cw_generate_params *p, int *out, int max_out, int *n_out);
    void (*close)(cw_device *dev);
    /* Accelerator devices only (NULL on host devices). */
    int (*load_artifact)(cw_device *dev, const cw_artifact *a, const cw_load_params *p);
    int (*get_target)(cw_device *dev, cw_target_config *out);
    /* Devices with state between runs (NULL: nothing to reset). */
    int (*reset)(cw_device *dev);
} cw_device_ops;

struct cw_device {
    const cw_device_ops *ops;
    void *impl;
    atomic_int cancel;
};

/* One forward step of a host-side device: sets *logits (float, vocab long)
 * and *argmax (the device's own argmax, or -1 to let the loop compute it). */
typedef int (*cw_step_fn)(void *ctx, int token, int pos, const float **logits,
                          int *argmax);

int cw_host_generate(cw_device *dev, const cw_model_config *cfg, cw_step_fn step,
                     void *ctx, const int *prompt, int n_prompt,
                     const cw_generate_params *p, int *out, int max_out, int *n_out);

/* Checks the arguments every generate shares; resolves p->steps into *steps. */
int cw_check_generate_args(const cw_model_config *cfg, const int *prompt, int n_prompt,
                           const cw_generate_params *p, int *steps);

/* load_model of the accelerator devices: compile for the device's target
 * (8-bit weights by default on an 8-bit target, else 16), then load_artifact. */
int cw_accel_load_model(cw_device *dev, const cw_model *m, const cw_load_params *p);

extern const cw_device_ops cw_cpu_device_ops;
extern const cw_device_ops cw_int_device_ops;
extern const cw_device_ops cw_ref_device_ops;
extern const cw_device_ops cw_sim_device_ops;

#endif
