/*
 * test_transport_fifo.c - the PCIe DMA transport over a pair of named
 * FIFOs standing in for the engine's H2C and C2H character devices: the
 * simulator server on the FIFOs (in a thread) and the pcie:H2C,C2H
 * device give the ref device's tokens and cycle stamps, twice in a row
 * (stale bytes of the first session do not confuse the second); FIFOs
 * nobody serves give CW_ERR_NO_DEVICE at once instead of a blocked open;
 * the server removes the FIFOs it created.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clockwork.h"
#include "link_server.h"
#include "linkutil.h"
#include "testutil.h"

static void test_fifo_run(void **st)
{
    (void)st;
    char h2c[2100], c2h[2100], uri[4300];
    snprintf(h2c, sizeof h2c, "%s", tu_scratch_path("xdma0_h2c_0"));
    snprintf(c2h, sizeof c2h, "%s", tu_scratch_path("xdma0_c2h_0"));
    cw_server_params p;
    cw_server_params_default(&p);
    p.fifo_h2c = h2c;
    p.fifo_c2h = c2h;
    static lu_server sv;
    lu_server_start(&sv, &p);
    struct stat sb;
    assert_int_equal(stat(h2c, &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(uri, sizeof uri, "pcie:%s,%s", h2c, c2h);
    const lu_run *ref = lu_reference("sim", 200);
    static lu_run r;
    for (int round = 0; round < 2; round++) {
        cw_device *d = NULL;
        if (cw_device_open(uri, &d) != CW_OK)
            fail_msg("%s: %s", uri, cw_last_error());
        if (cw_device_load_artifact(d, lu_artifact("sim"), NULL) != CW_OK)
            fail_msg("load: %s", cw_last_error());
        memset(&r, 0, sizeof r);
        if (round == 1) {
            r.stop_at = 60; /* the second session also cancels, then runs in full */
            r.cancel_dev = d;
            assert_int_equal(lu_generate(d, 200, &r), CW_ERR_ABORTED);
            assert_int_equal(r.n, 60);
            memset(&r, 0, sizeof r);
        }
        assert_int_equal(lu_generate(d, 200, &r), CW_OK);
        lu_expect_same(&r, ref, "FIFO pair");
        cw_device_close(d);
    }
    lu_server_stop(&sv);
    assert_int_not_equal(stat(h2c, &sb), 0);
    assert_int_not_equal(stat(c2h, &sb), 0);
}

static void test_fifo_nobody_serves(void **st)
{
    (void)st;
    char h2c[2100], c2h[2100], uri[4300];
    snprintf(h2c, sizeof h2c, "%s", tu_scratch_path("lone_h2c"));
    snprintf(c2h, sizeof c2h, "%s", tu_scratch_path("lone_c2h"));
    assert_int_equal(mkfifo(h2c, 0600), 0);
    assert_int_equal(mkfifo(c2h, 0600), 0);
    snprintf(uri, sizeof uri, "pcie:%s,%s", h2c, c2h);
    cw_device *d = NULL;
    assert_int_equal(cw_device_open(uri, &d), CW_ERR_NO_DEVICE);
    assert_non_null(strstr(cw_last_error(), "nothing on the other end"));
    assert_null(d);
    unlink(h2c);
    unlink(c2h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_run),
        cmocka_unit_test(test_fifo_nobody_serves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
