/*
 * test_device_link.c - the link-device backend (host/device_link.c) over
 * the in-process pipe to a simulated device (the ref core behind the link
 * engine model, host/ref_link.c): stories260K with 16-bit weights gives
 * the ref device's tokens and cycle stamps, on a clean link and with byte
 * faults (corruption, drops, duplicates) at 1e-3; progress adds up and can
 * abort; a device that stops answering gives CW_ERR_TIMEOUT; cancel and
 * reset mid-run; a core left running is taken over; a device of an unknown
 * configuration and an artifact of another target are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clockwork.h"
#include "device_link.h"
#include "link_host.h"
#include "linkutil.h"
#include "testutil.h"

static cw_device *open_on(lu_pipe *p, int timeout_ms, int retries)
{
    cw_link_open_params op;
    cw_link_open_params_default(&op);
    op.own_transport = 0;
    op.name = "pipe";
    op.host.timeout_ms = timeout_ms;
    op.host.max_retries = retries;
    cw_device *d = NULL;
    if (cw_device_open_link(p->host_end, &op, &d) != CW_OK)
        fail_msg("open: %s", cw_last_error());
    return d;
}

static cw_device *open_loaded(lu_pipe *p, const char *target)
{
    cw_device *d = open_on(p, 250, 10);
    if (cw_device_load_artifact(d, lu_artifact(target), NULL) != CW_OK)
        fail_msg("load: %s", cw_last_error());
    return d;
}

static void test_clean_pipe(void **st)
{
    (void)st;
    lu_pipe p;
    lu_pipe_open(&p, "sim", NULL, NULL);
    cw_device *d = open_loaded(&p, "sim");
    cw_target_config t;
    assert_int_equal(cw_device_get_target(d, &t), CW_OK);
    assert_string_equal(t.name, "sim");
    static lu_run r;
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 200, &r), CW_OK);
    lu_expect_same(&r, lu_reference("sim", 200), "pipe");
    for (int i = 0; i < 200; i++)
        assert_int_equal(r.ids[i], tu_reference_ids[i]);
    /* again, on the loaded device: the same */
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 200, &r), CW_OK);
    lu_expect_same(&r, lu_reference("sim", 200), "pipe, second run");
    /* and the int out[] path */
    int out[64], n = 0, bos = CW_TOKEN_BOS;
    cw_generate_params gp;
    cw_generate_params_default(&gp);
    gp.steps = 40;
    gp.temperature = 0.0f;
    assert_int_equal(cw_device_generate(d, &bos, 1, &gp, out, 64, &n), CW_OK);
    assert_int_equal(n, 40);
    for (int i = 0; i < n; i++)
        assert_int_equal(out[i], tu_reference_ids[i]);
    gp.temperature = 0.8f;
    assert_int_equal(cw_device_generate(d, &bos, 1, &gp, out, 64, &n), CW_ERR_UNSUPPORTED);
    cw_device_close(d);
    lu_pipe_close(&p);
}

/* ulx3s-85f: a second configuration, 16-bit weights compiled for it. */
static void test_other_target(void **st)
{
    (void)st;
    lu_pipe p;
    lu_pipe_open(&p, "ulx3s-85f", NULL, NULL);
    cw_device *d = open_on(&p, 250, 10);
    cw_target_config t;
    assert_int_equal(cw_device_get_target(d, &t), CW_OK);
    assert_string_equal(t.name, "ulx3s-85f");
    /* an artifact for sim is refused */
    assert_int_equal(cw_device_load_artifact(d, lu_artifact("sim"), NULL), CW_ERR_MISMATCH);
    assert_non_null(strstr(cw_last_error(), "compiled for target 'sim'"));
    /* generate before load */
    lu_run *r = calloc(1, sizeof *r);
    assert_int_equal(lu_generate(d, 10, r), CW_ERR_NOT_LOADED);
    free(r);
    cw_device_close(d);
    lu_pipe_close(&p);
}

