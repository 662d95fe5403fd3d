// top: cw_op_heads
// params: -GACT_AW=14 -GCST_AW=14 -GKV_AW=20 -GKVE_AW=19 -GMAX_CTX=1024 -GMAX_HEAD=256
/*
 * tb_heads.cpp - cw_op_heads against the reference sequence of
 * host/ref_core.c (per head cw_hls_norm16 [, cw_hls_rope at POS, cw_hls_norm16])
 * for heads in {1, 2, 4, 8}, head sizes 2 .. 256, positions up to 65535 (the
 * phase wraps), all destinations (ACT + exponent registers, K or V cache +
 * KE/VE, KC winning over VC), wide inputs of every magnitude (all-zero heads,
 * values near 2^61), random and realistic RoPE frequencies. Every written
 * value and exponent is compared; writes outside the expected words are
 * errors; done must come on the cycle cw_instr_latency() gives; the
 * instructions run back to back. tb_heads_kv9.cpp runs it with KV_BITS = 9
 * (ulx3s-85f's kvbits): cached heads rounded by cw_hls_kv_round (9-bit
 * entries, exponent + 7).
 */
#include "Vcw_op_heads.h"
#include "tb_common.h"

#ifndef TB_KV_BITS
#define TB_KV_BITS 16
#define TB_NAME "tb_heads"
#endif

extern "C" {
#include "cw_fixed.h"
#include "cw_hls.h"
#include "isa.h"
}

