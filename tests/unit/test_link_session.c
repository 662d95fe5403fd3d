/*
 * test_link_session.c - a host session and the device model (with the fake
 * core) over the in-process pipe, clean and with byte faults injected:
 * tokens exactly once and in order and identical to the clean run; WRITE
 * and READ of large blocks; timeouts when the device stops answering;
 * cancel, reset and core errors mid-run; duplicate commands not
 * re-executed; and one run with the device model in a thread of its own.
 *
 * Most tests pump the device model from the host's reads (one thread,
 * deterministic: the same seed gives the same faults and the same
 * counters). Set CW_LINK_VERBOSE=1 to print the figures of
 * docs/protocol.md.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clockwork.h"
#include "link_device.h"
#include "link_host.h"
#include "link_pipe.h"

#define CTX 512u
#define VOCAB 512u
#define CYCLES_PER_TOKEN 1000u
#define STEPS 300u

static const uint32_t prompt[] = {1, 403, 407, 261, 378};
#define N_PROMPT ((uint32_t)(sizeof prompt / sizeof prompt[0]))

typedef struct rig {
    cw_link_transport *host_t, *dev_t;
    cw_link_device *dev;
    cw_link_fakecore core;
    cw_link_host *host;
    int dead;     /* the pump stops driving the device */
    uint32_t dead_at; /* token callback: go dead at this position */
    /* what the token callback saw */
    cw_link_token got[CTX + 1];
    uint32_t n_got;
    uint32_t stop_at;   /* callback returns 1 at this position */
    uint32_t cancel_at; /* callback requests cancel at this position */
} rig;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int verbose(void)
{
    const char *v = getenv("CW_LINK_VERBOSE");
    return v && v[0] == '1';
}

static int pump(void *ctx)
{
    rig *r = ctx;
    if (r->dead)
        return 0;
    return cw_link_device_poll(r->dev, 0);
}

static void device_config(cw_link_device_config *c)
{
    memset(c, 0, sizeof *c);
    c->config_hash = 0xC10C4B0A4D000001ull;
    c->mac_lanes = 16;
    c->ctx_len = CTX;
    c->region_size[CW_LINK_REGION_PROGRAM] = 4096;
    c->region_size[CW_LINK_REGION_WEIGHTS] = 64 * 1024;
    c->region_size[CW_LINK_REGION_SCALES] = 1024;
    c->region_size[CW_LINK_REGION_CONST] = 2048;
    c->region_size[CW_LINK_REGION_ACT] = 4096;
    c->region_size[CW_LINK_REGION_KV] = 0; /* absent */
    c->region_size[CW_LINK_REGION_PROMPT] = CTX * 4;
    c->region_size[CW_LINK_REGION_OUTPUT] = CTX * CW_LINK_OUT_ENTRY;
    c->idle_polls = 1;
}

static void faults(cw_link_fault *f, double rate, uint64_t seed)
{
    /* half corruptions, a quarter drops, a quarter duplicates */
    f->corrupt = rate * 0.5;
    f->drop = rate * 0.25;
    f->dup = rate * 0.25;
    f->seed = seed;
}

static void host_params(cw_link_host_params *p)
{
    cw_link_host_params_default(p);
    p->timeout_ms = 500; /* pumped: a timeout is "nothing came back", at once */
    p->max_retries = 40;
    p->poll_ms = 500;
}

