/*
 * tb_matvec_body.h - the block test of cw_op_matvec, shared by the
 * testbenches of its parameter sets (tb_matvec.cpp: LANES=8 K=8 WBITS=16,
 * the sim target; tb_matvec_small.cpp: LANES=2 K=2 WBITS=8, icebreaker;
 * tb_matvec_w8.cpp: LANES=4 K=8 WBITS=8). The including file defines
 * TB_NAME, TB_LANES, TB_K, TB_WBITS, TB_SEED, TB_TRIALS and includes the
 * Verilated model's header.
 *
 * Every instruction: a random matrix in the weight memory's line layout
 * (docs/isa.md; padding zero or garbage), its row scales (the SCL word's
 * entries past the last row garbage), x in ACT with garbage past cols; the
 * ACT words written must equal cw_hls_matvec_w16/w8 of the same operands
 * (as host/ref_core.c unpacks them), each written once and nothing else
 * written; E[er_dst] = E[er_src] + imm; done exactly on the cycle
 * cw_instr_latency() gives; no memory read outside the operands and no
 * activity between instructions. Instructions run back to back (start on
 * the cycle after done) or with a gap. Read data of cycles without a read
 * are random.
 */
#include "tb_common.h"

extern "C" {
#include "cw_fixed.h"
#include "cw_hls.h"
#include "isa.h"
}

#include <algorithm>
#include <vector>

