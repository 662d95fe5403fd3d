// top: cw_fn_exp
/*
 * tb_fn_exp.cpp - cw_fn_exp against cw_hls_exp_neg: every x in [0, 2^21 +
 * 4096] (the whole non-clamped domain), then random large x up to 2^62 and
 * the edges, one x per cycle through the 3-stage pipeline.
 */
#include "Vcw_fn_exp.h"
#include "tb_common.h"

extern "C" {
#include "cw_hls.h"
}

#include <deque>
#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_fn_exp> b("tb_fn_exp", 21);
    auto *m = b.m.get();
    const int LAT = 3;
    std::vector<uint64_t> xs;
    for (uint64_t x = 0; x <= (1ull << 21) + 4096; x++)
        xs.push_back(x);
    const uint64_t edges[] = { (1ull << 21) - 1, 1ull << 21, (1ull << 21) + 1, 1ull << 32,
                               (1ull << 32) - 1, 1ull << 33, (1ull << 62) - 1,
                               (1ull << 62), 0x7fffffffffffffffull };
    for (uint64_t e : edges)
        xs.push_back(e);
    for (int i = 0; i < 100000; i++) {
        int bits = (int)b.rng.range(1, 63);
        xs.push_back(b.rng.next() & ((bits == 64 ? 0 : (1ull << bits)) - 1));
    }
    std::deque<uint64_t> inflight;
    long n = 0;
    for (size_t i = 0; i < xs.size() + LAT; i++) {
        m->x = i < xs.size() ? xs[i] : 0;
        inflight.push_back(i < xs.size() ? xs[i] : 0);
        m->eval(); /* the output of this cycle: the input of LAT cycles ago */
        if (inflight.size() > (size_t)LAT) {
            uint64_t x = inflight.front();
            inflight.pop_front();
            if (i >= (size_t)LAT && i - LAT < xs.size()) {
                uint32_t want = cw_hls_exp_neg((int64_t)x);
                if (!b.check(m->y == want, "exp_neg(%llu) = %u, C gives %u",
                             (unsigned long long)x, (unsigned)m->y, want))
                    continue;
                n++;
            }
        }
        b.tick();
    }
    printf("tb_fn_exp: %ld values compared\n", n);
    return b.finish();
}
