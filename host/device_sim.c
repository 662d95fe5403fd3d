/*
 * device_sim.c - the "sim" device: the Verilated RTL (libcwsim-TARGET.so,
 * loaded with dlopen) driven as a board is: the artifact written word by
 * word through the core's memory-write port, a run started, tokens collected
 * with the core's cycle stamps.
 *
 * URI: sim[:TARGET][?trace=FILE.fst&from=CYCLE&to=CYCLE&seed=N]. The library
 * is looked for in $CLOCKWORK_SIM_DIR, then in the build's sim folder.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "cw_sim.h"
#include "device.h"
#include "error.h"
#include "fileio.h"

#ifndef CW_SIM_DIR
#define CW_SIM_DIR "build/sim"
#endif

typedef struct sim_api {
    int (*abi)(void);
    uint64_t (*config_hash)(void);
    cw_sim *(*open)(const cw_sim_options *);
    void (*close)(cw_sim *);
    void (*write)(cw_sim *, int, uint32_t, uint32_t);
    int (*run)(cw_sim *, int, int, cw_sim_token_fn, void *, const volatile int *, uint64_t,
               uint64_t *, int *, int *);
    uint64_t (*clock)(const cw_sim *);
} sim_api;

typedef struct sim_device {
    void *lib;
    sim_api api;
    cw_sim *sim;
    cw_target_config t;
    cw_artifact *art;
    char trace[1024];
    cw_sim_options opt;
} sim_device;

/* Parses "TARGET?key=value&..." into the target name and the options. */
static int parse_arg(const char *arg, char *target, size_t tn, sim_device *d)
{
    size_t n = strcspn(arg, "?");
    if (n >= tn)
        return cw_fail(CW_ERR_INVALID_ARG, "sim: target name too long");
    memcpy(target, arg, n);
    target[n] = '\0';
    if (!target[0])
        strcpy(target, "sim");
    d->opt.seed = 1;
    const char *p = arg[n] == '?' ? arg + n + 1 : "";
    while (*p) {
        size_t len = strcspn(p, "&");
        char kv[1100];
        if (len >= sizeof kv)
            return cw_fail(CW_ERR_INVALID_ARG, "sim: URI option too long");
        memcpy(kv, p, len);
        kv[len] = '\0';
        p += len + (p[len] == '&');
        char *eq = strchr(kv, '=');
        if (!eq)
            return cw_fail(CW_ERR_INVALID_ARG, "sim: URI option '%s' needs a value", kv);
        *eq++ = '\0';
        char *end;
        if (!strcmp(kv, "trace")) {
            snprintf(d->trace, sizeof d->trace, "%s", eq);
            d->opt.trace_path = d->trace;
            continue;
        }
        unsigned long long v = strtoull(eq, &end, 10);
        if (*end || end == eq)
            return cw_fail(CW_ERR_INVALID_ARG, "sim: URI option %s=%s is not a number", kv, eq);
        if (!strcmp(kv, "from"))
            d->opt.trace_from = v;
        else if (!strcmp(kv, "to"))
            d->opt.trace_to = v;
        else if (!strcmp(kv, "seed"))
            d->opt.seed = v;
        else
            return cw_fail(CW_ERR_INVALID_ARG, "sim: unknown URI option '%s' "
                           "(trace, from, to, seed)", kv);
    }
    return CW_OK;
}

static int load_library(sim_device *d, const char *target)
{
    const char *dir = getenv("CLOCKWORK_SIM_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/libcwsim-%s.so", dir && dir[0] ? dir : CW_SIM_DIR, target);
    d->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!d->lib)
        return cw_fail(CW_ERR_NO_DEVICE, "sim: cannot load the simulator for target '%s' (%s); "
                       "build it with 'make sim' or set CLOCKWORK_SIM_DIR", target, dlerror());
    struct { const char *name; void **slot; } syms[] = {
        { "cw_sim_abi", (void **)&d->api.abi },
        { "cw_sim_config_hash", (void **)&d->api.config_hash },
        { "cw_sim_open", (void **)&d->api.open },
        { "cw_sim_close", (void **)&d->api.close },
        { "cw_sim_write", (void **)&d->api.write },
        { "cw_sim_run", (void **)&d->api.run },
        { "cw_sim_clock", (void **)&d->api.clock },
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        *syms[i].slot = dlsym(d->lib, syms[i].name);
        if (!*syms[i].slot)
            return cw_fail(CW_ERR_NO_DEVICE, "sim: %s lacks %s", path, syms[i].name);
    }
    if (d->api.abi() != CW_SIM_ABI)
        return cw_fail(CW_ERR_NO_DEVICE, "sim: %s has ABI %d, this library %d", path,
                       d->api.abi(), CW_SIM_ABI);
    return CW_OK;
}