namespace {

const int L = TB_LANES, K = TB_K, WB = TB_WBITS;
const int ACT_WORDS = 1 << 14;       /* ACT_AW = 14 */
const uint32_t WGT_LINES = 1u << 16; /* WGT_AW = 16 */
const uint32_t SCL_WORDS = 1u << 12; /* SCL_AW = 12 */
const int LINE_BITS = L * K * WB;
const int LINE_WORDS = (LINE_BITS + 31) / 32;

/* Wide (VlWide) and narrow Verilator ports from 32-bit words. */
template <std::size_t N> void put(VlWide<N> &d, const uint32_t *w)
{
    for (std::size_t i = 0; i < N; i++)
        d[i] = w[i];
}
inline void put(CData &d, const uint32_t *w) { d = (CData)w[0]; }
inline void put(SData &d, const uint32_t *w) { d = (SData)w[0]; }
inline void put(IData &d, const uint32_t *w) { d = w[0]; }
inline void put(QData &d, const uint32_t *w) { d = (QData)w[0] | (QData)w[1] << 32; }

void set_bits(std::vector<uint32_t> &v, int bit, int width, uint32_t val)
{
    for (int i = 0; i < width; i++) {
        uint32_t b = (val >> i) & 1u;
        int p = bit + i;
        v[(size_t)(p / 32)] = (v[(size_t)(p / 32)] & ~(1u << (p % 32))) | (b << (p % 32));
    }
}

struct Case {
    int rows, cols, w16; /* w16: 16-bit weights (CW_F_W16) */
    std::vector<int16_t> x;
    std::vector<int16_t> w; /* rows x cols, int8 range when !w16 */
    std::vector<uint16_t> mult;
    std::vector<uint8_t> shift;
};

} // namespace

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<TB_MODEL> b(TB_NAME, TB_SEED);
    auto *m = b.m.get();
    tb::Rng &rng = b.rng;

    cw_target_config t = {};
    cw_target_get("sim", &t);
    t.lanes = L;
    t.k = K;
    t.wbits = WB;

    std::vector<int64_t> act((size_t)ACT_WORDS);
    std::vector<int16_t> er(256);
    std::vector<std::vector<uint32_t>> lines; /* the matrix's lines, from a24 */
    std::vector<std::vector<uint32_t>> sclw;  /* its SCL words, from b24 / L */
    std::vector<int64_t> want;
    std::vector<int> written;
    uint32_t a24 = 0, b24 = 0;
    int src = 0, dst = 0;
    bool in_flight = false;

    for (int i = 0; i < ACT_WORDS; i++)
        act[(size_t)i] = (int64_t)rng.next();
    for (int i = 0; i < 256; i++)
        er[(size_t)i] = (int16_t)rng.range(-4000, 4000);

    m->rst = 1;
    m->start = 0;
    b.tick();
    b.tick();
    m->rst = 0;

    /* Shapes that stress the edges first, then random ones. */
    std::vector<std::pair<int, int>> shapes;
    const int rs[] = { 1, 2, L - 1, L, L + 1, 2 * L, 3 * L + 1, 7 };
    const int cs[] = { 1, 2, K - 1, K, K + 1, 2 * K, L * K - 1, L * K, L * K + 1, 3 * K + 2 };
    for (int r : rs)
        for (int c : cs)
            if (r > 0 && c > 0)
                shapes.push_back({ r, c });

    long total_cycles = 0;
    std::vector<uint32_t> rnd((size_t)LINE_WORDS + 8);
    for (int trial = 0; trial < TB_TRIALS; trial++) {
        Case c = {};
        int kind = trial % 8;
        if (trial < (int)shapes.size()) {
            c.rows = shapes[(size_t)trial].first;
            c.cols = shapes[(size_t)trial].second;
        } else {
            int sk = (int)rng.range(0, 9);
            if (sk == 0) { /* long rows */
                c.rows = (int)rng.range(1, 24);
                c.cols = (int)rng.range(1000, 4096);
            } else if (sk == 1) { /* many rows, short columns */
                c.rows = (int)rng.range(100, 1500);
                c.cols = (int)rng.range(1, 2 * K);
            } else if (sk == 2) { /* small */
                c.rows = (int)rng.range(1, 3 * L);
                c.cols = (int)rng.range(1, 3 * K);
            } else {
                c.rows = (int)rng.range(1, 200);
                c.cols = (int)rng.range(1, 400);
            }
        }
        c.w16 = WB == 16 ? (int)(rng.next() & 1) : 0;
        const int wmax = c.w16 ? 32767 : 127;
        const int wmin_ext = c.w16 ? -32768 : -128;
        c.x.resize((size_t)c.cols);
        c.w.resize((size_t)c.rows * (size_t)c.cols);
        c.mult.resize((size_t)c.rows);
        c.shift.resize((size_t)c.rows);
        int xs = (int)(rng.next() % 3); /* extremes: sign pattern */
        for (int j = 0; j < c.cols; j++) {
            int v;
            switch (kind) {
            case 1: v = xs == 0 ? 32767 : xs == 1 ? -32767 : ((j & 1) ? 32767 : -32767); break;
            case 2: v = (rng.next() & 1) ? -32768 : (int)rng.range(-32768, 32767); break;
            case 3: v = (int)rng.range(-3, 3); break;
            case 5: v = 0; break;
            case 6: v = (int)rng.range(-300, 300); break;
            default: v = (int)rng.range(-32767, 32767); break;
            }
            c.x[(size_t)j] = (int16_t)v;
        }
        int ws = (int)(rng.next() % 3);
        for (int r = 0; r < c.rows; r++) {
            for (int j = 0; j < c.cols; j++) {
                int v;
                switch (kind) {
                case 1:
                    v = ws == 0 ? wmax : ws == 1 ? -wmax : (((r + j) & 1) ? wmax : -wmax);
                    break;
                case 2: v = (rng.next() & 1) ? wmin_ext : (int)rng.range(wmin_ext, wmax); break;
                case 3: v = (int)rng.range(-3, 3); break;
                default: v = (int)rng.range(-wmax, wmax); break;
                }
                c.w[(size_t)r * (size_t)c.cols + (size_t)j] = (int16_t)v;
            }
            uint16_t mu;
            int sh;
            if (kind == 1) {
                mu = 65535;
                sh = 16;
            } else if (kind == 3) {
                mu = (rng.next() & 1) ? 32768 : (uint16_t)rng.range(0, 65535);
                sh = (int)rng.range(16, 18); /* many ties, both signs */
            } else {
                mu = (uint16_t)rng.range(32768, 65535);
                sh = (rng.next() & 1) ? (int)rng.range(16, 62) : (int)rng.range(16, 40);
            }
            if (kind == 4 && rng.range(0, 2) == 0)
                mu = 0; /* an all-zero row's scale */
            c.mult[(size_t)r] = mu;
            c.shift[(size_t)r] = (uint8_t)sh;
        }

        /* Expected result: the kernel on the operands as ref_core unpacks them. */
        want.assign((size_t)c.rows, 0);
        if (c.w16) {
            cw_hls_matvec_w16(want.data(), c.x.data(), c.w.data(), c.mult.data(), c.shift.data(),
                              c.rows, c.cols);
        } else {
            std::vector<int8_t> w8(c.w.size());
            for (size_t i = 0; i < w8.size(); i++)
                w8[i] = (int8_t)c.w[i];
            cw_hls_matvec_w8(want.data(), c.x.data(), w8.data(), c.mult.data(), c.shift.data(),
                             c.rows, c.cols);
        }

        /* Memory images. */
        const int nb = (c.rows + L - 1) / L, nc = (c.cols + K - 1) / K;
        const bool garbage_pad = (trial & 1) != 0;
        const bool garbage_hi = !c.w16 && WB == 16 && (trial % 3 == 0);
        lines.assign((size_t)nb * (size_t)nc, std::vector<uint32_t>((size_t)LINE_WORDS, 0));
        for (int bk = 0; bk < nb; bk++)
            for (int ch = 0; ch < nc; ch++) {
                std::vector<uint32_t> &ln = lines[(size_t)bk * (size_t)nc + (size_t)ch];
                for (int l = 0; l < L; l++)
                    for (int j = 0; j < K; j++) {
                        int r = bk * L + l, col = ch * K + j;
                        uint32_t v;
                        if (r < c.rows && col < c.cols) {
                            v = (uint32_t)(uint16_t)c.w[(size_t)r * (size_t)c.cols + (size_t)col];
                            if (garbage_hi) /* only the low byte is the weight */
                                v = (v & 0xffu) | (uint32_t)(rng.next() & 0xff00u);
                        } else {
                            v = garbage_pad ? (uint32_t)rng.next() : 0u;
                        }
                        set_bits(ln, (l * K + j) * WB, WB, v);
                    }
            }
        const uint32_t nlines = (uint32_t)(nb * nc);
        a24 = (uint32_t)rng.range(0, (int64_t)(WGT_LINES - nlines));
        const int nsw = nb; /* SCL words */
        b24 = (uint32_t)rng.range(0, (int64_t)SCL_WORDS - nsw) * (uint32_t)L;
        sclw.assign((size_t)nsw, std::vector<uint32_t>((size_t)((24 * L + 31) / 32), 0));
        for (int r = 0; r < nsw * L; r++) {
            uint32_t e = r < c.rows ? (uint32_t)c.mult[(size_t)r] |
                                          (uint32_t)c.shift[(size_t)r] << 16
                                    : (uint32_t)rng.next() & 0xffffffu;
            set_bits(sclw[(size_t)(r / L)], (r % L) * 24, 24, e);
        }
        /* x and the output: aligned, disjoint; garbage around x. */
        const int al = std::max(L, K);
        for (;;) {
            src = (int)rng.range(0, (ACT_WORDS - c.cols) / al) * al;
            dst = (int)rng.range(0, (ACT_WORDS - c.rows) / al) * al;
            if (dst + c.rows <= src || src + c.cols <= dst)
                break;
        }
        for (int j = 0; j < c.cols; j++)
            act[(size_t)(src + j)] = (int64_t)(rng.next() & ~0xffffull) | (uint16_t)c.x[(size_t)j];
        for (int j = c.cols; j < nc * K && src + j < ACT_WORDS; j++)
            act[(size_t)(src + j)] = (int64_t)rng.next();

        cw_instr in = {};
        in.op = CW_OP_MATVEC;
        in.flags = c.w16 ? CW_F_W16 : 0;
        in.er_dst = (uint8_t)rng.range(0, 255);
        in.er_src = (rng.next() & 3) ? (uint8_t)rng.range(0, 255) : in.er_dst;
        in.er_src2 = (uint8_t)rng.next();
        in.imm = (int8_t)rng.range(-128, 127);
        in.dst = (uint16_t)dst;
        in.src = (uint16_t)src;
        in.n = (uint16_t)c.rows;
        in.aux = (uint16_t)c.cols;
        in.a24 = a24;
        in.b24 = b24;
        b.check(cw_instr_check(&in, NULL, trial, &t) == CW_OK, "trial %d: instruction refused", trial);
        const int16_t er_want = (int16_t)(er[in.er_src] + in.imm);
        unsigned char enc[CW_INSTR_BYTES];
        cw_instr_encode(&in, enc);
        uint32_t iw[5];
        for (int w = 0; w < 5; w++)
            iw[w] = (uint32_t)enc[4 * w] | (uint32_t)enc[4 * w + 1] << 8 |
                    (uint32_t)enc[4 * w + 2] << 16 | (uint32_t)enc[4 * w + 3] << 24;
        put(m->instr, iw);
        const uint64_t lat = cw_instr_latency(&in, 0, &t);

        /* Gap before the instruction (0: back to back). */
        int gap = (rng.next() & 3) ? 0 : (int)rng.range(1, 3);
        in_flight = false;
        written.assign((size_t)c.rows, 0);
        bool seen = false, bad_read = false, bad_write = false, er_ok = false;
        uint64_t cyc = 0;
        const uint64_t limit = lat + 20;
        for (uint64_t step = 0; step < (uint64_t)gap + limit; step++) {
            bool issue = step == (uint64_t)gap;
            if (issue)
                in_flight = true;
            m->start = issue ? 1 : 0;
            m->eval();
            m->er_rdata_a = (SData)er[m->er_raddr_a];
            m->er_rdata_b = (SData)er[m->er_raddr_b];
            m->eval();
            cyc = in_flight ? step - (uint64_t)gap : 0;
            if (!in_flight || seen) {
                /* between instructions nothing happens */
                if (m->wgt_re || m->xb_re || m->scl_re || m->act_we || m->er_we || m->done)
                    bad_write = true;
            }
            /* writes of this cycle */
            if (m->act_we && in_flight && !seen) {
                int a = (int)m->act_waddr - dst;
                if (a < 0 || a >= c.rows) {
                    bad_write = true;
                } else {
                    written[(size_t)a]++;
                    int64_t got = (int64_t)m->act_wdata;
                    b.check(got == want[(size_t)a],
                            "trial %d kind %d rows %d cols %d w16 %d: row %d = %lld, "
                            "kernel %lld (mult %u shift %u)",
                            trial, kind, c.rows, c.cols, c.w16, a, (long long)got,
                            (long long)want[(size_t)a], c.mult[(size_t)a], c.shift[(size_t)a]);
                }
            }
            bool done_now = false;
            if (m->done && in_flight && !seen) {
                seen = done_now = true;
                b.check(cyc == lat - 1,
                        "trial %d rows %d cols %d: done %llu cycles after issue, ISA says %llu",
                        trial, c.rows, c.cols, (unsigned long long)cyc,
                        (unsigned long long)(lat - 1));
            }
            if (m->er_we && in_flight) {
                if (!done_now || m->er_waddr != in.er_dst || (int16_t)m->er_wdata != er_want)
                    bad_write = true;
                else
                    er_ok = true;
            }
            /* reads of this cycle */
            bool wre = m->wgt_re, xre = m->xb_re, sre = m->scl_re;
            uint32_t wa = (uint32_t)m->wgt_raddr, xa = (uint32_t)m->xb_raddr,
                     sa = (uint32_t)m->scl_raddr;
            if (wre && (wa < a24 || wa >= a24 + nlines))
                bad_read = true;
            if (xre && (xa < (uint32_t)(src / K) || xa >= (uint32_t)(src / K + nc)))
                bad_read = true;
            if (sre && (sa < b24 / L || sa >= b24 / L + (uint32_t)nsw))
                bad_read = true;
            bool er_we_now = m->er_we;
            uint8_t er_wa = m->er_waddr;
            b.tick();
            total_cycles++;
            if (er_we_now && er_ok && done_now)
                er[er_wa] = er_want;
            /* read data for the next cycle (random when nothing was read) */
            for (auto &v : rnd)
                v = (uint32_t)rng.next();
            if (wre && !bad_read)
                put(m->wgt_rdata, lines[(size_t)(wa - a24)].data());
            else
                put(m->wgt_rdata, rnd.data());
            if (xre && !bad_read) {
                uint32_t xw[(16 * K + 31) / 32 + 1] = {};
                for (int j = 0; j < K; j++) {
                    uint32_t ai = xa * (uint32_t)K + (uint32_t)j;
                    uint32_t v = ai < (uint32_t)ACT_WORDS ? (uint16_t)act[(size_t)ai] : 0u;
                    xw[(j * 16) / 32] |= v << ((j * 16) % 32);
                }
                put(m->xb_rdata, xw);
            } else {
                put(m->xb_rdata, rnd.data() + 1);
            }
            if (sre && !bad_read)
                put(m->scl_rdata, sclw[(size_t)(sa - b24 / L)].data());
            else
                put(m->scl_rdata, rnd.data() + 2);
            if (done_now)
                break;
        }
        b.check(seen, "trial %d rows %d cols %d: no done", trial, c.rows, c.cols);
        b.check(!bad_read, "trial %d rows %d cols %d: a read outside the operands", trial,
                c.rows, c.cols);
        b.check(!bad_write, "trial %d rows %d cols %d: a write outside the output, a wrong ER "
                "write or activity outside the instruction", trial, c.rows, c.cols);
        b.check(er_ok, "trial %d: E[%u] not written with E[%u] + %d", trial, in.er_dst,
                in.er_src, in.imm);
        int once = 0;
        for (int r = 0; r < c.rows; r++)
            once += written[(size_t)r] == 1;
        b.check(once == c.rows, "trial %d rows %d cols %d: %d of the rows written exactly once",
                trial, c.rows, c.cols, once);
    }
    /* idle after the last instruction */
    m->start = 0;
    bool quiet = true;
    for (int i = 0; i < 20; i++) {
        m->eval();
        if (m->wgt_re || m->xb_re || m->scl_re || m->act_we || m->er_we || m->done)
            quiet = false;
        b.tick();
    }
    b.check(quiet, "activity after the last instruction");
    printf("%s: %d instructions, %ld cycles\n", TB_NAME, TB_TRIALS, total_cycles);
    return b.finish();
}
