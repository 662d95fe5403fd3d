/*
 * fuzz_tokenizer.c - the tokenizer loader, encoder and decoder.
 *
 * Input: flags u8, file length u16 (LE), the tokenizer file, then the text
 * to encode (up to its first NUL). The file is opened reading to its end
 * (vocab_size 0); when that succeeds with V tokens, opening it with
 * vocab_size V must succeed too, and V + 1 must fail. The text is encoded
 * (BOS/EOS from the flags) into the documented strlen + 3 ids; every id
 * must be in range and decode, as must every id of the vocabulary after
 * BOS and after another token.
 */
#include "fuzz_common.h"

#include "clockwork.h"

static void decode_all(const cw_tokenizer *t, int v)
{
    size_t len;
    for (int id = 0; id < v; id++) {
        const char *p = cw_tokenizer_decode(t, CW_TOKEN_BOS, id, &len);
        FUZZ_CHECK(p != NULL);
        volatile char sink = len ? p[len - 1] : 0; /* ASan checks the whole piece */
        (void)sink;
        p = cw_tokenizer_decode(t, id, id, &len);
        FUZZ_CHECK(p != NULL && len >= 1);
        sink = p[len - 1];
    }
    FUZZ_CHECK(cw_tokenizer_decode(t, 0, v, &len) == NULL);
    FUZZ_CHECK(cw_tokenizer_decode(t, 0, -1, &len) == NULL);
}

int cw_fuzz_tokenizer(const uint8_t *data, size_t size)
{
    fuzz_in in = { data, size, 0 };
    uint8_t flags = fuzz_u8(&in);
    size_t flen = fuzz_u16(&in);
    if (flen > in.n - in.at)
        flen = in.n - in.at;
    const uint8_t *file = in.p + in.at;
    in.at += flen;
    size_t tlen = in.n - in.at;
    char *text = malloc(tlen + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, in.p + in.at, tlen);
    text[tlen] = '\0';

    const char *path = fuzz_scratch_file(file, flen);
    cw_tokenizer *t = NULL;
    int rc = cw_tokenizer_open(path, 0, &t);
    FUZZ_CHECK(rc <= 0);
    if (rc != CW_OK) {
        FUZZ_CHECK(t == NULL && cw_last_error()[0] != '\0');
        free(text);
        return 0;
    }
    int v = cw_tokenizer_vocab_size(t);
    FUZZ_CHECK(v >= 3);
    if (flags & 1) {
        cw_tokenizer *t2 = NULL;
        FUZZ_CHECK(cw_tokenizer_open(path, v, &t2) == CW_OK);
        FUZZ_CHECK(cw_tokenizer_vocab_size(t2) == v);
        cw_tokenizer_close(t2);
        t2 = NULL;
        FUZZ_CHECK(cw_tokenizer_open(path, v + 1, &t2) == CW_ERR_TRUNCATED && t2 == NULL);
    }

    size_t max = strlen(text) + 3;
    int *ids = malloc(max * sizeof *ids);
    FUZZ_CHECK(ids != NULL);
    int n = -1, bos = flags & 2, eos = flags & 4;
    rc = cw_tokenizer_encode(t, text, bos, eos, ids, (int)max, &n);
    /* strlen + 3 ids always suffice; a missing byte-fallback token is the
     * only other refusal. */
    FUZZ_CHECK(rc == CW_OK || rc == CW_ERR_FORMAT);
    if (rc == CW_OK) {
        FUZZ_CHECK(n >= 0 && (size_t)n <= max);
        int prev = CW_TOKEN_BOS;
        for (int i = 0; i < n; i++) {
            FUZZ_CHECK(ids[i] >= 0 && ids[i] < v);
            size_t len;
            FUZZ_CHECK(cw_tokenizer_decode(t, prev, ids[i], &len) != NULL);
            prev = ids[i];
        }
        if (n > 0) { /* one id fewer than needed is refused */
            int m = -1;
            FUZZ_CHECK(cw_tokenizer_encode(t, text, bos, eos, ids, n - 1, &m) ==
                       CW_ERR_TOO_LONG);
        }
    }
    if (flags & 8)
        decode_all(t, v);
    free(ids);
    free(text);
    cw_tokenizer_close(t);
    return 0;
}

#ifndef CW_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cw_fuzz_tokenizer(data, size);
}
#endif