static void sim_close(cw_device *dev)
{
    sim_device *d = dev->impl;
    if (!d)
        return;
    if (d->sim)
        d->api.close(d->sim);
    cw_artifact_close(d->art);
    if (d->lib)
        dlclose(d->lib);
    free(d);
}

static int sim_open(cw_device *dev, const char *arg)
{
    sim_device *d = calloc(1, sizeof *d);
    if (!d)
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    dev->impl = d;
    char target[64];
    int rc = parse_arg(arg, target, sizeof target, d);
    if (rc == CW_OK)
        rc = cw_target_get(target, &d->t);
    if (rc == CW_OK)
        rc = load_library(d, target);
    if (rc == CW_OK && d->api.config_hash() != d->t.hash)
        rc = cw_fail(CW_ERR_MISMATCH, "sim: the simulator reports configuration %016llx, "
                     "target '%s' is %016llx (rebuild it)",
                     (unsigned long long)d->api.config_hash(), target,
                     (unsigned long long)d->t.hash);
    if (rc == CW_OK && !(d->sim = d->api.open(&d->opt)))
        rc = cw_fail(CW_ERR_NO_DEVICE, "sim: the simulator did not start");
    if (rc != CW_OK) {
        sim_close(dev);
        dev->impl = NULL;
    }
    return rc;
}

/* Core write-port regions (rtl/cw_core.v). */
enum { R_PROG = 0, R_WGT = 1, R_SCL = 2, R_CST = 3, R_PROMPT = 6 };

static int sim_load_artifact(cw_device *dev, const cw_artifact *a, const cw_load_params *p)
{
    sim_device *d = dev->impl;
    if (a->info.target.hash != d->t.hash)
        return cw_fail(CW_ERR_MISMATCH,
                       "the artifact was compiled for target '%s' (hash %016llx); this device "
                       "is '%s' (hash %016llx)", a->info.target.name,
                       (unsigned long long)a->info.target.hash, d->t.name,
                       (unsigned long long)d->t.hash);
    const uint64_t lw = (uint64_t)a->line_bytes / 4;
    const uint64_t total = (uint64_t)a->info.n_instructions * 5 + a->wgt_lines * lw +
                           a->scl_entries + a->cst_words;
    uint64_t done = 0;
#define PROGRESS()                                                                      \
    do {                                                                                \
        if (p->on_progress && (done & 0xfff) == 0 &&                                     \
            p->on_progress(p->user, 4 * done, 4 * total))                                 \
            return cw_fail(CW_ERR_ABORTED, "load aborted by the progress callback");       \
    } while (0)
    for (int i = 0; i < a->info.n_instructions; i++) {
        unsigned char w[CW_INSTR_BYTES];
        cw_instr_encode(&a->prog[i], w);
        for (int j = 0; j < 5; j++, done++) {
            d->api.write(d->sim, R_PROG, (uint32_t)(8 * i + j), cw_read_le32(w + 4 * j));
            PROGRESS();
        }
    }
    for (uint64_t i = 0; i < a->wgt_lines * lw; i++, done++) {
        d->api.write(d->sim, R_WGT, (uint32_t)i, cw_read_le32(a->wgt + 4 * i));
        PROGRESS();
    }
    for (uint64_t i = 0; i < a->scl_entries; i++, done++) {
        d->api.write(d->sim, R_SCL, (uint32_t)i, cw_read_le32(a->scl + 4 * i));
        PROGRESS();
    }
    for (uint64_t i = 0; i < a->cst_words; i++, done++) {
        d->api.write(d->sim, R_CST, (uint32_t)i, cw_read_le32(a->cst + 4 * i));
        PROGRESS();
    }
#undef PROGRESS
    /* progress in bytes: every word through the write port is 4 */
    if (p->on_progress && p->on_progress(p->user, 4 * total, 4 * total))
        return cw_fail(CW_ERR_ABORTED, "load aborted by the progress callback");
    cw_artifact_close(d->art);
    d->art = NULL;
    /* keep a private copy: the caller may close theirs */
    unsigned char *b = malloc((size_t)a->c.n_bytes);
    if (!b)
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    memcpy(b, a->c.bytes, (size_t)a->c.n_bytes);
    cw_container c;
    int rc = cw_container_parse(b, a->c.n_bytes, "artifact", &c);
    return rc != CW_OK ? rc : cw_artifact_from_container(&c, "artifact", &d->art);
}