/* Builds pipe + device (+ host session unless raw). */
static void rig_open(rig *r, double rate, uint64_t seed, int pumped, int raw)
{
    memset(r, 0, sizeof *r);
    cw_link_fault to_dev, to_host;
    faults(&to_dev, rate, seed * 2 + 1);
    faults(&to_host, rate, seed * 2 + 2);
    assert_int_equal(cw_link_pipe_open(&to_dev, &to_host, &r->host_t, &r->dev_t), CW_OK);
    cw_link_fakecore_init(&r->core, VOCAB, CYCLES_PER_TOKEN);
    cw_link_device_config c;
    device_config(&c);
    assert_int_equal(cw_link_device_create(&c, &cw_link_fakecore_ops, &r->core, r->dev_t, &r->dev),
                     CW_OK);
    if (pumped)
        cw_link_pipe_set_pump(r->host_t, pump, r);
    if (!raw) {
        cw_link_host_params p;
        host_params(&p);
        int rc = cw_link_host_open(r->host_t, &p, &r->host);
        assert_int_equal(rc, CW_OK);
    }
}

static void rig_close(rig *r)
{
    cw_link_host_close(r->host);
    cw_link_device_destroy(r->dev);
    cw_link_close(r->host_t);
    cw_link_close(r->dev_t);
}

/* The tokens the fake core produces for `prompt`, positions 1..steps. */
static void expected_tokens(cw_link_token *out, uint32_t steps)
{
    uint32_t prev = prompt[0];
    for (uint32_t p = 1; p <= steps; p++) {
        uint32_t t = p < N_PROMPT ? prompt[p] : cw_link_fakecore_next(prev, p, VOCAB);
        out[p].pos = p;
        out[p].token = t;
        out[p].cycle = (uint64_t)p * CYCLES_PER_TOKEN;
        prev = t;
    }
}

static int on_token(void *user, const cw_link_token *t)
{
    rig *r = user;
    /* exactly once, in order */
    assert_int_equal(t->pos, r->n_got + 1);
    r->got[++r->n_got] = *t;
    if (r->dead_at && t->pos == r->dead_at)
        r->dead = 1;
    if (r->cancel_at && t->pos == r->cancel_at)
        cw_link_host_request_cancel(r->host);
    return r->stop_at && t->pos == r->stop_at;
}

static void assert_tokens(const rig *r, const cw_link_token *want, uint32_t n)
{
    assert_int_equal(r->n_got, n);
    for (uint32_t p = 1; p <= n; p++) {
        assert_int_equal(r->got[p].pos, want[p].pos);
        assert_int_equal(r->got[p].token, want[p].token);
        assert_int_equal(r->got[p].cycle, want[p].cycle);
    }
}

/* ------------------------------------------------------------------ tests */

static void test_info(void **st)
{
    (void)st;
    rig r;
    rig_open(&r, 0, 1, 1, 0);
    cw_link_info i;
    assert_int_equal(cw_link_host_info(r.host, &i), CW_OK);
    assert_int_equal(i.version, CW_LINK_VERSION);
    assert_int_equal(i.core_state, CW_LINK_CORE_IDLE);
    assert_int_equal(i.n_regions, CW_LINK_N_REGIONS);
    assert_int_equal(i.max_payload, CW_LINK_MAX_PAYLOAD);
    assert_true(i.config_hash == 0xC10C4B0A4D000001ull);
    assert_int_equal(i.mac_lanes, 16);
    assert_int_equal(i.ctx_len, CTX);
    assert_int_equal(i.run_id, 0);
    assert_int_equal(i.region_size[CW_LINK_REGION_WEIGHTS], 64 * 1024);
    assert_int_equal(i.region_size[CW_LINK_REGION_KV], 0);
    assert_memory_equal(&i, cw_link_host_cached_info(r.host), sizeof i);
    cw_link_status s;
    assert_int_equal(cw_link_host_status(r.host, &s), CW_OK);
    assert_int_equal(s.state, CW_LINK_CORE_IDLE);
    assert_int_equal(s.tokens, 0);
    rig_close(&r);
}

typedef struct progress_log {
    uint64_t last, total;
    int calls, abort_at;
} progress_log;

static int on_progress(void *user, uint64_t done, uint64_t total)
{
    progress_log *l = user;
    assert_true(done > l->last);
    assert_true(done <= total);
    l->last = done;
    l->total = total;
    l->calls++;
    return l->abort_at && l->calls >= l->abort_at;
}

