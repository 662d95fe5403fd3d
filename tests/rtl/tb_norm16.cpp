// top: cw_op_norm16
// params: -GACT_AW=14
/*
 * tb_norm16.cpp - cw_op_norm16 against cw_hls_norm16 as host/ref_core.c
 * exec() calls it (NORM16), on random wide vectors with extremes (all
 * zero, tiny values shifted left, full-scale 62-bit values, rounding carries
 * that saturate, negative extremes), n from 1 to 4096, in place and not,
 * with and without ORV (the OR of |src| on the `orv` port instead of a
 * pass over src; a random `orv` without it); ACT and the exponent
 * registers compared whole, done checked against cw_instr_latency().
 */
#include "Vcw_op_norm16.h"
#include "tb_ophelp.h"

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_norm16> b("tb_norm16", 21);
    cw_target_config t = {};
    cw_target_get("sim", &t);
    const int ACT = 1 << 14;
    tb::OpHarness<Vcw_op_norm16> h(b, t.lanes, t.k, t.wbits, ACT, 1, 1);
    const int64_t big = (1ll << 62) - 1;
    for (int i = 0; i < ACT; i++)
        h.act[(size_t)i] = (uint64_t)b.rng.next();
    for (int i = 0; i < 256; i++)
        h.er[i] = (int16_t)b.rng.range(-3000, 3000);
    std::vector<int16_t> out(ACT);
    h.each_cycle = [&]() {
        if (!h.m->start) /* `orv` holds only in the issue cycle, as in cw_core */
            h.m->orv = b.rng.next();
    };
    for (int trial = 0; trial < 400; trial++) {
        int n = trial < 24 ? trial + 1
                : trial % 10 == 0 ? (int)b.rng.range(2048, 4096)
                                  : (int)b.rng.range(1, 700);
        int kind = trial % 9;
        int src = (int)b.rng.range(0, ACT - n);
        int dst = trial % 7 == 3 ? src : (int)b.rng.range(0, ACT - n);
        if (dst != src && dst < src + n && src < dst + n)
            dst = src; /* overlapping ranges are not supported: in place instead */
        int blen = (int)b.rng.range(0, 62);
        for (int i = 0; i < n; i++) {
            int64_t v;
            switch (kind) {
            case 0: v = tb::rand_bits(b.rng, 62); if (v == -(1ll << 62) || v == (1ll << 62)) v /= 2; break;
            case 1: v = 0; break;                                         /* all zero */
            case 2: v = b.rng.range(-3, 3); break;                        /* tiny: left shift */
            case 3: v = b.rng.range(0, 1) ? big : -big; break;            /* full scale */
            case 4: v = blen ? ((1ll << blen) - 1) * (b.rng.range(0, 1) ? 1 : -1) : 0;
                    break;                                                /* carries */
            case 5: v = i == n / 2 ? -(1ll << blen) / 2 : 0; break;       /* one negative */
            case 6: v = tb::rand_bits(b.rng, blen); break;                /* one width */
            case 7: v = b.rng.range(-(1ll << 44), 1ll << 44); break;      /* matvec range */
            default: v = (i & 1) ? -big : (int64_t)b.rng.range(-5, 5); break;
            }
            h.act[(size_t)(src + i)] = (uint64_t)v;
        }
        cw_instr in = {};
        in.op = CW_OP_NORM16;
        in.dst = (uint16_t)dst;
        in.src = (uint16_t)src;
        in.n = (uint16_t)n;
        in.er_dst = (uint8_t)b.rng.range(0, 255);
        in.er_src = (uint8_t)(trial % 5 == 0 ? in.er_dst : b.rng.range(0, 255));
        in.imm = (int8_t)(trial % 3 == 0 ? b.rng.range(-128, 127) : 0);
        in.flags = trial % 4 == 1 || trial == 0 ? CW_F_ORV : 0; /* n = 1 included */
        h.m->orv = tb::orv_of(b.rng, in, (const int64_t *)&h.act[(size_t)src], n);
        /* expected: exec() of host/ref_core.c */
        std::vector<uint64_t> want = h.act;
        int16_t want_er[256];
        memcpy(want_er, h.er, sizeof want_er);
        want_er[in.er_dst] = (int16_t)cw_hls_norm16(out.data(), (const int64_t *)&want[(size_t)src],
                                                     n, h.er[in.er_src] + in.imm);
        for (int i = 0; i < n; i++)
            want[(size_t)(dst + i)] = (uint64_t)(int64_t)out[(size_t)i];
        uint64_t lat = cw_instr_latency(&in, 0, &t);
        long d = h.run(in, 0, 0, lat);
        b.check(d == (long)lat - 1, "n=%d: done %ld cycles after issue, ISA says %llu", n, d,
                (unsigned long long)(lat - 1));
        int bad = 0;
        for (int i = 0; i < ACT && bad < 3; i++)
            if (!b.check(h.act[(size_t)i] == want[(size_t)i],
                         "trial %d kind %d n=%d: ACT[%d] = %lld, kernel %lld", trial, kind, n, i,
                         (long long)h.act[(size_t)i], (long long)want[(size_t)i]))
                bad++;
        b.check(memcmp(h.er, want_er, sizeof want_er) == 0, "trial %d: E[%d] = %d, kernel %d",
                trial, in.er_dst, h.er[in.er_dst], want_er[in.er_dst]);
        for (int i = (int)b.rng.range(0, 2); i > 0; i--)
            b.tick();
    }
    printf("tb_norm16: %ld ACT reads, %ld writes\n", h.act_reads, h.act_writes);
    return b.finish();
}
