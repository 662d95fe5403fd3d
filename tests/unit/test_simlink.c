/*
 * test_simlink.c - the byte-stream harness of the Verilated device
 * (build/sim/libcwsimlink-sim.so: rtl/cw_device.v + rtl/sim/cw_simlink.cpp)
 * driven by the host library's link session (driver/link_host.c) over a
 * transport whose reads advance the clock: INFO reports the sim target's
 * configuration hash and region sizes, an unaligned WRITE reads back, a
 * forced-prompt program generates with the ISA's cycle stamps. Skipped when
 * the library has not been built (`make simlink`).
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#include "cw_simlink.h"
#include "isa.h"
#include "link_host.h"

typedef struct api {
    void *so;
    int (*abi)(void);
    cw_simlink *(*open)(const cw_sim_options *);
    void (*close)(cw_simlink *);
    void (*push)(cw_simlink *, const void *, size_t);
    size_t (*pull)(cw_simlink *, void *, size_t);
    uint64_t (*until)(cw_simlink *, uint64_t);
} api;

static int load(api *a)
{
    memset(a, 0, sizeof *a);
    a->so = dlopen(CW_SIM_DIR "/libcwsimlink-sim.so", RTLD_NOW | RTLD_LOCAL);
    if (!a->so)
        return 0;
    *(void **)&a->abi = dlsym(a->so, "cw_simlink_abi");
    *(void **)&a->open = dlsym(a->so, "cw_simlink_open");
    *(void **)&a->close = dlsym(a->so, "cw_simlink_close");
    *(void **)&a->push = dlsym(a->so, "cw_simlink_push");
    *(void **)&a->pull = dlsym(a->so, "cw_simlink_pull");
    *(void **)&a->until = dlsym(a->so, "cw_simlink_step_until_output");
    return a->abi && a->open && a->close && a->push && a->pull && a->until;
}

typedef struct simt {
    cw_link_transport t;
    api *a;
    cw_simlink *s;
} simt;

static int st_write(cw_link_transport *t, const void *buf, size_t n)
{
    simt *s = t->impl;
    s->a->push(s->s, buf, n);
    return CW_OK;
}

/* A read advances the clock until the device sends something; a quiet
 * device within 200k cycles counts as a timeout. */
static int st_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    simt *s = t->impl;
    (void)timeout_ms;
    s->a->until(s->s, 200000);
    return (int)s->a->pull(s->s, buf, n);
}

static void st_close(cw_link_transport *t)
{
    (void)t;
}

static const cw_link_transport_ops st_ops = { st_write, st_read, st_close };

typedef struct toks {
    int n;
    cw_link_token t[64];
} toks;

static int on_tok(void *user, const cw_link_token *t)
{
    toks *k = user;
    if (k->n < 64)
        k->t[k->n++] = *t;
    return 0;
}

static void test_session(void **state)
{
    (void)state;
    api a;
    if (!load(&a)) {
        if (a.so)
            dlclose(a.so);
        skip();
    }
    assert_int_equal(a.abi(), CW_SIMLINK_ABI);
    cw_target_config tc;
    assert_int_equal(cw_target_get("sim", &tc), CW_OK);
    cw_sim_options o = { 0 };
    o.seed = 3;
    simt st = { { &st_ops, NULL }, &a, a.open(&o) };
    st.t.impl = &st;
    assert_non_null(st.s);

    cw_link_host_params p;
    cw_link_host_params_default(&p);
    cw_link_host *h = NULL;
    if (cw_link_host_open(&st.t, &p, &h) != CW_OK)
        fail_msg("open: %s", cw_last_error());
    const cw_link_info *info = cw_link_host_cached_info(h);
    assert_true(info->config_hash == tc.hash);
    assert_int_equal(info->ctx_len, tc.max_ctx);
    assert_int_equal(info->mac_lanes, tc.lanes * tc.k);
    assert_int_equal(info->region_size[CW_LINK_REGION_PROGRAM], tc.prog_depth * CW_PROG_STRIDE);
    assert_int_equal(info->region_size[CW_LINK_REGION_WEIGHTS],
                     tc.wgt_lines * tc.lanes * tc.k * tc.wbits / 8);
    assert_int_equal(info->region_size[CW_LINK_REGION_OUTPUT], tc.max_ctx * 16);

    uint8_t w[1500], r[1500];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(i * 37 + 5);
    assert_int_equal(cw_link_host_write(h, CW_LINK_REGION_CONST, 3, w, sizeof w, NULL, NULL),
                     CW_OK);
    assert_int_equal(cw_link_host_read(h, CW_LINK_REGION_CONST, 3, r, sizeof r), CW_OK);
    assert_memory_equal(w, r, sizeof w);

    /* NOP x20, ARGMAX over one word, END: the prompt forces every token */
    cw_instr prog[22];
    memset(prog, 0, sizeof prog);
    prog[20].op = CW_OP_ARGMAX;
    prog[20].n = 1;
    prog[21].op = CW_OP_END;
    uint8_t pb[22 * CW_PROG_STRIDE];
    memset(pb, 0, sizeof pb);
    uint64_t per_pos = 0;
    for (int i = 0; i < 22; i++) {
        cw_instr_encode(&prog[i], pb + i * CW_PROG_STRIDE);
        per_pos += cw_instr_latency(&prog[i], 0, &tc);
    }
    assert_int_equal(cw_link_host_write(h, CW_LINK_REGION_PROGRAM, 0, pb, sizeof pb, NULL, NULL),
                     CW_OK);
    uint32_t prompt[40];
    for (int i = 0; i < 40; i++)
        prompt[i] = 500 + (uint32_t)i;
    toks k = { 0 };
    cw_link_run_result res;
    if (cw_link_host_generate(h, prompt, 40, 30, on_tok, &k, &res) != CW_OK)
        fail_msg("generate: %s", cw_last_error());
    assert_int_equal(k.n, 30);
    for (int i = 0; i < 30; i++) {
        assert_int_equal(k.t[i].pos, i + 1);
        assert_int_equal(k.t[i].token, prompt[i + 1]);
        assert_true(k.t[i].cycle == per_pos * (uint64_t)(i + 1));
    }
    assert_int_equal(res.exit_reason, CW_LINK_EXIT_STEPS);
    cw_link_host_close(h);
    a.close(st.s);
    dlclose(a.so);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
