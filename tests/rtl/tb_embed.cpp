// top: cw_op_embed
// params: -GLANES=8 -GK=8 -GWBITS=16 -GACT_AW=14 -GWGT_AW=16 -GSCL_AW=12
/*
 * tb_embed.cpp - cw_op_embed against host/ref_core.c exec() of EMBED
 * (cw_hls_embed_w8/w16 of row TOK with its scale, then cw_hls_norm_res):
 * 16-bit and 8-bit rows (8-bit weights in 16-bit lanes with garbage in the
 * upper byte, as exec() truncates), rows with -32768, +-32767, all zero,
 * tiny values, garbage in the other lanes and the padding, mult in
 * [2^15, 2^16), 65535 and 0, shifts 16..62, tokens in every lane, n from 1
 * to 2048; ACT and the exponent registers compared whole, done checked
 * against cw_instr_latency(). tb_embed_w8.cpp runs it on the icebreaker
 * shape (LANES = K = 2, WBITS = 8).
 */
#include "Vcw_op_embed.h"
#include "tb_ophelp.h"

#ifndef TB_TARGET
#define TB_TARGET "sim"
#define TB_NAME "tb_embed"
#define TB_WGT_LINES 8192
#define TB_SCL 32768
#endif

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_op_embed> b(TB_NAME, 27);
    cw_target_config t = {};
    cw_target_get(TB_TARGET, &t);
    t.serial = 0; // the array core's module at this shape (icebreaker's core is docs/serial.md's)
    const int ACT = 1 << 14, L = t.lanes, K = t.k, WB = t.wbits;
    tb::OpHarness<Vcw_op_embed> h(b, L, K, WB, ACT, TB_WGT_LINES, TB_SCL);
    for (auto &v : h.act)
        v = b.rng.next();
    for (auto &v : h.wgt)
        v = (uint8_t)b.rng.next();
    for (auto &v : h.scl)
        v = (uint32_t)b.rng.next();
    for (int i = 0; i < 256; i++)
        h.er[i] = (int16_t)b.rng.range(-3000, 3000);
    std::vector<int16_t> r16(ACT);
    std::vector<int8_t> r8(ACT);
    std::vector<int64_t> wide(ACT);
    std::vector<int32_t> out(ACT);
    const int lb = h.line_bytes;
    for (int trial = 0; trial < 500; trial++) {
        int n = trial < 20 ? trial + 1
                : trial % 10 == 0 ? (int)b.rng.range(512, 2048)
                                  : (int)b.rng.range(1, 300);
        int chunks = (n + K - 1) / K;
        int w16 = WB == 16 && (trial & 1);
        int a24 = (int)b.rng.range(0, TB_WGT_LINES - chunks);
        int maxtok = ((TB_WGT_LINES - a24) / chunks) * L - 1;
        if (maxtok > TB_SCL - 1)
            maxtok = TB_SCL - 1;
        int tok = (int)b.rng.range(0, maxtok);
        if (trial % 5 == 0) tok = maxtok;
        int b24 = (int)b.rng.range(0, (TB_SCL - 1 - tok) / L) * L;
        int dst = (int)b.rng.range(0, ACT - n);
        /* the row */
        int kind = trial % 7;
        for (int j = 0; j < n; j++) {
            int v;
            switch (kind) {
            case 0: v = (int)b.rng.range(-32768, 32767); break;
            case 1: v = 0; break;
            case 2: v = j == n / 2 ? -32768 : (int)b.rng.range(-3, 3); break;
            case 3: v = b.rng.range(0, 1) ? 32767 : -32767; break;
            case 4: v = (int)b.rng.range(-1, 1); break;
            case 5: v = (int)tb::rand_bits(b.rng, 15); if (v < -32768) v = -32768; break;
            default: v = (int)b.rng.range(-128, 127); break;
            }
            if (!w16 && WB == 8)
                v = (int8_t)v;
            size_t line = (size_t)a24 + (size_t)(tok / L) * (size_t)chunks + (size_t)(j / K);
            size_t at = line * (size_t)lb + (size_t)((tok % L) * K + j % K) * (size_t)(WB / 8);
            h.wgt[at] = (uint8_t)v;
            if (WB == 16)
                h.wgt[at + 1] = (uint8_t)(v >> 8);
        }
        uint32_t mult = trial % 11 == 0 ? 0 : trial % 11 == 1 ? 65535 : (uint32_t)b.rng.range(32768, 65535);
        uint32_t shift = (uint32_t)b.rng.range(16, 62);
        h.scl[(size_t)(b24 + tok)] = (uint32_t)(b.rng.next() & 0xff000000u) | shift << 16 | mult;
        cw_instr in = {};
        in.op = CW_OP_EMBED;
        in.flags = (uint8_t)(w16 ? CW_F_W16 : 0);
        in.dst = (uint16_t)dst;
        in.n = (uint16_t)n;
        in.a24 = (uint32_t)a24;
        in.b24 = (uint32_t)b24;
        in.imm = (int8_t)b.rng.range(-128, 127);
        in.er_dst = (uint8_t)b.rng.range(0, 255);
        in.src = (uint16_t)b.rng.next();   /* unused fields: garbage */
        in.aux = (uint16_t)b.rng.next();
        /* expected: exec() of host/ref_core.c */
        std::vector<uint64_t> want = h.act;
        int16_t want_er[256];
        memcpy(want_er, h.er, sizeof want_er);
        for (int j = 0; j < n; j++) {
            size_t line = (size_t)a24 + (size_t)(tok / L) * (size_t)chunks + (size_t)(j / K);
            const uint8_t *p = &h.wgt[line * (size_t)lb + (size_t)((tok % L) * K + j % K) * (size_t)(WB / 8)];
            int v = WB == 16 ? (int16_t)(p[0] | p[1] << 8) : (int8_t)p[0];
            r16[(size_t)j] = (int16_t)v;
            r8[(size_t)j] = (int8_t)v;
        }
        if (w16)
            cw_hls_embed_w16(wide.data(), r16.data(), (uint16_t)mult, n);
        else
            cw_hls_embed_w8(wide.data(), r8.data(), (uint16_t)mult, n);
        want_er[in.er_dst] = (int16_t)cw_hls_norm_res(out.data(), wide.data(), n,
                                                      in.imm - (int)shift);
        for (int j = 0; j < n; j++)
            want[(size_t)(dst + j)] = (uint64_t)(int64_t)out[(size_t)j];
        uint64_t lat = cw_instr_latency(&in, 0, &t);
        long d = h.run(in, (uint32_t)tok, (uint16_t)b.rng.next(), lat);
        b.check(d == (long)lat - 1, "n=%d: done %ld cycles after issue, ISA says %llu", n, d,
                (unsigned long long)(lat - 1));
        int bad = 0;
        for (int i = 0; i < ACT && bad < 3; i++)
            if (!b.check(h.act[(size_t)i] == want[(size_t)i],
                         "trial %d kind %d w16 %d n=%d tok=%d: ACT[%d] = %lld, kernel %lld", trial,
                         kind, w16, n, tok, i, (long long)h.act[(size_t)i],
                         (long long)want[(size_t)i]))
                bad++;
        b.check(memcmp(h.er, want_er, sizeof want_er) == 0, "trial %d: E[%d] = %d, kernel %d",
                trial, in.er_dst, h.er[in.er_dst], want_er[in.er_dst]);
        memcpy(h.er, want_er, sizeof want_er);
        for (int i = (int)b.rng.range(0, 2); i > 0; i--)
            b.tick();
    }
    return b.finish();
}
