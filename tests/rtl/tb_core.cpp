// top: cw_core
// params: -GLANES=2 -GK=2 -GWBITS=8 -GPROG_DEPTH=256 -GWGT_LINES=1024 -GSCL_DEPTH=256 -GCST_DEPTH=256 -GACT_DEPTH=512 -GKV_DEPTH=8192 -GMAX_CTX=128
// sources: tests/rtl/tb_force.vlt
/*
 * tb_core.cpp - the core's control: programs loaded through the write port
 * run with the cycle stamps the ISA gives, prompts are forced, BOS ends a
 * run, cancel stops one, and every illegal instruction or bad run puts the
 * core in its error state (with the code and the instruction) from which
 * the next run starts cleanly (ORV out of place included; where it is in
 * place, the core's ORV register at the issue is the OR of |src| as the
 * core's own ACT writes left it, also after a RESADD that renormalized its
 * sums); an op that never finishes (op_done forced
 * low) is stopped by the watchdog at its automatic bound with error 10,
 * and the core recovers. The datapath ops have their own block tests;
 * the whole model runs in tests/unit/test_sim.c.
 */
#include "tb_core_drive.h"

#include <map>
#include <vector>

using namespace tb;

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_core> b("tb_core", 3);
    Core c(b);
    c.reset();

    /* A minimal position: ARGMAX over one word, END. The prompt forces
     * every token, so the ids do not depend on ACT's random contents. */
    const cw_instr am = argmax1();
    const std::vector<cw_instr> prog = prog_fast();
    c.program(prog);
    for (int i = 0; i < 8; i++)
        c.write(6, (uint32_t)i, (uint32_t)(100 + i));
    const uint64_t pp = per_pos(prog);
    auto toks = c.run(8, 7);
    b.check(toks.size() == 7, "forced run: %zu tokens, want 7", toks.size());
    for (size_t i = 0; i < toks.size(); i++) {
        b.check(toks[i].pos == (int)i + 1, "token %zu at position %d", i, toks[i].pos);
        b.check(toks[i].id == 101 + (int)i, "position %d: id %d, prompt says %d", toks[i].pos,
                toks[i].id, 101 + (int)i);
        b.check(toks[i].cycle == pp * (i + 1), "position %d stamped %llu, ISA says %llu",
                toks[i].pos, (unsigned long long)toks[i].cycle, (unsigned long long)(pp * (i + 1)));
    }
    b.check(!b.m->err && b.m->tokens == 7, "clean run: err %d, tokens %d", b.m->err,
            b.m->tokens);

    /* BOS from the prompt ends the run without a token for it. */
    c.write(6, 3, 1);
    toks = c.run(8, 7);
    b.check(toks.size() == 2 && !b.m->err, "BOS at position 3: %zu tokens", toks.size());

    /* Cancel in the middle of a long run. */
    const std::vector<cw_instr> slow = prog_slow(40);
    c.program(slow);
    toks = c.run(1, 100, 100000, 500);
    b.check(toks.size() > 0 && toks.size() < 100, "cancel: %zu tokens", toks.size());

    /* Illegal instructions and bad runs: the error code and the pc. */
    struct Case {
        const char *what;
        cw_instr in;
        int code;
    };
    std::vector<Case> cases;
    cw_instr x = ins(42);
    cases.push_back({ "illegal opcode", x, 1 });
    x = ins(CW_OP_MATVEC);
    x.n = 400, x.aux = 8, x.dst = 200;
    cases.push_back({ "MATVEC rows past ACT", x, 2 });
    x = ins(CW_OP_MATVEC);
    x.n = 4, x.aux = 8, x.a24 = 1020;
    cases.push_back({ "MATVEC weights past WGT", x, 3 });
    x = ins(CW_OP_MATVEC);
    x.n = 4, x.aux = 8, x.b24 = 254;
    cases.push_back({ "MATVEC scales past SCL", x, 4 });
    x = ins(CW_OP_MATVEC);
    x.n = 4, x.aux = 8, x.flags = CW_F_W16;
    cases.push_back({ "16-bit weights on an 8-bit target", x, 8 });
    x = ins(CW_OP_RMSNORM);
    x.n = 16, x.a24 = 250;
    cases.push_back({ "RMSNORM gains past CST", x, 5 });
    x = ins(CW_OP_HEADS);
    x.n = 4, x.aux = 8, x.flags = CW_F_DST_KC, x.b24 = 100;
    cases.push_back({ "HEADS past the K cache", x, 6 });
    x = ins(CW_OP_ATTN);
    x.n = 4, x.aux = 8, x.a24 = 0;
    cases.push_back({ "ATTN with no kv heads", x, 6 });
    x = ins(CW_OP_HEADS);
    x.n = 4, x.aux = 7;
    cases.push_back({ "HEADS odd head size", x, 2 });
    x = ins(CW_OP_HEADS);
    x.n = 1, x.aux = 130;
    cases.push_back({ "HEADS head size above 128", x, 2 });
    x = ins(CW_OP_ATTN);
    x.n = 1, x.aux = 130, x.a24 = 1;
    cases.push_back({ "ATTN head size above 128", x, 2 });
    x = ins(CW_OP_HEADS);
    x.n = 4, x.aux = 8, x.er_dst = 254;
    cases.push_back({ "HEADS exponent registers", x, 9 });
    x = ins(CW_OP_NORM16);
    x.n = 0;
    cases.push_back({ "zero length", x, 2 });
    for (auto &k : cases) {
        /* the bad instruction at pc 2, after two NOPs */
        c.program({ ins(CW_OP_NOP), ins(CW_OP_NOP), k.in, am, ins(CW_OP_END) });
        toks = c.run(1, 4);
        b.check(toks.empty(), "%s: %zu tokens", k.what, toks.size());
        b.check(b.m->err && b.m->err_code == k.code && b.m->err_pc == 2,
                "%s: err %d code %d pc %d, want code %d pc 2", k.what, b.m->err, b.m->err_code,
                b.m->err_pc, k.code);
    }
    /* ORV (NORM16, RESADD, RMSNORM): legal only right after the MATVEC,
     * SILU, EMBED or RESADD that wrote exactly the source vector (error 11
     * otherwise); the legal ones run with the cycles the ISA gives (ORV's
     * shorter latency). */
    {
        cw_instr mv = ins(CW_OP_MATVEC);
        mv.n = 8, mv.aux = 8, mv.dst = 64;
        cw_instr sl = ins(CW_OP_SILU);
        sl.n = 8, sl.dst = 64, sl.aux = 16;
        cw_instr rn = ins(CW_OP_RMSNORM);
        rn.n = 8, rn.dst = 64;
        cw_instr em = ins(CW_OP_EMBED);
        em.n = 8, em.dst = 64;
        cw_instr rs = ins(CW_OP_RESADD);
        rs.n = 8, rs.dst = 64, rs.src = 256;
        cw_instr rno = rn;
        rno.src = 64, rno.dst = 128, rno.flags = CW_F_ORV;
        cw_instr nm = ins(CW_OP_NORM16);
        nm.n = 8, nm.src = 64, nm.dst = 128, nm.flags = CW_F_ORV;
        cw_instr ra = ins(CW_OP_RESADD);
        ra.n = 8, ra.src = 64, ra.dst = 128, ra.flags = CW_F_ORV;
        cw_instr mv2 = mv, sl4 = sl;
        mv2.dst = 72;
        sl4.n = 4;
        struct OrvCase {
            const char *what;
            cw_instr before, in;
            int code;
        };
        const OrvCase oc[] = {
            { "NORM16 ORV after its MATVEC", mv, nm, 0 },
            { "RESADD ORV after its SILU", sl, ra, 0 },
            { "RMSNORM ORV after its EMBED", em, rno, 0 },
            { "RMSNORM ORV after its RESADD", rs, rno, 0 },
            { "NORM16 ORV after its RESADD", rs, nm, 0 },
            { "RMSNORM ORV after RMSNORM", rn, rno, 11 },
            { "NORM16 ORV after a NOP", ins(CW_OP_NOP), nm, 11 },
            { "NORM16 ORV after RMSNORM", rn, nm, 11 },
            { "NORM16 ORV after a MATVEC of another vector", mv2, nm, 11 },
            { "RESADD ORV after a SILU of another length", sl4, ra, 11 },
        };
        /* The core's ORV register at each ORV instruction's issue must be the
         * OR of |v| over its source as ACT holds it then: ACT modeled from the
         * core's own ACT writes (the producer writes all n values of the
         * source, so none of them is left at its random initial state). */
        std::map<uint32_t, uint64_t> act;
        int orv_issues = 0;
        auto *root = b.m->rootp;
        c.each_cycle = [&]() {
            if (root->cw_core__DOT__op_start) {
                cw_instr in;
                unsigned char w[CW_INSTR_BYTES];
                for (int j = 0; j < 5; j++)
                    for (int k = 0; k < 4; k++)
                        w[4 * j + k] = (unsigned char)(root->cw_core__DOT__op_instr[j] >> (8 * k));
                cw_instr_decode(w, &in);
                if ((in.op == CW_OP_NORM16 || in.op == CW_OP_RESADD || in.op == CW_OP_RMSNORM) &&
                    (in.flags & CW_F_ORV)) {
                    uint64_t want = 0;
                    bool all = true;
                    for (uint32_t i = 0; i < in.n; i++) {
                        auto it = act.find(in.src + i);
                        all = all && it != act.end();
                        if (it != act.end())
                            want |= mag64(it->second);
                    }
                    b.check(all && root->cw_core__DOT__orv_q == want,
                            "%s at cycle %llu: ORV register %llx, OR of |src| %llx%s",
                            cw_op_name(in.op), (unsigned long long)b.m->cycle,
                            (unsigned long long)root->cw_core__DOT__orv_q,
                            (unsigned long long)want, all ? "" : " (a source value never written)");
                    orv_issues++;
                }
            }
            if (root->cw_core__DOT__act_we)
                act[root->cw_core__DOT__act_waddr] = root->cw_core__DOT__act_wdata;
        };
        for (const OrvCase &k : oc) {
            const std::vector<cw_instr> p = { ins(CW_OP_NOP), k.before, k.in, am, ins(CW_OP_END) };
            c.program(p);
            toks = c.run(1, 3);
            if (k.code == 0) {
                b.check(!b.m->err && toks.size() == 3, "%s: err %d code %d, %zu tokens", k.what,
                        b.m->err, b.m->err_code, toks.size());
                for (size_t i = 0; i < toks.size(); i++)
                    b.check(toks[i].cycle == per_pos(p) * (i + 1), "%s: position %d stamped %llu, "
                            "ISA says %llu", k.what, toks[i].pos, (unsigned long long)toks[i].cycle,
                            (unsigned long long)(per_pos(p) * (i + 1)));
            } else {
                b.check(toks.empty() && b.m->err && b.m->err_code == k.code && b.m->err_pc == 2,
                        "%s: err %d code %d pc %d, want code %d pc 2", k.what, b.m->err,
                        b.m->err_code, b.m->err_pc, k.code);
            }
        }
        /* RESADD's sums before its renormalization must not stay in the
         * register: two EMBEDs of the same row give x and b with equal
         * values and exponents, so the sum has 31 bits and the last pass
         * shifts it back to 30, and the RMSNORM after it sees the OR of the
         * shifted values only (the sums' OR would have bit 30 set). */
        {
            cw_instr ex = ins(CW_OP_EMBED), eb = ins(CW_OP_EMBED);
            ex.n = 8, ex.dst = 64, ex.er_dst = 0;
            eb.n = 8, eb.dst = 256, eb.er_dst = 1;
            cw_instr add = ins(CW_OP_RESADD);
            add.n = 8, add.dst = 64, add.er_dst = 0, add.src = 256, add.er_src = 1;
            add.flags = CW_F_ORV;
            cw_instr norm = ins(CW_OP_RMSNORM);
            norm.n = 8, norm.src = 64, norm.dst = 128, norm.flags = CW_F_ORV;
            const std::vector<cw_instr> p = { ins(CW_OP_NOP), ex, eb, add, norm, am, ins(CW_OP_END) };
            c.program(p);
            toks = c.run(1, 3);
            b.check(!b.m->err && toks.size() == 3, "EMBED, EMBED, RESADD, RMSNORM: err %d code %d, "
                    "%zu tokens", b.m->err, b.m->err_code, toks.size());
        }
        b.check(orv_issues == 5 * 3 + 2 * 3, "%d ORV instructions issued, want 21", orv_issues);
        c.each_cycle = nullptr;
        /* first in the program: refused at the run's start (after END it would be too) */
        c.program({ nm, am, ins(CW_OP_END) });
        toks = c.run(1, 3);
        b.check(toks.empty() && b.m->err && b.m->err_code == 11 && b.m->err_pc == 0,
                "ORV first: err %d code %d pc %d, want code 11 pc 0", b.m->err, b.m->err_code,
                b.m->err_pc);
    }
    /* END without ARGMAX */
    c.program({ ins(CW_OP_END) });
    toks = c.run(1, 4);
    b.check(toks.empty() && b.m->err && b.m->err_code == 1, "END without ARGMAX: code %d",
            b.m->err_code);
    /* bad run parameters */
    c.program(prog);
    toks = c.run(0, 4);
    b.check(b.m->err && b.m->err_code == 7, "no prompt: code %d", b.m->err_code);
    toks = c.run(1, 129);
    b.check(b.m->err && b.m->err_code == 7, "steps past the context: code %d", b.m->err_code);
    /* and the core recovers */
    c.write(6, 3, 103);
    toks = c.run(8, 5);
    b.check(!b.m->err && toks.size() == 5 && toks[4].id == 105, "recovery: err %d, %zu tokens",
            b.m->err, toks.size());
    /* the watchdog at its automatic bound (cw_sequencer's WD_AUTO for these
     * parameters): ARGMAX (pc 1, after a 3-cycle NOP) never finishes; the
     * run stops with error 10 when the counter reads 3 + bound + 1; then a
     * normal run */
    {
        const uint64_t wd = 2ull * 128 * 512 + 2 * 8192 + 1024 + 16 * 512 + 2 * 128 + 2 * 2 + 64;
        c.program(prog);
        c.hang(true);
        toks = c.run(8, 5, wd + 1000);
        c.hang(false);
        b.check(toks.empty() && b.m->err && b.m->err_code == CW_CORE_ERR_WATCHDOG &&
                    b.m->err_pc == 1 && b.m->cycle == wd + 4,
                "watchdog: err %d code %d pc %d at cycle %llu, want code 10 pc 1 cycle %llu",
                b.m->err, b.m->err_code, b.m->err_pc, (unsigned long long)b.m->cycle,
                (unsigned long long)(wd + 4));
        toks = c.run(8, 5);
        b.check(!b.m->err && toks.size() == 5 && toks[4].cycle == pp * 5,
                "after the watchdog: err %d, %zu tokens", b.m->err, toks.size());
    }
    /* writes while running are ignored */
    c.program(slow);
    c.start(1, 3);
    c.write(0, 0, 0xdeadbeefu); /* would make instruction 0 illegal */
    while (!b.m->run_done)
        b.tick();
    b.check(!b.m->err && b.m->tokens == 3, "write during a run was not ignored");
    b.tick();
    return b.finish();
}
