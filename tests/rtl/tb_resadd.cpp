// top: cw_op_resadd
// params: -GACT_AW=14
/*
 * tb_resadd.cpp - cw_op_resadd against cw_hls_residual_add as
 * host/ref_core.c exec() calls it (RESADD): normalized and arbitrary int32
 * residuals (all zero, full scale, INT32_MIN), wide branches up to 62 bits
 * (all zero, tiny, cancelling the residual), exponents equal, close and far
 * apart in both directions (one operand vanishes), n from 1 to 4096, with
 * and without ORV (the OR of |b| on the `orv` port instead of a pass over
 * b; a random `orv` without it); ACT and the exponent registers compared
 * whole, done checked against cw_instr_latency(). The core's ORV register,
 * modeled from the module's ACT writes and `orv_clr`, must end as the OR of
 * |x| over the new residual (what a following RMSNORM with ORV takes).
 */
#include "Vcw_op_resadd.h"
#include "tb_ophelp.h"

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_resadd> b("tb_resadd", 23);
    cw_target_config t = {};
    cw_target_get("sim", &t);
    const int ACT = 1 << 14;
    tb::OpHarness<Vcw_op_resadd> h(b, t.lanes, t.k, t.wbits, ACT, 1, 1);
    /* cw_core's ORV register over this instruction: cleared at the issue and
     * by orv_clr, ORed with |v| of every ACT write */
    uint64_t orv_reg = 0;
    int clears = 0;
    h.each_cycle = [&]() {
        if (!h.m->start) /* `orv` holds only in the issue cycle, as in cw_core */
            h.m->orv = b.rng.next();
        if (h.m->orv_clr) {
            orv_reg = 0;
            clears++;
        } else if (h.m->act_we) {
            orv_reg |= tb::mag64(h.m->act_wdata);
        }
    };
    for (int i = 0; i < ACT; i++)
        h.act[(size_t)i] = (uint64_t)b.rng.next();
    for (int i = 0; i < 256; i++)
        h.er[i] = (int16_t)b.rng.range(-3000, 3000);
    std::vector<int32_t> x(ACT);
    const int64_t big = (1ll << 62) - 1;
    for (int trial = 0; trial < 600; trial++) {
        int n = trial < 24 ? trial + 1
                : trial % 10 == 0 ? (int)b.rng.range(1024, 4096)
                                  : (int)b.rng.range(1, 500);
        int dst, src;
        do {
            dst = (int)b.rng.range(0, ACT - n);
            src = (int)b.rng.range(0, ACT - n);
        } while (dst < src + n && src < dst + n);
        int xk = (int)b.rng.range(0, 5), bk = (int)b.rng.range(0, 6);
        int xb = (int)b.rng.range(0, 31), bb = (int)b.rng.range(0, 62);
        for (int i = 0; i < n; i++) {
            int64_t v;
            switch (xk) {
            case 0: v = b.rng.range(-((1 << 30) - 1), (1 << 30) - 1); break;  /* normalized */
            case 1: v = 0; break;                                             /* all zero */
            case 2: v = b.rng.range(0, 1) ? (1 << 30) - 1 : -((1 << 30) - 1); break;
            case 3: v = (int32_t)b.rng.next(); if (i == 0) v = INT32_MIN; break; /* any int32 */
            case 4: v = tb::rand_bits(b.rng, xb); break;
            default: v = i == n - 1 ? 1 : 0; break;
            }
            h.act[(size_t)(dst + i)] = (uint64_t)v;
            switch (bk) {
            case 0: v = b.rng.range(-(1ll << 44), 1ll << 44); break;  /* matvec output */
            case 1: v = 0; break;                                     /* all zero */
            case 2: v = b.rng.range(0, 1) ? big : -big; break;        /* full scale */
            case 3: v = b.rng.range(-2, 2); break;                    /* tiny */
            case 4: v = tb::rand_bits(b.rng, bb); break;
            case 5: v = -(int64_t)h.act[(size_t)(dst + i)]; break;    /* cancels x (same e) */
            default: v = tb::rand_bits(b.rng, 62) / 2; break;
            }
            h.act[(size_t)(src + i)] = (uint64_t)v;
        }
        cw_instr in = {};
        in.op = CW_OP_RESADD;
        in.dst = (uint16_t)dst;
        in.src = (uint16_t)src;
        in.n = (uint16_t)n;
        in.er_dst = (uint8_t)b.rng.range(0, 255);
        in.er_src = (uint8_t)(trial % 9 == 0 ? in.er_dst : b.rng.range(0, 255));
        switch (trial % 6) { /* exponent relations */
        case 0: h.er[in.er_src] = h.er[in.er_dst]; break;
        case 1: h.er[in.er_src] = (int16_t)(h.er[in.er_dst] + b.rng.range(-40, 40)); break;
        case 2: h.er[in.er_src] = (int16_t)(h.er[in.er_dst] + b.rng.range(-200, -60)); break;
        case 3: h.er[in.er_src] = (int16_t)(h.er[in.er_dst] + b.rng.range(60, 200)); break;
        case 4: h.er[in.er_dst] = -2900; h.er[in.er_src] = 2900; break;
        default: break;
        }
        if (bk == 5 && in.er_dst != in.er_src)
            h.er[in.er_src] = h.er[in.er_dst];
        in.flags = trial % 4 == 1 || trial == 0 ? CW_F_ORV : 0; /* n = 1 included */
        cw_instr in_orv = in;
        in_orv.flags = CW_F_ORV; /* for orv_of() on the result */
        h.m->orv = tb::orv_of(b.rng, in, (const int64_t *)&h.act[(size_t)src], n);
        /* expected: exec() of host/ref_core.c */
        std::vector<uint64_t> want = h.act;
        int16_t want_er[256];
        memcpy(want_er, h.er, sizeof want_er);
        for (int j = 0; j < n; j++)
            x[(size_t)j] = (int32_t)want[(size_t)(dst + j)];
        want_er[in.er_dst] = (int16_t)cw_hls_residual_add(
            x.data(), h.er[in.er_dst], (const int64_t *)&want[(size_t)src], h.er[in.er_src], n);
        for (int j = 0; j < n; j++)
            want[(size_t)(dst + j)] = (uint64_t)(int64_t)x[(size_t)j];
        uint64_t lat = cw_instr_latency(&in, 0, &t);
        orv_reg = 0;
        clears = 0;
        long d = h.run(in, 0, 0, lat);
        const uint64_t or_x = tb::orv_of(b.rng, in_orv, (const int64_t *)&h.act[(size_t)dst], n);
        b.check(clears == 1 && orv_reg == or_x,
                "trial %d n=%d: %d orv_clr pulses; ORV register %llx after RESADD, OR of |x| %llx",
                trial, n, clears, (unsigned long long)orv_reg, (unsigned long long)or_x);
        b.check(d == (long)lat - 1, "n=%d: done %ld cycles after issue, ISA says %llu", n, d,
                (unsigned long long)(lat - 1));
        int bad = 0;
        for (int i = 0; i < ACT && bad < 3; i++)
            if (!b.check(h.act[(size_t)i] == want[(size_t)i],
                         "trial %d xk %d bk %d n=%d: ACT[%d] = %lld, kernel %lld", trial, xk, bk,
                         n, i, (long long)h.act[(size_t)i], (long long)want[(size_t)i]))
                bad++;
        b.check(memcmp(h.er, want_er, sizeof want_er) == 0, "trial %d xk %d bk %d: E[%d] = %d, kernel %d",
                trial, xk, bk, in.er_dst, h.er[in.er_dst], want_er[in.er_dst]);
        memcpy(h.er, want_er, sizeof want_er); /* keep going after a failure */
        for (int i = 0; i < 256; i++) /* keep exponents in range */
            if (h.er[i] > 3000 || h.er[i] < -3000)
                h.er[i] = (int16_t)b.rng.range(-3000, 3000);
        for (int i = (int)b.rng.range(0, 2); i > 0; i--)
            b.tick();
    }
    printf("tb_resadd: %ld ACT reads, %ld writes\n", h.act_reads, h.act_writes);
    return b.finish();
}
