/*
 * tb_common.h - what the Verilator block tests share: the seed (fixed,
 * printed, CW_SEED overrides), waveforms on request (CW_TRACE=file.fst),
 * clocking, checks that count, and the closing "N passed, N failed" line.
 *
 * A test includes its Verilated model's header, then this file, and uses:
 *   tb::Bench<Vtop> b("name");   b.tick();   b.check(cond, fmt, ...);
 *   return b.finish();
 * The model's clock must be `clk`.
 */
#ifndef CW_TB_COMMON_H
#define CW_TB_COMMON_H

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <verilated.h>
#include <verilated_fst_c.h>

namespace tb {

/* |v| of a 64-bit ACT word read as signed, as the core's ORV register ORs it
 * (the most negative value gives 2^63). */
inline uint64_t mag64(uint64_t v) { return (int64_t)v < 0 ? 0 - v : v; }

/* splitmix64: the tests' random numbers. */
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next()
    {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    /* uniform in [lo, hi] */
    int64_t range(int64_t lo, int64_t hi)
    {
        return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
    }
};

inline uint64_t seed_from_env(uint64_t fallback)
{
    const char *s = getenv("CW_SEED");
    return s && *s ? strtoull(s, nullptr, 0) : fallback;
}

template <class M> struct Bench {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<M> m;
    std::unique_ptr<VerilatedFstC> trace;
    const char *name;
    uint64_t seed, cycle = 0;
    long passed = 0, failed = 0;
    Rng rng;

    /* plusargs: "+name=value" arguments the model's initial blocks read
     * ($value$plusargs), NULL-terminated, or NULL. */
    explicit Bench(const char *n, uint64_t default_seed = 1, const char *const *plusargs = nullptr)
        : ctx(new VerilatedContext), name(n), seed(seed_from_env(default_seed)), rng(seed)
    {
        ctx->randReset(2); /* randomized initial state of every register */
        ctx->randSeed((int)(seed & 0x7fffffff));
        /* a new context is the thread's (where $value$plusargs looks) */
        int k = 0;
        while (plusargs && plusargs[k])
            k++;
        ctx->commandArgs(k, const_cast<const char **>(plusargs));
        m.reset(new M(ctx.get()));
        printf("%s: seed %llu (CW_SEED=... to change)\n", name, (unsigned long long)seed);
        const char *t = getenv("CW_TRACE");
        if (t && *t) {
            ctx->traceEverOn(true);
            trace.reset(new VerilatedFstC);
            m->trace(trace.get(), 99);
            trace->open(t);
            printf("%s: waveform in %s\n", name, t);
        }
        m->clk = 0;
        m->eval();
    }
    ~Bench()
    {
        Verilated::threadContextp(ctx.get()); /* the model leaves the context it entered */
        if (trace)
            trace->close();
        m->final();
    }
    /* One rising edge: inputs set before tick() are sampled on it. */
    void tick()
    {
        m->clk = 1;
        m->eval();
        if (trace)
            trace->dump(2 * cycle + 1);
        m->clk = 0;
        m->eval();
        if (trace)
            trace->dump(2 * cycle + 2);
        cycle++;
    }
    /* Counts a check; prints the first failures. */
    bool check(bool ok, const char *fmt, ...)
    {
        if (ok) {
            passed++;
            return true;
        }
        if (++failed <= 20) {
            va_list ap;
            va_start(ap, fmt);
            printf("FAIL (cycle %llu): ", (unsigned long long)cycle);
            vprintf(fmt, ap);
            printf("\n");
            va_end(ap);
        }
        return false;
    }
    int finish()
    {
        printf("%s: %ld checks passed, %ld failed\n", name, passed, failed);
        /* one test case per bench for the closing count */
        printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
        return failed ? 1 : 0;
    }
};

} // namespace tb

#endif
