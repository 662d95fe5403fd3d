// top: cw_fn_sincos
/*
 * tb_fn_sincos.cpp - cw_fn_sincos against cw_hls_sincos: every table point
 * of every quadrant and its neighbours (quadrant boundaries included), the
 * phases of RoPE (pos * freq mod 2^32) and random phases, one every other
 * cycle, each result exactly the unit's latency later.
 */
#include "Vcw_fn_sincos.h"
#include "tb_common.h"

extern "C" {
#include "cw_hls.h"
}

#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_fn_sincos> b("tb_fn_sincos", 23);
    auto *m = b.m.get();
    std::vector<uint32_t> ph;
    for (uint64_t k = 0; k < 4096; k++) { /* every multiple of 2^20: table points */
        uint32_t p = (uint32_t)(k << 20);
        ph.push_back(p);
        ph.push_back(p + 1);
        ph.push_back(p - 1);
        ph.push_back(p + (1u << 19));
    }
    ph.push_back(0xFFFFFFFFu);
    ph.push_back(0x40000000u);
    ph.push_back(0x80000000u);
    ph.push_back(0xC0000000u);
    for (int i = 0; i < 20000; i++) { /* RoPE phases */
        uint32_t pos = (uint32_t)b.rng.range(0, 65535);
        uint32_t freq = (uint32_t)b.rng.next();
        ph.push_back(pos * freq);
    }
    while (ph.size() < 400000)
        ph.push_back((uint32_t)b.rng.next());

    /* One phase every other cycle (the unit shares its table ports over two
     * cycles): phase k in cycle 2k, its result valid in cycles 2k + LAT and
     * 2k + LAT + 1 (held until the next result). */
    const int LAT = 4;
    m->rst = 1;
    m->valid = 0;
    b.tick();
    m->rst = 0;
    const size_t cycles = 2 * ph.size() + LAT + 2;
    for (size_t cyc = 0; cyc < cycles; cyc++) {
        bool give = (cyc & 1) == 0 && cyc / 2 < ph.size();
        m->valid = give;
        m->phase = give ? ph[cyc / 2] : (uint32_t)b.rng.next();
        m->eval();
        if (cyc >= (size_t)LAT && (cyc - LAT) / 2 < ph.size()) {
            uint32_t p = ph[(cyc - LAT) / 2];
            int32_t s, c;
            cw_hls_sincos(p, &s, &c);
            int32_t gs = (int32_t)((uint32_t)m->s << 14) >> 14;
            int32_t gc = (int32_t)((uint32_t)m->c << 14) >> 14;
            b.check(gs == s && gc == c, "sincos(%08x) = (%d, %d), C gives (%d, %d)%s", p, gs,
                    gc, s, c, ((cyc - LAT) & 1) ? " (held)" : "");
        }
        b.tick();
    }
    return b.finish();
}
