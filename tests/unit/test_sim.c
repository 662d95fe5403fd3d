/*
 * test_sim.c - the full model on the Verilated RTL (the sim device):
 * stories260K's tokens identical to the ref device's, and every position's
 * measured cycles equal to the compiler's prediction, for both weight
 * widths on the sim target and 8-bit weights on ulx3s-85f, and a synthetic
 * model on the icebreaker's serial core; a second run
 * gives identical cycles; prompts are forced; a mismatched artifact is
 * refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#include "testutil.h"

typedef struct run {
    int n;
    int ids[1024];
    uint64_t cycles[1024], predicted[1024], stamp[1024];
} run;

static int record(void *user, const cw_token_event *ev)
{
    run *r = user;
    r->ids[r->n] = ev->token;
    r->cycles[r->n] = ev->cycles;
    r->predicted[r->n] = ev->predicted_cycles;
    r->stamp[r->n] = ev->cycle;
    r->n++;
    return 0;
}

static int stop_at_5(void *user, const cw_token_event *ev)
{
    (void)user;
    return ev->pos >= 5;
}

static void generate(cw_device *d, const int *prompt, int n_prompt, int steps, run *r)
{
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = steps;
    p.temperature = 0.0f;
    p.on_token = record;
    p.user = r;
    memset(r, 0, sizeof *r);
    int rc = cw_device_generate(d, prompt, n_prompt, &p, NULL, 0, NULL);
    if (rc != CW_OK)
        fail_msg("generate: %s", cw_last_error());
}

static cw_device *open_loaded(const char *uri, const cw_artifact *a)
{
    cw_device *d = NULL;
    if (cw_device_open(uri, &d) != CW_OK)
        fail_msg("%s: %s", uri, cw_last_error());
    if (cw_device_load_artifact(d, a, NULL) != CW_OK)
        fail_msg("%s: load: %s", uri, cw_last_error());
    return d;
}

/* ref and sim from the same artifact: same tokens, every cycle count equal
 * to the prediction, and the second sim run identical to the first. */
static void check_model(const char *path, const char *target, int bits, const int *prompt,
                        int n_prompt, int steps, int want_reference)
{
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(path, &m), CW_OK);
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = target;
    cp.weight_bits = bits;
    cw_artifact *a = NULL;
    if (cw_compile(m, &cp, &a) != CW_OK)
        fail_msg("compile: %s", cw_last_error());
    char ref_uri[64], sim_uri[64];
    snprintf(ref_uri, sizeof ref_uri, "ref:%s", target);
    snprintf(sim_uri, sizeof sim_uri, "sim:%s", target);
    static run rr, rs, rs2;
    cw_device *ref = open_loaded(ref_uri, a);
    generate(ref, prompt, n_prompt, steps, &rr);
    cw_device_close(ref);
    cw_device *sim = open_loaded(sim_uri, a);
    generate(sim, prompt, n_prompt, steps, &rs);
    generate(sim, prompt, n_prompt, steps, &rs2);
    cw_device_close(sim);
    assert_int_equal(rs.n, rr.n);
    for (int i = 0; i < rs.n; i++) {
        if (rs.ids[i] != rr.ids[i])
            fail_msg("%s %d-bit: position %d: sim %d, ref %d", target, bits, i + 1, rs.ids[i],
                     rr.ids[i]);
        if (rs.cycles[i] != rs.predicted[i])
            fail_msg("%s %d-bit: position %d: measured %llu cycles, predicted %llu", target,
                     bits, i + 1, (unsigned long long)rs.cycles[i],
                     (unsigned long long)rs.predicted[i]);
        if (rs2.stamp[i] != rs.stamp[i] || rs2.ids[i] != rs.ids[i])
            fail_msg("%s %d-bit: position %d differs between two runs", target, bits, i + 1);
    }
    if (want_reference)
        for (int i = 0; i < steps; i++)
            assert_int_equal(rs.ids[i], tu_reference_ids[i]);
    cw_artifact_close(a);
    cw_model_close(m);
}

