/*
 * device_sim.c - the "sim" device: the Verilated RTL of the whole device
 * (rtl/cw_device.v: link engine + core, libcwsimlink-TARGET.so, loaded with
 * dlopen) reached through its link byte streams, exactly as a board is: the
 * same frames, the same link session (host/device_link.c); no side door into
 * the core's memories.
 *
 * URI: sim[:TARGET][?trace=FILE.fst&from=CYCLE&to=CYCLE&seed=N], and the
 * options of every link device (timeout, retries; corrupt, drop, dup: byte
 * faults on the link, placed by the same seed that randomizes the RTL's
 * initial state). The library is looked for in $CLOCKWORK_SIM_DIR, then in
 * the build's sim folder.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
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
/* With faults injected (URI corrupt/drop/dup), a lost frame is the common
 * case: a read gives up after this many cycles, which is more than any
 * command's response takes; a position that takes longer only costs the
 * session a STATUS poll. */
#define SIM_READ_CYCLES_FAULTY 100000ull

typedef struct sim_api {
    int (*abi)(void);
    cw_simlink *(*open)(const cw_sim_options *);
    void (*close)(cw_simlink *);
    void (*push)(cw_simlink *, const void *, size_t);
    size_t (*pull)(cw_simlink *, void *, size_t);
    uint64_t (*until)(cw_simlink *, uint64_t);
    const char *(*error)(const cw_simlink *);
} sim_api;

typedef struct sim_transport {
    cw_link_transport t;
    void *lib;
    sim_api api;
    cw_simlink *s;
    char trace[1024];
    uint64_t read_cycles; /* a read's budget of simulated cycles */
    cw_sim_options opt;
} sim_transport;

/* The RTL stopped on a failed assertion ($stop, $fatal): the device is
 * dead until it is opened again. */
static int rtl_failed(sim_transport *st)
{
    const char *e = st->api.error(st->s);
    return e ? cw_fail(CW_ERR_DEVICE, "sim: the RTL stopped: %s", e) : CW_OK;
}

static int st_write(cw_link_transport *t, const void *buf, size_t n)
{
    sim_transport *st = t->impl;
    int rc = rtl_failed(st);
    if (rc != CW_OK)
        return rc;
    st->api.push(st->s, buf, n);
    return CW_OK;
}

static int st_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    sim_transport *st = t->impl;
    size_t got = st->api.pull(st->s, buf, n);
    if (got == 0 && timeout_ms > 0) {
        st->api.until(st->s, st->read_cycles);
        got = st->api.pull(st->s, buf, n);
    }
    if (got == 0) {
        int rc = rtl_failed(st);
        if (rc != CW_OK)
            return rc;
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

/* The sim device's own URI options; the seed also places the faults. */
typedef struct sim_uri {
    sim_transport *st;
    cw_link_open_params *p;
} sim_uri;

static int sim_option(void *ctx, const char *key, const char *value)
{
    sim_uri *u = ctx;
    if (!strcmp(key, "trace")) {
        if (strlen(value) >= sizeof u->st->trace)
            return cw_fail(CW_ERR_INVALID_ARG, "sim: URI option trace: path too long");
        snprintf(u->st->trace, sizeof u->st->trace, "%s", value);
        u->st->opt.trace_path = u->st->trace;
        return 0;
    }
    if (strcmp(key, "from") && strcmp(key, "to") && strcmp(key, "seed"))
        return 1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (!*value || *end || errno || value[0] == '-')
        return cw_fail(CW_ERR_INVALID_ARG, "sim: URI option %s=%s is not a whole number", key,
                       value);
    if (!strcmp(key, "from"))
        u->st->opt.trace_from = v;
    else if (!strcmp(key, "to"))
        u->st->opt.trace_to = v;
    else
        u->st->opt.seed = u->p->fault.seed = v;
    return 0;
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
        { "cw_simlink_error", (void **)&st->api.error },
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
    cw_link_open_params p;
    cw_link_open_params_default(&p);
    st->opt.seed = 1;
    sim_uri u = { st, &p };
    int rc = cw_linkdev_parse_uri("sim", arg, target, sizeof target, &p, sim_option, &u);
    if (rc == CW_OK && !target[0])
        strcpy(target, "sim");
    st->read_cycles = p.fault.corrupt > 0 || p.fault.drop > 0 || p.fault.dup > 0
                          ? SIM_READ_CYCLES_FAULTY : SIM_READ_CYCLES;
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
    snprintf(name, sizeof name, "sim:%s", target);
    p.name = name;
    p.own_transport = 1;
    return cw_linkdev_attach(dev, &st->t, &p);
}

const cw_device_ops cw_sim_device_ops = {
    "sim", "the Verilated RTL, through its link (sim[:TARGET][?trace=FILE&from=N&to=N&seed=N&corrupt=P])",
    sim_open, cw_accel_load_model, cw_linkdev_generate, cw_linkdev_close, cw_linkdev_load_artifact,
    cw_linkdev_get_target, cw_linkdev_reset,
};
