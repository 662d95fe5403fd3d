// top: cw_fn_recip
/*
 * tb_fn_recip.cpp - cw_fn_recip against cw_hls_recip: every v in [1, 2^20],
 * every power of two and its neighbours, random values of every bit length
 * up to 63 (each seed-table interval many times), one v per cycle through
 * the 6-stage pipeline. tb_fn_recip_shared.cpp runs it with SHARED = 1 (one
 * multiplier): a `start` every 4 to 7 cycles, random v in between, only the
 * started values checked.
 */
#include "Vcw_fn_recip.h"
#include "tb_common.h"

#ifndef TB_SHARED
#define TB_SHARED 0
#define TB_NAME "tb_fn_recip"
#endif

extern "C" {
#include "cw_hls.h"
}

#include <deque>
#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_fn_recip> b(TB_NAME, 22);
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
    m->rst = 1; /* SHARED: clears the start history */
    m->start = 0;
    b.tick();
    b.tick();
    m->rst = 0;
    std::deque<std::pair<uint64_t, bool>> inflight; /* v, started */
    size_t next = 0;
    int wait = 0; /* TB_SHARED: cycles until the next start */
    size_t checks = 0;
    while (checks < vs.size()) {
        bool start = next < vs.size() && (!TB_SHARED || wait == 0);
        uint64_t v = start ? vs[next++] : (b.rng.next() >> 1) | 1;
        if (TB_SHARED)
            wait = start ? (int)b.rng.range(3, 6) : wait > 0 ? wait - 1 : 0;
        m->start = start;
        m->v = v;
        inflight.emplace_back(v, start);
        m->eval(); /* the output of this cycle: the input of LAT cycles ago */
        bool due = inflight.size() > (size_t)LAT;
        bool checked = due && inflight.front().second;
        if (due && !checked)
            inflight.pop_front();
        if (checked) {
            checks++;
            uint64_t x = inflight.front().first;
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
