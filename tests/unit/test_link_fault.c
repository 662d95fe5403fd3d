/*
 * test_link_fault.c - the byte fault injector and its wrapper transport
 * (driver/link_fault.c), the fault URI options of the link devices and
 * cw_device_link_stats (host/device_link.c): the same seed gives the same
 * faults at the rates asked; the wrapper damages both directions of a
 * transport exactly as the injector does, including duplicates that do
 * not fit the caller's buffer and reads whose every byte is dropped; bad
 * rates are refused naming the option; a link device with faults on a
 * pipe and on a Unix socket gives the ref device's tokens and reports the
 * faults injected, detected and repaired.
 */
#include <math.h>
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
#include "link_fault.h"
#include "link_pipe.h"
#include "linkutil.h"
#include "testutil.h"

#define N_BYTES 200000

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 131u + (i >> 8));
}

/* The injector's output for the pattern, and its counts. */
static size_t expected(const cw_link_fault *f, uint8_t *out, cw_link_fault_counts *counts)
{
    cw_link_injector inj;
    memset(&inj, 0, sizeof inj);
    cw_link_injector_set(&inj, f);
    size_t k = 0;
    for (size_t i = 0; i < N_BYTES; i++)
        k += (size_t)cw_link_injector_byte(&inj, pattern(i), out + k);
    *counts = inj.counts;
    return k;
}

static void test_injector(void **st)
{
    (void)st;
    cw_link_fault f = { 1e-2, 5e-3, 5e-3, 42 };
    uint8_t *a = malloc(2 * N_BYTES), *b = malloc(2 * N_BYTES);
    cw_link_fault_counts ca, cb;
    size_t na = expected(&f, a, &ca), nb = expected(&f, b, &cb);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_memory_equal(&ca, &cb, sizeof ca);
    assert_int_equal(ca.bytes, N_BYTES);
    assert_int_equal(na, N_BYTES - ca.dropped + ca.duplicated);
    /* the rates asked, within 4 standard deviations */
    assert_true(fabs((double)ca.corrupted - 2000.0) < 4 * sqrt(2000.0));
    assert_true(fabs((double)ca.dropped - 1000.0) < 4 * sqrt(1000.0));
    assert_true(fabs((double)ca.duplicated - 1000.0) < 4 * sqrt(1000.0));
    /* another seed, other faults */
    f.seed = 43;
    nb = expected(&f, b, &cb);
    assert_true(nb != na || memcmp(a, b, na) != 0);
    /* a corrupted byte always differs; a duplicated one comes twice */
    cw_link_injector inj;
    memset(&inj, 0, sizeof inj);
    cw_link_fault all = { 1.0, 0, 0, 5 }, dup = { 0, 0, 1.0, 5 };
    cw_link_injector_set(&inj, &all);
    for (int i = 0; i < 1000; i++) {
        uint8_t o[2];
        assert_int_equal(cw_link_injector_byte(&inj, (uint8_t)i, o), 1);
        assert_int_not_equal(o[0], (uint8_t)i);
    }
    cw_link_injector_set(&inj, &dup);
    uint8_t o[2];
    assert_int_equal(cw_link_injector_byte(&inj, 0x5A, o), 2);
    assert_int_equal(o[0], 0x5A);
    assert_int_equal(o[1], 0x5A);
    /* clean: every byte as it is, counted */
    cw_link_injector_set(&inj, NULL);
    assert_int_equal(cw_link_injector_byte(&inj, 0x77, o), 1);
    assert_int_equal(o[0], 0x77);
    assert_int_equal(inj.counts.bytes, 1002);
    free(a);
    free(b);
}

