// top: cw_tb_fixed
// sources:
/*
 * tb_fixed.cpp - the shared fixed-point primitives (cw_fn_shift_sat,
 * cw_fn_bitlen) against hls/cw_fixed.h on random and edge operands.
 */
#include "Vcw_tb_fixed.h"
#include "tb_common.h"

extern "C" {
#include "cw_fixed.h"
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_tb_fixed> b("tb_fixed", 5);
    auto *m = b.m.get();
    const int64_t lims[] = { 32767, (1ll << 30) - 1, (1ll << 61) };
    const int64_t edges[] = { 0, 1, -1, 2, -2, 3, -3, 32767, -32767, 32768, -32768,
                              (1ll << 61) - 1, -((1ll << 61) - 1), (1ll << 44), -(1ll << 44) };
    for (int trial = 0; trial < 200000; trial++) {
        int64_t v;
        if (trial < 15 * 40)
            v = edges[trial % 15];
        else {
            int bits = (int)b.rng.range(0, 61);
            v = (int64_t)(b.rng.next() & ((1ull << bits) - 1));
            if (b.rng.next() & 1)
                v = -v;
        }
        int s = trial < 600 ? (trial / 15) - 20 : (int)b.rng.range(-70, 70);
        int64_t lim = lims[trial % 3];
        m->v = (uint64_t)v;
        m->s = (uint16_t)(s & 0x1ff);
        m->lim = (uint64_t)lim;
        m->eval();
        int64_t want = cw_shift_sat(v, s, lim);
        b.check((int64_t)m->out == want, "shift_sat(%lld, %d, %lld) = %lld, C gives %lld",
                (long long)v, s, (long long)lim, (long long)(int64_t)m->out, (long long)want);
        uint64_t u = b.rng.next() >> b.rng.range(0, 64);
        m->bl_v = u;
        m->eval();
        b.check((int)m->bl == cw_bitlen(u), "bitlen(%llx) = %d, C gives %d",
                (unsigned long long)u, (int)m->bl, cw_bitlen(u));
    }
    return b.finish();
}
