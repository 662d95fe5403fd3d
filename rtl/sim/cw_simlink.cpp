/*
 * cw_simlink.cpp - the Verilator harness behind cw_simlink.h: clock, reset
 * and two byte queues on the device's link streams. Nothing else: the
 * behaviour is the RTL's.
 */
#include "cw_simlink.h"

#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vcw_device.h"

#ifndef CW_SIM_TARGET
#define CW_SIM_TARGET "unknown"
#endif

struct cw_simlink {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vcw_device> dev;
    std::unique_ptr<VerilatedFstC> trace;
    std::deque<uint8_t> in;  /* host -> device */
    std::deque<uint8_t> out; /* device -> host */
    uint64_t clock = 0, trace_from = 0, trace_to = 0;

    void dump(uint64_t t)
    {
        if (trace && clock >= trace_from && (trace_to == 0 || clock <= trace_to))
            trace->dump(t);
    }
    /* One cycle: the falling edge with the next input byte presented
     * (always ready for output), where the handshakes are read, then the
     * rising edge. Two evaluations a cycle: the core only has rising-edge
     * logic, so the input change and the falling edge settle together. */
    void tick()
    {
        Vcw_device *d = dev.get();
        d->clk = 0;
        d->rx_valid = !in.empty();
        d->rx_data = in.empty() ? 0 : in.front();
        d->tx_ready = 1;
        d->eval();
        dump(2 * clock);
        bool took = d->rx_valid && d->rx_ready;
        bool gave = d->tx_valid && d->tx_ready;
        uint8_t byte = d->tx_data;
        d->clk = 1;
        d->eval();
        dump(2 * clock + 1);
        clock++;
        if (took)
            in.pop_front();
        if (gave)
            out.push_back(byte);
    }
};

extern "C" {

int cw_simlink_abi(void) { return CW_SIMLINK_ABI; }

const char *cw_simlink_target(void) { return CW_SIM_TARGET; }

cw_simlink *cw_simlink_open(const cw_sim_options *o)
{
    cw_simlink *s = new cw_simlink;
    s->ctx.reset(new VerilatedContext);
    s->ctx->randReset(2);
    s->ctx->randSeed(o ? (int)(o->seed & 0x7fffffff) : 1);
    bool tracing = o && o->trace_path && o->trace_path[0];
    if (tracing)
        s->ctx->traceEverOn(true);
    s->dev.reset(new Vcw_device(s->ctx.get()));
    if (tracing) {
        s->trace.reset(new VerilatedFstC);
        s->dev->trace(s->trace.get(), 99);
        s->trace->open(o->trace_path);
        s->trace_from = o->trace_from;
        s->trace_to = o->trace_to;
    }
    Vcw_device *d = s->dev.get();
    d->clk = 0;
    d->rx_valid = 0;
    d->tx_ready = 1;
    d->rst = 1;
    for (int i = 0; i < 4; i++)
        s->tick();
    d->rst = 0;
    s->tick();
    return s;
}

void cw_simlink_close(cw_simlink *s)
{
    if (!s)
        return;
    if (s->trace)
        s->trace->close();
    s->dev->final();
    delete s;
}

void cw_simlink_push(cw_simlink *s, const void *buf, size_t n)
{
    const uint8_t *p = static_cast<const uint8_t *>(buf);
    s->in.insert(s->in.end(), p, p + n);
}

size_t cw_simlink_pending(const cw_simlink *s) { return s->in.size(); }

size_t cw_simlink_pull(cw_simlink *s, void *buf, size_t n)
{
    uint8_t *p = static_cast<uint8_t *>(buf);
    size_t k = 0;
    while (k < n && !s->out.empty()) {
        p[k++] = s->out.front();
        s->out.pop_front();
    }
    return k;
}

size_t cw_simlink_available(const cw_simlink *s) { return s->out.size(); }

void cw_simlink_step(cw_simlink *s, uint64_t cycles)
{
    for (uint64_t i = 0; i < cycles; i++)
        s->tick();
}

uint64_t cw_simlink_step_until_output(cw_simlink *s, uint64_t max_cycles)
{
    uint64_t i = 0;
    while (i < max_cycles && s->out.empty()) {
        s->tick();
        i++;
    }
    return i;
}

uint64_t cw_simlink_clock(const cw_simlink *s) { return s->clock; }

int cw_simlink_busy(const cw_simlink *s) { return s->dev->busy ? 1 : 0; }

} // extern "C"
