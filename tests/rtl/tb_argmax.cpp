// top: cw_op_argmax
// params: -GACT_AW=14
/*
 * tb_argmax.cpp - cw_op_argmax against cw_hls_argmax on random vectors
 * (ties, all-equal, extremes), and its done on the ISA's cycle.
 */
#include "Vcw_op_argmax.h"
#include "tb_common.h"

extern "C" {
#include "cw_hls.h"
#include "isa.h"
}

#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_argmax> b("tb_argmax", 11);
    auto *m = b.m.get();
    const int ACT = 1 << 14;
    std::vector<int64_t> act(ACT);
    cw_target_config t = {};
    cw_target_get("sim", &t);

    m->rst = 1;
    b.tick();
    m->rst = 0;
    for (int trial = 0; trial < 300; trial++) {
        int n = trial < 20 ? trial + 1 : (int)b.rng.range(1, 4096);
        int src = (int)b.rng.range(0, ACT - n);
        int kind = trial % 5;
        for (int i = 0; i < n; i++) {
            int64_t v;
            switch (kind) {
            case 0: v = (int64_t)b.rng.range(-(1ll << 43), (1ll << 43)); break;
            case 1: v = b.rng.range(-3, 3); break;                   /* many ties */
            case 2: v = 7; break;                                     /* all equal */
            case 3: v = b.rng.range(0, 1) ? INT64_MAX : INT64_MIN;    /* extremes */ break;
            default: v = -(int64_t)b.rng.range(1, 1000); break;       /* all negative */
            }
            act[(size_t)(src + i)] = v;
        }
        int want = cw_hls_argmax(&act[(size_t)src], n);
        cw_instr in = {};
        in.op = CW_OP_ARGMAX;
        in.src = (uint16_t)src;
        in.n = (uint16_t)n;
        unsigned char enc[CW_INSTR_BYTES];
        cw_instr_encode(&in, enc);
        for (int w = 0; w < 5; w++)
            m->instr[w] = (uint32_t)enc[4 * w] | (uint32_t)enc[4 * w + 1] << 8 |
                          (uint32_t)enc[4 * w + 2] << 16 | (uint32_t)enc[4 * w + 3] << 24;
        uint64_t lat = cw_instr_latency(&in, 0, &t), c = 0;
        m->start = 1;
        bool seen = false;
        for (c = 0; c < lat + 5 && !seen; c++) {
            m->eval();
            if (m->done) {
                seen = true;
                b.check(c == lat - 1, "n=%d: done %llu cycles after issue, ISA says %llu", n,
                        (unsigned long long)c, (unsigned long long)(lat - 1));
                b.check((int)m->amax_idx == want, "n=%d kind=%d: index %u, kernel %d", n, kind,
                        (unsigned)m->amax_idx, want);
                break;
            }
            bool re = m->act_re;
            uint32_t ra = m->act_raddr;
            b.tick();
            m->start = 0;
            if (re)
                m->act_rdata = (uint64_t)act[ra];
        }
        b.check(seen, "n=%d: no done", n);
        b.tick();
    }
    return b.finish();
}
