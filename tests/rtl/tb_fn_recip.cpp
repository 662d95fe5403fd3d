// top: cw_fn_recip
/*
 * tb_fn_recip.cpp - cw_fn_recip against cw_hls_recip: every v in [1, 2^20],
 * every power of two and its neighbours, random values of every bit length
 * up to 63 (each seed-table interval many times), one v per cycle through
 * the 6-stage pipeline.
 */
#include "Vcw_fn_recip.h"
#include "tb_common.h"

extern "C" {
#include "cw_hls.h"
}

#include <deque>
#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_fn_recip> b("tb_fn_recip", 22);
    auto *m = b.m.get();
    const int LAT = 6;
    std::vector<uint64_t> vs;
    for (uint64_t v = 1; v <= (1ull << 20); v++)
        vs.push_back(v);
    for (int k = 0; k < 63; k++)
        for (int d = -3; d <= 3; d++) {
            uint64_t v = (1ull << k) + (uint64_t)(int64_t)d;
            if (v > 0 && v < (1ull << 63))
                vs.push_back(v);
        }
    vs.push_back((1ull << 63) - 1);
    for (int i = 0; i < 400000; i++) {
        int bits = (int)b.rng.range(1, 63);
        uint64_t v = (b.rng.next() & ((1ull << bits) - 1)) | (1ull << (bits - 1));
        vs.push_back(v);
    }
    std::deque<uint64_t> inflight;
    for (size_t i = 0; i < vs.size() + LAT; i++) {
        uint64_t v = i < vs.size() ? vs[i] : 1;
        m->v = v;
        inflight.push_back(v);
        m->eval(); /* the output of this cycle: the input of LAT cycles ago */
        if (inflight.size() > (size_t)LAT) {
            uint64_t x = inflight.front();
            inflight.pop_front();
            int32_t we;
            uint32_t want = cw_hls_recip(x, &we);
            b.check(m->r == want && (int16_t)m->e == we,
                    "recip(%llu) = %u * 2^%d, C gives %u * 2^%d", (unsigned long long)x,
                    (unsigned)m->r, (int)(int16_t)m->e, want, (int)we);
        }
        b.tick();
    }
    return b.finish();
}
