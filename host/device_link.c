/*
 * device_link.c - the link-device backend: every device reached through
 * the one protocol (a simulator server on a Unix socket, a board behind a
 * PCIe DMA engine or a USB bridge, the in-process pipe). It speaks only
 * cw_link_host_*: what lies under the session is a cw_link_transport.
 *
 * URIs: unix:PATH, pcie:[DEV | H2C,C2H], usb:VID:PID[:SERIAL], each with
 * ?key=value&... options (docs/api.md); corrupt=, drop=, dup= and seed=
 * put the fault injector of link_fault.h between the session and the
 * transport.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "artifact.h"
#include "device_link.h"
#include "error.h"
#include "link_fault.h"
#include "link_fd.h"
#include "link_usb.h"

typedef struct link_dev {
    cw_link_transport *t;
    int own_t;
    cw_link_transport *faulty; /* the fault wrapper (t itself), or NULL */
    cw_link_fault fault;       /* its rates at open (the seed carries on) */
    cw_link_host *h;
    cw_target_config target;
    char name[256];
    /* what generate needs of the loaded artifact */
    int loaded;
    cw_model_config model; /* seq_len = the artifact's context */
    uint64_t *predicted;   /* cycles per position, model.seq_len */
} link_dev;

void cw_link_open_params_default(cw_link_open_params *p)
{
    memset(p, 0, sizeof *p);
    cw_link_host_params_default(&p->host);
    p->wait_ms = 0;
    p->own_transport = 1;
    p->name = "link";
    p->fault.seed = 1;
}

/* The device -> host injector's seed is the URI's seed xor this. */
#define DOWN_SEED 0xA5A5A5A5A5A5A5A5ull

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- open/close */

void cw_linkdev_close(cw_device *dev)
{
    link_dev *d = dev->impl;
    if (!d)
        return;
    cw_link_host_close(d->h);
    if (d->own_t)
        cw_link_close(d->t);
    free(d->predicted);
    free(d);
    dev->impl = NULL;
}

/* The built-in target whose configuration hash the device reports. */
static int find_target(uint64_t hash, const char *name, cw_target_config *out)
{
    const char *const *names = cw_target_names();
    char known[256] = "";
    for (int i = 0; names[i]; i++) {
        cw_target_config t;
        if (cw_target_get(names[i], &t) != CW_OK)
            continue;
        if (t.hash == hash) {
            *out = t;
            return CW_OK;
        }
        size_t n = strlen(known);
        snprintf(known + n, sizeof known - n, "%s%s %016llx", i ? ", " : "", names[i],
                 (unsigned long long)t.hash);
    }
    return cw_fail(CW_ERR_MISMATCH, "%s: the device reports hardware configuration %016llx, "
                   "which is none of this library's targets (%s): rebuild the bitstream from a "
                   "target in targets/ or update libclockwork", name,
                   (unsigned long long)hash, known);
}

/* A first sequence number unlikely to match a response still in flight
 * from an earlier session on the same stream. */
static uint16_t session_seq(const void *salt)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid() << 7 ^
                 (uint64_t)(uintptr_t)salt;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    return (uint16_t)(x | 1u);
}

