/*
 * device.c - opening devices by URI, and the public calls that dispatch to
 * each device's operations.
 */
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "device_link.h"
#include "error.h"

static const cw_device_ops *const registry[] = {
    &cw_cpu_device_ops,
    &cw_int_device_ops,
    &cw_ref_device_ops,
    &cw_sim_device_ops,
    &cw_unix_device_ops,
    &cw_pcie_device_ops,
    &cw_usb_device_ops,
};

void cw_load_params_default(cw_load_params *p)
{
    memset(p, 0, sizeof *p);
    p->weight_bits = 0;
}

void cw_generate_params_default(cw_generate_params *p)
{
    memset(p, 0, sizeof *p);
    p->steps = 256;
    p->temperature = 1.0f;
    p->topp = 0.9f;
    p->seed = 1;
}

int cw_device_open(const char *uri, cw_device **out)
{
    cw_clear_error();
    if (!uri || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_open: NULL argument");
    *out = NULL;
    size_t n = strcspn(uri, ":");
    const char *arg = uri[n] == ':' ? uri + n + 1 : "";
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        const cw_device_ops *ops = registry[i];
        if (strlen(ops->scheme) != n || strncmp(ops->scheme, uri, n) != 0)
            continue;
        cw_device *d = calloc(1, sizeof *d);
        if (!d)
            return cw_fail(CW_ERR_NO_MEMORY, "cw_device_open: out of memory");
        d->ops = ops;
        atomic_init(&d->cancel, 0);
        int rc = ops->open(d, arg);
        if (rc != CW_OK) {
            free(d);
            return rc;
        }
        *out = d;
        return CW_OK;
    }
    char known[256] = "";
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, registry[i]->scheme, sizeof known - strlen(known) - 1);
    }
    return cw_fail(CW_ERR_NO_DEVICE, "unknown device URI '%s' (known: %s)", uri, known);
}

void cw_device_close(cw_device *d)
{
    if (!d)
        return;
    d->ops->close(d);
    free(d);
}

int cw_device_load_model(cw_device *d, const cw_model *m, const cw_load_params *p)
{
    cw_clear_error();
    if (!d || !m)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_load_model: NULL argument");
    cw_load_params def;
    if (!p) {
        cw_load_params_default(&def);
        p = &def;
    }
    if (p->weight_bits != 0 && p->weight_bits != 8 && p->weight_bits != 16)
        return cw_fail(CW_ERR_INVALID_ARG, "weight_bits = %d: must be 8 or 16",
                       p->weight_bits);
    if (p->kv_bits != 0 && (p->kv_bits < 8 || p->kv_bits > 16))
        return cw_fail(CW_ERR_INVALID_ARG, "kv_bits = %d: must be 8 to 16", p->kv_bits);
    return d->ops->load_model(d, m, p);
}

int cw_accel_load_model(cw_device *d, const cw_model *m, const cw_load_params *p)
{
    cw_target_config t, named;
    int rc = d->ops->get_target(d, &t);
    if (rc != CW_OK)
        return rc;
    /* Compile for the device's own configuration, found by name and checked
     * by hash (a device on a target file needs its artifact compiled ahead). */
    if (cw_target_get(t.name, &named) != CW_OK || named.hash != t.hash)
        return cw_fail(CW_ERR_UNSUPPORTED, "device target '%s' is not a built-in target: "
                       "compile with --target FILE and load the artifact", t.name);
    if (p->kv_bits != 0 && p->kv_bits != t.kvbits)
        return cw_fail(CW_ERR_MISMATCH, "kv_bits = %d: target '%s' caches %d-bit entries",
                       p->kv_bits, t.name, t.kvbits);
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = t.name;
    cp.weight_bits = p->weight_bits ? p->weight_bits : (t.wbits == 8 ? 8 : 16);
    cw_artifact *a = NULL;
    rc = cw_compile(m, &cp, &a);
    if (rc == CW_OK)
        rc = d->ops->load_artifact(d, a, p);
    cw_artifact_close(a);
    return rc;
}

int cw_device_load_artifact(cw_device *d, const cw_artifact *a, const cw_load_params *p)
{
    cw_clear_error();
    if (!d || !a)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_load_artifact: NULL argument");
    if (!d->ops->load_artifact)
        return cw_fail(CW_ERR_UNSUPPORTED, "device '%s' runs checkpoints, not artifacts",
                       d->ops->scheme);
    cw_load_params def;
    if (!p) {
        cw_load_params_default(&def);
        p = &def;
    }
    return d->ops->load_artifact(d, a, p);
}

int cw_device_get_target(cw_device *d, cw_target_config *out)
{
    cw_clear_error();
    if (!d || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_get_target: NULL argument");
    if (!d->ops->get_target)
        return cw_fail(CW_ERR_UNSUPPORTED, "device '%s' has no hardware configuration",
                       d->ops->scheme);
    return d->ops->get_target(d, out);
}

int cw_device_generate(cw_device *d, const int *prompt, int n_prompt,
                       const cw_generate_params *p, int *out, int max_out, int *n_out)
{
    cw_clear_error();
    if (n_out)
        *n_out = 0;
    if (!d || !prompt || (max_out > 0 && !out) || max_out < 0)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_generate: bad argument");
    cw_generate_params def;
    if (!p) {
        cw_generate_params_default(&def);
        p = &def;
    }
    atomic_store(&d->cancel, 0);
    return d->ops->generate(d, prompt, n_prompt, p, out, max_out, n_out);
}

int cw_device_reset(cw_device *d)
{
    cw_clear_error();
    if (!d)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_reset: NULL device");
    atomic_store(&d->cancel, 0);
    return d->ops->reset ? d->ops->reset(d) : CW_OK;
}

void cw_device_cancel(cw_device *d)
{
    if (d)
        atomic_store(&d->cancel, 1);
}