static void test_faults(void **st)
{
    (void)st;
    cw_link_fault f = { 0.5e-3, 0.25e-3, 0.25e-3, 7 }, g = { 0.5e-3, 0.25e-3, 0.25e-3, 8 };
    lu_pipe p;
    lu_pipe_open(&p, "sim", &f, &g);
    cw_device *d = open_loaded(&p, "sim");
    static lu_run r;
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 300, &r), CW_OK);
    lu_expect_same(&r, lu_reference("sim", 300), "pipe at 1e-3");
    cw_link_fault_counts to_dev, to_host;
    cw_link_pipe_counts(p.host_end, &to_dev, &to_host);
    cw_link_host_stats hs;
    cw_link_host_get_stats(cw_device_link_session(d), &hs);
    if (getenv("CW_LINK_VERBOSE"))
        printf("faults to device %llu (of %llu bytes), to host %llu (of %llu); retransmits "
               "%llu; tokens from events %llu, from reads %llu\n",
               (unsigned long long)(to_dev.corrupted + to_dev.dropped + to_dev.duplicated),
               (unsigned long long)to_dev.bytes,
               (unsigned long long)(to_host.corrupted + to_host.dropped + to_host.duplicated),
               (unsigned long long)to_host.bytes, (unsigned long long)hs.retransmits,
               (unsigned long long)hs.tokens_from_events, (unsigned long long)hs.tokens_from_reads);
    assert_true(to_dev.corrupted > 0 && to_dev.dropped > 0 && to_dev.duplicated > 0);
    assert_true(to_host.corrupted + to_host.dropped + to_host.duplicated > 0);
    assert_true(hs.retransmits > 0);
    assert_int_equal(hs.tokens_from_events + hs.tokens_from_reads, 300);
    cw_device_close(d);
    lu_pipe_close(&p);
}

typedef struct prog {
    uint64_t last, total, calls;
    int monotonic;
    uint64_t abort_at;
} prog;

static int on_progress(void *user, uint64_t done, uint64_t total)
{
    prog *g = user;
    if (done < g->last || done > total || (g->total && total != g->total))
        g->monotonic = 0;
    g->last = done;
    g->total = total;
    g->calls++;
    return g->abort_at && done >= g->abort_at;
}

static void test_progress(void **st)
{
    (void)st;
    lu_pipe p;
    lu_pipe_open(&p, "sim", NULL, NULL);
    cw_device *d = open_on(&p, 250, 10);
    const cw_artifact *a = lu_artifact("sim");
    cw_artifact_info info;
    cw_artifact_get_info(a, &info);
    prog g = { 0, 0, 0, 1, 0 };
    cw_load_params lp;
    cw_load_params_default(&lp);
    lp.on_progress = on_progress;
    lp.user = &g;
    assert_int_equal(cw_device_load_artifact(d, a, &lp), CW_OK);
    assert_true(g.monotonic);
    assert_true(g.calls > 10);
    assert_true(g.last == g.total);
    /* the program at its device stride is part of the total */
    assert_true(g.total > (uint64_t)info.n_instructions * 32);
    /* abort half way: CW_ERR_ABORTED, and the device is no longer loaded */
    prog h = { 0, 0, 0, 1, g.total / 2 };
    lp.user = &h;
    assert_int_equal(cw_device_load_artifact(d, a, &lp), CW_ERR_ABORTED);
    assert_true(h.last < h.total);
    lu_run *r = calloc(1, sizeof *r);
    assert_int_equal(lu_generate(d, 10, r), CW_ERR_NOT_LOADED);
    free(r);
    cw_device_close(d);
    lu_pipe_close(&p);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_timeout(void **st)
{
    (void)st;
    lu_pipe p;
    lu_pipe_open(&p, "sim", NULL, NULL);
    cw_device *d = open_on(&p, 20, 3);
    assert_int_equal(cw_device_load_artifact(d, lu_artifact("sim"), NULL), CW_OK);
    cw_link_device_set_mute(cw_ref_link_device(p.dev), 1);
    lu_run *r = calloc(1, sizeof *r);
    double t0 = now_s();
    assert_int_equal(lu_generate(d, 50, r), CW_ERR_TIMEOUT);
    assert_true(now_s() - t0 < 5.0);
    free(r);
    cw_device_close(d);
    /* nothing answers at all: open fails with a timeout */
    cw_link_open_params op;
    cw_link_open_params_default(&op);
    op.own_transport = 0;
    op.host.timeout_ms = 20;
    op.host.max_retries = 2;
    t0 = now_s();
    assert_int_equal(cw_device_open_link(p.host_end, &op, &d), CW_ERR_TIMEOUT);
    assert_null(d);
    assert_true(now_s() - t0 < 5.0);
    lu_pipe_close(&p);
}

static void test_cancel_and_reset(void **st)
{
    (void)st;
    lu_pipe p;
    lu_pipe_open(&p, "sim", NULL, NULL);
    cw_device *d = open_loaded(&p, "sim");
    const lu_run *ref = lu_reference("sim", 120);
    static lu_run r;
    /* cancel from the token callback at position 50: nothing after it */
    memset(&r, 0, sizeof r);
    r.stop_at = 50;
    r.cancel_dev = d;
    assert_int_equal(lu_generate(d, 120, &r), CW_ERR_ABORTED);
    assert_int_equal(r.n, 50);
    for (int i = 0; i < r.n; i++)
        assert_int_equal(r.ids[i], ref->ids[i]);
    /* the device is usable again, and gives the whole run */
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 120, &r), CW_OK);
    lu_expect_same(&r, ref, "after cancel");
    /* reset mid-run: a run started and reset on the device, then a full run */
    cw_link_host *h = cw_device_link_session(d);
    assert_non_null(h);
    uint32_t bos = CW_TOKEN_BOS, id = 0;
    assert_int_equal(cw_link_host_write(h, CW_LINK_REGION_PROMPT, 0, &bos, 4, NULL, NULL), CW_OK);
    assert_int_equal(cw_link_host_run(h, 1, 120, &id), CW_OK);
    for (int i = 0; i < 20; i++)
        cw_ref_link_poll(p.dev, 0); /* twenty positions in */
    cw_link_status s;
    assert_int_equal(cw_link_host_status(h, &s), CW_OK);
    assert_int_equal(s.state, CW_LINK_CORE_RUNNING);
    assert_true(s.tokens >= 10 && s.tokens < 120);
    assert_int_equal(cw_link_host_reset(h), CW_OK);
    assert_int_equal(cw_link_host_status(h, &s), CW_OK);
    assert_int_equal(s.state, CW_LINK_CORE_IDLE);
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 120, &r), CW_OK);
    lu_expect_same(&r, ref, "after reset");
    /* a host that leaves mid-run: the next one finds the core running,
     * takes it over and runs in full */
    assert_int_equal(cw_link_host_run(h, 1, 120, &id), CW_OK);
    cw_device_close(d);
    cw_link_core_status cs;
    cw_ref_link_core_status(p.dev, &cs);
    assert_int_equal(cs.state, CW_LINK_CORE_RUNNING);
    d = open_loaded(&p, "sim");
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 120, &r), CW_OK);
    lu_expect_same(&r, ref, "after a host left mid-run");
    cw_device_close(d);
    lu_pipe_close(&p);
}

