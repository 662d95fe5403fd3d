// top: cw_core
// params: -GLANES=2 -GK=2 -GWBITS=8 -GPROG_DEPTH=256 -GWGT_LINES=1024 -GSCL_DEPTH=256 -GCST_DEPTH=256 -GACT_DEPTH=512 -GKV_DEPTH=8192 -GMAX_CTX=128 -GWATCHDOG_CYCLES=400
// sources: tests/rtl/tb_force.vlt
/*
 * tb_watchdog.cpp - the sequencer's watchdog with a short bound (400
 * cycles): an op module that never raises done (op_done forced low from
 * C++) stops the run with error 10 ("watchdog") at the instruction's pc,
 * exactly WATCHDOG_CYCLES cycles after its issue; an instruction longer
 * than the bound is cut off half-way, its op module reset by op_rst; and
 * after each the core runs a normal program with the tokens and cycle
 * stamps the ISA gives (the RTL assertions, on except while done is
 * forced, check every op's done cycle). tb_core checks the automatic bound.
 */
#include "tb_core_drive.h"

#include <cstring>
#include <vector>

using namespace tb;

static const uint64_t WD = 400;

static cw_instr rmsnorm(int n)
{
    cw_instr r = ins(CW_OP_RMSNORM);
    r.dst = 0, r.src = 256, r.n = (uint16_t)n, r.a24 = 0;
    return r;
}

/* A normal run after a watchdog stop: prompt-forced tokens, ISA stamps. */
static void normal_run(Core &c, const std::vector<cw_instr> &prog, const char *what)
{
    const uint64_t pp = per_pos(prog);
    c.program(prog);
    auto toks = c.run(8, 6);
    bool ok = toks.size() == 6 && !c.m->err;
    for (size_t i = 0; ok && i < toks.size(); i++)
        ok = toks[i].pos == (int)i + 1 && toks[i].id == 201 + (int)i &&
             toks[i].cycle == pp * (i + 1);
    c.b.check(ok, "%s: %zu tokens, err %d code %d (per position %llu cycles)", what, toks.size(),
              c.m->err, c.m->err_code, (unsigned long long)pp);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_core> b("tb_watchdog", 5);
    Core c(b);
    c.reset();
    for (int i = 0; i < 8; i++)
        c.write(6, (uint32_t)i, (uint32_t)(200 + i));

    const cw_instr am = argmax1();
    const std::vector<cw_instr> fast = prog_fast();
    normal_run(c, fast, "before");

    /* 1. op_done never comes: error 10 at the ARGMAX (pc 1), WD cycles after
     * its issue (cycle 3, after the 3-cycle NOP): the counter reads
     * 3 + WD + 1 when the run stops. */
    for (int k = 0; k < 3; k++) {
        c.program(fast);
        c.hang(true);
        auto toks = c.run(8, 6);
        c.hang(false);
        b.check(toks.empty() && b.m->err && b.m->err_code == CW_CORE_ERR_WATCHDOG &&
                    b.m->err_pc == 1,
                "stuck ARGMAX: %zu tokens, err %d code %d pc %d", toks.size(), b.m->err,
                b.m->err_code, b.m->err_pc);
        b.check(b.m->cycle == WD + 4, "stuck ARGMAX: stopped at cycle %llu, want %llu",
                (unsigned long long)b.m->cycle, (unsigned long long)(WD + 4));
        normal_run(c, fast, "after a stuck ARGMAX");
    }

    /* 2. stuck in the second position: the first token is out, then the stop */
    {
        c.program(fast);
        c.start(8, 6);
        int ntok = 0;
        uint64_t c0 = 0;
        for (; c0 < 10000 && !b.m->run_done; c0++) {
            if (b.m->tok_valid && ++ntok == 1)
                c.hang(true);
            b.tick();
        }
        c.hang(false);
        b.tick();
        b.check(ntok == 1 && b.m->err && b.m->err_code == CW_CORE_ERR_WATCHDOG &&
                    b.m->tokens == 1 && b.m->err_pc == 1,
                "stuck in position 2: %d tokens, code %d pc %d", ntok, b.m->err_code,
                b.m->err_pc);
        normal_run(c, fast, "after a stop in position 2");
    }

    /* 3. an instruction longer than the bound (RMSNORM of 200: 614 cycles)
     * is cut off half-way; op_rst resets its module; assertions stay on. */
    const cw_target_config t = small_target();
    cw_instr longr = rmsnorm(200);
    b.check(cw_instr_latency(&longr, 0, &t) > WD, "RMSNORM 200 is not longer than the bound");
    c.program({ ins(CW_OP_NOP), longr, am, ins(CW_OP_END) });
    auto toks = c.run(8, 6);
    b.check(toks.empty() && b.m->err && b.m->err_code == CW_CORE_ERR_WATCHDOG && b.m->err_pc == 1,
            "long RMSNORM: %zu tokens, code %d pc %d", toks.size(), b.m->err_code, b.m->err_pc);
    b.check(b.m->cycle == WD + 4, "long RMSNORM: stopped at cycle %llu",
            (unsigned long long)b.m->cycle);
    /* the same module right after, within the bound (314 cycles) */
    normal_run(c, { ins(CW_OP_NOP), rmsnorm(100), am, ins(CW_OP_END) }, "RMSNORM 100 after the cut");
    normal_run(c, fast, "after the cut");

    /* 4. cancel and the watchdog: a cancel during a hang stops it first */
    c.program(fast);
    c.hang(true);
    c.start(8, 6);
    for (int i = 0; i < 100; i++)
        b.tick();
    b.m->cancel = 1;
    b.tick();
    b.m->cancel = 0;
    c.hang(false);
    for (int i = 0; i < 3; i++)
        b.tick();
    b.check(!b.m->busy && !b.m->err, "cancel during a hang: busy %d err %d", b.m->busy, b.m->err);
    normal_run(c, fast, "after a cancelled hang");

    b.check(strcmp(cw_core_error_name(CW_CORE_ERR_WATCHDOG), "watchdog") == 0 &&
                strcmp(cw_core_error_name(99), "unknown") == 0,
            "cw_core_error_name");
    printf("tb_watchdog: bound %llu cycles; %llu cycles simulated\n", (unsigned long long)WD,
           (unsigned long long)b.cycle);
    return b.finish();
}