static void write_read_at(double rate, uint64_t seed)
{
    rig r;
    rig_open(&r, rate, seed, 1, 0);
    size_t n = 40 * 1024 + 123;
    uint8_t *data = malloc(n), *back = malloc(n);
    assert_non_null(data);
    assert_non_null(back);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 131u + (i >> 9) + seed);
    progress_log l = {0, 0, 0, 0};
    double t0 = now_s();
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_WEIGHTS, 1000, data, n,
                                        on_progress, &l),
                     CW_OK);
    assert_true(l.last == n && l.total == n);
    assert_memory_equal(cw_link_device_mem(r.dev)->base[CW_LINK_REGION_WEIGHTS] + 1000, data, n);
    memset(back, 0, n);
    assert_int_equal(cw_link_host_read(r.host, CW_LINK_REGION_WEIGHTS, 1000, back, n), CW_OK);
    assert_memory_equal(back, data, n);
    cw_link_host_stats hs;
    cw_link_host_get_stats(r.host, &hs);
    /* every timeout led to a retransmission or a smaller chunk */
    assert_int_equal(hs.timeouts, hs.retransmits + hs.chunk_shrinks);
    if (rate == 0)
        assert_int_equal(hs.timeouts, 0);
    cw_link_fault_counts fd, fh;
    cw_link_pipe_counts(r.host_t, &fd, &fh);
    if (verbose())
        printf("write+read 2 x %zu B at %g: %.3f s, %d chunks written, %llu retransmits, "
               "%llu chunk halvings, %llu bytes on the wire (%.2f per data byte)\n",
               n, rate, now_s() - t0, l.calls, (unsigned long long)hs.retransmits,
               (unsigned long long)hs.chunk_shrinks,
               (unsigned long long)(fd.bytes + fh.bytes),
               (double)(fd.bytes + fh.bytes) / (2.0 * (double)n));
    free(data);
    free(back);
    rig_close(&r);
}

static void test_write_read(void **st)
{
    (void)st;
    write_read_at(0, 1);
    write_read_at(1e-3, 2);
    write_read_at(1e-2, 3);
}

static void test_write_errors(void **st)
{
    (void)st;
    rig r;
    rig_open(&r, 0, 1, 1, 0);
    uint8_t b[4096] = {0};
    progress_log l = {0, 0, 0, 2};
    assert_int_equal(
        cw_link_host_write(r.host, CW_LINK_REGION_WEIGHTS, 0, b, sizeof b, on_progress, &l),
        CW_ERR_ABORTED);
    assert_int_equal(l.calls, 2);
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_KV, 0, b, 1, NULL, NULL),
                     CW_ERR_INVALID_ARG);
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_SCALES, 1000, b, 25, NULL, NULL),
                     CW_ERR_INVALID_ARG);
    assert_int_equal(cw_link_host_write(r.host, 9, 0, b, 1, NULL, NULL), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_link_host_read(r.host, CW_LINK_REGION_OUTPUT, CTX * 16, b, 1),
                     CW_ERR_INVALID_ARG);
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_SCALES, 1000, b, 24, NULL, NULL),
                     CW_OK);
    assert_int_equal(cw_link_host_run(r.host, 0, 10, NULL), CW_ERR_TOO_LONG);
    assert_int_equal(cw_link_host_run(r.host, 1, CTX + 1, NULL), CW_ERR_TOO_LONG);
    /* busy: WRITE and RUN while a run is in progress */
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_PROMPT, 0, "\1\0\0\0", 4, NULL,
                                        NULL),
                     CW_OK);
    assert_int_equal(cw_link_host_run(r.host, 1, 100, NULL), CW_OK);
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_ACT, 0, b, 8, NULL, NULL),
                     CW_ERR_DEVICE);
    assert_int_equal(cw_link_host_run(r.host, 1, 100, NULL), CW_ERR_DEVICE);
    assert_int_equal(cw_link_host_reset(r.host), CW_OK);
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_ACT, 0, b, 8, NULL, NULL), CW_OK);
    rig_close(&r);
}