/* A device whose configuration no built-in target has is refused. */
static void test_unknown_configuration(void **st)
{
    (void)st;
    const char *path = tu_scratch_path("odd.target");
    const char *text = "name odd\nlanes 4\nk 4\nvlanes 1\nwbits 16\nclock_mhz 50\n"
                       "prog_depth 1024\nwgt_lines 4096\nscl_depth 4096\ncst_depth 4096\n"
                       "act_depth 4096\nkv_depth 65536\nmax_ctx 256\n";
    tu_write_file(path, text, strlen(text));
    cw_target_config t;
    if (cw_target_get(path, &t) != CW_OK)
        fail_msg("odd.target: %s", cw_last_error());
    cw_link_transport *he, *de;
    cw_ref_link *dev;
    assert_int_equal(cw_link_pipe_open(NULL, NULL, &he, &de), CW_OK);
    assert_int_equal(cw_ref_link_open(&t, de, 4, &dev), CW_OK);
    lu_pipe p = { he, de, dev, 0 };
    cw_link_pipe_set_pump(he, NULL, NULL);
    lu_pipe_close(&p);
    /* again with a pump */
    lu_pipe_open(&p, path, NULL, NULL);
    cw_link_open_params op;
    cw_link_open_params_default(&op);
    op.own_transport = 0;
    op.name = "odd";
    cw_device *d = NULL;
    assert_int_equal(cw_device_open_link(p.host_end, &op, &d), CW_ERR_MISMATCH);
    assert_null(d);
    char want[64];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)t.hash);
    assert_non_null(strstr(cw_last_error(), want));
    assert_non_null(strstr(cw_last_error(), "none of this library's targets"));
    lu_pipe_close(&p);
}

static void test_uri_errors(void **st)
{
    (void)st;
    cw_device *d = NULL;
    assert_int_equal(cw_device_open("unix:", &d), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_device_open("unix:/nonexistent/cw.sock", &d), CW_ERR_NO_DEVICE);
    assert_non_null(strstr(cw_last_error(), "clockwork serve"));
    assert_int_equal(cw_device_open("unix:/tmp/x.sock?bogus=1", &d), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_device_open("unix:/tmp/x.sock?timeout=x", &d), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_device_open("pcie:/nonexistent/xdma9", &d), CW_ERR_NO_DEVICE);
    assert_non_null(strstr(cw_last_error(), "/nonexistent/xdma9_h2c_0"));
    assert_int_equal(cw_device_open("pcie:/nonexistent/a,/nonexistent/b", &d), CW_ERR_NO_DEVICE);
    assert_int_equal(cw_device_open("usb:xyz", &d), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_device_open("usb:0403:6015?baud=1", &d), CW_ERR_INVALID_ARG);
    assert_null(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_pipe),
        cmocka_unit_test(test_other_target),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_cancel_and_reset),
        cmocka_unit_test(test_unknown_configuration),
        cmocka_unit_test(test_uri_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
