/*
 * device_ref.c - the "ref" device: the ref core behind the device API.
 * "ref" runs the sim target; "ref:NAME" any built-in target or target file.
 * Loading writes the artifact's images through the core's memory-write
 * port, as the host library will over a link to a board.
 */
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "device.h"
#include "error.h"
#include "ref_core.h"

typedef struct ref_device {
    cw_ref_core core;
    cw_artifact *art; /* the loaded artifact (its cycle table, its shape) */
    cw_generate_params gp;
    uint64_t base_cycle;
} ref_device;

static int ref_open(cw_device *dev, const char *arg)
{
    cw_target_config t;
    int rc = cw_target_get(arg[0] ? arg : "sim", &t);
    if (rc != CW_OK)
        return rc;
    ref_device *d = calloc(1, sizeof *d);
    if (!d)
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    if ((rc = cw_ref_core_init(&d->core, &t)) != CW_OK) {
        free(d);
        return rc;
    }
    dev->impl = d;
    return CW_OK;
}

/* A private copy of the artifact: the caller may close theirs. */
static int copy_artifact(const cw_artifact *a, cw_artifact **out)
{
    unsigned char *b = malloc((size_t)a->c.n_bytes);
    if (!b)
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    memcpy(b, a->c.bytes, (size_t)a->c.n_bytes);
    cw_container c;
    int rc = cw_container_parse(b, a->c.n_bytes, "artifact", &c);
    return rc != CW_OK ? rc : cw_artifact_from_container(&c, "artifact", out);
}

static int ref_load_artifact(cw_device *dev, const cw_artifact *a, const cw_load_params *p)
{
    ref_device *d = dev->impl;
    const cw_target_config *t = &d->core.t;
    if (a->info.target.hash != t->hash)
        return cw_fail(CW_ERR_MISMATCH,
                       "the artifact was compiled for target '%s' (hash %016llx); this device "
                       "is '%s' (hash %016llx)", a->info.target.name,
                       (unsigned long long)a->info.target.hash, t->name,
                       (unsigned long long)t->hash);
    cw_artifact_close(d->art);
    d->art = NULL;
    /* The program at its device stride, then the images as they are. */
    const int n_instr = a->info.n_instructions;
    unsigned char *prog = calloc((size_t)n_instr, CW_PROG_STRIDE);
    if (!prog)
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    for (int i = 0; i < n_instr; i++)
        cw_instr_encode(&a->prog[i], prog + (size_t)i * CW_PROG_STRIDE);
    const struct { int region; const unsigned char *data; uint64_t n; } img[] = {
        { CW_REG_PROG, prog, (uint64_t)n_instr * CW_PROG_STRIDE },
        { CW_REG_WGT, a->wgt, a->wgt_lines * (uint64_t)a->line_bytes },
        { CW_REG_SCL, a->scl, a->scl_entries * 4 },
        { CW_REG_CST, a->cst, a->cst_words * 4 },
    };
    uint64_t total = 0, done = 0;
    for (size_t i = 0; i < sizeof img / sizeof img[0]; i++)
        total += img[i].n;
    const uint64_t chunk = 1 << 16;
    for (size_t i = 0; i < sizeof img / sizeof img[0]; i++) {
        for (uint64_t off = 0; off < img[i].n; off += chunk) {
            uint64_t n = img[i].n - off < chunk ? img[i].n - off : chunk;
            int rc = cw_ref_core_write(&d->core, img[i].region, off, img[i].data + off, n);
            if (rc == CW_OK && p->on_progress && p->on_progress(p->user, done + n, total) != 0)
                rc = cw_fail(CW_ERR_ABORTED, "load aborted by the progress callback");
            if (rc != CW_OK) {
                free(prog);
                return rc;
            }
            done += n;
        }
    }
    free(prog);
    return copy_artifact(a, &d->art);
}


typedef struct emit_ctx {
    ref_device *d;
    const cw_generate_params *p;
    int *out, max_out, *n_out, produced;
} emit_ctx;

static int on_core_token(void *user, const cw_token_event *ev)
{
    emit_ctx *e = user;
    cw_token_event x = *ev;
    x.predicted_cycles = e->d->art->cycles[ev->pos - 1];
    if (e->produced < e->max_out)
        e->out[e->produced] = ev->token;
    e->produced++;
    if (e->n_out)
        *e->n_out = e->produced;
    return e->p->on_token ? e->p->on_token(e->p->user, &x) : 0;
}

static int ref_generate(cw_device *dev, const int *prompt, int n_prompt,
                        const cw_generate_params *p, int *out, int max_out, int *n_out)
{
    ref_device *d = dev->impl;
    if (!d->art)
        return cw_fail(CW_ERR_NOT_LOADED, "device 'ref': nothing loaded");
    if (p->temperature != 0.0f)
        return cw_fail(CW_ERR_UNSUPPORTED, "device 'ref' picks tokens by argmax on the device: "
                       "use temperature 0 (-t 0)");
    cw_model_config cfg = d->art->info.model;
    cfg.seq_len = d->art->info.context;
    int steps, rc;
    if ((rc = cw_check_generate_args(&cfg, prompt, n_prompt, p, &steps)) != CW_OK)
        return rc;
    unsigned char ids[4 * 256];
    for (int i = 0; i < n_prompt; i += 256) {
        int n = n_prompt - i < 256 ? n_prompt - i : 256;
        for (int j = 0; j < n; j++) {
            uint32_t v = (uint32_t)prompt[i + j];
            ids[4 * j] = (unsigned char)v;
            ids[4 * j + 1] = (unsigned char)(v >> 8);
            ids[4 * j + 2] = (unsigned char)(v >> 16);
            ids[4 * j + 3] = (unsigned char)(v >> 24);
        }
        if ((rc = cw_ref_core_write(&d->core, CW_REG_PROMPT, 4 * (uint64_t)i, ids,
                                    4 * (uint64_t)n)) != CW_OK)
            return rc;
    }
    emit_ctx e = { d, p, out, max_out, n_out, 0 };
    uint64_t cycles;
    return cw_ref_core_run(&d->core, d->art->info.n_instructions, n_prompt, steps,
                           on_core_token, &e, &dev->cancel, &cycles);
}

static void ref_close(cw_device *dev)
{
    ref_device *d = dev->impl;
    cw_artifact_close(d->art);
    cw_ref_core_free(&d->core);
    free(d);
}

static int ref_get_target(cw_device *dev, cw_target_config *out)
{
    ref_device *d = dev->impl;
    *out = d->core.t;
    return CW_OK;
}

const cw_device_ops cw_ref_device_ops = {
    "ref", "functional simulator of the accelerator, instruction by instruction",
    ref_open, cw_accel_load_model, ref_generate, ref_close, ref_load_artifact, ref_get_target,
    NULL,
};