typedef struct run_figures {
    double seconds;
    cw_link_host_stats hs;
    cw_link_device_stats ds;
    cw_link_fault_counts to_dev, to_host;
} run_figures;

static void generate_at(double rate, uint64_t seed, const cw_link_token *want, run_figures *fig)
{
    rig r;
    rig_open(&r, rate, seed, 1, 0);
    cw_link_run_result res;
    double t0 = now_s();
    int rc = cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, &res);
    assert_int_equal(rc, CW_OK);
    double dt = now_s() - t0;
    assert_tokens(&r, want, STEPS);
    assert_int_equal(res.tokens, STEPS);
    assert_int_equal(res.exit_reason, CW_LINK_EXIT_STEPS);
    assert_true(res.cycles == (uint64_t)STEPS * CYCLES_PER_TOKEN);

    cw_link_host_stats hs;
    cw_link_device_stats ds;
    cw_link_fault_counts fd, fh;
    cw_link_host_get_stats(r.host, &hs);
    cw_link_device_get_stats(r.dev, &ds);
    cw_link_pipe_counts(r.host_t, &fd, &fh);
    uint64_t inj_d = fd.corrupted + fd.dropped + fd.duplicated;
    uint64_t inj_h = fh.corrupted + fh.dropped + fh.duplicated;
    uint64_t det_h = hs.rx.skipped + cw_link_dec_errors(&hs.rx);
    uint64_t det_d = ds.rx.skipped + cw_link_dec_errors(&ds.rx) + ds.rx.abandoned;

    /* every token came from an event or from a READ of the output buffer */
    assert_int_equal(hs.tokens_from_events + hs.tokens_from_reads, STEPS);
    /* every timeout led to a retransmission or a smaller chunk */
    assert_int_equal(hs.timeouts, hs.retransmits + hs.chunk_shrinks);
    /* the device saw a duplicate only because the host retransmitted */
    assert_true(ds.replays + ds.reexecuted <= hs.retransmits);
    assert_int_equal(fd.overflow + fh.overflow, 0);
    if (rate == 0) {
        assert_int_equal(inj_d + inj_h, 0);
        assert_int_equal(det_h + det_d, 0);
        assert_int_equal(hs.retransmits + hs.timeouts + hs.tokens_from_reads, 0);
        assert_int_equal(hs.status_polls + hs.dup_tokens + hs.stale_responses, 0);
        assert_int_equal(ds.replays + ds.reexecuted, 0);
    } else {
        assert_true(inj_d + inj_h > 0);
        /* a fault in a direction is seen by the decoder at its end (all
         * bytes on the wire belong to frames, and every frame is followed
         * by more traffic or by an idle gap) */
        assert_true(inj_d == 0 || det_d > 0);
        assert_true(inj_h == 0 || det_h > 0);
        /* lost events were made good (at 1e-2 some always are) */
        if (rate >= 1e-2)
            assert_true(hs.tokens_from_reads > 0 && hs.recovery_reads > 0);
    }
    if (fig) {
        fig->seconds = dt;
        fig->hs = hs;
        fig->ds = ds;
        fig->to_dev = fd;
        fig->to_host = fh;
    }
    if (verbose())
        printf("generate %u tokens at %-6g seed %llu: %.3f s | injected to-dev %llu, to-host %llu "
               "| rejected dev %llu, host %llu | retransmits %llu (device replays %llu) | tokens "
               "from events %llu, from reads %llu (%llu READs) | dup events %llu | STATUS polls "
               "%llu\n",
               STEPS, rate, (unsigned long long)seed, dt, (unsigned long long)inj_d,
               (unsigned long long)inj_h, (unsigned long long)cw_link_dec_errors(&ds.rx),
               (unsigned long long)cw_link_dec_errors(&hs.rx),
               (unsigned long long)hs.retransmits, (unsigned long long)ds.replays,
               (unsigned long long)hs.tokens_from_events, (unsigned long long)hs.tokens_from_reads,
               (unsigned long long)hs.recovery_reads, (unsigned long long)hs.dup_tokens,
               (unsigned long long)hs.status_polls);
    rig_close(&r);
}