int cw_linkdev_attach(cw_device *dev, cw_link_transport *t, const cw_link_open_params *p)
{
    link_dev *d = calloc(1, sizeof *d);
    if (!d) {
        if (p->own_transport)
            cw_link_close(t);
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    }
    dev->impl = d;
    d->t = t;
    d->own_t = p->own_transport;
    snprintf(d->name, sizeof d->name, "%s", p->name ? p->name : "link");
    const cw_link_fault *f = &p->fault;
    if (f->corrupt > 0 || f->drop > 0 || f->dup > 0) {
        /* the two directions draw from different generators */
        cw_link_fault down = *f;
        down.seed = f->seed ^ DOWN_SEED;
        int rc = cw_link_fault_wrap(t, p->own_transport, f, &down, &d->t);
        if (rc != CW_OK) {
            free(d);
            dev->impl = NULL;
            return rc;
        }
        d->faulty = d->t;
        d->fault = *f;
        d->own_t = 1;
    }
    t = d->t;
    /* Bytes left in the stream by an earlier session are dropped first. */
    uint8_t junk[1024];
    for (int i = 0; i < 1024; i++) {
        int n = cw_link_read(t, junk, sizeof junk, 0);
        if (n < 0) {
            cw_linkdev_close(dev);
            return n;
        }
        if (n == 0)
            break;
    }
    cw_link_host_params hp = p->host;
    int64_t deadline = now_ms() + (p->wait_ms > 0 ? p->wait_ms : 0);
    int rc;
    for (;;) {
        hp.first_seq = session_seq(d);
        rc = cw_link_host_open(t, &hp, &d->h);
        if (rc != CW_ERR_TIMEOUT || now_ms() >= deadline)
            break;
    }
    if (rc == CW_ERR_TIMEOUT)
        rc = cw_fail(CW_ERR_TIMEOUT, "%s: the device does not answer (%s)", d->name,
                     cw_last_error());
    const cw_link_info *info = rc == CW_OK ? cw_link_host_cached_info(d->h) : NULL;
    if (rc == CW_OK)
        rc = find_target(info->config_hash, d->name, &d->target);
    if (rc == CW_OK && info->ctx_len < (uint32_t)d->target.max_ctx)
        rc = cw_fail(CW_ERR_MISMATCH, "%s: the device's context is %u positions, target '%s' "
                     "has %d", d->name, (unsigned)info->ctx_len, d->target.name,
                     d->target.max_ctx);
    /* A core still running belongs to a host that left without stopping
     * it: the device is ours now. */
    if (rc == CW_OK && info->core_state == CW_LINK_CORE_RUNNING)
        rc = cw_link_host_reset(d->h);
    if (rc != CW_OK) {
        cw_linkdev_close(dev);
        return rc;
    }
    return CW_OK;
}

