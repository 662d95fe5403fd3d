// top: cw_fn_rsqrt
/*
 * tb_fn_rsqrt.cpp - cw_fn_rsqrt against cw_hls_rsqrt: every power of two and
 * its neighbours, the extremes 1 and 2^63 - 1, every seed interval's edges,
 * random bit lengths and random normalized mantissas; the result on exactly
 * the cycle the unit's fixed latency gives, starts back to back.
 */
#include "Vcw_fn_rsqrt.h"
#include "tb_common.h"

extern "C" {
#include "cw_hls.h"
}

#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_fn_rsqrt> b("tb_fn_rsqrt", 21);
    auto *m = b.m.get();
    const uint64_t VMAX = (1ull << 63) - 1;
    std::vector<uint64_t> vs;
    vs.push_back(1);
    vs.push_back(VMAX);
    for (int k = 0; k < 63; k++) {
        uint64_t p = 1ull << k;
        vs.push_back(p);
        if (p > 1)
            vs.push_back(p - 1);
        vs.push_back(p + 1);
        vs.push_back(p | (p >> 1));
    }
    /* both edges of every seed interval, at several normalization shifts */
    for (uint64_t top = 64; top < 256; top++)
        for (int sh = -30; sh <= 30; sh += 10) {
            uint64_t lo = top << 24, hi = (top << 24) | 0xFFFFFF;
            vs.push_back(sh >= 0 ? lo << sh : lo >> -sh);
            vs.push_back(sh >= 0 ? hi << sh : hi >> -sh);
        }
    while (vs.size() < 60000) {
        uint64_t v;
        if (vs.size() & 1) {
            int bits = (int)b.rng.range(1, 63);
            v = b.rng.next() >> (64 - bits);
            v |= 1ull << (bits - 1);
        } else {
            v = (uint64_t)b.rng.range(1ll << 30, (1ll << 32) - 1); /* already normalized */
        }
        if (v == 0)
            v = 1;
        vs.push_back(v);
    }

    m->rst = 1;
    m->start = 0;
    b.tick();
    b.tick();
    m->rst = 0;
    const int LAT = 9;
    size_t k = 0;
    /* Issue a start on cycle S, expect valid exactly on S + LAT; the next
     * start goes on that same cycle (back to back) for odd k, later for even. */
    while (k < vs.size()) {
        uint64_t v = vs[k];
        m->v = v;
        m->start = 1;
        b.tick();
        m->start = 0;
        bool ok_timing = true;
        for (int c = 1; c < LAT; c++) {
            if (m->valid)
                ok_timing = false;
            b.tick();
        }
        int32_t e_want = 0;
        uint32_t y_want = cw_hls_rsqrt(v, &e_want);
        b.check(ok_timing && m->valid, "v=%llx: valid not exactly %d cycles after start",
                (unsigned long long)v, LAT);
        b.check(m->y == y_want && (int16_t)m->e == e_want,
                "rsqrt(%llx) = %u * 2^%d, C gives %u * 2^%d", (unsigned long long)v,
                (unsigned)m->y, (int)(int16_t)m->e, (unsigned)y_want, (int)e_want);
        k++;
        if (k & 1)
            b.tick(); /* one idle cycle between some starts */
    }
    return b.finish();
}
