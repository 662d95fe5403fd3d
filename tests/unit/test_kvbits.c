/*
 * test_kvbits.c - narrow KV cache entries (a target's kvbits, 8..16): the
 * rounding kernel cw_hls_kv_round on its edge cases and against a plain-C
 * reference at every width; the target field (optional, default 16, hashed
 * only when narrower);
 * artifacts for another cache width refused; the int device's kv_bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#include "cw_hls.h"
#include "testutil.h"

/* round(v / 2^(16-bits)) half up, saturated to +-(2^(bits-1) - 1), in
 * plain arithmetic */
static int16_t want(int v, int bits)
{
    int d = 1 << (16 - bits), lim = (1 << (bits - 1)) - 1;
    /* floor((v + d/2) / d) with C's truncating division */
    int w = v + d / 2, q = w >= 0 ? w / d : -((-w + d - 1) / d);
    return (int16_t)(q > lim ? lim : q < -lim ? -lim : q);
}
static int16_t want8(int v) { return want(v, 8); }

static void test_round_edges(void **st)
{
    (void)st;
    const int16_t in[] = { 32767, -32767, 0,    128,   -128, 384,  -384, 127,
                           -129,  32639, 32640, -32640, 255, -255, 1,    -1 };
    const int16_t out[] = { 127, -127, 0,    1,  0,  2,  -1, 0,
                            -1,  127,  127, -127, 1, -1, 0,  0 };
    const int n = (int)(sizeof in / sizeof in[0]);
    int16_t x[16];
    memcpy(x, in, sizeof x);
    assert_int_equal(cw_hls_kv_round(x, n, -20, 8), -12);
    for (int i = 0; i < n; i++) {
        if (x[i] != out[i])
            fail_msg("%d -> %d, expected %d", in[i], x[i], out[i]);
        assert_int_equal(x[i], want8(in[i]));
    }
}

/* An all-zero head: norm16 keeps the input exponent, the rounding adds 8
 * like for any other head (relative exponents are what attention uses). */
static void test_round_zero(void **st)
{
    (void)st;
    int64_t wide[8] = { 0 };
    int16_t x[8];
    int32_t e = cw_hls_norm16(x, wide, 8, -30);
    assert_int_equal(e, -30);
    assert_int_equal(cw_hls_kv_round(x, 8, e, 8), -22);
    for (int i = 0; i < 8; i++)
        assert_int_equal(x[i], 0);
}

/* After norm16 (max |m| in [2^14, 32767]) the rounded head keeps its value
 * within half a step of 2^(e+s), s = 16 - bits (a step at the saturated
 * top) and its largest entry in [2^(bits-2), 2^(bits-1) - 1]; 16 bits
 * change nothing. */
static void test_round_random(void **st)
{
    (void)st;
    const uint64_t seed = 0x6b7662697473ull; /* "kvbits" */
    printf("seed %llu\n", (unsigned long long)seed);
    uint64_t r = seed;
    for (int trial = 0; trial < 20000; trial++) {
        int64_t wide[64];
        int16_t m[64], x[64];
        int n = 2 + (int)(trial % 63), bits = 1 + trial % 60;
        int kb = 8 + trial % 9, s = 16 - kb, lim = (1 << (kb - 1)) - 1;
        for (int i = 0; i < n; i++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            int64_t v = (int64_t)(r >> (64 - bits));
            wide[i] = (r & 1) ? -v : v;
        }
        wide[trial % n] = (int64_t)1 << (bits - 1); /* never all zero */
        int32_t e = cw_hls_norm16(m, wide, n, 0);
        memcpy(x, m, sizeof m);
        assert_int_equal(cw_hls_kv_round(x, n, e, kb), e + s);
        int mx = 0;
        for (int i = 0; i < n; i++) {
            if (x[i] != want(m[i], kb))
                fail_msg("trial %d, %d bits: %d -> %d, expected %d", trial, kb, m[i], x[i],
                         want(m[i], kb));
            /* half a step, or less than a step where +-32767 saturates */
            int d = x[i] * (1 << s) - m[i], half = (1 << s) / 2;
            assert_true((d >= -half && d <= half) || (abs(x[i]) == lim && abs(d) < (1 << s)));
            mx = abs(x[i]) > mx ? abs(x[i]) : mx;
        }
        assert_true(mx >= (1 << (kb - 2)) && mx <= lim);
    }
}

static const char *base_target =
    "name t\nlanes 8\nk 8\nvlanes 1\nwbits 8\nclock_mhz 20\nprog_depth 512\n"
    "wgt_lines 4128\nscl_depth 4096\ncst_depth 1024\nact_depth 2048\n"
    "kv_depth 40960\nmax_ctx 256\n";

/* base_target plus `extra` in a scratch .target file; its path */
static const char *target_file(const char *name, const char *extra)
{
    const char *p = tu_scratch_path(name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "%s%s", base_target, extra);
    fclose(f);
    return p;
}

