/*
 * test_model.c - the checkpoint loader against good, truncated, oversized,
 * garbage and non-finite files, and synthetic checkpoints of several shapes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#include "testutil.h"

static void test_stories260k_loads(void **st)
{
    (void)st;
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(tu_model_path("stories260K.bin"), &m), CW_OK);
    cw_model_config c;
    assert_int_equal(cw_model_get_config(m, &c), CW_OK);
    assert_int_equal(c.dim, 64);
    assert_int_equal(c.hidden_dim, 172);
    assert_int_equal(c.n_layers, 5);
    assert_int_equal(c.n_heads, 8);
    assert_int_equal(c.n_kv_heads, 4);
    assert_int_equal(c.vocab_size, 512);
    assert_int_equal(c.seq_len, 512);
    assert_int_equal(c.shared_classifier, 1);
    cw_model_close(m);
}

/* Loads `data` from a scratch file; returns the error code. */
static int open_bytes(const void *data, size_t n)
{
    const char *p = tu_scratch_path("bad.bin");
    tu_write_file(p, data, n);
    cw_model *m = NULL;
    int rc = cw_model_open(p, &m);
    if (rc == CW_OK)
        cw_model_close(m);
    else
        assert_null(m);
    return rc;
}

static void test_truncated(void **st)
{
    (void)st;
    size_t n;
    unsigned char *b = tu_read_file(tu_model_path("stories260K.bin"), &n);
    assert_int_equal(open_bytes(b, 0), CW_ERR_TRUNCATED);
    assert_int_equal(open_bytes(b, 27), CW_ERR_TRUNCATED);
    assert_int_equal(open_bytes(b, 28), CW_ERR_TRUNCATED);
    assert_int_equal(open_bytes(b, n / 2), CW_ERR_TRUNCATED);
    assert_int_equal(open_bytes(b, n - 1), CW_ERR_TRUNCATED);
    assert_non_null(strstr(cw_last_error(), "truncated"));
    free(b);
}

static void test_trailing_bytes(void **st)
{
    (void)st;
    size_t n;
    unsigned char *b = tu_read_file(tu_model_path("stories260K.bin"), &n);
    unsigned char *big = calloc(n + 4, 1);
    memcpy(big, b, n);
    assert_int_equal(open_bytes(big, n + 4), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "trailing"));
    free(big);
    free(b);
}

static void set_field(unsigned char *b, int field, int32_t v)
{
    memcpy(b + 4 * field, &v, 4);
}

static void test_bad_headers(void **st)
{
    (void)st;
    size_t n;
    unsigned char *b = tu_read_file(tu_model_path("stories260K.bin"), &n);
    static const struct { int field; int32_t value; const char *says; } cases[] = {
        { 0, 0, "dim" },           { 0, -64, "dim" },        { 0, 1 << 30, "dim" },
        { 1, 0x7fffffff, "hidden_dim" }, { 2, -1, "n_layers" }, { 2, 100000, "n_layers" },
        { 3, 7, "n_heads" },       { 4, 3, "n_kv_heads" },   { 4, 16, "n_kv_heads" },
        { 5, 0, "vocab_size" },    { 5, (int32_t)0x80000000u, "vocab_size" },
        { 6, 0, "seq_len" },       { 3, 64, "head size" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *c = malloc(n);
        memcpy(c, b, n);
        set_field(c, cases[i].field, cases[i].value);
        assert_int_equal(open_bytes(c, n), CW_ERR_FORMAT);
        if (!strstr(cw_last_error(), cases[i].says))
            fail_msg("case %zu: '%s' does not name %s", i, cw_last_error(), cases[i].says);
        free(c);
    }
    /* A header claiming a huge model is refused before any allocation:
     * the length check fails, not malloc. */
    unsigned char *c = malloc(n);
    memcpy(c, b, n);
    set_field(c, 0, 1 << 16);
    set_field(c, 1, 1 << 16);
    set_field(c, 2, 1024);
    assert_int_equal(open_bytes(c, n), CW_ERR_TRUNCATED);
    free(c);
    free(b);
}

static void test_garbage(void **st)
{
    (void)st;
    unsigned char g[4096];
    uint32_t s = 12345;
    for (int trial = 0; trial < 200; trial++) {
        size_t n = (size_t)(s % sizeof g);
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            g[i] = (unsigned char)(s >> 16);
        }
        assert_true(open_bytes(g, n) < 0);
    }
}

static void test_not_finite(void **st)
{
    (void)st;
    size_t n;
    unsigned char *b = tu_read_file(tu_model_path("stories260K.bin"), &n);
    float nan = NAN;
    memcpy(b + 28 + 4 * 1000, &nan, 4);
    assert_int_equal(open_bytes(b, n), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "not finite"));
    free(b);
}

static void test_missing_and_args(void **st)
{
    (void)st;
    cw_model *m = (cw_model *)1;
    assert_int_equal(cw_model_open("/nonexistent/model.bin", &m), CW_ERR_IO);
    assert_null(m);
    assert_non_null(strstr(cw_last_error(), "/nonexistent/model.bin"));
    assert_int_equal(cw_model_open(NULL, &m), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_model_open("/tmp", &m), CW_ERR_IO); /* a directory */
    cw_model_close(NULL);
}

static void test_synthetic_shapes(void **st)
{
    (void)st;
    const cw_model_config shapes[] = {
        { 64, 172, 5, 8, 4, 512, 512, 1 },
        { 32, 96, 2, 4, 4, 300, 128, 0 },  /* separate classifier */
        { 96, 256, 3, 6, 2, 256, 64, 1 },
        { 16, 48, 1, 2, 1, 64, 16, 0 },
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const char *p = tu_scratch_path("synth.bin");
        assert_int_equal(cw_model_write_synthetic(p, &shapes[i], 7), CW_OK);
        cw_model *m = NULL;
        assert_int_equal(cw_model_open(p, &m), CW_OK);
        cw_model_config c;
        cw_model_get_config(m, &c);
        assert_memory_equal(&c, &shapes[i], sizeof c);
        cw_model_close(m);
    }
    /* The same seed gives the same bytes; another seed other bytes. */
    size_t n1, n2, n3;
    cw_model_write_synthetic(tu_scratch_path("a.bin"), &shapes[1], 9);
    cw_model_write_synthetic(tu_scratch_path("b.bin"), &shapes[1], 9);
    cw_model_write_synthetic(tu_scratch_path("c.bin"), &shapes[1], 10);
    unsigned char *a = tu_read_file(tu_scratch_path("a.bin"), &n1);
    unsigned char *b = tu_read_file(tu_scratch_path("b.bin"), &n2);
    unsigned char *c = tu_read_file(tu_scratch_path("c.bin"), &n3);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    assert_true(memcmp(a, c, n1) != 0);
    free(a);
    free(b);
    free(c);
    /* An impossible shape is refused and leaves no file behind. */
    cw_model_config bad = { 64, 172, 5, 7, 4, 512, 512, 1 };
    assert_int_equal(cw_model_write_synthetic(tu_scratch_path("bad-shape.bin"), &bad, 1),
                     CW_ERR_FORMAT);
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(tu_scratch_path("bad-shape.bin"), &m), CW_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories260k_loads), cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_trailing_bytes),    cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_garbage),           cmocka_unit_test(test_not_finite),
        cmocka_unit_test(test_missing_and_args),  cmocka_unit_test(test_synthetic_shapes),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
