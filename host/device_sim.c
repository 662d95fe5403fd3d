/*
 * device_sim.c - the "sim" device: the Verilated RTL of the whole device
 * (rtl/cw_device.v: link engine + core, libcwsimlink-TARGET.so, loaded with
 * dlopen) reached through its link byte streams, exactly as a board is: the
 * same frames, the same link session (host/device_link.c); no side door into
 * the core's memories.
 *
 * URI: sim[:TARGET][?trace=FILE.fst&from=CYCLE&to=CYCLE&seed=N]. The library
 * is looked for in $CLOCKWORK_SIM_DIR, then in the build's sim folder.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw_simlink.h"
#include "device.h"
#include "device_link.h"
#include "error.h"

#ifndef CW_SIM_DIR
#define CW_SIM_DIR "build/sim"
#endif

/* A read with nothing to read advances the simulated clock this far before
 * it reports a timeout: longer than any position takes, so the session's
 * retransmission timers never fire on a healthy simulated device. */
#define SIM_READ_CYCLES 2000000ull

typedef struct sim_api {
    int (*abi)(void);
    cw_simlink *(*open)(const cw_sim_options *);
    void (*close)(cw_simlink *);
    void (*push)(cw_simlink *, const void *, size_t);
    size_t (*pull)(cw_simlink *, void *, size_t);
    uint64_t (*until)(cw_simlink *, uint64_t);
} sim_api;

typedef struct sim_transport {
    cw_link_transport t;
    void *lib;
    sim_api api;
    cw_simlink *s;
    char trace[1024];
    cw_sim_options opt;
} sim_transport;

static int st_write(cw_link_transport *t, const void *buf, size_t n)
{
    sim_transport *st = t->impl;
    st->api.push(st->s, buf, n);
    return CW_OK;
}

static int st_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    sim_transport *st = t->impl;
    size_t got = st->api.pull(st->s, buf, n);
    if (got == 0 && timeout_ms > 0) {
        st->api.until(st->s, SIM_READ_CYCLES);
        got = st->api.pull(st->s, buf, n);
    }
    return (int)got;
}

static void st_close(cw_link_transport *t)
{
    sim_transport *st = t->impl;
    if (st->s)
        st->api.close(st->s);
    if (st->lib)
        dlclose(st->lib);
    free(st);
}

static const cw_link_transport_ops sim_transport_ops = { st_write, st_read, st_close };

/* Parses "TARGET?key=value&..." into the target name and the options. */
static int parse_arg(const char *arg, char *target, size_t tn, sim_transport *st)
{
    size_t n = strcspn(arg, "?");
    if (n >= tn)
        return cw_fail(CW_ERR_INVALID_ARG, "sim: target name too long");
    memcpy(target, arg, n);
    target[n] = '\0';
    if (!target[0])
        strcpy(target, "sim");
    st->opt.seed = 1;
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
        if (!strcmp(kv, "trace")) {
            snprintf(st->trace, sizeof st->trace, "%s", eq);
            st->opt.trace_path = st->trace;
            continue;
        }
        char *end;
        unsigned long long v = strtoull(eq, &end, 10);
        if (*end || end == eq)
            return cw_fail(CW_ERR_INVALID_ARG, "sim: URI option %s=%s is not a number", kv, eq);
        if (!strcmp(kv, "from"))
            st->opt.trace_from = v;
        else if (!strcmp(kv, "to"))
            st->opt.trace_to = v;
        else if (!strcmp(kv, "seed"))
            st->opt.seed = v;
        else
            return cw_fail(CW_ERR_INVALID_ARG, "sim: unknown URI option '%s' "
                           "(trace, from, to, seed)", kv);
    }
    return CW_OK;
}

static int load_library(sim_transport *st, const char *target)
{
    const char *dir = getenv("CLOCKWORK_SIM_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/libcwsimlink-%s.so", dir && dir[0] ? dir : CW_SIM_DIR,
             target);
    st->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!st->lib)
        return cw_fail(CW_ERR_NO_DEVICE, "sim: cannot load the simulator for target '%s' (%s); "
                       "build it with 'make sim' or set CLOCKWORK_SIM_DIR", target, dlerror());
    struct { const char *name; void **slot; } syms[] = {
        { "cw_simlink_abi", (void **)&st->api.abi },
        { "cw_simlink_open", (void **)&st->api.open },
        { "cw_simlink_close", (void **)&st->api.close },
        { "cw_simlink_push", (void **)&st->api.push },
        { "cw_simlink_pull", (void **)&st->api.pull },
        { "cw_simlink_step_until_output", (void **)&st->api.until },
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        *syms[i].slot = dlsym(st->lib, syms[i].name);
        if (!*syms[i].slot)
            return cw_fail(CW_ERR_NO_DEVICE, "sim: %s lacks %s", path, syms[i].name);
    }
    if (st->api.abi() != CW_SIMLINK_ABI)
        return cw_fail(CW_ERR_NO_DEVICE, "sim: %s has ABI %d, this library %d", path,
                       st->api.abi(), CW_SIMLINK_ABI);
    return CW_OK;
}

static int sim_open(cw_device *dev, const char *arg)
{
    sim_transport *st = calloc(1, sizeof *st);
    if (!st)
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    st->t.ops = &sim_transport_ops;
    st->t.impl = st;
    char target[64], name[128];
    int rc = parse_arg(arg, target, sizeof target, st);
    if (rc == CW_OK)
        rc = load_library(st, target);
    if (rc == CW_OK && !(st->s = st->api.open(&st->opt)))
        rc = cw_fail(CW_ERR_NO_DEVICE, "sim: the simulator did not start");
    if (rc != CW_OK) {
        st_close(&st->t);
        return rc;
    }
    /* The device announces its configuration over the link (INFO); the
     * session finds the target by its hash, as for a board. */
    cw_link_open_params p;
    cw_link_open_params_default(&p);
    snprintf(name, sizeof name, "sim:%s", target);
    p.name = name;
    p.own_transport = 1;
    return cw_linkdev_attach(dev, &st->t, &p);
}

const cw_device_ops cw_sim_device_ops = {
    "sim", "the Verilated RTL, through its link (sim[:TARGET][?trace=FILE&from=N&to=N])",
    sim_open, cw_accel_load_model, cw_linkdev_generate, cw_linkdev_close, cw_linkdev_load_artifact,
    cw_linkdev_get_target, cw_linkdev_reset,
};