static void test_check(void **st)
{
    (void)st;
    cw_link_fault ok = { 0.5, 0.25, 0.25, 1 }, neg = { -0.1, 0, 0, 1 }, big = { 0, 1.5, 0, 1 },
                  nan_ = { 0, 0, NAN, 1 }, sum = { 0.5, 0.5, 0.1, 1 };
    assert_int_equal(cw_link_fault_check(&ok), CW_OK);
    assert_int_equal(cw_link_fault_check(&neg), CW_ERR_INVALID_ARG);
    assert_non_null(strstr(cw_last_error(), "corrupt"));
    assert_int_equal(cw_link_fault_check(&big), CW_ERR_INVALID_ARG);
    assert_non_null(strstr(cw_last_error(), "drop"));
    assert_int_equal(cw_link_fault_check(&nan_), CW_ERR_INVALID_ARG);
    assert_non_null(strstr(cw_last_error(), "dup"));
    assert_int_equal(cw_link_fault_check(&sum), CW_ERR_INVALID_ARG);
    cw_link_transport *h, *d, *w;
    assert_int_equal(cw_link_pipe_open(NULL, NULL, &h, &d), CW_OK);
    assert_int_equal(cw_link_fault_wrap(h, 0, &ok, &sum, &w), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_link_fault_wrap(NULL, 0, &ok, &ok, &w), CW_ERR_INVALID_ARG);
    cw_link_close(h);
    cw_link_close(d);
}

/* Reads everything waiting on t (in reads of `step` bytes at most). */
static size_t drain(cw_link_transport *t, uint8_t *buf, size_t cap, size_t step)
{
    size_t k = 0;
    for (;;) {
        size_t want = cap - k < step ? cap - k : step;
        if (want == 0)
            return k;
        int n = cw_link_read(t, buf + k, want, 0);
        assert_true(n >= 0);
        if (n == 0)
            return k;
        k += (size_t)n;
    }
}

