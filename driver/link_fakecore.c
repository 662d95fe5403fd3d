/*
 * link_fakecore.c - a stand-in core for the link tests: it "generates"
 * tokens by a fixed formula, one position per step, and writes them into
 * the OUTPUT region exactly as the real core does.
 */
#include <string.h>

#include "link_device.h"

void cw_link_fakecore_init(cw_link_fakecore *c, uint32_t vocab, uint32_t cycles_per_token)
{
    memset(c, 0, sizeof *c);
    c->vocab = vocab ? vocab : 1;
    c->cycles_per_token = cycles_per_token;
    c->steps_per_token = 1;
    c->eos_token = -1;
}

uint32_t cw_link_fakecore_next(uint32_t prev, uint32_t pos, uint32_t vocab)
{
    uint32_t x = prev * 2654435761u + pos * 40503u + 0x9E37u;
    x ^= x >> 15;
    return x % (vocab ? vocab : 1);
}

static int fc_start(void *core, cw_link_mem *mem, uint32_t n_prompt, uint32_t steps)
{
    cw_link_fakecore *c = core;
    if ((uint64_t)n_prompt * 4u > mem->size[CW_LINK_REGION_PROMPT] ||
        (uint64_t)steps * CW_LINK_OUT_ENTRY > mem->size[CW_LINK_REGION_OUTPUT])
        return CW_LINK_ST_BAD_ARG;
    memset(&c->st, 0, sizeof c->st);
    c->st.state = CW_LINK_CORE_RUNNING;
    c->st.steps = steps;
    c->n_prompt = n_prompt;
    c->phase = 0;
    c->prev = cw_get32(mem->base[CW_LINK_REGION_PROMPT]);
    return CW_LINK_ST_OK;
}

static void fc_step(void *core, cw_link_mem *mem)
{
    cw_link_fakecore *c = core;
    if (c->st.state != CW_LINK_CORE_RUNNING)
        return;
    if (++c->phase < c->steps_per_token)
        return;
    c->phase = 0;
    uint32_t p = c->st.tokens + 1;
    if (c->fail_at && p == c->fail_at) {
        c->st.state = CW_LINK_CORE_ERROR;
        c->st.exit_reason = CW_LINK_EXIT_ERROR;
        c->st.error = c->fail_code;
        return;
    }
    uint32_t tok = p < c->n_prompt ? cw_get32(mem->base[CW_LINK_REGION_PROMPT] + 4u * p)
                                   : cw_link_fakecore_next(c->prev, p, c->vocab);
    uint64_t cycle = (uint64_t)p * c->cycles_per_token;
    uint8_t *e = mem->base[CW_LINK_REGION_OUTPUT] + (size_t)CW_LINK_OUT_ENTRY * (p - 1);
    cw_put32(e, p);
    cw_put32(e + 4, tok);
    cw_put64(e + 8, cycle);
    c->st.tokens = p; /* after the entry is written, as the hardware does */
    c->st.cycle = cycle;
    c->prev = tok;
    if (c->eos_token >= 0 && tok == (uint32_t)c->eos_token && p >= c->n_prompt) {
        c->st.state = CW_LINK_CORE_DONE;
        c->st.exit_reason = CW_LINK_EXIT_EOS;
    } else if (p >= c->st.steps) {
        c->st.state = CW_LINK_CORE_DONE;
        c->st.exit_reason = CW_LINK_EXIT_STEPS;
    }
}

static void fc_cancel(void *core)
{
    cw_link_fakecore *c = core;
    if (c->st.state == CW_LINK_CORE_RUNNING) {
        c->st.state = CW_LINK_CORE_DONE;
        c->st.exit_reason = CW_LINK_EXIT_CANCELLED;
    }
}

static void fc_reset(void *core)
{
    cw_link_fakecore *c = core;
    memset(&c->st, 0, sizeof c->st);
}

static void fc_status(void *core, cw_link_core_status *st)
{
    const cw_link_fakecore *c = core;
    *st = c->st;
}

const cw_link_core_ops cw_link_fakecore_ops = {
    .start = fc_start,
    .step = fc_step,
    .cancel = fc_cancel,
    .reset = fc_reset,
    .status = fc_status,
};
