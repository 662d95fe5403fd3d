// top: cw_op_attn
// params: -GLANES=8 -GK=8 -GACT_AW=14 -GKV_AW=20 -GKVE_AW=19 -GMAX_CTX=1024 -GMAX_HS=128 -GOBUF_DEPTH=4096 -GMAX_HEADS=64
/*
 * tb_attn.cpp - cw_op_attn against the ATTN case of host/ref_core.c exec()
 * (cw_hls_attention per head, then cw_hls_shift16 to the largest head
 * exponent) on random queries, caches and exponents: GQA, MHA, MQA, head
 * sizes 8..64, contexts 1..a few hundred and the full 1024, exponents that
 * saturate the scores, zero values; every ACT word of the output, E[er_dst],
 * no other write, and done on the cycle cw_instr_latency() gives.
 * Instructions run back to back (the next one issues after done).
 */
#include "Vcw_op_attn.h"
#include "tb_common.h"

extern "C" {
#include "cw_fixed.h"
#include "cw_hls.h"
#include "isa.h"
#include "target.h"
}

#include <vector>

#ifndef TB_K /* tb_attn_k2.cpp includes this file with another target */
#define TB_K 8
#define TB_MAX_CTX 1024
#define TB_TARGET "sim"
#define TB_NAME "tb_attn"
#define TB_TRIALS 500
#endif

