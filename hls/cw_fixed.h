/*
 * cw_fixed.h - the fixed-point primitives every clockwork kernel is built
 * from: round-half-up shifts, saturation, bit length. Static inline so that
 * HLS inlines them and the host library pays nothing. docs/numerics.md
 * states the rules; the RTL implements the same operations.
 *
 * Right shifts of negative values are arithmetic (gcc, clang and Vitis HLS
 * all do so; C11 leaves it implementation-defined, docs/numerics.md notes
 * the requirement).
 */
#ifndef CW_FIXED_H
#define CW_FIXED_H

#include <stdint.h>

/* round(v / 2^s), ties towards +infinity: (v + 2^(s-1)) >> s, computed as
 * (v >> s) plus the bit shifted out last, which is the same value and
 * cannot overflow. s <= 0 returns v unchanged (callers pass s >= 0); s >= 63
 * returns 0, which is the exact result for the |v| < 2^62 every caller
 * guarantees. */
static inline int64_t cw_rshift_round(int64_t v, int s)
{
    if (s <= 0)
        return v;
    if (s >= 63)
        return 0;
    return (v >> s) + ((v >> (s - 1)) & 1);
}

/* Clamps v to [-lim, lim] (symmetric saturation). */
static inline int64_t cw_sat(int64_t v, int64_t lim)
{
    return v > lim ? lim : (v < -lim ? -lim : v);
}

/* v * 2^s for either sign of s: s < 0 is a round-half-up right shift,
 * s > 0 a left shift; the result saturates to [-lim, lim]. |v| < 2^62 and
 * 0 < lim < 2^62. */
static inline int64_t cw_shift_sat(int64_t v, int s, int64_t lim)
{
    if (s <= 0)
        return cw_sat(cw_rshift_round(v, -s), lim);
    if (s >= 62)
        return v == 0 ? 0 : (v > 0 ? lim : -lim);
    if (v > (lim >> s))
        return lim;
    if (v < -(lim >> s))
        return -lim;
    return cw_sat(v * ((int64_t)1 << s), lim);
}

static inline uint64_t cw_abs64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Number of significant bits of v (0 for 0): a priority encoder. */
static inline int cw_bitlen(uint64_t v)
{
    int n = 0;
    for (int i = 0; i < 64; i++) {
#pragma HLS UNROLL
        if (v >> i)
            n = i + 1;
    }
    return n;
}

#endif
