/*
 * story.c - the smallest complete use of libclockwork: open a model and its
 * tokenizer, open a device, generate, print the text as it comes.
 *
 *   cc story.c $(pkg-config --cflags --libs clockwork) -o story
 *   ./story stories260K.bin tok512.bin "Once upon a time" [DEVICE]
 */
#include <stdio.h>

#include <clockwork.h>

typedef struct printer {
    const cw_tokenizer *tok;
    int prev;
} printer;

static int on_token(void *user, const cw_token_event *ev)
{
    printer *p = user;
    size_t len;
    const char *piece = cw_tokenizer_decode(p->tok, p->prev, ev->token, &len);
    if (piece)
        fwrite(piece, 1, len, stdout);
    fflush(stdout);
    p->prev = ev->token;
    return 0; /* non-zero would stop the run */
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "story: %s: %s (%s)\n", what, cw_strerror(rc), cw_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: story MODEL TOKENIZER PROMPT [DEVICE]\n");
        return 2;
    }
    cw_model *model = NULL;
    cw_tokenizer *tok = NULL;
    cw_device *dev = NULL;
    int rc, ids[256], n = 0, status = 1;
    if ((rc = cw_model_open(argv[1], &model)) != CW_OK) {
        fail(argv[1], rc);
        goto out;
    }
    cw_model_config cfg;
    cw_model_get_config(model, &cfg);
    if ((rc = cw_tokenizer_open(argv[2], cfg.vocab_size, &tok)) != CW_OK) {
        fail(argv[2], rc);
        goto out;
    }
    if ((rc = cw_tokenizer_encode(tok, argv[3], 1, 0, ids, 256, &n)) != CW_OK) {
        fail("prompt", rc);
        goto out;
    }
    if ((rc = cw_device_open(argc > 4 ? argv[4] : "cpu", &dev)) != CW_OK ||
        (rc = cw_device_load_model(dev, model, NULL)) != CW_OK) {
        fail("device", rc);
        goto out;
    }
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.temperature = 0.0f;
    p.steps = 100;
    printer pr = { tok, ids[0] };
    p.on_token = on_token;
    p.user = &pr;
    if ((rc = cw_device_generate(dev, ids, n, &p, NULL, 0, NULL)) != CW_OK) {
        fail("generate", rc);
        goto out;
    }
    printf("\n");
    status = 0;
out:
    cw_device_close(dev);
    cw_tokenizer_close(tok);
    cw_model_close(model);
    return status;
}