static int sim_load_model(cw_device *dev, const cw_model *m, const cw_load_params *p)
{
    sim_device *d = dev->impl;
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = d->t.name;
    cp.weight_bits = p->weight_bits ? p->weight_bits : (d->t.wbits == 8 ? 8 : 16);
    cw_artifact *a = NULL;
    int rc = cw_compile(m, &cp, &a);
    if (rc == CW_OK)
        rc = sim_load_artifact(dev, a, p);
    cw_artifact_close(a);
    return rc;
}

typedef struct emit_ctx {
    cw_device *dev;
    sim_device *d;
    const cw_generate_params *p;
    int *out, max_out, *n_out, produced;
    uint64_t last_cycle;
} emit_ctx;

static int on_sim_token(void *user, int pos, int id, uint64_t cycle)
{
    emit_ctx *e = user;
    cw_token_event ev = { pos, id, cycle, cycle - e->last_cycle,
                          e->d->art->cycles[pos - 1] };
    e->last_cycle = cycle;
    if (atomic_load(&e->dev->cancel))
        return 1;
    if (e->produced < e->max_out)
        e->out[e->produced] = id;
    e->produced++;
    if (e->n_out)
        *e->n_out = e->produced;
    return e->p->on_token ? e->p->on_token(e->p->user, &ev) : 0;
}

static int sim_generate(cw_device *dev, const int *prompt, int n_prompt,
                        const cw_generate_params *p, int *out, int max_out, int *n_out)
{
    sim_device *d = dev->impl;
    if (!d->art)
        return cw_fail(CW_ERR_NOT_LOADED, "device 'sim': nothing loaded");
    if (p->temperature != 0.0f)
        return cw_fail(CW_ERR_UNSUPPORTED, "device 'sim' picks tokens by argmax on the device: "
                       "use temperature 0 (-t 0)");
    cw_model_config cfg = d->art->info.model;
    cfg.seq_len = d->art->info.context;
    int steps, rc;
    if ((rc = cw_check_generate_args(&cfg, prompt, n_prompt, p, &steps)) != CW_OK)
        return rc;
    for (int i = 0; i < n_prompt; i++)
        d->api.write(d->sim, R_PROMPT, (uint32_t)i, (uint32_t)prompt[i]);
    uint64_t budget = 1000000;
    for (int pos = 0; pos < steps; pos++)
        budget += 2 * d->art->cycles[pos];
    emit_ctx e = { dev, d, p, out, max_out, n_out, 0, 0 };
    uint64_t cycles;
    int err_code = 0, err_pc = 0;
    int r = d->api.run(d->sim, n_prompt, steps, on_sim_token, &e, NULL, budget, &cycles,
                       &err_code, &err_pc);
    switch (r) {
    case CW_SIM_OK:
        return CW_OK;
    case CW_SIM_ABORTED:
        return cw_fail(CW_ERR_ABORTED, "sim: run stopped at position %d", e.produced);
    case CW_SIM_HUNG:
        return cw_fail(CW_ERR_TIMEOUT, "sim: the core ran %llu cycles without finishing",
                       (unsigned long long)budget);
    default:
        return cw_fail(CW_ERR_DEVICE, "sim: the core stopped with error %d at instruction %d",
                       err_code, err_pc);
    }
}

static int sim_get_target(cw_device *dev, cw_target_config *out)
{
    *out = ((sim_device *)dev->impl)->t;
    return CW_OK;
}

const cw_device_ops cw_sim_device_ops = {
    "sim", "the Verilated RTL of the accelerator (sim[:TARGET][?trace=FILE&from=N&to=N])",
    sim_open, sim_load_model, sim_generate, sim_close, sim_load_artifact, sim_get_target,
};