static void test_generate_faults(void **st)
{
    (void)st;
    static cw_link_token want[CTX + 1];
    expected_tokens(want, STEPS);
    generate_at(0, 1, want, NULL);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        generate_at(1e-3, seed, want, NULL);
        generate_at(1e-2, seed, want, NULL);
    }
    /* deterministic: the same seed gives the same faults and counters */
    run_figures a, b;
    generate_at(1e-2, 7, want, &a);
    generate_at(1e-2, 7, want, &b);
    assert_memory_equal(&a.hs, &b.hs, sizeof a.hs);
    assert_memory_equal(&a.ds, &b.ds, sizeof a.ds);
    assert_memory_equal(&a.to_dev, &b.to_dev, sizeof a.to_dev);
    assert_memory_equal(&a.to_host, &b.to_host, sizeof a.to_host);
}

static void test_timeout_dead_device(void **st)
{
    (void)st;
    /* pumped: the device stops answering mid-run */
    rig r;
    rig_open(&r, 0, 1, 1, 0);
    r.dead_at = 50;
    double t0 = now_s();
    int rc = cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, NULL);
    assert_int_equal(rc, CW_ERR_TIMEOUT);
    assert_true(r.n_got >= 50 && r.n_got < STEPS);
    assert_non_null(strstr(cw_last_error(), "no response"));
    assert_int_equal(cw_link_host_status(r.host, &(cw_link_status){0}), CW_ERR_TIMEOUT);
    assert_true(now_s() - t0 < 1.0);
    rig_close(&r);

    /* real time: nothing at the other end of a blocking pipe */
    cw_link_transport *ht, *dt;
    assert_int_equal(cw_link_pipe_open(NULL, NULL, &ht, &dt), CW_OK);
    cw_link_host_params p;
    cw_link_host_params_default(&p);
    p.timeout_ms = 20;
    p.max_retries = 3;
    cw_link_host *h = NULL;
    t0 = now_s();
    assert_int_equal(cw_link_host_open(ht, &p, &h), CW_ERR_TIMEOUT);
    double dt_s = now_s() - t0;
    assert_null(h);
    assert_true(dt_s >= 0.075 && dt_s < 1.0); /* 4 attempts of 20 ms */
    if (verbose())
        printf("dead device: CW_ERR_TIMEOUT after %.3f s (4 attempts x 20 ms)\n", dt_s);

    /* a muted device model in a pumped pipe */
    rig_open(&r, 0, 1, 1, 0);
    cw_link_device_set_mute(r.dev, 1);
    t0 = now_s();
    assert_int_equal(cw_link_host_run(r.host, 1, 10, NULL), CW_ERR_TIMEOUT);
    assert_true(now_s() - t0 < 1.0);
    cw_link_device_set_mute(r.dev, 0);
    assert_int_equal(cw_link_host_status(r.host, &(cw_link_status){0}), CW_OK);
    rig_close(&r);
    cw_link_close(ht);
    cw_link_close(dt);
}

