/*
 * test_link_crc.c - CRC-32C against the published check value and the
 * iSCSI vectors of RFC 3720 (B.4), the table against a bit-by-bit build,
 * and the incremental form against the one-call form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "link_crc.h"

static void test_check_value(void **st)
{
    (void)st;
    assert_int_equal(cw_link_crc32c("123456789", 9), 0xE3069283u);
    assert_int_equal(cw_link_crc32c("", 0), 0x00000000u);
    assert_int_equal(cw_link_crc32c("a", 1), 0xC1D04330u);
}

static void test_rfc3720_vectors(void **st)
{
    (void)st;
    uint8_t zeros[32], ones[32], inc[32], dec[32];
    for (int i = 0; i < 32; i++) {
        zeros[i] = 0;
        ones[i] = 0xFF;
        inc[i] = (uint8_t)i;
        dec[i] = (uint8_t)(31 - i);
    }
    assert_int_equal(cw_link_crc32c(zeros, 32), 0x8A9136AAu);
    assert_int_equal(cw_link_crc32c(ones, 32), 0x62A8AB43u);
    assert_int_equal(cw_link_crc32c(inc, 32), 0x46DD794Eu);
    assert_int_equal(cw_link_crc32c(dec, 32), 0x113FDB5Cu);
}

static uint32_t bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

static void test_table_matches_bitwise(void **st)
{
    (void)st;
    const uint32_t *t = cw_link_crc32c_table();
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        assert_int_equal(t[i], c);
    }
    uint8_t buf[1500];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t n = 0; n <= sizeof buf; n += 37)
        assert_int_equal(cw_link_crc32c(buf, n), bitwise(buf, n));
}

static void test_incremental(void **st)
{
    (void)st;
    const char *s = "The quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    uint32_t whole = cw_link_crc32c(s, n);
    assert_int_equal(whole, 0x22620404u);
    for (size_t cut = 0; cut <= n; cut++) {
        uint32_t c = cw_link_crc32c_init();
        c = cw_link_crc32c_update(c, s, cut);
        c = cw_link_crc32c_update(c, s + cut, n - cut);
        assert_int_equal(cw_link_crc32c_final(c), whole);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_rfc3720_vectors),
        cmocka_unit_test(test_table_matches_bitwise),
        cmocka_unit_test(test_incremental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