static void test_wrap_both_directions(void **st)
{
    (void)st;
    const size_t steps[] = { 1, 7, 4096 };
    for (size_t s = 0; s < 3; s++) {
        cw_link_fault f = { 1e-2, 5e-3, 5e-3, 11 }, g = { 2e-2, 1e-2, 1e-2, 12 };
        cw_link_transport *h, *d, *w;
        assert_int_equal(cw_link_pipe_open(NULL, NULL, &h, &d), CW_OK); /* a clean pipe */
        assert_int_equal(cw_link_fault_wrap(h, 1, &f, &g, &w), CW_OK);
        uint8_t *src = malloc(N_BYTES), *want = malloc(2 * N_BYTES), *got = malloc(2 * N_BYTES);
        for (size_t i = 0; i < N_BYTES; i++)
            src[i] = pattern(i);
        cw_link_fault_counts cw, cg, up, down;
        /* host -> device: damaged on write, in pieces of any size */
        for (size_t i = 0; i < N_BYTES; i += 1000)
            assert_int_equal(cw_link_write(w, src + i, 1000), CW_OK);
        size_t n_want = expected(&f, want, &cw);
        assert_int_equal(drain(d, got, 2 * N_BYTES, 65536), n_want);
        assert_memory_equal(got, want, n_want);
        /* device -> host: damaged on read, in reads of 1, 7 or 4096 bytes */
        assert_int_equal(cw_link_write(d, src, N_BYTES), CW_OK);
        n_want = expected(&g, want, &cg);
        assert_int_equal(drain(w, got, 2 * N_BYTES, steps[s]), n_want);
        assert_memory_equal(got, want, n_want);
        cw_link_fault_counts_of(w, &up, &down);
        assert_memory_equal(&up, &cw, sizeof up);
        assert_memory_equal(&down, &cg, sizeof down);
        /* clean from now on: the bytes pass as they are, still counted */
        cw_link_fault_set(w, NULL, NULL);
        assert_int_equal(cw_link_write(w, src, 5000), CW_OK);
        assert_int_equal(drain(d, got, 2 * N_BYTES, 65536), 5000);
        assert_memory_equal(got, src, 5000);
        cw_link_fault_counts_of(w, &up, NULL);
        assert_int_equal(up.bytes, N_BYTES + 5000);
        assert_int_equal(up.corrupted, cw.corrupted);
        free(src);
        free(want);
        free(got);
        cw_link_close(w); /* closes h too */
        cw_link_close(d);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A read whose every byte is dropped waits out its time and returns 0. */
static void test_wrap_all_dropped(void **st)
{
    (void)st;
    cw_link_fault g = { 0, 1.0, 0, 3 };
    cw_link_transport *h, *d, *w;
    assert_int_equal(cw_link_pipe_open(NULL, NULL, &h, &d), CW_OK);
    assert_int_equal(cw_link_fault_wrap(h, 0, NULL, &g, &w), CW_OK);
    uint8_t b[64] = { 1, 2, 3 };
    assert_int_equal(cw_link_write(d, b, sizeof b), CW_OK);
    double t = now_s();
    assert_int_equal(cw_link_read(w, b, sizeof b, 60), 0);
    assert_true(now_s() - t >= 0.05);
    cw_link_fault_counts down;
    cw_link_fault_counts_of(w, NULL, &down);
    assert_int_equal(down.dropped, 64);
    cw_link_close(w);
    cw_link_close(h); /* not owned by the wrapper */
    cw_link_close(d);
}

static void test_uri_options(void **st)
{
    (void)st;
    static const struct { const char *uri, *says; } bad[] = {
        { "unix:/nonexistent/x.sock?corrupt=2", "corrupt=2 is not a probability" },
        { "unix:/nonexistent/x.sock?drop=abc", "drop=abc is not a probability" },
        { "unix:/nonexistent/x.sock?dup=-0.1", "dup=-0.1 is not a probability" },
        { "unix:/nonexistent/x.sock?corrupt=nan", "corrupt=nan is not a probability" },
        { "unix:/nonexistent/x.sock?corrupt=0.6&drop=0.5", "corrupt + drop + dup" },
        { "unix:/nonexistent/x.sock?seed=x", "seed=x is not a whole number" },
        { "unix:/nonexistent/x.sock?seed=-3", "seed=-3 is not a whole number" },
        { "unix:/nonexistent/x.sock?seed=0x10", "seed=0x10 is not a whole number" },
        { "pcie:/nonexistent/a,/nonexistent/b?dup=", "dup= is not a probability" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cw_device *d = NULL;
        assert_int_equal(cw_device_open(bad[i].uri, &d), CW_ERR_INVALID_ARG);
        if (!strstr(cw_last_error(), bad[i].says))
            fail_msg("%s: '%s'", bad[i].uri, cw_last_error());
    }
    /* good options get past parsing: the missing socket is what fails */
    cw_device *d = NULL;
    assert_int_equal(cw_device_open("unix:/nonexistent/x.sock?corrupt=1e-3&drop=0&dup=1e-4"
                                    "&seed=16&wait=0", &d), CW_ERR_NO_DEVICE);
    /* statistics: link devices only */
    assert_int_equal(cw_device_open("ref", &d), CW_OK);
    cw_link_stats ls;
    assert_int_equal(cw_device_link_stats(d, &ls), CW_ERR_UNSUPPORTED);
    assert_int_equal(cw_device_link_stats(NULL, &ls), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_linkdev_set_faults(d, NULL), CW_ERR_UNSUPPORTED);
    cw_device_close(d);
}

static const cw_link_fault rates = { 1e-3, 2.5e-4, 2.5e-4, 7 };

/* Loads on a clean link, generates 200 tokens on a faulty one: the ref
 * run, with faults injected, detected and repaired. */
static void faulty_run(cw_device *d, const char *what)
{
    assert_int_equal(cw_linkdev_set_faults(d, NULL), CW_OK);
    if (cw_device_load_artifact(d, lu_artifact("sim"), NULL) != CW_OK)
        fail_msg("%s: load: %s", what, cw_last_error());
    cw_link_stats before, after;
    assert_int_equal(cw_device_link_stats(d, &before), CW_OK);
    assert_int_equal(cw_linkdev_set_faults(d, &rates), CW_OK);
    static lu_run r;
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 200, &r), CW_OK);
    lu_expect_same(&r, lu_reference("sim", 200), what);
    assert_int_equal(cw_device_link_stats(d, &after), CW_OK);
    uint64_t up = after.corrupted_sent + after.dropped_sent + after.duplicated_sent -
                  (before.corrupted_sent + before.dropped_sent + before.duplicated_sent);
    uint64_t down = after.corrupted_received + after.dropped_received +
                    after.duplicated_received -
                    (before.corrupted_received + before.dropped_received +
                     before.duplicated_received);
    if (getenv("CW_LINK_VERBOSE"))
        printf("%s: injected to device %llu, to host %llu (of %llu bytes); host rejected %llu "
               "frames, %llu timeouts; device rejected %llu; tokens from events %llu, read "
               "back %llu\n", what, (unsigned long long)up, (unsigned long long)down,
               (unsigned long long)(after.bytes_received - before.bytes_received),
               (unsigned long long)(after.bad_crc + after.bad_header + after.bad_length -
                                    before.bad_crc - before.bad_header - before.bad_length),
               (unsigned long long)(after.timeouts - before.timeouts),
               (unsigned long long)(after.device_bad_frames - before.device_bad_frames),
               (unsigned long long)(after.tokens_from_events - before.tokens_from_events),
               (unsigned long long)(after.tokens_from_reads - before.tokens_from_reads));
    assert_true(down > 0);
    assert_true(after.bytes_received > before.bytes_received);
    assert_true(after.bad_crc + after.bad_header + after.bad_length + after.abandoned +
                after.timeouts > before.bad_crc + before.bad_header + before.bad_length +
                before.abandoned + before.timeouts);
    assert_int_equal(after.tokens_from_events + after.tokens_from_reads -
                     before.tokens_from_events - before.tokens_from_reads, 200);
    assert_true(after.commands > before.commands);
    assert_true(after.device_events_sent >= before.device_events_sent + 200);
}

static void test_device_on_pipe(void **st)
{
    (void)st;
    lu_pipe p;
    lu_pipe_open(&p, "sim", NULL, NULL); /* the pipe is clean: the wrapper injects */
    cw_link_open_params op;
    cw_link_open_params_default(&op);
    op.own_transport = 0;
    op.name = "pipe";
    op.fault = rates;
    cw_device *d = NULL;
    if (cw_device_open_link(p.host_end, &op, &d) != CW_OK)
        fail_msg("open: %s", cw_last_error());
    faulty_run(d, "pipe with injected faults");
    cw_device_close(d);
    lu_pipe_close(&p);
    /* bad rates in the open parameters are refused; the transport is kept */
    lu_pipe_open(&p, "sim", NULL, NULL);
    op.fault.drop = 2;
    assert_int_equal(cw_device_open_link(p.host_end, &op, &d), CW_ERR_INVALID_ARG);
    lu_pipe_close(&p);
}

static void test_device_on_socket(void **st)
{
    (void)st;
    lu_server sv;
    const char *path = lu_server_on_socket(&sv, "fault.sock");
    char uri[2200];
    snprintf(uri, sizeof uri, "unix:%s?corrupt=%g&drop=%g&dup=%g&seed=%llu&timeout=20", path,
             rates.corrupt, rates.drop, rates.dup, (unsigned long long)rates.seed);
    cw_device *d = NULL;
    if (cw_device_open(uri, &d) != CW_OK)
        fail_msg("%s: %s", uri, cw_last_error());
    faulty_run(d, "unix socket with injected faults");
    cw_device_close(d);
    lu_server_stop(&sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_injector),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_wrap_both_directions),
        cmocka_unit_test(test_wrap_all_dropped),
        cmocka_unit_test(test_uri_options),
        cmocka_unit_test(test_device_on_pipe),
        cmocka_unit_test(test_device_on_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
