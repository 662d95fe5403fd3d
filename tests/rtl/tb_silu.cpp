// top: cw_op_silu
// params: -GACT_AW=14 -GK=8
/*
 * tb_silu.cpp - cw_op_silu against cw_hls_silu_gate as host/ref_core.c
 * exec() calls it (SILU): int16 gates and values (normalized, random with
 * garbage above bit 15 of the ACT word, zeros, +-32767 and -32768), gate
 * exponents from typical (|a| 2^e_a around 1..16) to far out (sigmoid
 * argument saturated at +-16 or rounded to 0), n from 1 to 4096, in place
 * and not; ACT and the exponent registers compared whole, done checked
 * against cw_instr_latency().
 */
#include "Vcw_op_silu.h"
#include "tb_ophelp.h"

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_silu> b("tb_silu", 25);
    cw_target_config t = {};
    cw_target_get("sim", &t);
    const int ACT = 1 << 14, K = 8;
    tb::OpHarness<Vcw_op_silu> h(b, t.lanes, K, t.wbits, ACT, 1, 1);
    for (int i = 0; i < ACT; i++)
        h.act[(size_t)i] = (uint64_t)b.rng.next();
    for (int i = 0; i < 256; i++)
        h.er[i] = (int16_t)b.rng.range(-3000, 3000);
    std::vector<int16_t> av(ACT), bv(ACT);
    std::vector<int64_t> out(ACT);
    for (int trial = 0; trial < 500; trial++) {
        int n = trial < 24 ? trial + 1
                : trial % 10 == 0 ? (int)b.rng.range(1024, 4096)
                                  : (int)b.rng.range(1, 600);
        int span = (n + K - 1) / K * K;
        int src, aux, dst;
        for (;;) {
            src = (int)b.rng.range(0, ACT - n);
            aux = (int)b.rng.range(0, (ACT - span) / K) * K;
            dst = (int)b.rng.range(0, ACT - n);
            if (trial % 8 == 1) dst = src;
            if (trial % 8 == 2) dst = aux;
            bool ov_sa = src < aux + span && aux < src + n;
            bool ov_d = (dst != src && dst < src + n && src < dst + n) ||
                        (dst != aux && dst < aux + span && aux < dst + n);
            if (!ov_sa && !ov_d)
                break;
        }
        int kind = trial % 6;
        for (int i = 0; i < n; i++) {
            int64_t a, v;
            switch (kind) {
            case 0: a = b.rng.range(-32767, 32767); v = b.rng.range(-32767, 32767); break;
            case 1: a = 0; v = b.rng.range(-32768, 32767); break;
            case 2: a = b.rng.range(0, 1) ? 32767 : -32768; v = b.rng.range(0, 1) ? 32767 : -32768; break;
            case 3: a = tb::rand_bits(b.rng, 15); v = tb::rand_bits(b.rng, 15); break;
            case 4: a = b.rng.range(-32768, 32767); v = 0; break;
            default: a = (int16_t)b.rng.next(); v = (int16_t)b.rng.next(); break;
            }
            /* garbage above bit 15: the kernel sees the int16 only */
            h.act[(size_t)(src + i)] = (b.rng.next() << 16) | (uint16_t)a;
            h.act[(size_t)(aux + i)] = (b.rng.next() << 16) | (uint16_t)v;
        }
        cw_instr in = {};
        in.op = CW_OP_SILU;
        in.dst = (uint16_t)dst;
        in.src = (uint16_t)src;
        in.aux = (uint16_t)aux;
        in.n = (uint16_t)n;
        in.er_dst = (uint8_t)b.rng.range(0, 255);
        in.er_src = (uint8_t)b.rng.range(0, 255);
        in.er_src2 = (uint8_t)(trial % 7 == 0 ? in.er_src : b.rng.range(0, 255));
        int ek = trial % 5;
        if (ek < 3)
            h.er[in.er_src] = (int16_t)b.rng.range(-20, -8);   /* typical gate */
        else if (ek == 3)
            h.er[in.er_src] = (int16_t)b.rng.range(-60, 60);   /* saturating / vanishing */
        /* expected: exec() of host/ref_core.c */
        std::vector<uint64_t> want = h.act;
        int16_t want_er[256];
        memcpy(want_er, h.er, sizeof want_er);
        for (int i = 0; i < n; i++) {
            av[(size_t)i] = (int16_t)want[(size_t)(src + i)];
            bv[(size_t)i] = (int16_t)want[(size_t)(aux + i)];
        }
        cw_hls_silu_gate(out.data(), av.data(), h.er[in.er_src], bv.data(), n);
        for (int i = 0; i < n; i++)
            want[(size_t)(dst + i)] = (uint64_t)out[(size_t)i];
        want_er[in.er_dst] = (int16_t)(h.er[in.er_src] + h.er[in.er_src2] - CW_SIG_FRAC);
        uint64_t lat = cw_instr_latency(&in, 0, &t);
        long d = h.run(in, 0, 0, lat);
        b.check(d == (long)lat - 1, "n=%d: done %ld cycles after issue, ISA says %llu", n, d,
                (unsigned long long)(lat - 1));
        int bad = 0;
        for (int i = 0; i < ACT && bad < 3; i++)
            if (!b.check(h.act[(size_t)i] == want[(size_t)i],
                         "trial %d kind %d n=%d e_a=%d: ACT[%d] = %lld, kernel %lld", trial, kind,
                         n, h.er[in.er_src], i, (long long)h.act[(size_t)i],
                         (long long)want[(size_t)i]))
                bad++;
        b.check(memcmp(h.er, want_er, sizeof want_er) == 0, "trial %d: E[%d] = %d, kernel %d",
                trial, in.er_dst, h.er[in.er_dst], want_er[in.er_dst]);
        memcpy(h.er, want_er, sizeof want_er);
        for (int i = 0; i < 256; i++)
            if (h.er[i] > 3000 || h.er[i] < -3000)
                h.er[i] = (int16_t)b.rng.range(-3000, 3000);
        for (int i = (int)b.rng.range(0, 2); i > 0; i--)
            b.tick();
    }
    printf("tb_silu: %ld ACT reads, %ld writes\n", h.act_reads, h.act_writes);
    return b.finish();
}