static void cancel_at(double rate, int by_request)
{
    static cw_link_token want[CTX + 1];
    expected_tokens(want, STEPS);
    rig r;
    rig_open(&r, rate, 11, 1, 0);
    /* a link at 1e-2 needs several exchanges per token: slow the core down
     * so that the cancel reaches it before its last position */
    r.core.steps_per_token = rate > 0 ? 16 : 1;
    if (by_request)
        r.cancel_at = 40;
    else
        r.stop_at = 40;
    cw_link_run_result res;
    int rc = cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, &res);
    assert_int_equal(rc, CW_ERR_ABORTED);
    assert_tokens(&r, want, 40);
    assert_int_equal(res.tokens, 40);
    cw_link_status s;
    assert_int_equal(cw_link_host_status(r.host, &s), CW_OK);
    assert_int_equal(s.state, CW_LINK_CORE_DONE);
    assert_int_equal(s.exit_reason, CW_LINK_EXIT_CANCELLED);
    assert_true(s.tokens >= 40 && s.tokens < STEPS);
    /* the next run is whole, whatever of the cancelled run is still in flight */
    r.n_got = 0;
    r.stop_at = r.cancel_at = 0;
    assert_int_equal(cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, &res),
                     CW_OK);
    assert_tokens(&r, want, STEPS);
    rig_close(&r);
}

static void test_cancel_mid_run(void **st)
{
    (void)st;
    cancel_at(0, 0);
    cancel_at(0, 1);
    cancel_at(1e-2, 0);
    cancel_at(1e-2, 1);
}

static int set_flag_at_60(void *user, const cw_link_token *t)
{
    atomic_int *flag = user;
    if (t->pos == 60)
        atomic_store(flag, 1);
    return 0;
}

static void test_cancel_watched_flag(void **st)
{
    (void)st;
    rig r;
    rig_open(&r, 0, 1, 1, 0);
    atomic_int flag;
    atomic_init(&flag, 0);
    cw_link_host_watch_cancel(r.host, &flag);
    cw_link_run_result res;
    assert_int_equal(
        cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, set_flag_at_60, &flag, &res),
        CW_ERR_ABORTED);
    assert_int_equal(res.tokens, 60);
    cw_link_host_watch_cancel(r.host, NULL);
    assert_int_equal(
        cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, NULL, NULL, &res), CW_OK);
    assert_int_equal(res.tokens, STEPS);
    rig_close(&r);
}

static void reset_at(double rate)
{
    static cw_link_token want[CTX + 1];
    expected_tokens(want, STEPS);
    rig r;
    rig_open(&r, rate, 5, 1, 0);
    r.core.steps_per_token = rate > 0 ? 16 : 1;
    assert_int_equal(cw_link_host_write(r.host, CW_LINK_REGION_PROMPT, 0,
                                        (const uint8_t[]){1, 0, 0, 0, 2, 0, 0, 0}, 8, NULL, NULL),
                     CW_OK);
    uint32_t id1 = 0;
    assert_int_equal(cw_link_host_run(r.host, 2, STEPS, &id1), CW_OK);
    cw_link_status s;
    do /* every exchange pumps the device, which steps the core */
        assert_int_equal(cw_link_host_status(r.host, &s), CW_OK);
    while (s.tokens < 30);
    assert_int_equal(s.state, CW_LINK_CORE_RUNNING);
    assert_int_equal(cw_link_host_reset(r.host), CW_OK);
    assert_int_equal(cw_link_host_status(r.host, &s), CW_OK);
    assert_int_equal(s.state, CW_LINK_CORE_IDLE);
    assert_int_equal(s.tokens, 0);
    assert_int_equal(s.run_id, id1);
    assert_int_equal(cw_link_host_collect(r.host, on_token, &r, NULL), CW_ERR_INVALID_ARG);
    /* a fresh run after the reset, events of the old one still arriving */
    cw_link_run_result res;
    assert_int_equal(cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, &res),
                     CW_OK);
    assert_int_equal(res.run_id, id1 + 1);
    assert_tokens(&r, want, STEPS);
    rig_close(&r);
}

static void test_reset_mid_run(void **st)
{
    (void)st;
    reset_at(0);
    reset_at(1e-2);
}

