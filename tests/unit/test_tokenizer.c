/*
 * test_tokenizer.c - llama2.c's tokenizer: the known encodings, round trips,
 * byte fallback, and bad files.
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

static cw_tokenizer *open_tok(const char *name, int vocab)
{
    cw_tokenizer *t = NULL;
    int rc = cw_tokenizer_open(tu_model_path(name), vocab, &t);
    if (rc != CW_OK)
        fail_msg("%s: %s", name, cw_last_error());
    return t;
}

static void expect_ids(cw_tokenizer *t, const char *text, const int *want, int n_want)
{
    int ids[256], n = -1;
    assert_int_equal(cw_tokenizer_encode(t, text, 1, 0, ids, 256, &n), CW_OK);
    assert_int_equal(n, n_want);
    assert_memory_equal(ids, want, (size_t)n * sizeof(int));
}

static void test_known_encodings(void **st)
{
    (void)st;
    cw_tokenizer *t = open_tok("tokenizer.bin", 0);
    assert_int_equal(cw_tokenizer_vocab_size(t), 32000);
    static const int e0[] = { 1 };
    static const int e1[] = { 1, 306, 4658, 278, 6593, 310, 2834, 338 };
    static const int e2[] = { 1, 3439, 17632, 1925, 29892, 278, 6368, 310, 14215, 537, 5922,
                              393, 29871 };
    expect_ids(t, "", e0, 1);
    expect_ids(t, "I believe the meaning of life is", e1, 8);
    expect_ids(t, "Simply put, the theory of relativity states that ", e2, 13);
    cw_tokenizer_close(t);
}

/* Decoding the ids of a text gives back " " + text (the dummy prefix),
 * with the leading space dropped after BOS: the text itself. */
static void roundtrip(cw_tokenizer *t, const char *text)
{
    int ids[1024], n = 0;
    assert_int_equal(cw_tokenizer_encode(t, text, 1, 0, ids, 1024, &n), CW_OK);
    char out[4096];
    size_t o = 0;
    for (int i = 1; i < n; i++) {
        size_t len;
        const char *p = cw_tokenizer_decode(t, ids[i - 1], ids[i], &len);
        assert_non_null(p);
        memcpy(out + o, p, len);
        o += len;
    }
    out[o] = '\0';
    assert_string_equal(out, text);
}

static void test_roundtrip(void **st)
{
    (void)st;
    const char *texts[] = {
        "Once upon a time, there was a little girl named Lily.",
        "héllo wörld: ünïcode, 日本語, emoji 🙂 and tabs\tand\nnewlines",
        "   leading spaces and trailing   ",
        "x",
        "<0x41> is not a byte piece when typed",
    };
    const char *toks[] = { "tok512.bin", "tokenizer.bin" };
    for (int k = 0; k < 2; k++) {
        cw_tokenizer *t = open_tok(toks[k], 0);
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
            roundtrip(t, texts[i]);
        cw_tokenizer_close(t);
    }
}

static void test_byte_fallback(void **st)
{
    (void)st;
    /* tok512 has no piece for these code points: each byte becomes a
     * <0xNN> token (id byte + 3) that decodes to the raw byte. */
    cw_tokenizer *t = open_tok("tok512.bin", 512);
    int ids[16], n = 0;
    assert_int_equal(cw_tokenizer_encode(t, "\xe6\x97\xa5", 0, 0, ids, 16, &n), CW_OK);
    /* dummy space, then three byte tokens (they cannot merge in tok512) */
    assert_int_equal(n, 4);
    assert_int_equal(ids[1], 0xe6 + 3);
    assert_int_equal(ids[2], 0x97 + 3);
    assert_int_equal(ids[3], 0xa5 + 3);
    size_t len;
    const char *p = cw_tokenizer_decode(t, 0, ids[1], &len);
    assert_int_equal(len, 1);
    assert_int_equal((unsigned char)p[0], 0xe6);
    /* EOS appended on request; too small a buffer is an error. */
    assert_int_equal(cw_tokenizer_encode(t, "hi", 1, 1, ids, 16, &n), CW_OK);
    assert_int_equal(ids[n - 1], CW_TOKEN_EOS);
    assert_int_equal(cw_tokenizer_encode(t, "hello there", 1, 0, ids, 2, &n), CW_ERR_TOO_LONG);
    assert_null(cw_tokenizer_decode(t, 1, 512, &len));
    assert_null(cw_tokenizer_decode(t, 1, -1, &len));
    cw_tokenizer_close(t);
}

static int open_bytes(const void *data, size_t n, int vocab)
{
    const char *p = tu_scratch_path("tok.bin");
    tu_write_file(p, data, n);
    cw_tokenizer *t = NULL;
    int rc = cw_tokenizer_open(p, vocab, &t);
    cw_tokenizer_close(t);
    return rc;
}

static void test_bad_files(void **st)
{
    (void)st;
    size_t n;
    unsigned char *b = tu_read_file(tu_model_path("tok512.bin"), &n);
    assert_int_equal(open_bytes(b, n, 512), CW_OK);
    assert_int_equal(open_bytes(b, n, 0), CW_OK);
    assert_int_equal(open_bytes(b, 0, 0), CW_ERR_TRUNCATED);
    assert_int_equal(open_bytes(b, 3, 0), CW_ERR_TRUNCATED);
    assert_int_equal(open_bytes(b, n - 1, 0), CW_ERR_TRUNCATED);
    assert_int_equal(open_bytes(b, n, 513), CW_ERR_TRUNCATED); /* fewer tokens than asked */
    assert_int_equal(open_bytes(b, n, 100), CW_ERR_FORMAT);    /* trailing bytes */
    unsigned char *c = malloc(n);
    memcpy(c, b, n);
    int32_t bad = -5;
    memcpy(c + 4 + 4, &bad, 4); /* first token's length */
    assert_int_equal(open_bytes(c, n, 0), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "token 0"));
    bad = 0;
    memcpy(c, &bad, 4); /* max_token_length */
    assert_int_equal(open_bytes(c, n, 0), CW_ERR_FORMAT);
    free(c);
    free(b);
    cw_tokenizer *t = NULL;
    assert_int_equal(cw_tokenizer_open("/nonexistent/tok.bin", 0, &t), CW_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_encodings),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_byte_fallback),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests_name("tokenizer", tests, NULL, NULL);
}
