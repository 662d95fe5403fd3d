/*
 * fuzz_model.c - the checkpoint loader on arbitrary bytes.
 *
 * The input is the checkpoint file. cw_model_open must reject it with a
 * cw_error or accept it; an accepted model must have the shape its header
 * states, run a few positions on the float32 `cpu` device (every tensor
 * pointer inside the buffer), and either compile for the `sim` target into
 * an artifact that validates or be refused with a cw_error.
 */
#include "fuzz_common.h"

#include "artifact.h"
#include "clockwork.h"

static void run_cpu(const cw_model *m, const cw_model_config *c)
{
    cw_device *dev = NULL;
    FUZZ_CHECK(cw_device_open("cpu", &dev) == CW_OK);
    if (cw_device_load_model(dev, m, NULL) == CW_OK) {
        cw_generate_params gp;
        cw_generate_params_default(&gp);
        gp.steps = c->seq_len < 3 ? c->seq_len : 3;
        gp.temperature = 0.0f;
        int prompt[2] = { CW_TOKEN_BOS, c->vocab_size - 1 }, out[3], n_out = 0;
        int rc = cw_device_generate(dev, prompt, c->seq_len > 1 ? 2 : 1, &gp, out, 3, &n_out);
        FUZZ_CHECK(rc <= 0);
        for (int i = 0; rc == CW_OK && i < n_out; i++)
            FUZZ_CHECK(out[i] >= 0 && out[i] < c->vocab_size);
    }
    cw_device_close(dev);
}

static void compile_sim(const cw_model *m)
{
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cw_artifact *a = NULL;
    int rc = cw_compile(m, &cp, &a);
    FUZZ_CHECK(rc <= 0);
    if (rc != CW_OK) {
        FUZZ_CHECK(a == NULL);
        return;
    }
    /* What the compiler writes, the loader must accept. */
    unsigned char *copy = malloc((size_t)a->c.n_bytes);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, a->c.bytes, (size_t)a->c.n_bytes);
    cw_container c;
    FUZZ_CHECK(cw_container_parse(copy, a->c.n_bytes, "compiled", &c) == CW_OK);
    cw_artifact *b = NULL;
    FUZZ_CHECK(cw_artifact_from_container(&c, "compiled", &b) == CW_OK);
    cw_artifact_close(b);
    cw_artifact_close(a);
}

int cw_fuzz_model(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file(data, size);
    cw_model *m = NULL;
    int rc = cw_model_open(path, &m);
    FUZZ_CHECK(rc <= 0);
    if (rc != CW_OK) {
        FUZZ_CHECK(m == NULL);
        FUZZ_CHECK(cw_last_error()[0] != '\0');
        return 0;
    }
    cw_model_config c;
    FUZZ_CHECK(cw_model_get_config(m, &c) == CW_OK);
    FUZZ_CHECK(c.vocab_size > 0 && c.dim > 0 && c.n_layers > 0 && c.seq_len > 0);
    run_cpu(m, &c);
    compile_sim(m);
    cw_model_close(m);
    return 0;
}

#ifndef CW_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cw_fuzz_model(data, size);
}
#endif
