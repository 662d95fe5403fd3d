/*
 * tb_ophelp.h - memories and the issue/run loop shared by the block tests
 * of the vector op modules (tb_norm16, tb_resadd, tb_silu, tb_embed): ACT,
 * XBUF (the low 16 bits of ACT, K per row), WGT, SCL and the exponent
 * registers modeled in C++ with the core's timing (reads: data on the next
 * cycle; ER: combinational), one instruction issued with `start`, run to its
 * `done`. Same-cycle ACT read and write of one address is reported as a
 * failure (the core's memory behavior in that case is not specified).
 */
#ifndef CW_TB_OPHELP_H
#define CW_TB_OPHELP_H

#include <cstring>
#include <functional>
#include <vector>

#include "tb_common.h"

extern "C" {
#include "cw_fixed.h"
#include "cw_hls.h"
#include "isa.h"
}

namespace tb {

/* Packing 32-bit words into Verilator ports of any width. */
inline void put(CData &p, const uint32_t *w) { p = (CData)w[0]; }
inline void put(SData &p, const uint32_t *w) { p = (SData)w[0]; }
inline void put(IData &p, const uint32_t *w) { p = w[0]; }
inline void put(QData &p, const uint32_t *w) { p = (QData)w[0] | (QData)w[1] << 32; }
template <std::size_t N> inline void put(VlWide<N> &p, const uint32_t *w)
{
    for (std::size_t i = 0; i < N; i++)
        p[i] = w[i];
}

/* A bit vector built field by field. */
struct Bits {
    std::vector<uint32_t> w;
    explicit Bits(int bits) : w((size_t)(bits + 31) / 32 + 2, 0) {}
    void set(int off, int width, uint64_t v)
    {
        for (int i = 0; i < width; i++)
            if ((v >> i) & 1)
                w[(size_t)(off + i) / 32] |= 1u << ((off + i) % 32);
    }
};

template <class M> struct OpHarness {
    Bench<M> &b;
    M *m;
    int lanes, k, wbits, act_depth, line_bytes;
    std::vector<uint64_t> act;
    std::vector<uint8_t> wgt;   /* lines of lanes*k*wbits/8 bytes */
    std::vector<uint32_t> scl;  /* entries: mult[15:0] shift[23:16] */
    int16_t er[256];
    long act_reads = 0, act_writes = 0;
    /* called on every cycle of run(), after the module's outputs settle */
    std::function<void()> each_cycle;

    OpHarness(Bench<M> &bench, int lanes_, int k_, int wbits_, int act_depth_, int wgt_lines,
              int scl_entries)
        : b(bench), m(bench.m.get()), lanes(lanes_), k(k_), wbits(wbits_),
          act_depth(act_depth_), line_bytes(lanes_ * k_ * wbits_ / 8),
          act((size_t)act_depth_), wgt((size_t)wgt_lines * (size_t)(lanes_ * k_ * wbits_ / 8)),
          scl((size_t)scl_entries)
    {
        memset(er, 0, sizeof er);
        m->rst = 1;
        m->start = 0;
        b.tick();
        m->rst = 0;
        b.tick();
    }

    /* Issues `in` and runs it to `done`; returns the cycle of done relative
     * to the issue cycle (-1: none within lat + 16 cycles). */
    long run(const cw_instr &in, uint32_t tok, uint16_t pos, uint64_t lat)
    {
        unsigned char enc[CW_INSTR_BYTES];
        cw_instr_encode(&in, enc);
        uint32_t iw[7] = { 0 };
        for (int w = 0; w < 5; w++)
            iw[w] = (uint32_t)enc[4 * w] | (uint32_t)enc[4 * w + 1] << 8 |
                    (uint32_t)enc[4 * w + 2] << 16 | (uint32_t)enc[4 * w + 3] << 24;
        put(m->instr, iw);
        m->tok = tok;
        m->pos = pos;
        m->start = 1;
        long done_at = -1;
        for (uint64_t c = 0; c < lat + 16; c++) {
            m->eval();
            m->er_rdata_a = (SData)er[m->er_raddr_a & 0xff];
            m->er_rdata_b = (SData)er[m->er_raddr_b & 0xff];
            m->eval();
            if (m->done) {
                if (done_at >= 0)
                    b.check(false, "second done at %llu", (unsigned long long)c);
                done_at = (long)c;
            }
            bool are = m->act_re, awe = m->act_we, xre = m->xb_re, wre = m->wgt_re,
                 sre = m->scl_re, ewe = m->er_we;
            uint32_t ara = m->act_raddr, awa = m->act_waddr, xra = m->xb_raddr,
                     wra = m->wgt_raddr, sra = m->scl_raddr;
            uint64_t awd = m->act_wdata;
            uint8_t ewa = m->er_waddr;
            uint16_t ewd = m->er_wdata;
            if (are && awe && ara == awa)
                b.check(false, "ACT read and write of address %u in one cycle", ara);
            if (c == 0 && (are || awe || xre || wre || sre || ewe))
                b.check(false, "memory access in the issue cycle");
            if (each_cycle)
                each_cycle();
            b.tick();
            m->start = 0;
            if (are) {
                act_reads++;
                m->act_rdata = ara < act.size() ? act[ara] : 0xdeadbeefdeadbeefull;
            }
            if (xre) {
                Bits x(16 * k);
                for (int j = 0; j < k; j++) {
                    size_t a = (size_t)xra * (size_t)k + (size_t)j;
                    x.set(16 * j, 16, a < act.size() ? act[a] & 0xffff : 0xdead);
                }
                put(m->xb_rdata, x.w.data());
            }
            if (wre) {
                Bits x(8 * line_bytes);
                for (int i = 0; i < line_bytes; i++) {
                    size_t a = (size_t)wra * (size_t)line_bytes + (size_t)i;
                    x.set(8 * i, 8, a < wgt.size() ? wgt[a] : 0xa5);
                }
                put(m->wgt_rdata, x.w.data());
            }
            if (sre) {
                Bits x(24 * lanes);
                for (int l = 0; l < lanes; l++) {
                    size_t a = (size_t)sra * (size_t)lanes + (size_t)l;
                    x.set(24 * l, 24, a < scl.size() ? scl[a] & 0xffffff : 0xa5a5a5);
                }
                put(m->scl_rdata, x.w.data());
            }
            if (awe) {
                act_writes++;
                if (b.check(awa < act.size(), "ACT write outside memory: %u", awa))
                    act[awa] = awd;
            }
            if (ewe)
                er[ewa] = (int16_t)ewd;
            if (done_at >= 0)
                break;
        }
        return done_at;
    }
};

/* Random value with a random bit length in [0, maxbits], random sign. */
inline int64_t rand_bits(Rng &r, int maxbits)
{
    int bits = (int)r.range(0, maxbits);
    int64_t v = bits ? (int64_t)(r.next() & ((bits >= 64 ? ~0ull : (1ull << bits) - 1))) : 0;
    return (r.next() & 1) ? -v : v;
}

/* What cw_core hands NORM16, RESADD and RMSNORM on their `orv` port: the
 * OR of |v| over the previous instruction's ACT writes, here the n values
 * of the source (as the instruction that wrote them leaves them); for an
 * instruction without ORV a random value, which the module must ignore. */
inline uint64_t orv_of(Rng &r, const cw_instr &in, const int64_t *src, int n)
{
    if (!(in.flags & CW_F_ORV))
        return r.next();
    uint64_t m = 0;
    for (int i = 0; i < n; i++)
        m |= mag64((uint64_t)src[i]);
    return m;
}

} // namespace tb

#endif