#include <cmath>
#include <vector>

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_heads> b(TB_NAME, 41);
    auto *m = b.m.get();
    const int ACT = 1 << 14, CST = 1 << 14, MAX_CTX = 1024;
    const uint32_t KVD = 1u << 20, KED = 1u << 19;
    std::vector<int64_t> act(ACT), ref_act(ACT);
    std::vector<uint32_t> cst(CST);
    std::vector<int16_t> kc(KVD), vc(KVD), ke(KED), ve(KED);
    int16_t er[256], ref_er[256];
    cw_target_config t = {};
    cw_target_get("sim", &t);
    const int ns[] = { 1, 2, 4, 8 };
    const int hss[] = { 8, 16, 32, 64, 8, 16, 32, 64, 2, 4, 128, 256 };
    const int flagset[] = { 0, CW_F_ROPE, CW_F_ROPE | CW_F_DST_KC, CW_F_DST_VC,
                            CW_F_ROPE | CW_F_DST_VC, CW_F_DST_KC, CW_F_DST_KC | CW_F_DST_VC };
    std::vector<int16_t> tmp, out;
    std::vector<int64_t> w2;
    std::vector<uint32_t> freq;

    m->rst = 1;
    m->start = 0;
    b.tick();
    m->rst = 0;
    for (int trial = 0; trial < 2000; trial++) {
        int n = ns[trial % 4];
        int hs = hss[(trial / 4) % 12];
        int flags = flagset[(trial / 48) % 7 + 0 * trial];
        if (trial >= 336)
            flags = flagset[b.rng.range(0, 6)];
        bool rope = flags & CW_F_ROPE;
        bool cache = flags & (CW_F_DST_KC | CW_F_DST_VC);
        bool isk = flags & CW_F_DST_KC;
        int N = n * hs;
        int src = (int)b.rng.range(0, ACT / 2 - N);
        int dst = trial % 11 == 7 ? src : (int)b.rng.range(ACT / 2, ACT - N);
        int a24 = (int)b.rng.range(0, CST - hs / 2);
        /* position and layer: any position for ACT; for a cache, inside it */
        int pos, layer = 0;
        if (!cache) {
            pos = trial % 5 == 0 ? (int)b.rng.range(60000, 65535) : (int)b.rng.range(0, 65535);
            layer = (int)b.rng.range(0, 255);
        } else {
            uint64_t cells = std::min<uint64_t>(KVD / (uint64_t)N, KED / (uint64_t)n);
            uint64_t cell = (uint64_t)b.rng.range(0, (int64_t)cells - 1);
            layer = (int)(cell / MAX_CTX);
            pos = (int)(cell % MAX_CTX);
        }
        /* wide input: per head a random magnitude (or zero) */
        for (auto &w : act)
            w = (int64_t)b.rng.next();
        int kind = trial % 6;
        for (int h = 0; h < n; h++) {
            int bits = kind == 0 ? 44 : (int)b.rng.range(0, 61);
            bool zero = kind == 3 && (h & 1);
            for (int i = 0; i < hs; i++) {
                int64_t v = 0;
                if (!zero && bits > 0) {
                    v = (int64_t)(b.rng.next() >> (64 - bits));
                    if (kind == 4 && (i & 3) == 0)
                        v = (1ll << bits) - 1;
                    if (b.rng.next() & 1)
                        v = -v;
                }
                act[(size_t)(src + h * hs + i)] = v;
            }
        }
        freq.assign((size_t)hs / 2, 0);
        for (int p = 0; p < hs / 2; p++) {
            if (trial & 1)
                freq[(size_t)p] = (uint32_t)b.rng.next();
            else {
                double f = 1.0 / pow(10000.0, 2.0 * p / hs);
                freq[(size_t)p] = (uint32_t)llround(f / (2 * M_PI) * 4294967296.0);
            }
            cst[(size_t)(a24 + p)] = freq[(size_t)p];
        }
        for (int r = 0; r < 256; r++)
            er[r] = (int16_t)b.rng.range(-100, 100);
        int er_src = (int)b.rng.range(0, 255);
        int er_dst = trial % 9 == 4 ? er_src : (int)b.rng.range(0, 255);
        int32_t e = (int32_t)b.rng.range(-60, 20);
        er[er_src] = (int16_t)e;
        uint64_t cell = (uint64_t)layer * MAX_CTX + (uint64_t)pos;
        uint64_t kvbase = cell * (uint64_t)N, kebase = cell * (uint64_t)n;
        int16_t *cv = isk ? kc.data() : vc.data();
        int16_t *cx = isk ? ke.data() : ve.data();
        if (cache) { /* garbage where the results go */
            for (int j = 0; j < N; j++)
                cv[kvbase + (uint64_t)j] = (int16_t)b.rng.next();
            for (int h = 0; h < n; h++)
                cx[kebase + (uint64_t)h] = (int16_t)b.rng.next();
        }

        /* reference: host/ref_core.c exec(), CW_OP_HEADS */
        ref_act = act;
        for (int r = 0; r < 256; r++)
            ref_er[r] = er[r];
        std::vector<int16_t> ref_cv((size_t)N), ref_cx((size_t)n);
        tmp.assign((size_t)hs, 0);
        out.assign((size_t)hs, 0);
        w2.assign((size_t)hs, 0);
        for (int h = 0; h < n; h++) {
            int32_t eo;
            const int64_t *in = &act[(size_t)(src + h * hs)];
            if (rope) {
                int32_t et = cw_hls_norm16(tmp.data(), in, hs, e);
                cw_hls_rope(w2.data(), tmp.data(), freq.data(), hs, pos);
                eo = cw_hls_norm16(out.data(), w2.data(), hs, et - CW_TRIG_FRAC);
            } else {
                eo = cw_hls_norm16(out.data(), in, hs, e);
            }
            if (cache) {
                if (TB_KV_BITS < 16)
                    eo = cw_hls_kv_round(out.data(), hs, eo, TB_KV_BITS);
                for (int i = 0; i < hs; i++)
                    ref_cv[(size_t)(h * hs + i)] = out[(size_t)i];
                ref_cx[(size_t)h] = (int16_t)eo;
            } else {
                for (int i = 0; i < hs; i++)
                    ref_act[(size_t)(dst + h * hs + i)] = out[(size_t)i];
                ref_er[(er_dst + h) & 255] = (int16_t)eo;
            }
        }

        cw_instr in = {};
        in.op = CW_OP_HEADS;
        in.flags = (uint8_t)flags;
        in.dst = (uint16_t)dst;
        in.src = (uint16_t)src;
        in.n = (uint16_t)n;
        in.aux = (uint16_t)hs;
        in.er_dst = (uint8_t)er_dst;
        in.er_src = (uint8_t)er_src;
        in.a24 = (uint32_t)a24;
        in.b24 = (uint32_t)layer;
        unsigned char enc[CW_INSTR_BYTES];
        cw_instr_encode(&in, enc);
        for (int w = 0; w < 5; w++)
            m->instr[w] = (uint32_t)enc[4 * w] | (uint32_t)enc[4 * w + 1] << 8 |
                          (uint32_t)enc[4 * w + 2] << 16 | (uint32_t)enc[4 * w + 3] << 24;
        m->pos = (uint16_t)pos;
        uint64_t lat = cw_instr_latency(&in, pos, &t), c = 0;
        m->start = 1;
        bool seen = false;
        int bad_act = 0, bad_kv = 0, bad_er = 0, hazard = 0;
        for (c = 0; c < lat + 5 && !seen; c++) {
            m->er_rdata_a = (uint16_t)er[m->er_raddr_a];
            m->er_rdata_b = (uint16_t)er[m->er_raddr_b];
            m->eval();
            if (m->done) {
                seen = true;
                b.check(c == lat - 1, "n=%d hs=%d flags=%d: done %llu cycles after issue, ISA "
                        "says %llu", n, hs, flags, (unsigned long long)c,
                        (unsigned long long)(lat - 1));
            }
            bool re = m->act_re, we = m->act_we, cre = m->cst_re, ewe = m->er_we;
            bool kvwe = m->kv_we, kvewe = m->kve_we;
            uint32_t ra = m->act_raddr, wa = m->act_waddr, cra = m->cst_raddr;
            uint64_t wd = m->act_wdata;
            int ewa = m->er_waddr;
            int16_t ewd = (int16_t)m->er_wdata;
            uint32_t kva = m->kv_waddr, kvea = m->kve_waddr;
            int16_t kvd = (int16_t)m->kv_wdata, kved = (int16_t)m->kve_wdata;
            bool kvv = m->kv_v, kvev = m->kve_v;
            if (re && we && ra == wa)
                hazard++;
            b.tick();
            m->start = 0;
            if (re)
                m->act_rdata = (uint64_t)act[ra];
            if (cre)
                m->cst_rdata = cst[cra];
            if (we) {
                if (cache || (int)wa < dst || (int)wa >= dst + N)
                    bad_act++;
                act[wa] = (int64_t)wd;
            }
            if (ewe) {
                if (cache || ((ewa - er_dst) & 255) >= n)
                    bad_er++;
                er[ewa] = ewd;
            }
            if (kvwe) {
                if (!cache || kvv != !isk || kva < kvbase || kva >= kvbase + (uint64_t)N)
                    bad_kv++;
                else
                    cv[kva] = kvd;
            }
            if (kvewe) {
                if (!cache || kvev != !isk || kvea < kebase || kvea >= kebase + (uint64_t)n)
                    bad_kv++;
                else
                    cx[kvea] = kved;
            }
        }
        b.check(seen, "n=%d hs=%d flags=%d: no done", n, hs, flags);
        b.check(!bad_act && !bad_er && !bad_kv && !hazard,
                "n=%d hs=%d flags=%d: stray writes (act %d, er %d, kv %d), hazards %d", n, hs,
                flags, bad_act, bad_er, bad_kv, hazard);
        int bad = 0;
        for (int j = 0; j < N; j++) {
            int64_t got = cache ? cv[kvbase + (uint64_t)j] : act[(size_t)(dst + j)];
            int64_t want = cache ? ref_cv[(size_t)j] : ref_act[(size_t)(dst + j)];
            if (got != want && bad++ < 3)
                b.check(false, "n=%d hs=%d flags=%d pos=%d kind=%d: value %d = %lld, C gives "
                        "%lld", n, hs, flags, pos, kind, j, (long long)got, (long long)want);
        }
        for (int h = 0; h < n; h++) {
            int16_t got = cache ? cx[kebase + (uint64_t)h] : er[(er_dst + h) & 255];
            int16_t want = cache ? ref_cx[(size_t)h] : ref_er[(er_dst + h) & 255];
            if (got != want && bad++ < 6)
                b.check(false, "n=%d hs=%d flags=%d pos=%d kind=%d: head %d exponent %d, C "
                        "gives %d", n, hs, flags, pos, kind, h, got, want);
        }
        b.check(bad == 0, "n=%d hs=%d flags=%d: %d mismatches", n, hs, flags, bad);
    }
    return b.finish();
}
