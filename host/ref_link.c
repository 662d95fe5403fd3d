/*
 * ref_link.c - the ref core behind cw_link_core_ops, and a complete
 * simulated link device (link engine model + ref core).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ref_core.h"
#include "ref_link.h"

/* The core's error code for a run stopped by an illegal instruction or an
 * access outside a memory (the RTL's code 1, "illegal opcode", is the
 * nearest; the ref core does not tell the kinds apart). */
#define REF_LINK_ERR 1u

typedef struct ref_adapter {
    cw_ref_core core;
    cw_ref_run run;
    cw_link_core_status st;
    char err[256];
} ref_adapter;

struct cw_ref_link {
    ref_adapter a;
    cw_link_device *dev;
};

/* Link regions the core reads, by ref-core region. */
static const int link_region[CW_REG_COUNT] = {
    [CW_REG_PROG] = CW_LINK_REGION_PROGRAM, [CW_REG_WGT] = CW_LINK_REGION_WEIGHTS,
    [CW_REG_SCL] = CW_LINK_REGION_SCALES,   [CW_REG_CST] = CW_LINK_REGION_CONST,
    [CW_REG_PROMPT] = CW_LINK_REGION_PROMPT,
};

static int ra_start(void *core, cw_link_mem *mem, uint32_t n_prompt, uint32_t steps)
{
    ref_adapter *a = core;
    for (int r = 0; r < CW_REG_COUNT; r++) {
        if (mem->size[link_region[r]] < a->core.mem_bytes[r])
            return CW_LINK_ST_BAD_REGION;
        a->core.mem[r] = mem->base[link_region[r]]; /* the core reads the link's memory */
    }
    if ((uint64_t)steps * CW_LINK_OUT_ENTRY > mem->size[CW_LINK_REGION_OUTPUT])
        return CW_LINK_ST_BAD_ARG;
    /* The program runs until its END; the core's whole program memory is
     * its bound. */
    if (cw_ref_core_begin(&a->core, &a->run, a->core.t.prog_depth, (int)n_prompt, (int)steps) !=
        CW_OK)
        return CW_LINK_ST_BAD_ARG;
    memset(&a->st, 0, sizeof a->st);
    a->st.state = CW_LINK_CORE_RUNNING;
    a->st.steps = steps;
    a->err[0] = '\0';
    return CW_LINK_ST_OK;
}

static void ra_step(void *core, cw_link_mem *mem)
{
    ref_adapter *a = core;
    if (a->st.state != CW_LINK_CORE_RUNNING)
        return;
    cw_token_event ev;
    int k = cw_ref_core_step(&a->core, &a->run, &ev);
    a->st.cycle = a->run.cycle;
    if (k < 0) {
        snprintf(a->err, sizeof a->err, "%s", cw_last_error());
        a->st.state = CW_LINK_CORE_ERROR;
        a->st.exit_reason = CW_LINK_EXIT_ERROR;
        a->st.error = REF_LINK_ERR;
        return;
    }
    if (k == 1) {
        uint8_t *e = mem->base[CW_LINK_REGION_OUTPUT] + (size_t)CW_LINK_OUT_ENTRY * a->st.tokens;
        cw_put32(e, (uint32_t)ev.pos);
        cw_put32(e + 4, (uint32_t)ev.token);
        cw_put64(e + 8, ev.cycle);
        a->st.tokens++; /* after the entry is written, as the hardware does */
    }
    if (k == 0 || a->run.pos >= a->run.steps) {
        a->st.state = CW_LINK_CORE_DONE;
        a->st.exit_reason = a->run.pos >= a->run.steps ? CW_LINK_EXIT_STEPS : CW_LINK_EXIT_EOS;
    }
}

static void ra_cancel(void *core)
{
    ref_adapter *a = core;
    if (a->st.state == CW_LINK_CORE_RUNNING) {
        a->st.state = CW_LINK_CORE_DONE;
        a->st.exit_reason = CW_LINK_EXIT_CANCELLED;
    }
}

static void ra_reset(void *core)
{
    ref_adapter *a = core;
    memset(&a->st, 0, sizeof a->st);
    memset(&a->run, 0, sizeof a->run);
}

static void ra_status(void *core, cw_link_core_status *st)
{
    *st = ((const ref_adapter *)core)->st;
}

const cw_link_core_ops cw_ref_link_core_ops = {
    .start = ra_start,
    .step = ra_step,
    .cancel = ra_cancel,
    .reset = ra_reset,
    .status = ra_status,
};

int cw_ref_link_open(const cw_target_config *t, cw_link_transport *tr, int idle_polls,
                     cw_ref_link **out)
{
    if (!t || !tr || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_ref_link_open: NULL argument");
    *out = NULL;
    cw_ref_link *r = calloc(1, sizeof *r);
    if (!r)
        return cw_fail(CW_ERR_NO_MEMORY, "ref link: out of memory");
    int rc = cw_ref_core_init(&r->a.core, t);
    if (rc != CW_OK) {
        free(r);
        return rc;
    }
    cw_link_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_hash = t->hash;
    cfg.mac_lanes = (uint32_t)t->lanes;
    cfg.ctx_len = (uint32_t)t->max_ctx;
    cfg.idle_polls = idle_polls;
    for (int i = 0; i < CW_REG_COUNT; i++) {
        if (r->a.core.mem_bytes[i] > UINT32_MAX) {
            cw_ref_link_close(r);
            return cw_fail(CW_ERR_UNSUPPORTED, "ref link: target '%s' has a memory of %llu "
                           "bytes, more than a link region holds", t->name,
                           (unsigned long long)r->a.core.mem_bytes[i]);
        }
        cfg.region_size[link_region[i]] = (uint32_t)r->a.core.mem_bytes[i];
        /* the link engine owns these memories; the core points into them */
        free(r->a.core.mem[i]);
        r->a.core.mem[i] = NULL;
    }
    cfg.region_size[CW_LINK_REGION_OUTPUT] = (uint32_t)t->max_ctx * CW_LINK_OUT_ENTRY;
    if ((rc = cw_link_device_create(&cfg, &cw_ref_link_core_ops, &r->a, tr, &r->dev)) != CW_OK) {
        cw_ref_link_close(r);
        return rc;
    }
    cw_link_mem *mem = cw_link_device_mem(r->dev);
    for (int i = 0; i < CW_REG_COUNT; i++)
        r->a.core.mem[i] = mem->base[link_region[i]];
    *out = r;
    return CW_OK;
}

void cw_ref_link_close(cw_ref_link *r)
{
    if (!r)
        return;
    for (int i = 0; i < CW_REG_COUNT; i++)
        r->a.core.mem[i] = NULL; /* the link engine's, freed with it */
    cw_ref_core_free(&r->a.core);
    cw_link_device_destroy(r->dev);
    free(r);
}

int cw_ref_link_poll(cw_ref_link *r, int timeout_ms)
{
    return cw_link_device_poll(r->dev, timeout_ms);
}

cw_link_device *cw_ref_link_device(cw_ref_link *r)
{
    return r->dev;
}

void cw_ref_link_core_status(cw_ref_link *r, cw_link_core_status *st)
{
    ra_status(&r->a, st);
}

const char *cw_ref_link_core_error(const cw_ref_link *r)
{
    return r->a.err;
}