int cw_device_open_link(cw_link_transport *t, const cw_link_open_params *p, cw_device **out)
{
    cw_clear_error();
    if (!t || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_open_link: NULL argument");
    *out = NULL;
    cw_link_open_params def;
    if (!p) {
        cw_link_open_params_default(&def);
        p = &def;
    }
    cw_device *dev = calloc(1, sizeof *dev);
    if (!dev) {
        if (p->own_transport)
            cw_link_close(t);
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    }
    dev->ops = &cw_unix_device_ops; /* the shared operations; the scheme is only a name */
    atomic_init(&dev->cancel, 0);
    int rc = cw_linkdev_attach(dev, t, p);
    if (rc != CW_OK) {
        free(dev);
        return rc;
    }
    *out = dev;
    return CW_OK;
}

cw_link_host *cw_device_link_session(cw_device *dev)
{
    if (!dev || (dev->ops != &cw_unix_device_ops && dev->ops != &cw_pcie_device_ops &&
                 dev->ops != &cw_usb_device_ops && dev->ops != &cw_sim_device_ops))
        return NULL;
    return ((link_dev *)dev->impl)->h;
}

int cw_linkdev_set_faults(cw_device *dev, const cw_link_fault *f)
{
    link_dev *d = cw_device_link_session(dev) ? dev->impl : NULL;
    if (!d || !d->faulty)
        return cw_fail(CW_ERR_UNSUPPORTED, "not a link device opened with fault injection");
    cw_link_fault up = d->fault;
    if (f) {
        int rc = cw_link_fault_check(f);
        if (rc != CW_OK)
            return rc;
        up.corrupt = f->corrupt;
        up.drop = f->drop;
        up.dup = f->dup;
    } else {
        up.corrupt = up.drop = up.dup = 0.0;
    }
    cw_link_fault down = up;
    down.seed = up.seed ^ DOWN_SEED;
    cw_link_fault_set(d->faulty, &up, &down);
    return CW_OK;
}

int cw_device_link_stats(cw_device *dev, cw_link_stats *out)
{
    cw_clear_error();
    if (!dev || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_device_link_stats: NULL argument");
    memset(out, 0, sizeof *out);
    cw_link_host *h = cw_device_link_session(dev);
    if (!h)
        return cw_fail(CW_ERR_UNSUPPORTED, "device '%s' is not a link device: no link "
                       "statistics", dev->ops->scheme);
    link_dev *d = dev->impl;
    if (d->faulty) {
        cw_link_fault_counts up, down;
        cw_link_fault_counts_of(d->faulty, &up, &down);
        out->bytes_sent = up.bytes;
        out->corrupted_sent = up.corrupted;
        out->dropped_sent = up.dropped;
        out->duplicated_sent = up.duplicated;
        out->bytes_received = down.bytes;
        out->corrupted_received = down.corrupted;
        out->dropped_received = down.dropped;
        out->duplicated_received = down.duplicated;
    }
    cw_link_host_stats hs;
    cw_link_host_get_stats(h, &hs);
    out->frames = hs.rx.frames;
    out->bad_header = hs.rx.bad_header;
    out->bad_length = hs.rx.oversize;
    out->bad_crc = hs.rx.bad_crc;
    out->abandoned = hs.rx.abandoned;
    out->bytes_skipped = hs.rx.skipped;
    out->timeouts = hs.timeouts;
    out->retransmits = hs.retransmits;
    out->chunk_shrinks = hs.chunk_shrinks;
    out->stale_responses = hs.stale_responses;
    out->stale_events = hs.stale_events;
    out->dup_tokens = hs.dup_tokens;
    out->unexpected = hs.unexpected;
    out->commands = hs.commands;
    out->tokens_from_events = hs.tokens_from_events;
    out->tokens_from_reads = hs.tokens_from_reads;
    out->recovery_reads = hs.recovery_reads;
    out->status_polls = hs.status_polls;
    cw_link_status st;
    int rc = cw_link_host_status(h, &st);
    if (rc != CW_OK)
        return rc;
    out->device_bad_frames = st.rx_bad_frames;
    out->device_dup_commands = st.dup_commands;
    out->device_events_sent = st.events_sent;
    out->device_events_dropped = st.events_dropped;
    return CW_OK;
}

/* A fault option: a probability (corrupt, drop, dup) or the seed. */
static int fault_option(const char *scheme, const char *key, const char *value,
                        cw_link_fault *f)
{
    char *end;
    if (!strcmp(key, "seed")) {
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (!*value || *end || errno || value[0] == '-')
            return cw_fail(CW_ERR_INVALID_ARG, "%s: URI option seed=%s is not a whole number "
                           "from 0 to 2^64-1", scheme, value);
        f->seed = v;
        return CW_OK;
    }
    double *rate = !strcmp(key, "corrupt") ? &f->corrupt : !strcmp(key, "drop") ? &f->drop
                   : &f->dup;
    double v = strtod(value, &end);
    if (!*value || *end || !isfinite(v) || v < 0.0 || v > 1.0)
        return cw_fail(CW_ERR_INVALID_ARG, "%s: URI option %s=%s is not a probability from 0 "
                       "to 1", scheme, key, value);
    *rate = v;
    if (f->corrupt + f->drop + f->dup > 1.0)
        return cw_fail(CW_ERR_INVALID_ARG, "%s: URI options corrupt + drop + dup = %g: more "
                       "than 1", scheme, f->corrupt + f->drop + f->dup);
    return CW_OK;
}

int cw_linkdev_parse_uri(const char *scheme, const char *arg, char *head, size_t hn,
                         cw_link_open_params *p, cw_linkdev_option_fn opt, void *ctx)
{
    size_t n = strcspn(arg, "?");
    if (n >= hn)
        return cw_fail(CW_ERR_INVALID_ARG, "%s: URI too long", scheme);
    memcpy(head, arg, n);
    head[n] = '\0';
    const char *s = arg[n] == '?' ? arg + n + 1 : "";
    while (*s) {
        size_t len = strcspn(s, "&");
        char kv[1100];
        if (len >= sizeof kv)
            return cw_fail(CW_ERR_INVALID_ARG, "%s: URI option too long", scheme);
        memcpy(kv, s, len);
        kv[len] = '\0';
        s += len + (s[len] == '&');
        char *eq = strchr(kv, '=');
        if (!eq)
            return cw_fail(CW_ERR_INVALID_ARG, "%s: URI option '%s' needs a value", scheme, kv);
        *eq++ = '\0';
        int rc = opt ? opt(ctx, kv, eq) : 1;
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        char *end;
        long v = strtol(eq, &end, 10);
        int num = *eq && !*end;
        if (!strcmp(kv, "timeout") || !strcmp(kv, "retries") || !strcmp(kv, "wait")) {
            if (!num || v < 0 || v > 3600000)
                return cw_fail(CW_ERR_INVALID_ARG, "%s: URI option %s=%s is not a whole "
                               "number in range", scheme, kv, eq);
            if (!strcmp(kv, "timeout"))
                p->host.timeout_ms = v > 0 ? (int)v : 1;
            else if (!strcmp(kv, "retries"))
                p->host.max_retries = (int)v;
            else
                p->wait_ms = (int)(v * 1000);
            continue;
        }
        if (!strcmp(kv, "corrupt") || !strcmp(kv, "drop") || !strcmp(kv, "dup") ||
            !strcmp(kv, "seed")) {
            if ((rc = fault_option(scheme, kv, eq, &p->fault)) != CW_OK)
                return rc;
            continue;
        }
        return cw_fail(CW_ERR_INVALID_ARG, "%s: unknown URI option '%s' (see docs/api.md)",
                       scheme, kv);
    }
    return CW_OK;
}

static int unix_open(cw_device *dev, const char *arg)
{
    char path[512];
    cw_link_open_params p;
    cw_link_open_params_default(&p);
    p.wait_ms = 60000; /* a server serves one host at a time: wait our turn */
    int rc = cw_linkdev_parse_uri("unix", arg, path, sizeof path, &p, NULL, NULL);
    if (rc != CW_OK)
        return rc;
    if (!path[0])
        return cw_fail(CW_ERR_INVALID_ARG, "unix: a socket path is needed (unix:PATH)");
    char name[600];
    snprintf(name, sizeof name, "unix:%s", path);
    p.name = name;
    cw_link_transport *t;
    if ((rc = cw_link_unix_connect(path, &t)) != CW_OK)
        return rc;
    return cw_linkdev_attach(dev, t, &p);
}

static int pcie_open(cw_device *dev, const char *arg)
{
    char spec[512], h2c[600], c2h[600];
    cw_link_open_params p;
    cw_link_open_params_default(&p);
    p.wait_ms = 60000;
    int rc = cw_linkdev_parse_uri("pcie", arg, spec, sizeof spec, &p, NULL, NULL);
    if (rc != CW_OK)
        return rc;
    const char *comma = strchr(spec, ',');
    if (comma) {
        snprintf(h2c, sizeof h2c, "%.*s", (int)(comma - spec), spec);
        snprintf(c2h, sizeof c2h, "%s", comma + 1);
    } else {
        const char *base = spec[0] ? spec : "/dev/xdma0";
        snprintf(h2c, sizeof h2c, "%s_h2c_0", base);
        snprintf(c2h, sizeof c2h, "%s_c2h_0", base);
    }
    if (!h2c[0] || !c2h[0])
        return cw_fail(CW_ERR_INVALID_ARG, "pcie: '%s': expected pcie:DEVICE or pcie:H2C,C2H",
                       spec);
    char name[1300];
    snprintf(name, sizeof name, "pcie:%s,%s", h2c, c2h);
    p.name = name;
    cw_link_transport *t;
    if ((rc = cw_link_fifo_open(h2c, c2h, p.wait_ms, &t)) != CW_OK)
        return rc;
    return cw_linkdev_attach(dev, t, &p);
}

static int usb_option(void *ctx, const char *key, const char *value)
{
    return cw_link_usb_option(ctx, key, value);
}

static int usb_open(cw_device *dev, const char *arg)
{
    char spec[256];
    cw_link_open_params p;
    cw_link_open_params_default(&p);
    cw_link_usb_params up;
    cw_link_usb_params_default(&up);
    int rc = cw_linkdev_parse_uri("usb", arg, spec, sizeof spec, &p, usb_option, &up);
    if (rc == CW_OK)
        rc = cw_link_usb_parse(spec, &up);
    if (rc != CW_OK)
        return rc;
    char name[300];
    snprintf(name, sizeof name, "usb:%s", spec);
    p.name = name;
    cw_link_transport *t;
    if ((rc = cw_link_usb_open(&up, &t)) != CW_OK)
        return rc;
    return cw_linkdev_attach(dev, t, &p);
}

/* ------------------------------------------------------------------ load */

typedef struct progress_ctx {
    const cw_load_params *p;
    uint64_t base, total;
} progress_ctx;

static int on_write_progress(void *user, uint64_t done, uint64_t total)
{
    (void)total;
    progress_ctx *c = user;
    return c->p->on_progress(c->p->user, c->base + done, c->total);
}

int cw_linkdev_load_artifact(cw_device *dev, const cw_artifact *a, const cw_load_params *p)
{
    link_dev *d = dev->impl;
    const cw_target_config *t = &d->target;
    if (a->info.target.hash != t->hash)
        return cw_fail(CW_ERR_MISMATCH,
                       "the artifact was compiled for target '%s' (hash %016llx); the device at "
                       "%s is '%s' (hash %016llx)", a->info.target.name,
                       (unsigned long long)a->info.target.hash, d->name, t->name,
                       (unsigned long long)t->hash);
    d->loaded = 0;
    /* The images the ref device writes: the program at its device stride,
     * then the weight lines, scale entries and constant words as they are. */
    const int n_instr = a->info.n_instructions;
    unsigned char *prog = calloc((size_t)n_instr, CW_PROG_STRIDE);
    uint64_t *pred = malloc((size_t)a->info.context * sizeof *pred);
    if (!prog || !pred) {
        free(prog);
        free(pred);
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    }
    for (int i = 0; i < n_instr; i++)
        cw_instr_encode(&a->prog[i], prog + (size_t)i * CW_PROG_STRIDE);
    memcpy(pred, a->cycles, (size_t)a->info.context * sizeof *pred);
    const struct { int region; const char *name; const unsigned char *data; uint64_t n; } img[] = {
        { CW_LINK_REGION_PROGRAM, "PROGRAM", prog, (uint64_t)n_instr * CW_PROG_STRIDE },
        { CW_LINK_REGION_WEIGHTS, "WEIGHTS", a->wgt, a->wgt_lines * (uint64_t)a->line_bytes },
        { CW_LINK_REGION_SCALES, "SCALES", a->scl, a->scl_entries * 4 },
        { CW_LINK_REGION_CONST, "CONST", a->cst, a->cst_words * 4 },
    };
    const cw_link_info *info = cw_link_host_cached_info(d->h);
    progress_ctx pc = { p, 0, 0 };
    int rc = CW_OK;
    for (size_t i = 0; i < sizeof img / sizeof img[0]; i++) {
        pc.total += img[i].n;
        if (img[i].n > info->region_size[img[i].region])
            rc = cw_fail(CW_ERR_DOES_NOT_FIT, "%s: the artifact's %s image is %llu bytes, the "
                         "device's region %u", d->name, img[i].name,
                         (unsigned long long)img[i].n,
                         (unsigned)info->region_size[img[i].region]);
    }
    for (size_t i = 0; rc == CW_OK && i < sizeof img / sizeof img[0]; i++) {
        if (img[i].n)
            rc = cw_link_host_write(d->h, img[i].region, 0, img[i].data, (size_t)img[i].n,
                                    p->on_progress ? on_write_progress : NULL, &pc);
        pc.base += img[i].n;
    }
    if (rc == CW_ERR_ABORTED)
        rc = cw_fail(CW_ERR_ABORTED, "load aborted by the progress callback");
    free(prog);
    if (rc != CW_OK) {
        free(pred);
        return rc;
    }
    free(d->predicted);
    d->predicted = pred;
    d->model = a->info.model;
    d->model.seq_len = a->info.context;
    d->loaded = 1;
    return CW_OK;
}


/* -------------------------------------------------------------- generate */

typedef struct emit_ctx {
    link_dev *d;
    const cw_generate_params *p;
    int *out, max_out, *n_out, produced;
    uint64_t last_cycle;
    int bad_pos;
} emit_ctx;

static int on_link_token(void *user, const cw_link_token *t)
{
    emit_ctx *e = user;
    if (t->pos < 1 || t->pos > (uint32_t)e->d->model.seq_len) {
        e->bad_pos = (int)t->pos;
        return 1;
    }
    cw_token_event ev = { (int)t->pos, (int)t->token, t->cycle, t->cycle - e->last_cycle,
                          e->d->predicted[t->pos - 1] };
    e->last_cycle = t->cycle;
    if (e->produced < e->max_out)
        e->out[e->produced] = ev.token;
    e->produced++;
    if (e->n_out)
        *e->n_out = e->produced;
    return e->p->on_token ? e->p->on_token(e->p->user, &ev) : 0;
}

int cw_linkdev_generate(cw_device *dev, const int *prompt, int n_prompt,
                         const cw_generate_params *p, int *out, int max_out, int *n_out)
{
    link_dev *d = dev->impl;
    if (!d->loaded)
        return cw_fail(CW_ERR_NOT_LOADED, "device '%s': nothing loaded", d->name);
    if (p->temperature != 0.0f)
        return cw_fail(CW_ERR_UNSUPPORTED, "device '%s' picks tokens by argmax on the device: "
                       "use temperature 0 (-t 0)", d->name);
    int steps, rc;
    if ((rc = cw_check_generate_args(&d->model, prompt, n_prompt, p, &steps)) != CW_OK)
        return rc;
    uint32_t *ids = malloc((size_t)n_prompt * sizeof *ids);
    if (!ids)
        return cw_fail(CW_ERR_NO_MEMORY, "out of memory");
    for (int i = 0; i < n_prompt; i++)
        ids[i] = (uint32_t)prompt[i];
    emit_ctx e = { d, p, out, max_out, n_out, 0, 0, 0 };
    cw_link_run_result res;
    cw_link_host_watch_cancel(d->h, &dev->cancel);
    rc = cw_link_host_generate(d->h, ids, (uint32_t)n_prompt, (uint32_t)steps, on_link_token,
                               &e, &res);
    cw_link_host_watch_cancel(d->h, NULL);
    free(ids);
    if (e.bad_pos)
        return cw_fail(CW_ERR_PROTOCOL, "%s: the device reported position %d of a %d-position "
                       "run", d->name, e.bad_pos, steps);
    return rc;
}

int cw_linkdev_get_target(cw_device *dev, cw_target_config *out)
{
    *out = ((link_dev *)dev->impl)->target;
    return CW_OK;
}

int cw_linkdev_reset(cw_device *dev)
{
    link_dev *d = dev->impl;
    return cw_link_host_reset(d->h);
}

const cw_device_ops cw_unix_device_ops = {
    "unix", "a simulated device behind 'clockwork serve' (unix:PATH)",
    unix_open, cw_accel_load_model, cw_linkdev_generate, cw_linkdev_close, cw_linkdev_load_artifact, cw_linkdev_get_target,
    cw_linkdev_reset,
};

const cw_device_ops cw_pcie_device_ops = {
    "pcie", "a board behind a PCIe DMA engine (pcie:/dev/xdma0 or pcie:H2C,C2H)",
    pcie_open, cw_accel_load_model, cw_linkdev_generate, cw_linkdev_close, cw_linkdev_load_artifact, cw_linkdev_get_target,
    cw_linkdev_reset,
};

const cw_device_ops cw_usb_device_ops = {
    "usb", "a board on USB: FTDI UART or bulk endpoints (usb:VID:PID[:SERIAL])",
    usb_open, cw_accel_load_model, cw_linkdev_generate, cw_linkdev_close, cw_linkdev_load_artifact, cw_linkdev_get_target,
    cw_linkdev_reset,
};