static void test_core_error_and_eos(void **st)
{
    (void)st;
    static cw_link_token want[CTX + 1];
    expected_tokens(want, STEPS);
    for (int faulty = 0; faulty < 2; faulty++) {
        rig r;
        rig_open(&r, faulty ? 1e-2 : 0, 21, 1, 0);
        r.core.fail_at = 120;
        r.core.fail_code = 9;
        cw_link_run_result res;
        assert_int_equal(cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, &res),
                         CW_ERR_DEVICE);
        assert_tokens(&r, want, 119);
        assert_int_equal(res.exit_reason, CW_LINK_EXIT_ERROR);
        assert_int_equal(res.error, 9);
        assert_non_null(strstr(cw_last_error(), "error 9"));
        /* end token: the run stops after producing it */
        r.core.fail_at = 0;
        r.core.eos_token = (int32_t)want[77].token;
        uint32_t first = 0;
        for (uint32_t p = N_PROMPT; p <= STEPS && !first; p++)
            if (want[p].token == want[77].token)
                first = p;
        r.n_got = 0;
        assert_int_equal(cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, &res),
                         CW_OK);
        assert_int_equal(res.exit_reason, CW_LINK_EXIT_EOS);
        assert_tokens(&r, want, first);
        rig_close(&r);
    }
}

/* Raw frames: a retransmitted RUN is answered from the replay buffer, not
 * executed again; a retransmitted READ is executed again. */
static size_t exchange(rig *r, const uint8_t *frame, size_t n, cw_link_frame *resp)
{
    assert_int_equal(cw_link_write(r->host_t, frame, n), CW_OK);
    assert_int_equal(cw_link_device_poll(r->dev, 0), CW_OK);
    static uint8_t buf[1 << 16];
    int k = cw_link_read(r->host_t, buf, sizeof buf, 0);
    assert_true(k > 0);
    cw_link_decoder d;
    cw_link_dec_init(&d, CW_LINK_DEC_DROP);
    size_t used;
    assert_int_equal(cw_link_dec_feed(&d, buf, (size_t)k, &used, resp), 1);
    return used;
}

