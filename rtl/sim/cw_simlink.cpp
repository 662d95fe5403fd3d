/*
 * cw_simlink.cpp - the Verilator harness behind cw_simlink.h: clock, reset
 * and two byte queues on the device's link streams. Nothing else: the
 * behaviour is the RTL's.
 */
#include "cw_simlink.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <deque>
#include <memory>
#include <vector>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vcw_device.h"

#ifndef CW_SIM_TARGET
#define CW_SIM_TARGET "unknown"
#endif

/* ------------------------------------------------ Verilator's messages
 * A library never prints nor ends its caller: the build (scripts/
 * build-sim.sh) routes Verilator's printing here (VL_PRINTF) and replaces
 * its $stop, $fatal and warning paths (VL_USER_STOP, VL_USER_FATAL,
 * VL_USER_WARN), so a failed
 * assertion keeps its message, marks the context as failed, and the
 * harness stops the clock. One device is evaluated at a time per thread. */
static thread_local std::string vl_messages;

extern "C" int cw_simlink_vl_printf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    vl_messages += buf;
    if (vl_messages.size() > 4096)
        vl_messages.erase(0, vl_messages.size() - 4096);
    return n;
}

/* A warning at run time fails the device too: a model that runs on after
 * one (a $readmem file it could not open) computes wrong values. */
void vl_warn(const char *filename, int linenum, const char *hier, const char *msg)
{
    (void)hier;
    cw_simlink_vl_printf("%s:%d: %s\n", filename ? filename : "?", linenum, msg);
    Verilated::threadContextp()->gotError(true);
    Verilated::threadContextp()->gotFinish(true);
}

void vl_stop(const char *filename, int linenum, const char *hier)
{
    (void)hier;
    cw_simlink_vl_printf("%s:%d: $stop\n", filename ? filename : "?", linenum);
    Verilated::threadContextp()->gotError(true);
    Verilated::threadContextp()->gotFinish(true);
}

void vl_fatal(const char *filename, int linenum, const char *hier, const char *msg)
{
    (void)hier;
    cw_simlink_vl_printf("%s:%d: %s\n", filename ? filename : "?", linenum, msg);
    Verilated::threadContextp()->gotError(true);
    Verilated::threadContextp()->gotFinish(true);
}

struct cw_simlink {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vcw_device> dev;
    std::unique_ptr<VerilatedFstC> trace;
    std::deque<uint8_t> in;  /* host -> device */
    std::deque<uint8_t> out; /* device -> host */
    uint64_t clock = 0, trace_from = 0, trace_to = 0;
    std::string error; /* the messages that came with the first failure */

    void dump(uint64_t t)
    {
        if (trace && clock >= trace_from && (trace_to == 0 || clock <= trace_to))
            trace->dump(t);
    }
    /* One cycle: the falling edge with the next input byte presented
     * (always ready for output), where the handshakes are read, then the
     * rising edge. Two evaluations a cycle: the only falling-edge logic
     * latches the op modules' clock enables (rtl/cw_core.v, "op clocks"),
     * which no input feeds, so the input change and the falling edge
     * settle together. */
    void tick()
    {
        if (!error.empty())
            return; /* frozen after a failure */
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
        if (ctx->gotError()) {
            /* the first message (the assertion's own text) */
            error = vl_messages.substr(0, vl_messages.find('\n'));
            if (error.empty())
                error = "the RTL stopped ($stop or $fatal)";
            vl_messages.clear();
            return;
        }
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
    /* no plusargs: the serial engine's initial block asks for test ROMs
     * ($value$plusargs), which the device never takes */
    s->ctx->commandArgs(0, (const char **)nullptr);
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
    for (uint64_t i = 0; i < cycles && s->error.empty(); i++)
        s->tick();
}

uint64_t cw_simlink_step_until_output(cw_simlink *s, uint64_t max_cycles)
{
    uint64_t i = 0;
    while (i < max_cycles && s->out.empty() && s->error.empty()) {
        s->tick();
        i++;
    }
    return i;
}

const char *cw_simlink_error(const cw_simlink *s)
{
    return s->error.empty() ? nullptr : s->error.c_str();
}

uint64_t cw_simlink_clock(const cw_simlink *s) { return s->clock; }

int cw_simlink_busy(const cw_simlink *s) { return s->dev->busy ? 1 : 0; }

} // extern "C"
