/*
 * test_hls_kernels.c - C simulation of the hls/ kernels: each one against a
 * plain-C double reference within the error bound of docs/numerics.md, on
 * random vectors including the extremes, and bit-exact against recorded
 * outputs (a 64-bit FNV-1a hash of the outputs for a fixed seed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "cw_hls.h"
#include "testutil.h"

#define PI 3.14159265358979323846

/* ------------------------------------------------------------ helpers */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s * 0x9E3779B97F4A7C15ull + 1;
}

static uint64_t rng(void)
{
    return tu_xorshift64(&rng_state);
}

/* uniform in [-lim, lim] */
static int64_t rng_range(int64_t lim)
{
    return (int64_t)(rng() % (uint64_t)(2 * lim + 1)) - lim;
}

/* a signed value below 2^mag (mag <= 62) */
static int64_t rng_mag(int mag)
{
    int64_t v = (int64_t)((rng() >> 2) >> (62 - mag));
    return rng() & 1 ? v : -v;
}

/* int16 activations: mostly uniform, sometimes at the extremes */
static int16_t rng_act(void)
{
    uint64_t r = rng() % 16;
    if (r == 0)
        return CW_ACT_MAX;
    if (r == 1)
        return -CW_ACT_MAX;
    return (int16_t)rng_range(CW_ACT_MAX);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

#define FNV0 0xCBF29CE484222325ull

static uint64_t fnv64(uint64_t h, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    return fnv(h, b, 8);
}

static void check_hash(const char *what, uint64_t got, uint64_t want)
{
    if (got != want)
        print_error("%s: output hash 0x%016llxull, recorded 0x%016llxull\n", what,
                    (unsigned long long)got, (unsigned long long)want);
    assert_true(got == want);
}

/* round half up of a / 2^s on exact 128-bit integers */
static int64_t ref_rshift(__int128 a, int s)
{
    if (s == 0)
        return (int64_t)a;
    __int128 h = (__int128)1 << (s - 1);
    __int128 v = a + h;
    /* floor division by 2^s */
    __int128 d = (__int128)1 << s;
    __int128 q = v / d;
    if ((v % d) != 0 && v < 0)
        q -= 1;
    return (int64_t)q;
}

/* ------------------------------------------------------- scalar units */

static void test_exp(void **st)
{
    (void)st;
    double maxe = 0.0;
    uint64_t h = FNV0;
    for (int64_t x = 0; x < ((int64_t)24 << 16); x++) {
        uint32_t p = cw_hls_exp_neg(x);
        double e = fabs(p / 16777216.0 - exp(-x / 65536.0));
        if (e > maxe)
            maxe = e;
        h = fnv64(h, p);
    }
    assert_int_equal(cw_hls_exp_neg(0), 1 << 24);
    assert_int_equal(cw_hls_exp_neg((int64_t)1 << 40), 0);
    assert_true(maxe <= 1.0e-6); /* docs/numerics.md: 17 LSB of Q24 */
    check_hash("exp", h, 0xe1906aa4fa48084full);
}

static void test_rsqrt_recip(void **st)
{
    (void)st;
    rng_seed(2);
    double er = 0.0, ei = 0.0;
    uint64_t h = FNV0;
    for (int i = 0; i < 200000; i++) {
        uint64_t v = rng() >> 1;
        v >>= rng() % 63; /* one rng() per statement: a defined order */
        if (i < 64)
            v = (uint64_t)1 << (i % 63); /* powers of two */
        if (i >= 64 && i < 128)
            v = ((uint64_t)1 << (i % 63 + 1)) - 1; /* all ones */
        if (v == 0)
            v = 1;
        int32_t e1, e2;
        uint32_t y = cw_hls_rsqrt(v, &e1), r = cw_hls_recip(v, &e2);
        double a = fabs(ldexp(y, e1) * sqrt((double)v) - 1.0);
        double b = fabs(ldexp(r, e2) * (double)v - 1.0);
        if (a > er)
            er = a;
        if (b > ei)
            ei = b;
        h = fnv64(fnv64(fnv64(fnv64(h, y), e1), r), e2);
    }
    assert_true(er <= ldexp(1.0, -27));
    assert_true(ei <= ldexp(1.0, -27));
    check_hash("rsqrt/recip", h, 0xdd34fa77b85a95c4ull);
}

static void test_sincos(void **st)
{
    (void)st;
    double maxe = 0.0;
    uint64_t h = FNV0;
    for (uint64_t ph = 0; ph < ((uint64_t)1 << 32); ph += 4093) {
        int32_t s, c;
        cw_hls_sincos((uint32_t)ph, &s, &c);
        double a = 2.0 * PI * (double)ph / 4294967296.0;
        double e1 = fabs(s / 65536.0 - sin(a)), e2 = fabs(c / 65536.0 - cos(a));
        maxe = e1 > maxe ? e1 : maxe;
        maxe = e2 > maxe ? e2 : maxe;
        h = fnv64(fnv64(h, s), c);
    }
    int32_t s, c;
    cw_hls_sincos(0, &s, &c);
    assert_int_equal(s, 0);
    assert_int_equal(c, 65536);
    cw_hls_sincos(1u << 30, &s, &c);
    assert_int_equal(s, 65536);
    assert_int_equal(c, 0);
    assert_true(maxe <= 1.5 / 65536.0);
    check_hash("sincos", h, 0x8b25ba036db9f10full);
}

static void test_sigmoid(void **st)
{
    (void)st;
    double maxe = 0.0;
    uint64_t h = FNV0;
    for (int32_t x = -(20 << 16); x <= (20 << 16); x++) {
        uint32_t g = cw_hls_sigmoid(x);
        double e = fabs(g / 65536.0 - 1.0 / (1.0 + exp(-x / 65536.0)));
        if (e > maxe)
            maxe = e;
        h = fnv64(h, g);
    }
    assert_int_equal(cw_hls_sigmoid(INT32_MAX), 65536);
    assert_int_equal(cw_hls_sigmoid(-INT32_MAX), 0);
    assert_int_equal(cw_hls_sigmoid(0), 32768);
    assert_true(maxe <= 1.5 / 65536.0);
    check_hash("sigmoid", h, 0xfaa798d9eb5f1400ull);
}

/* ------------------------------------------------------------ matvec */

static void matvec_case(int bits, int rows, int cols, int extreme, uint64_t *h)
{
    int16_t *x = malloc((size_t)cols * sizeof *x);
    int8_t *w8 = malloc((size_t)rows * (size_t)cols);
    int16_t *w16 = malloc((size_t)rows * (size_t)cols * sizeof *w16);
    uint16_t *mult = malloc((size_t)rows * sizeof *mult);
    uint8_t *shift = malloc((size_t)rows * sizeof *shift);
    int64_t *out = malloc((size_t)rows * sizeof *out);
    assert_non_null(x);
    assert_non_null(w8);
    assert_non_null(w16);
    assert_non_null(mult);
    assert_non_null(shift);
    assert_non_null(out);
    for (int c = 0; c < cols; c++)
        x[c] = extreme ? (int16_t)(extreme > 0 ? CW_ACT_MAX : -CW_ACT_MAX) : rng_act();
    for (int r = 0; r < rows; r++) {
        mult[r] = extreme ? 65535 : (uint16_t)(32768 + rng() % 32768);
        shift[r] = extreme ? 16 : (uint8_t)(16 + rng() % 47);
        for (int c = 0; c < cols; c++) {
            size_t i = (size_t)r * (size_t)cols + (size_t)c;
            w8[i] = extreme ? 127 : (int8_t)rng_range(127);
            w16[i] = extreme ? 32767 : (int16_t)rng_range(32767);
        }
    }
    if (bits == 8)
        cw_hls_matvec_w8(out, x, w8, mult, shift, rows, cols);
    else
        cw_hls_matvec_w16(out, x, w16, mult, shift, rows, cols);
    for (int r = 0; r < rows; r++) {
        __int128 acc = 0;
        for (int c = 0; c < cols; c++) {
            size_t i = (size_t)r * (size_t)cols + (size_t)c;
            acc += (__int128)x[c] * (bits == 8 ? w8[i] : w16[i]);
        }
        int64_t want = ref_rshift(acc * mult[r], shift[r]);
        assert_true(out[r] == want);
        *h = fnv64(*h, out[r]);
    }
    free(x);
    free(w8);
    free(w16);
    free(mult);
    free(shift);
    free(out);
}

static void test_matvec(void **st)
{
    (void)st;
    rng_seed(3);
    uint64_t h = FNV0;
    static const int shapes[][2] = {{1, 1}, {7, 64}, {64, 64}, {172, 64}, {64, 172}, {3, 4097}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        matvec_case(8, shapes[i][0], shapes[i][1], 0, &h);
        matvec_case(16, shapes[i][0], shapes[i][1], 0, &h);
    }
    /* the accumulator bound: full-scale operands at the largest width */
    matvec_case(16, 2, CW_HLS_MAX_VEC, 1, &h);
    matvec_case(16, 2, CW_HLS_MAX_VEC, -1, &h);
    matvec_case(8, 2, CW_HLS_MAX_VEC, 1, &h);
    check_hash("matvec", h, 0x7e9ee6a1c92c3442ull);
}

static void test_embed(void **st)
{
    (void)st;
    int8_t r8[64];
    int16_t r16[64];
    int64_t o8[64], o16[64];
    rng_seed(4);
    for (int i = 0; i < 64; i++) {
        r8[i] = (int8_t)rng_range(127);
        r16[i] = (int16_t)rng_range(32767);
    }
    r8[0] = -127;
    r16[0] = -32767;
    cw_hls_embed_w8(o8, r8, 65535, 64);
    cw_hls_embed_w16(o16, r16, 65535, 64);
    for (int i = 0; i < 64; i++) {
        assert_true(o8[i] == (int64_t)r8[i] * 65535);
        assert_true(o16[i] == (int64_t)r16[i] * 65535);
    }
}

/* ------------------------------------------------------- vector kernels */

static void test_norm(void **st)
{
    (void)st;
    rng_seed(5);
    uint64_t h = FNV0;
    int64_t in[100];
    int16_t o16[100];
    int32_t o32[100];
    for (int trial = 0; trial < 400; trial++) {
        int mag = trial % 62; /* values up to 2^mag */
        for (int i = 0; i < 100; i++)
            in[i] = rng_mag(mag);
        if (trial % 7 == 0)
            in[3] = -(((int64_t)1 << mag) - 1); /* exact extremes */
        int32_t e = cw_hls_norm16(o16, in, 100, -7);
        int32_t er = cw_hls_norm_res(o32, in, 100, -7);
        int64_t m16 = 0, m32 = 0;
        for (int i = 0; i < 100; i++) {
            m16 = llabs(o16[i]) > m16 ? llabs(o16[i]) : m16;
            m32 = llabs(o32[i]) > m32 ? llabs(o32[i]) : m32;
            /* |out * 2^s - in| <= 2^(s-1) (round half up), unless saturated */
            double d16 = fabs(ldexp(o16[i], e + 7) - (double)in[i]);
            double d32 = fabs(ldexp(o32[i], er + 7) - (double)in[i]);
            assert_true(d16 <= ldexp(1.0, e + 7 - 1) * 1.000001 || llabs(o16[i]) == CW_ACT_MAX);
            assert_true(d32 <= ldexp(1.0, er + 7 - 1) * 1.000001 || llabs(o32[i]) == CW_RES_MAX);
            h = fnv64(fnv64(h, o16[i]), o32[i]);
        }
        int any = 0;
        for (int i = 0; i < 100; i++)
            any |= in[i] != 0;
        if (any) {
            assert_true(m16 >= 1 << 14 && m16 <= CW_ACT_MAX);
            assert_true(m32 >= 1 << 29 && m32 <= CW_RES_MAX);
        }
        h = fnv64(fnv64(h, e), er);
    }
    int16_t x[4] = {3, -3, 2, -2};
    cw_hls_shift16(x, 4, 1); /* round half up: 1.5 -> 2, -1.5 -> -1 */
    assert_int_equal(x[0], 2);
    assert_int_equal(x[1], -1);
    assert_int_equal(x[2], 1);
    assert_int_equal(x[3], -1);
    check_hash("norm", h, 0x710bb0a2d1f78520ull);
}

static void test_residual_add(void **st)
{
    (void)st;
    rng_seed(6);
    uint64_t h = FNV0;
    int32_t x[64];
    int64_t b[64];
    for (int trial = 0; trial < 300; trial++) {
        int32_t ex = (int32_t)rng_range(40);
        int32_t eb = (int32_t)rng_range(40) - 20;
        int mag = (int)(rng() % 62);
        for (int i = 0; i < 64; i++) {
            x[i] = (int32_t)rng_range(CW_RES_MAX);
            b[i] = rng_mag(mag);
        }
        if (trial % 5 == 0)
            x[0] = CW_RES_MAX, b[0] = ((int64_t)1 << mag) - 1;
        double want[64], m = 0.0;
        for (int i = 0; i < 64; i++) {
            want[i] = ldexp(x[i], ex) + ldexp((double)b[i], eb);
            m = fabs(want[i]) > m ? fabs(want[i]) : m;
        }
        int32_t e = cw_hls_residual_add(x, ex, b, eb, 64);
        for (int i = 0; i < 64; i++) {
            /* alignment roundings (<= 1/2 LSB each) and the final one */
            assert_true(fabs(ldexp(x[i], e) - want[i]) <= ldexp(2.0, e));
            h = fnv64(h, x[i]);
        }
        assert_true(m <= ldexp(1.0, e + 30) + ldexp(2.0, e)); /* top may clip 1 LSB */
        h = fnv64(h, e);
    }
    check_hash("residual_add", h, 0x3a5f9b2dfc0dbdf0ull);
}

static void test_rmsnorm(void **st)
{
    (void)st;
    rng_seed(7);
    uint64_t h = FNV0;
    enum { N = 172 };
    int32_t x[N];
    int16_t g[N];
    int64_t out[N];
    for (int trial = 0; trial < 200; trial++) {
        int n = trial % 2 ? N : 64;
        int32_t ex = (int32_t)rng_range(40), eg = -14 + (int32_t)rng_range(4);
        int mag = 1 + (int)(rng() % 30);
        for (int i = 0; i < n; i++) {
            x[i] = (int32_t)rng_range(((int64_t)1 << mag) - 1);
            g[i] = rng_act();
        }
        if (trial == 0)
            for (int i = 0; i < n; i++)
                x[i] = CW_RES_MAX, g[i] = CW_ACT_MAX; /* extremes */
        double eps = 1e-5 * n;
        int ee;
        double f = frexp(eps, &ee);
        uint32_t em = (uint32_t)floor(f * 2147483648.0 + 0.5);
        int32_t eo = cw_hls_rmsnorm(out, x, ex, g, eg, n, em, ee - 31);
        double ss = 0.0;
        for (int i = 0; i < n; i++)
            ss += ldexp(x[i], ex) * ldexp(x[i], ex);
        double r = 1.0 / sqrt(ss + eps), ref[N], m = 0.0;
        for (int i = 0; i < n; i++) {
            ref[i] = ldexp(x[i], ex) * ldexp(g[i], eg) * r;
            m = fabs(ref[i]) > m ? fabs(ref[i]) : m;
        }
        for (int i = 0; i < n; i++) {
            assert_true(llabs(out[i]) < ((int64_t)1 << 60));
            /* docs/numerics.md: 2^-18 of the largest output */
            assert_true(fabs(ldexp((double)out[i], eo) - ref[i]) <= ldexp(m, -18));
            h = fnv64(h, out[i]);
        }
        h = fnv64(h, eo);
    }
    check_hash("rmsnorm", h, 0x8e07ead09899bae4ull);
}

static void test_rope(void **st)
{
    (void)st;
    rng_seed(8);
    uint64_t h = FNV0;
    int16_t x[256];
    int64_t out[256];
    uint32_t freq[128];
    for (int trial = 0; trial < 200; trial++) {
        int n = 2 * (1 + (int)(rng() % 128));
        int pos = (int)(rng() % CW_HLS_MAX_SEQ);
        for (int i = 0; i < n; i++)
            x[i] = rng_act();
        /* turns per position * 2^32, from integers only: the recorded hash
         * must not depend on libm */
        for (int p = 0; p < n / 2; p++) {
            freq[p] = (uint32_t)rng();
            freq[p] >>= rng() % 24;
        }
        cw_hls_rope(out, x, freq, n, pos);
        for (int p = 0; p < n / 2; p++) {
            double a = 2 * PI * (double)(uint32_t)((uint32_t)pos * freq[p]) / 4294967296.0;
            double r0 = x[2 * p] * cos(a) - x[2 * p + 1] * sin(a);
            double r1 = x[2 * p] * sin(a) + x[2 * p + 1] * cos(a);
            /* two products of a 1-LSB (Q16) table value: <= 2 units of x */
            assert_true(fabs(out[2 * p] / 65536.0 - r0) <= 2.0);
            assert_true(fabs(out[2 * p + 1] / 65536.0 - r1) <= 2.0);
        }
        for (int i = 0; i < n; i++)
            h = fnv64(h, out[i]);
    }
    check_hash("rope", h, 0x573ce5d9a4e3ce05ull);
}

static void test_silu_gate(void **st)
{
    (void)st;
    rng_seed(9);
    uint64_t h = FNV0;
    int16_t a[172], b[172];
    int64_t out[172];
    for (int trial = 0; trial < 300; trial++) {
        int32_t ea = -30 + (int32_t)(rng() % 30);
        for (int i = 0; i < 172; i++)
            a[i] = rng_act(), b[i] = rng_act();
        cw_hls_silu_gate(out, a, ea, b, 172);
        for (int i = 0; i < 172; i++) {
            double av = ldexp(a[i], ea);
            double ref = (double)a[i] * b[i] * 65536.0 / (1.0 + exp(-av));
            /* sigmoid within 1.5 LSB (Q16) plus its Q16 argument (0.125 LSB) */
            assert_true(fabs((double)out[i] - ref) <= 1.7 * fabs((double)a[i] * b[i]) + 0.5);
            h = fnv64(h, out[i]);
        }
    }
    check_hash("silu_gate", h, 0xbc0cf8fbe65958c1ull);
}

static void test_argmax(void **st)
{
    (void)st;
    int64_t v[6] = {-5, 7, 3, 7, -9, 7};
    assert_int_equal(cw_hls_argmax(v, 6), 1); /* ties: lowest index */
    int64_t w[3] = {INT64_MIN + 1, INT64_MIN + 1, INT64_MIN + 1};
    assert_int_equal(cw_hls_argmax(w, 3), 0);
    int64_t u[4] = {1, 2, 3, 4};
    assert_int_equal(cw_hls_argmax(u, 4), 3);
}

/* ------------------------------------------------------------ attention */

static void test_attention(void **st)
{
    (void)st;
    rng_seed(10);
    uint64_t h = FNV0;
    enum { HS = 16, T = 300, KVD = 48, NKV = 3 };
    static int16_t k[T * KVD], v[T * KVD];
    static int32_t ek[T * NKV], ev[T * NKV], scores[T];
    static uint32_t p[T];
    int16_t q[HS], out[HS];
    for (int trial = 0; trial < 60; trial++) {
        int n = 1 + (int)(rng() % T), head = trial % NKV;
        int32_t eq = -16 + (int32_t)rng_range(2);
        for (int i = 0; i < HS; i++)
            q[i] = rng_act();
        for (int t = 0; t < T; t++) {
            for (int i = 0; i < KVD; i++)
                k[t * KVD + i] = rng_act(), v[t * KVD + i] = rng_act();
            for (int j = 0; j < NKV; j++) {
                ek[t * NKV + j] = -17 + (int32_t)rng_range(2);
                ev[t * NKV + j] = -15 + (int32_t)rng_range(3);
            }
        }
        int32_t eo = cw_hls_attention(out, q, eq, k + head * HS, ek + head, v + head * HS,
                                      ev + head, n, HS, KVD, NKV, scores, p);
        /* double reference */
        double s[T], mx = -1e300, sum = 0.0, ref[HS] = {0}, vmax = 0.0;
        for (int t = 0; t < n; t++) {
            double d = 0.0;
            for (int i = 0; i < HS; i++)
                d += ldexp(q[i], eq) * ldexp(k[t * KVD + head * HS + i], ek[t * NKV + head]);
            s[t] = d;
            mx = d > mx ? d : mx;
        }
        for (int t = 0; t < n; t++)
            sum += exp(s[t] - mx);
        for (int t = 0; t < n; t++)
            for (int i = 0; i < HS; i++) {
                double vv = ldexp(v[t * KVD + head * HS + i], ev[t * NKV + head]);
                ref[i] += exp(s[t] - mx) / sum * vv;
                vmax = fabs(vv) > vmax ? fabs(vv) : vmax;
            }
        double omax = 0.0;
        for (int i = 0; i < HS; i++)
            omax = fabs(ref[i]) > omax ? fabs(ref[i]) : omax;
        for (int i = 0; i < HS; i++) {
            /* docs/numerics.md: 2^-14 of max|v| + 2^-15 of max|out| */
            double err = fabs(ldexp(out[i], eo) - ref[i]);
            assert_true(err <= ldexp(vmax, -14) + ldexp(omax, -15));
            h = fnv64(h, out[i]);
        }
        h = fnv64(h, eo);
    }
    check_hash("attention", h, 0x3a4c1782185d0732ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_rsqrt_recip),
        cmocka_unit_test(test_sincos),
        cmocka_unit_test(test_sigmoid),
        cmocka_unit_test(test_matvec),
        cmocka_unit_test(test_embed),
        cmocka_unit_test(test_norm),
        cmocka_unit_test(test_residual_add),
        cmocka_unit_test(test_rmsnorm),
        cmocka_unit_test(test_rope),
        cmocka_unit_test(test_silu_gate),
        cmocka_unit_test(test_argmax),
        cmocka_unit_test(test_attention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
