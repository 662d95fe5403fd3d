/*
 * test_hls_tables.c - the committed tables (hls/cw_tables.h, rtl/tables/)
 * are exactly what scripts/gen_tables.py generates, and the C arrays hold
 * the values the kernels rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cw_tables.h"

static void test_regenerate(void **st)
{
    (void)st;
    /* python3 is a build dependency (scripts/install-deps.sh). */
    assert_int_equal(system("python3 scripts/gen_tables.py --check"), 0);
}

static void test_anchors(void **st)
{
    (void)st;
    assert_int_equal(cw_exp2_tab[0], 1u << 24);
    assert_int_equal(cw_exp2_tab[256], 1u << 23);
    assert_int_equal(cw_sin_tab[0], 0);
    assert_int_equal(cw_sin_tab[1024], 1u << 16);
    assert_int_equal(cw_sigmoid_tab[0], 1u << 15);
    assert_int_equal(cw_sigmoid_tab[1024], 1u << 16);
    for (int i = 1; i < CW_EXP2_TAB_LEN; i++)
        assert_true(cw_exp2_tab[i] < cw_exp2_tab[i - 1]);
    for (int i = 1; i < CW_SIN_TAB_LEN; i++)
        assert_true(cw_sin_tab[i] >= cw_sin_tab[i - 1]);
    for (int i = 1; i < CW_RSQRT_TAB_LEN; i++)
        assert_true(cw_rsqrt_tab[i] < cw_rsqrt_tab[i - 1] && cw_rsqrt_tab[i] <= 1u << 30);
    for (int i = 1; i < CW_RECIP_TAB_LEN; i++)
        assert_true(cw_recip_tab[i] < cw_recip_tab[i - 1] && cw_recip_tab[i] <= 1u << 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regenerate),
        cmocka_unit_test(test_anchors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