static void test_target_field(void **st)
{
    (void)st;
    cw_target_config a, b, c, c9, u;
    assert_int_equal(cw_target_get(target_file("a.target", ""), &a), CW_OK);
    assert_int_equal(cw_target_get(target_file("b.target", "kvbits 16\n"), &b), CW_OK);
    assert_int_equal(cw_target_get(target_file("c.target", "kvbits 8 # half\n"), &c), CW_OK);
    assert_int_equal(cw_target_get(target_file("c9.target", "kvbits 9\n"), &c9), CW_OK);
    assert_int_equal(a.kvbits, 16);
    assert_int_equal(b.kvbits, 16);
    assert_int_equal(c.kvbits, 8);
    assert_int_equal(c9.kvbits, 9);
    assert_true(a.hash == b.hash); /* the default leaves the hash alone */
    assert_true(a.hash != c.hash && a.hash != c9.hash && c.hash != c9.hash);
    /* ulx3s-85f is the base target (its clock, memories) with kvbits 9; the others keep 16 */
    assert_int_equal(cw_target_get("ulx3s-85f", &u), CW_OK);
    assert_int_equal(u.kvbits, 9);
    assert_true(u.hash == c9.hash);
    assert_int_equal(cw_target_get("sim", &u), CW_OK);
    assert_int_equal(u.kvbits, 16);
    assert_int_equal(cw_target_get("icebreaker", &u), CW_OK);
    assert_int_equal(u.kvbits, 16);
    const char *bad[] = { "kvbits 17\n", "kvbits 7\n", "kvbits 8\nkvbits 8\n", "kvbits x\n" };
    const char *says[] = { "kvbits = 17 is out of range", "kvbits = 7 is out of range",
                           "kvbits given twice", "kvbits = x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cw_target_get(target_file("bad.target", bad[i]), &u), CW_ERR_FORMAT);
        if (!strstr(cw_last_error(), says[i]))
            fail_msg("case %zu: '%s' lacks '%s'", i, cw_last_error(), says[i]);
    }
}

/* An artifact for the same hardware with a 16-bit cache is refused by the
 * ulx3s-85f device; its own artifact keeps kvbits 9 through save and open. */
static void test_artifact_width(void **st)
{
    (void)st;
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(tu_model_path("stories260K.bin"), &m), CW_OK);
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.weight_bits = 8;
    cp.target = target_file("kv16.target", "kvbits 16\n");
    cw_artifact *a16 = NULL, *a8 = NULL, *b8 = NULL;
    assert_int_equal(cw_compile(m, &cp, &a16), CW_OK);
    cp.target = "ulx3s-85f";
    assert_int_equal(cw_compile(m, &cp, &a8), CW_OK);
    const char *p = tu_scratch_path("u8.cwm");
    assert_int_equal(cw_artifact_save(a8, p), CW_OK);
    assert_int_equal(cw_artifact_open(p, &b8), CW_OK);
    cw_artifact_info in;
    cw_artifact_get_info(b8, &in);
    assert_int_equal(in.target.kvbits, 9);
    cw_artifact_get_info(a16, &in);
    assert_int_equal(in.target.kvbits, 16);

    cw_device *d = NULL;
    assert_int_equal(cw_device_open("ref:ulx3s-85f", &d), CW_OK);
    assert_int_equal(cw_device_load_artifact(d, a16, NULL), CW_ERR_MISMATCH);
    assert_int_equal(cw_device_load_artifact(d, b8, NULL), CW_OK);
    /* the load parameter kv_bits: checked, and the device's own width only */
    cw_load_params lp;
    cw_load_params_default(&lp);
    lp.kv_bits = 16;
    assert_int_equal(cw_device_load_model(d, m, &lp), CW_ERR_MISMATCH);
    lp.kv_bits = 8;
    assert_int_equal(cw_device_load_model(d, m, &lp), CW_ERR_MISMATCH);
    lp.kv_bits = 17;
    assert_int_equal(cw_device_load_model(d, m, &lp), CW_ERR_INVALID_ARG);
    cw_device_close(d);
    cw_artifact_close(a16);
    cw_artifact_close(a8);
    cw_artifact_close(b8);
    cw_model_close(m);
}

/* The int device with 8-bit entries: a different, still sensible, story
 * (its first tokens match the 16-bit cache's), as eval reports it. */
static void test_int_device(void **st)
{
    (void)st;
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(tu_model_path("stories260K.bin"), &m), CW_OK);
    int out[2][64], n[2];
    for (int i = 0; i < 2; i++) {
        cw_device *d = NULL;
        assert_int_equal(cw_device_open("int", &d), CW_OK);
        cw_load_params lp;
        cw_load_params_default(&lp);
        lp.weight_bits = 16;
        lp.kv_bits = i ? 8 : 16;
        assert_int_equal(cw_device_load_model(d, m, &lp), CW_OK);
        cw_generate_params gp;
        cw_generate_params_default(&gp);
        gp.steps = 64;
        gp.temperature = 0.0f;
        int bos = CW_TOKEN_BOS;
        assert_int_equal(cw_device_generate(d, &bos, 1, &gp, out[i], 64, &n[i]), CW_OK);
        cw_device_close(d);
    }
    assert_true(n[0] > 8 && n[1] > 8);
    assert_memory_equal(out[0], out[1], 8 * sizeof(int));
    for (int i = 0; i < 8; i++)
        assert_int_equal(out[0][i], tu_reference_ids[i]);
    cw_model_close(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_edges),  cmocka_unit_test(test_round_zero),
        cmocka_unit_test(test_round_random), cmocka_unit_test(test_target_field),
        cmocka_unit_test(test_artifact_width), cmocka_unit_test(test_int_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