static void test_duplicate_commands(void **st)
{
    (void)st;
    rig r;
    rig_open(&r, 0, 1, 0, 1);
    uint8_t f[CW_LINK_MAX_FRAME], pl[16] = {0};
    cw_link_frame a, b;
    size_t n = cw_link_encode(f, sizeof f, CW_LINK_CMD_WRITE, 100,
                              (const uint8_t[]){CW_LINK_REGION_PROMPT, 0, 0, 0, 0, 0, 0, 0, 1, 0,
                                                0, 0},
                              12);
    exchange(&r, f, n, &a);
    assert_int_equal(a.type, CW_LINK_CMD_WRITE | CW_LINK_RESPONSE);
    assert_int_equal(a.seq, 100);
    cw_put32(pl, 1);
    cw_put32(pl + 4, 50);
    n = cw_link_encode(f, sizeof f, CW_LINK_CMD_RUN, 101, pl, sizeof pl);
    exchange(&r, f, n, &a);
    assert_int_equal(a.payload[0], CW_LINK_ST_OK);
    assert_int_equal(cw_get32(a.payload + 4), 1); /* run 1 */
    exchange(&r, f, n, &b);                     /* the same RUN again */
    assert_int_equal(b.seq, 101);
    assert_int_equal(b.len, a.len);
    assert_memory_equal(b.payload, a.payload, a.len);
    cw_link_device_stats ds;
    cw_link_device_get_stats(r.dev, &ds);
    assert_int_equal(ds.replays, 1);
    assert_int_equal(r.core.st.state, CW_LINK_CORE_RUNNING);
    /* same seq, different bytes: a new command (here: busy) */
    cw_put32(pl + 4, 60);
    n = cw_link_encode(f, sizeof f, CW_LINK_CMD_RUN, 101, pl, sizeof pl);
    exchange(&r, f, n, &b);
    assert_int_equal(b.payload[0], CW_LINK_ST_BUSY);
    /* a repeated STATUS is executed again (fresh figures) */
    n = cw_link_encode(f, sizeof f, CW_LINK_CMD_STATUS, 102, NULL, 0);
    exchange(&r, f, n, &a);
    exchange(&r, f, n, &b);
    assert_true(cw_get32(b.payload + 8) > cw_get32(a.payload + 8)); /* more tokens */
    cw_link_device_get_stats(r.dev, &ds);
    assert_int_equal(ds.reexecuted, 1);
    /* unknown command and wrong length */
    n = cw_link_encode(f, sizeof f, 0x33, 103, NULL, 0);
    exchange(&r, f, n, &a);
    assert_int_equal(a.type, 0x33 | CW_LINK_RESPONSE);
    assert_int_equal(a.payload[0], CW_LINK_ST_BAD_COMMAND);
    n = cw_link_encode(f, sizeof f, CW_LINK_CMD_READ, 104, pl, 5);
    exchange(&r, f, n, &a);
    assert_int_equal(a.payload[0], CW_LINK_ST_BAD_LENGTH);
    /* device-side range checks */
    uint8_t rd[12] = {CW_LINK_REGION_SCALES, 0, 0, 0};
    cw_put32(rd + 4, 1020);
    cw_put16(rd + 8, 8);
    n = cw_link_encode(f, sizeof f, CW_LINK_CMD_READ, 105, rd, 12);
    exchange(&r, f, n, &a);
    assert_int_equal(a.payload[0], CW_LINK_ST_OUT_OF_RANGE);
    rd[0] = CW_LINK_REGION_KV;
    n = cw_link_encode(f, sizeof f, CW_LINK_CMD_READ, 106, rd, 12);
    exchange(&r, f, n, &a);
    assert_int_equal(a.payload[0], CW_LINK_ST_BAD_REGION);
    rig_close(&r);
}

/* ---------------------------------------------------- device in a thread */

typedef struct dev_thread {
    cw_link_device *dev;
    atomic_int stop;
    int rc;
} dev_thread;

static void *device_main(void *arg)
{
    dev_thread *t = arg;
    while (!atomic_load(&t->stop)) {
        int rc = cw_link_device_poll(t->dev, 5);
        if (rc < 0) {
            t->rc = rc;
            break;
        }
    }
    return NULL;
}

static void test_threaded_device(void **st)
{
    (void)st;
    static cw_link_token want[CTX + 1];
    expected_tokens(want, STEPS);
    for (int faulty = 0; faulty < 2; faulty++) {
        rig r;
        rig_open(&r, faulty ? 1e-3 : 0, 31, 0, 1);
        dev_thread t = {.dev = r.dev, .rc = 0};
        atomic_init(&t.stop, 0);
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, device_main, &t), 0);
        cw_link_host_params p;
        cw_link_host_params_default(&p);
        p.timeout_ms = 100;
        p.poll_ms = 50;
        p.max_retries = 20;
        assert_int_equal(cw_link_host_open(r.host_t, &p, &r.host), CW_OK);
        cw_link_run_result res;
        int rc = cw_link_host_generate(r.host, prompt, N_PROMPT, STEPS, on_token, &r, &res);
        atomic_store(&t.stop, 1);
        pthread_join(th, NULL);
        assert_int_equal(rc, CW_OK);
        assert_int_equal(t.rc, 0);
        assert_tokens(&r, want, STEPS);
        rig_close(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_generate_faults),
        cmocka_unit_test(test_timeout_dead_device),
        cmocka_unit_test(test_cancel_mid_run),
        cmocka_unit_test(test_cancel_watched_flag),
        cmocka_unit_test(test_reset_mid_run),
        cmocka_unit_test(test_core_error_and_eos),
        cmocka_unit_test(test_duplicate_commands),
        cmocka_unit_test(test_threaded_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