namespace {

const int K = TB_K, MAX_CTX = TB_MAX_CTX, ACT = 1 << 14, LAYERS = 2;

/* value j of a port of K 16-bit values (one 32-bit word, or a wide one) */
void set16(uint32_t &w, int j, uint16_t v)
{
    w = (w & ~(0xffffu << (16 * j))) | (uint32_t)v << (16 * j);
}
template <std::size_t N> void set16(VlWide<N> &w, int j, uint16_t v)
{
    set16(w[(size_t)(j / 2)], j % 2, v);
}

struct Shape {
    int n, nkv, hs;
};

} // namespace

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_attn> b(TB_NAME, 31);
    auto *m = b.m.get();
    cw_target_config t = {};
    cw_target_get(TB_TARGET, &t);
    t.serial = 0; // the array core's module at this shape (icebreaker's core is docs/serial.md's)
    const Shape shapes[] = { { 8, 4, 8 }, { 4, 4, 16 }, { 6, 1, 32 }, { 2, 2, 32 }, { 8, 8, 8 },
                             { 1, 1, 8 }, { 4, 2, 48 }, { 2, 1, 64 }, { 3, 3, 16 }, { 8, 2, 16 } };
    const int NSHAPE = (int)(sizeof shapes / sizeof shapes[0]);
    const size_t KVMAX = (size_t)LAYERS * MAX_CTX * 128; /* kv_dim <= 128 */
    std::vector<int64_t> act(ACT);
    std::vector<int16_t> kc(KVMAX), vc(KVMAX);
    std::vector<int16_t> ke((size_t)LAYERS * MAX_CTX * 8), ve(ke.size());
    std::vector<int32_t> ke32(ke.size()), ve32(ke.size());
    int16_t er[256];
    std::vector<int32_t> scores(MAX_CTX);
    std::vector<uint32_t> probs(MAX_CTX);

    m->rst = 1;
    b.tick();
    m->rst = 0;
    m->start = 0;
    m->eval();
    const int TRIALS = TB_TRIALS;
    uint64_t cycles = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
        const Shape sh = shapes[trial % NSHAPE];
        const int n = sh.n, nkv = sh.nkv, hs = sh.hs, kvd = nkv * hs, kv_mul = n / nkv;
        int P;
        if (trial < 12)
            P = trial + 1;
        else if (trial % 25 == 7)
            P = MAX_CTX;
        else if (trial % 5 == 0)
            P = (int)b.rng.range(1, 16);
        else
            P = (int)b.rng.range(1, MAX_CTX < 300 ? MAX_CTX : 300);
        const int pos = P - 1, layer = (int)b.rng.range(0, LAYERS - 1);
        const int kind = (trial / NSHAPE) % 6;
        /* q at src, output at dst, both multiples of K, disjoint */
        const int span = n * hs;
        const int src = K * (int)b.rng.range(0, (ACT / 2 - span) / K);
        const int dst = ACT / 2 + K * (int)b.rng.range(0, (ACT / 2 - span) / K);
        for (int i = 0; i < ACT; i++)
            act[(size_t)i] = (int64_t)(b.rng.next() >> 1) - (int64_t)(1ull << 62);
        auto val = [&](int k) -> int16_t {
            switch (k) {
            case 2: return (int16_t)(b.rng.range(0, 1) ? 32767 : -32768);
            case 3: return (int16_t)(b.rng.range(0, 3) ? 0 : b.rng.range(-32767, 32767));
            case 4: return (int16_t)b.rng.range(-3, 3);
            default: return (int16_t)b.rng.range(-32768, 32767);
            }
        };
        for (int i = 0; i < span; i++)
            act[(size_t)(src + i)] = val(kind == 3 ? 0 : kind);
        for (int r = 0; r < 256; r++)
            er[r] = (int16_t)b.rng.range(-30, 0);
        const int er_src = (int)b.rng.range(0, 255 - n), er_dst = (int)b.rng.range(0, 255);
        if (kind == 2)
            for (int h = 0; h < n; h++)
                er[er_src + h] = (int16_t)b.rng.range(-10, 20); /* saturating scores */
        const uint64_t lbase = (uint64_t)layer * MAX_CTX;
        for (int tt = 0; tt < P; tt++) {
            for (int i = 0; i < kvd; i++) {
                size_t f = (size_t)((lbase + (uint64_t)tt) * (uint64_t)kvd) + (size_t)i;
                kc[f] = val(kind);
                vc[f] = val(kind);
            }
            for (int j = 0; j < nkv; j++) {
                size_t f = (size_t)((lbase + (uint64_t)tt) * (uint64_t)nkv) + (size_t)j;
                int ek, ev;
                switch (kind) {
                case 1: ek = (int)b.rng.range(-40, 0); ev = (int)b.rng.range(-40, 0); break;
                case 2: ek = (int)b.rng.range(-40, 30); ev = (int)b.rng.range(-60, 10); break;
                case 5: ek = -22 - (int)b.rng.range(0, 4); ev = (int)b.rng.range(-20, -14); break;
                default: ek = (int)b.rng.range(-30, -10); ev = (int)b.rng.range(-40, 0); break;
                }
                ke[f] = (int16_t)ek;
                ve[f] = (int16_t)ev;
                ke32[f] = ek;
                ve32[f] = ev;
            }
        }
        if (kind == 5)
            for (int h = 0; h < n; h++)
                er[er_src + h] = (int16_t)(-8 - b.rng.range(0, 4));

        /* the reference: host/ref_core.c exec(), case CW_OP_ATTN */
        std::vector<int16_t> q16(span), out16(span);
        for (int i = 0; i < span; i++)
            q16[(size_t)i] = (int16_t)act[(size_t)(src + i)];
        std::vector<int32_t> eh(n);
        int32_t emax = INT32_MIN;
        for (int h = 0; h < n; h++) {
            int kvh = h / kv_mul;
            eh[(size_t)h] = cw_hls_attention(
                &out16[(size_t)(h * hs)], &q16[(size_t)(h * hs)], er[er_src + h],
                &kc[(size_t)(lbase * (uint64_t)kvd) + (size_t)(kvh * hs)],
                &ke32[(size_t)(lbase * (uint64_t)nkv) + (size_t)kvh],
                &vc[(size_t)(lbase * (uint64_t)kvd) + (size_t)(kvh * hs)],
                &ve32[(size_t)(lbase * (uint64_t)nkv) + (size_t)kvh], P, hs, kvd, nkv,
                scores.data(), probs.data());
            if (eh[(size_t)h] > emax)
                emax = eh[(size_t)h];
        }
        for (int h = 0; h < n; h++)
            cw_hls_shift16(&out16[(size_t)(h * hs)], hs, emax - eh[(size_t)h]);

        cw_instr in = {};
        in.op = CW_OP_ATTN;
        in.dst = (uint16_t)dst;
        in.src = (uint16_t)src;
        in.er_dst = (uint8_t)er_dst;
        in.er_src = (uint8_t)er_src;
        in.n = (uint16_t)n;
        in.aux = (uint16_t)hs;
        in.a24 = (uint32_t)nkv;
        in.b24 = (uint32_t)layer;
        unsigned char enc[CW_INSTR_BYTES];
        cw_instr_encode(&in, enc);
        for (int w = 0; w < 5; w++)
            m->instr[w] = (uint32_t)enc[4 * w] | (uint32_t)enc[4 * w + 1] << 8 |
                          (uint32_t)enc[4 * w + 2] << 16 | (uint32_t)enc[4 * w + 3] << 24;
        m->pos = (uint16_t)pos;
        m->tok = (uint32_t)b.rng.next();
        const uint64_t lat = cw_instr_latency(&in, pos, &t);
        std::vector<int64_t> want = act;
        for (int i = 0; i < span; i++)
            want[(size_t)(dst + i)] = out16[(size_t)i];
        int16_t er_after = -1;
        bool er_written = false, seen = false, stray = false;
        m->start = 1;
        for (uint64_t c = 0; c < lat + 20 && !seen; c++) {
            m->er_rdata_a = (uint16_t)er[m->er_raddr_a];
            m->eval();
            if (m->act_we) {
                uint32_t a = m->act_waddr;
                if (a < (uint32_t)dst || a >= (uint32_t)(dst + span))
                    stray = true;
                act[a] = (int64_t)m->act_wdata;
            }
            if (m->er_we) {
                er_written = m->er_waddr == (uint32_t)er_dst;
                er_after = (int16_t)m->er_wdata;
            }
            if (m->done) {
                seen = true;
                b.check(c == lat - 1, "n=%d nkv=%d hs=%d P=%d: done %llu cycles after issue, ISA says %llu",
                        n, nkv, hs, P, (unsigned long long)c, (unsigned long long)(lat - 1));
            }
            const bool xre = m->xb_re, kre = m->kc_re, vre = m->vc_re, kere = m->ke_re,
                       vere = m->ve_re;
            const uint32_t xa = m->xb_raddr, ka = m->kc_raddr, va = m->vc_raddr,
                           kea = m->ke_raddr, vea = m->ve_raddr;
            b.tick();
            cycles++;
            m->start = 0;
            if (xre)
                for (int j = 0; j < K; j++)
                    set16(m->xb_rdata, j, (uint16_t)act[(size_t)(xa * K + (uint32_t)j) % ACT]);
            if (kre)
                for (int j = 0; j < K; j++)
                    set16(m->kc_rdata, j, (uint16_t)kc[((size_t)ka * K + (size_t)j) % KVMAX]);
            if (vre)
                for (int j = 0; j < K; j++)
                    set16(m->vc_rdata, j, (uint16_t)vc[((size_t)va * K + (size_t)j) % KVMAX]);
            if (kere)
                m->ke_rdata = (uint16_t)ke[kea % ke.size()];
            if (vere)
                m->ve_rdata = (uint16_t)ve[vea % ve.size()];
        }
        b.check(seen, "n=%d hs=%d P=%d: no done", n, hs, P);
        b.check(!stray, "n=%d hs=%d P=%d: ACT write outside the output", n, hs, P);
        int bad = 0;
        for (int i = 0; i < ACT; i++)
            if (act[(size_t)i] != want[(size_t)i] && bad++ < 3)
                b.check(false, "trial %d n=%d nkv=%d hs=%d P=%d kind=%d: ACT[dst+%d] = %lld, ref %lld",
                        trial, n, nkv, hs, P, kind, i - dst, (long long)act[(size_t)i],
                        (long long)want[(size_t)i]);
        b.check(bad == 0, "trial %d: %d ACT words differ", trial, bad);
        b.check(er_written && er_after == (int16_t)emax,
                "trial %d n=%d hs=%d P=%d: E[er_dst] = %d (written %d), ref %d", trial, n, hs, P,
                er_after, er_written, emax);
        act = want;
    }
    printf("%s: %d instructions, %llu cycles\n", TB_NAME, TRIALS, (unsigned long long)cycles);
    return b.finish();
}
