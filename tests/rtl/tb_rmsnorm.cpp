// top: cw_op_rmsnorm
// params: -GACT_AW=14 -GCST_AW=14
/*
 * tb_rmsnorm.cpp - cw_op_rmsnorm against the reference sequence of
 * host/ref_core.c (cw_hls_rmsnorm then cw_hls_norm16) on random residual
 * vectors: realistic ones (max |x| in [2^29, 2^30)), all-zero and tiny ones
 * (eps dominates), full-range int32 extremes, gains of both signs (zero and
 * -32768 included), n from 1 to 4096, random exponents and eps; dst apart
 * from src or equal to it; with and without ORV (the OR of |x| on the `orv`
 * port and a one-cycle first pass; a random `orv` without it). Every ACT word of dst and E[er_dst] are compared,
 * writes outside dst and reads of a word in the cycle it is written are
 * errors, and done must come on the cycle cw_instr_latency() gives.
 */
#include "Vcw_op_rmsnorm.h"
#include "tb_ophelp.h"

extern "C" {
#include "cw_fixed.h"
#include "cw_hls.h"
#include "isa.h"
}

#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_rmsnorm> b("tb_rmsnorm", 31);
    auto *m = b.m.get();
    const int ACT = 1 << 14, CST = 1 << 14;
    std::vector<int64_t> act(ACT);
    std::vector<uint32_t> cst(CST);
    int16_t er[256];
    cw_target_config t = {};
    cw_target_get("sim", &t);
    std::vector<int32_t> x32;
    std::vector<int16_t> g16, want16;
    std::vector<int64_t> wide;

    m->rst = 1;
    m->start = 0;
    b.tick();
    m->rst = 0;
    for (int trial = 0; trial < 400; trial++) {
        int n;
        if (trial < 24)
            n = trial + 1;
        else if (trial % 10 == 0)
            n = 4096;
        else if (trial % 10 == 1)
            n = (int)b.rng.range(1, 3) * 64;
        else
            n = (int)b.rng.range(1, 4096);
        int kind = trial % 7;
        int src = (int)b.rng.range(0, ACT / 2 - n);
        int dst = trial % 13 == 5 ? src : (int)b.rng.range(ACT / 2, ACT - n);
        for (auto &w : act)
            w = (int64_t)b.rng.next();
        x32.assign((size_t)n, 0);
        for (int i = 0; i < n; i++) {
            int64_t v = 0;
            switch (kind) {
            case 0: /* realistic residual: max in [2^29, 2^30) */
            case 1:
                v = b.rng.range(-((1 << 30) - 1), (1 << 30) - 1) >> b.rng.range(0, 12);
                break;
            case 2: v = 0; break;                          /* all zero: eps alone */
            case 3: v = b.rng.range(-15, 15); break;       /* tiny */
            case 4: v = b.rng.range(INT32_MIN, INT32_MAX); /* full int32 */ break;
            case 5: v = b.rng.range(0, 1) ? INT32_MIN : INT32_MAX; break;
            default: v = b.rng.range(-(1 << 20), 1 << 20) >> b.rng.range(0, 20); break;
            }
            x32[(size_t)i] = (int32_t)v;
        }
        if (kind <= 1) { /* put the max in [2^29, 2^30) */
            int at = (int)b.rng.range(0, n - 1);
            int64_t mag = b.rng.range(1 << 29, (1 << 30) - 1);
            x32[(size_t)at] = (int32_t)(b.rng.range(0, 1) ? mag : -mag);
        }
        for (int i = 0; i < n; i++) /* the residual is stored as int32 in a 64-bit word */
            act[(size_t)(src + i)] = (int64_t)x32[(size_t)i];
        /* gains, sign-extended int16 words, max in [2^14, 2^15) */
        int a24 = (int)b.rng.range(0, CST - n - 3);
        g16.assign((size_t)n, 0);
        int gk = trial % 5;
        for (int i = 0; i < n; i++) {
            int64_t g = gk == 4 ? (b.rng.range(0, 1) ? -32768 : 32767)
                                : b.rng.range(-32767, 32767) >> b.rng.range(0, 3);
            if (trial % 37 == 3)
                g = 0;
            g16[(size_t)i] = (int16_t)g;
        }
        if (gk != 4 && trial % 37 != 3)
            g16[(size_t)b.rng.range(0, n - 1)] = (int16_t)(b.rng.range(0, 1) ? 32767 : -32768);
        int32_t e_g = (int32_t)b.rng.range(-40, 0);
        uint32_t eps_mant = (uint32_t)b.rng.range(1ll << 30, 1ll << 31);
        int32_t eps_exp = trial % 3 == 0 ? (int32_t)b.rng.range(-100, 30)
                                         : (int32_t)b.rng.range(-50, -35); /* 1e-5 * n */
        int32_t e_x = (int32_t)b.rng.range(-60, 20);
        cst[(size_t)a24] = (uint32_t)e_g;
        cst[(size_t)a24 + 1] = eps_mant;
        cst[(size_t)a24 + 2] = (uint32_t)eps_exp;
        for (int i = 0; i < n; i++)
            cst[(size_t)(a24 + 3 + i)] = (uint32_t)(int32_t)g16[(size_t)i];
        for (int r = 0; r < 256; r++)
            er[r] = (int16_t)b.rng.range(-100, 100);
        int er_src = (int)b.rng.range(0, 255), er_dst = (int)b.rng.range(0, 255);
        er[er_src] = (int16_t)e_x;

        /* reference: host/ref_core.c exec(), CW_OP_RMSNORM */
        wide.assign((size_t)n, 0);
        want16.assign((size_t)n, 0);
        int32_t e = cw_hls_rmsnorm(wide.data(), x32.data(), e_x, g16.data(), e_g, n, eps_mant,
                                   eps_exp);
        int32_t e_want = cw_hls_norm16(want16.data(), wide.data(), n, e);

        cw_instr in = {};
        in.op = CW_OP_RMSNORM;
        in.dst = (uint16_t)dst;
        in.src = (uint16_t)src;
        in.n = (uint16_t)n;
        in.er_dst = (uint8_t)er_dst;
        in.er_src = (uint8_t)er_src;
        in.a24 = (uint32_t)a24;
        in.flags = trial % 4 == 1 || trial == 0 ? CW_F_ORV : 0; /* n = 1 included */
        m->orv = tb::orv_of(b.rng, in, &act[(size_t)src], n);
        unsigned char enc[CW_INSTR_BYTES];
        cw_instr_encode(&in, enc);
        for (int w = 0; w < 5; w++)
            m->instr[w] = (uint32_t)enc[4 * w] | (uint32_t)enc[4 * w + 1] << 8 |
                          (uint32_t)enc[4 * w + 2] << 16 | (uint32_t)enc[4 * w + 3] << 24;
        uint64_t lat = cw_instr_latency(&in, 0, &t), c = 0;
        m->start = 1;
        bool seen = false, bad_write = false, hazard = false;
        for (c = 0; c < lat + 5 && !seen; c++) {
            m->er_rdata_a = (uint16_t)er[m->er_raddr_a];
            m->er_rdata_b = (uint16_t)er[m->er_raddr_b];
            m->eval();
            if (m->done) {
                seen = true;
                b.check(c == lat - 1, "n=%d: done %llu cycles after issue, ISA says %llu", n,
                        (unsigned long long)c, (unsigned long long)(lat - 1));
            }
            bool re = m->act_re, we = m->act_we, cre = m->cst_re, ewe = m->er_we;
            uint32_t ra = m->act_raddr, wa = m->act_waddr, cra = m->cst_raddr;
            uint64_t wd = m->act_wdata;
            int ewa = m->er_waddr;
            int16_t ewd = (int16_t)m->er_wdata;
            if (re && we && ra == wa)
                hazard = true;
            b.tick();
            m->start = 0;
            m->orv = b.rng.next(); /* `orv` holds only in the issue cycle, as in cw_core */
            if (re)
                m->act_rdata = (uint64_t)act[ra];
            if (cre)
                m->cst_rdata = cst[cra];
            if (we) {
                if ((int)wa < dst || (int)wa >= dst + n)
                    bad_write = true;
                act[wa] = (int64_t)wd;
            }
            if (ewe)
                er[ewa] = ewd;
        }
        b.check(seen, "n=%d: no done", n);
        b.check(!bad_write, "n=%d: a write outside dst", n);
        b.check(!hazard, "n=%d: a read of the word written in the same cycle", n);
        int bad = 0;
        for (int i = 0; i < n; i++)
            if (act[(size_t)(dst + i)] != (int64_t)want16[(size_t)i] && bad++ < 3)
                b.check(false, "n=%d kind=%d: out[%d] = %lld, C gives %d", n, kind, i,
                        (long long)act[(size_t)(dst + i)], want16[(size_t)i]);
        b.check(bad == 0, "n=%d kind=%d: %d values differ", n, kind, bad);
        b.check(er[er_dst] == e_want, "n=%d kind=%d: exponent %d, C gives %d", n, kind,
                er[er_dst], e_want);
        /* the next instruction issues on the cycle after done (back to back) */
    }
    return b.finish();
}