/* stories260K from BOS */
static void check_target(const char *target, int bits, int steps, int want_reference)
{
    int bos = CW_TOKEN_BOS;
    check_model(tu_model_path("stories260K.bin"), target, bits, &bos, 1, steps, want_reference);
}

static void test_sim_16(void **st)
{
    (void)st;
    check_target("sim", 16, 200, 1);
}

static void test_sim_8(void **st)
{
    (void)st;
    check_target("sim", 8, 200, 0);
}

static void test_ulx3s_8(void **st)
{
    (void)st;
    check_target("ulx3s-85f", 8, 200, 0);
}

/* The serial core (docs/serial.md, rtl/serial/): a synthetic model that fits
 * the icebreaker, with a prompt; its tokens are the ref device's and every
 * position's cycles the microprograms' prediction. */
static void test_icebreaker_serial(void **st)
{
    (void)st;
    const char *path = tu_scratch_path("sim_icebreaker.bin");
    cw_model_config cfg = { 32, 64, 2, 4, 2, 64, 128, 1 };
    assert_int_equal(cw_model_write_synthetic(path, &cfg, 3), CW_OK);
    const int prompt[] = { CW_TOKEN_BOS, 7, 40, 13, 22 };
    check_model(path, "icebreaker", 8, prompt, 5, 24, 0);
}

static void test_prompt_and_mismatch(void **st)
{
    (void)st;
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(tu_model_path("stories260K.bin"), &m), CW_OK);
    cw_device *sim = NULL, *ref = NULL;
    assert_int_equal(cw_device_open("sim", &sim), CW_OK);
    assert_int_equal(cw_device_open("ref", &ref), CW_OK);
    cw_load_params lp;
    cw_load_params_default(&lp);
    lp.weight_bits = 16;
    assert_int_equal(cw_device_load_model(sim, m, &lp), CW_OK);
    assert_int_equal(cw_device_load_model(ref, m, &lp), CW_OK);
    int prompt[] = { 1, 403, 407, 261, 300, 301 };
    static run a, b;
    generate(sim, prompt, 6, 40, &a);
    generate(ref, prompt, 6, 40, &b);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.ids, b.ids, (size_t)a.n * sizeof(int));
    for (int i = 0; i < 5; i++)
        assert_int_equal(a.ids[i], prompt[i + 1]); /* the prompt comes back forced */
    cw_device_close(ref);

    /* stopped by the callback mid-run, reset, run again: the same tokens */
    cw_generate_params gp;
    cw_generate_params_default(&gp);
    gp.steps = 40;
    gp.temperature = 0.0f;
    gp.on_token = stop_at_5;
    int n = 0;
    assert_int_equal(cw_device_generate(sim, prompt, 6, &gp, NULL, 0, &n), CW_ERR_ABORTED);
    assert_int_equal(n, 5);
    assert_int_equal(cw_device_reset(sim), CW_OK);
    static run c;
    generate(sim, prompt, 6, 40, &c);
    assert_int_equal(c.n, a.n);
    assert_memory_equal(c.ids, a.ids, (size_t)a.n * sizeof(int));
    assert_memory_equal(c.stamp, a.stamp, (size_t)a.n * sizeof(uint64_t));

    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = "ulx3s-85f";
    cp.weight_bits = 8;
    cw_artifact *art = NULL;
    assert_int_equal(cw_compile(m, &cp, &art), CW_OK);
    assert_int_equal(cw_device_load_artifact(sim, art, NULL), CW_ERR_MISMATCH);
    cw_target_config t;
    assert_int_equal(cw_device_get_target(sim, &t), CW_OK);
    assert_string_equal(t.name, "sim");
    cw_artifact_close(art);
    cw_device_close(sim);
    cw_model_close(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_16),
        cmocka_unit_test(test_sim_8),
        cmocka_unit_test(test_ulx3s_8),
        cmocka_unit_test(test_icebreaker_serial),
        cmocka_unit_test(test_prompt_and_mismatch),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
