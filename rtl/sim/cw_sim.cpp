/*
 * cw_sim.cpp - the thin Verilator harness behind cw_sim.h: clock, reset,
 * the write port, run control and token collection. Nothing else: the
 * behaviour is the RTL's.
 */
#include "cw_sim.h"

#include <cstdlib>
#include <memory>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vcw_core.h"

#ifndef CW_SIM_TARGET
#define CW_SIM_TARGET "unknown"
#endif

struct cw_sim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vcw_core> core;
    std::unique_ptr<VerilatedFstC> trace;
    uint64_t clock = 0, trace_from = 0, trace_to = 0;

    void tick()
    {
        core->clk = 1;
        core->eval();
        dump(2 * clock + 1);
        core->clk = 0;
        core->eval();
        dump(2 * clock + 2);
        clock++;
    }
    void dump(uint64_t t)
    {
        if (trace && clock >= trace_from && (trace_to == 0 || clock <= trace_to))
            trace->dump(t);
    }
};

extern "C" {

int cw_sim_abi(void) { return CW_SIM_ABI; }

const char *cw_sim_target(void) { return CW_SIM_TARGET; }

uint64_t cw_sim_config_hash(void)
{
    /* The core drives its CONFIG_HASH parameter on a port; read it once. */
    VerilatedContext ctx;
    Vcw_core core(&ctx);
    core.eval();
    uint64_t h = core.config_hash;
    core.final();
    return h;
}

cw_sim *cw_sim_open(const cw_sim_options *o)
{
    cw_sim *s = new cw_sim;
    s->ctx.reset(new VerilatedContext);
    s->ctx->randReset(2);
    s->ctx->randSeed(o ? (int)(o->seed & 0x7fffffff) : 1);
    if (o && o->trace_path && o->trace_path[0])
        s->ctx->traceEverOn(true);
    s->core.reset(new Vcw_core(s->ctx.get()));
    if (o && o->trace_path && o->trace_path[0]) {
        s->trace.reset(new VerilatedFstC);
        s->core->trace(s->trace.get(), 99);
        s->trace->open(o->trace_path);
        s->trace_from = o->trace_from;
        s->trace_to = o->trace_to;
    }
    s->core->clk = 0;
    s->core->wr_en = 0;
    s->core->run_start = 0;
    s->core->cancel = 0;
    s->core->hr_en = 0; /* the host read port is the link engine's */
    s->core->rst = 1;
    for (int i = 0; i < 4; i++)
        s->tick();
    s->core->rst = 0;
    s->tick();
    return s;
}

void cw_sim_close(cw_sim *s)
{
    if (!s)
        return;
    if (s->trace)
        s->trace->close();
    s->core->final();
    delete s;
}

void cw_sim_write(cw_sim *s, int region, uint32_t word, uint32_t data)
{
    s->core->wr_en = 1;
    s->core->wr_region = (uint8_t)region;
    s->core->wr_addr = word;
    s->core->wr_data = data;
    s->tick();
    s->core->wr_en = 0;
}

int cw_sim_run(cw_sim *s, int n_prompt, int steps, cw_sim_token_fn on_token, void *user,
               const volatile int *cancel, uint64_t max_cycles, uint64_t *cycles,
               int *err_code, int *err_pc)
{
    Vcw_core *c = s->core.get();
    c->run_n_prompt = (uint16_t)n_prompt;
    c->run_steps = (uint16_t)steps;
    c->run_start = 1;
    s->tick();
    c->run_start = 0;
    int rc = CW_SIM_OK;
    uint64_t start = s->clock;
    for (;;) {
        if (c->tok_valid && on_token &&
            on_token(user, c->tok_pos, (int)c->tok_id, c->tok_cycle) != 0) {
            rc = CW_SIM_ABORTED;
            break;
        }
        if (c->run_done)
            break;
        if ((cancel && *cancel) || s->clock - start > max_cycles) {
            rc = cancel && *cancel ? CW_SIM_ABORTED : CW_SIM_HUNG;
            break;
        }
        s->tick();
    }
    if (rc != CW_SIM_OK) {
        c->cancel = 1;
        s->tick();
        c->cancel = 0;
        s->tick();
    } else if (c->err) {
        rc = CW_SIM_CORE_ERROR;
    }
    if (cycles)
        *cycles = c->cycle;
    if (err_code)
        *err_code = c->err_code;
    if (err_pc)
        *err_pc = c->err_pc;
    return rc;
}

uint64_t cw_sim_clock(const cw_sim *s) { return s->clock; }

} // extern "C"
