/*
 * test_forward_f32.c - the cpu device reproduces llama2.c: the 200-token
 * reference, prompts, sampling determinism, cancellation and bad arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#include "testutil.h"

static cw_model *model;
static cw_device *dev;

static int setup(void **st)
{
    (void)st;
    if (cw_model_open(tu_model_path("stories260K.bin"), &model) != CW_OK ||
        cw_device_open("cpu", &dev) != CW_OK || cw_device_load_model(dev, model, NULL) != CW_OK)
        return -1;
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    cw_device_close(dev);
    cw_model_close(model);
    return 0;
}

static void test_reference_200(void **st)
{
    (void)st;
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = 200;
    p.temperature = 0.0f;
    int bos = CW_TOKEN_BOS, out[256], n = 0;
    assert_int_equal(cw_device_generate(dev, &bos, 1, &p, out, 256, &n), CW_OK);
    assert_int_equal(n, 200);
    for (int i = 0; i < 200; i++)
        if (out[i] != tu_reference_ids[i])
            fail_msg("position %d: id %d, llama2.c gives %d", i + 1, out[i],
                     tu_reference_ids[i]);
}

typedef struct seen {
    int n;
    int pos[512];
    int stop_at;
} seen;

static int record(void *user, const cw_token_event *ev)
{
    seen *s = user;
    s->pos[s->n++] = ev->pos;
    return s->stop_at > 0 && s->n >= s->stop_at;
}

static void test_prompt_forced_and_callback(void **st)
{
    (void)st;
    /* The prompt's tokens come back first, then generation continues the
     * reference: feeding the reference's first 10 ids as a prompt must give
     * the same 50 tokens. */
    int prompt[11] = { CW_TOKEN_BOS };
    memcpy(prompt + 1, tu_reference_ids, 10 * sizeof(int));
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = 50;
    p.temperature = 0.0f;
    seen s = { 0 };
    p.on_token = record;
    p.user = &s;
    int out[64], n = 0;
    assert_int_equal(cw_device_generate(dev, prompt, 11, &p, out, 64, &n), CW_OK);
    assert_int_equal(n, 50);
    assert_memory_equal(out, tu_reference_ids, 50 * sizeof(int));
    assert_int_equal(s.n, 50);
    for (int i = 0; i < 50; i++)
        assert_int_equal(s.pos[i], i + 1);

    /* A callback that returns non-zero stops the run. */
    seen s2 = { .stop_at = 5 };
    p.user = &s2;
    assert_int_equal(cw_device_generate(dev, prompt, 1, &p, out, 64, &n), CW_ERR_ABORTED);
    assert_int_equal(n, 5);
}

static void test_sampling_is_seeded(void **st)
{
    (void)st;
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = 80;
    p.temperature = 1.0f;
    p.seed = 42;
    int bos = CW_TOKEN_BOS, a[128], b[128], c[128], na, nb, nc;
    assert_int_equal(cw_device_generate(dev, &bos, 1, &p, a, 128, &na), CW_OK);
    assert_int_equal(cw_device_generate(dev, &bos, 1, &p, b, 128, &nb), CW_OK);
    p.seed = 43;
    assert_int_equal(cw_device_generate(dev, &bos, 1, &p, c, 128, &nc), CW_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, (size_t)na * sizeof(int));
    assert_true(na != nc || memcmp(a, c, (size_t)na * sizeof(int)) != 0);
}

static void test_bad_arguments(void **st)
{
    (void)st;
    cw_generate_params p;
    cw_generate_params_default(&p);
    int ids[600];
    for (int i = 0; i < 600; i++)
        ids[i] = 300;
    int n;
    assert_int_equal(cw_device_generate(dev, ids, 513, &p, NULL, 0, &n), CW_ERR_TOO_LONG);
    assert_int_equal(cw_device_generate(dev, ids, 0, &p, NULL, 0, &n), CW_ERR_INVALID_ARG);
    ids[3] = 512;
    assert_int_equal(cw_device_generate(dev, ids, 5, &p, NULL, 0, &n), CW_ERR_INVALID_ARG);
    cw_device *d = NULL;
    assert_int_equal(cw_device_open("warp-drive:", &d), CW_ERR_NO_DEVICE);
    assert_int_equal(cw_device_open("cpu", &d), CW_OK);
    assert_int_equal(cw_device_generate(d, ids, 1, &p, NULL, 0, &n), CW_ERR_NOT_LOADED);
    cw_device_close(d);
    assert_int_equal(cw_device_reset(dev), CW_OK); /* nothing to reset on the host */
    assert_int_equal(cw_device_reset(NULL), CW_ERR_INVALID_ARG);
    assert_string_equal(cw_strerror(CW_ERR_TOO_LONG), "longer than the context");
    assert_string_equal(cw_strerror(12345), "unknown error");
}

static void test_model_outlives_close(void **st)
{
    (void)st;
    /* The device keeps the model: closing the caller's handle is safe. */
    cw_model *m = NULL;
    cw_device *d = NULL;
    assert_int_equal(cw_model_open(tu_model_path("stories260K.bin"), &m), CW_OK);
    assert_int_equal(cw_device_open("cpu", &d), CW_OK);
    assert_int_equal(cw_device_load_model(d, m, NULL), CW_OK);
    cw_model_close(m);
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = 20;
    p.temperature = 0.0f;
    int bos = CW_TOKEN_BOS, out[32], n;
    assert_int_equal(cw_device_generate(d, &bos, 1, &p, out, 32, &n), CW_OK);
    assert_memory_equal(out, tu_reference_ids, 20 * sizeof(int));
    cw_device_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_200),
        cmocka_unit_test(test_prompt_forced_and_callback),
        cmocka_unit_test(test_sampling_is_seeded),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_model_outlives_close),
    };
    return cmocka_run_group_tests_name("forward_f32", tests, setup, teardown);
}
