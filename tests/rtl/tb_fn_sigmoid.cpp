// top: cw_fn_sigmoid
/*
 * tb_fn_sigmoid.cpp - cw_fn_sigmoid against cw_hls_sigmoid: every x in
 * [-(2^20 + 4096), 2^20 + 4096] (all the interpolated inputs, the clamp at
 * +-16 and beyond; SILU's argument is saturated to +-2^20), then extremes
 * (INT32_MIN, INT32_MAX) and random int32 values. One x per cycle, y two
 * cycles later.
 */
#include "Vcw_fn_sigmoid.h"
#include "tb_common.h"

extern "C" {
#include "cw_hls.h"
}

#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_fn_sigmoid> b("tb_fn_sigmoid", 31);
    auto *m = b.m.get();
    std::vector<int32_t> xs;
    const int32_t lim = (1 << 20) + 4096;
    for (int32_t x = -lim; x <= lim; x++)
        xs.push_back(x);
    const int32_t ext[] = { INT32_MIN, INT32_MIN + 1, INT32_MAX, -(1 << 20) - 1, (1 << 20) - 1,
                            1 << 20, -(1 << 20), 0 };
    for (int32_t x : ext)
        xs.push_back(x);
    for (int i = 0; i < 100000; i++)
        xs.push_back((int32_t)b.rng.next());
    /* x set before edge i is in y after edge i + 1 */
    for (size_t i = 0; i < xs.size() + 1; i++) {
        m->x = (uint32_t)(i < xs.size() ? xs[i] : 0);
        b.tick();
        if (i >= 1) {
            int32_t x = xs[i - 1];
            uint32_t want = cw_hls_sigmoid(x);
            m->eval();
            b.check(m->y == want, "sigmoid(%d) = %u, C gives %u", x, (unsigned)m->y, want);
        }
    }
    return b.finish();
}
