/*
 * test_fuzz_regress.c - replays the fuzz targets' seed corpora
 * (tests/fuzz/corpus/TARGET) and the inputs that once crashed them
 * (tests/fuzz/regressions/TARGET) through the same entry functions the
 * fuzzers run (tests/fuzz/fuzz_*.c), built here with the project's compiler
 * and flags, so `make test` (and `make test SANITIZE=1`) checks them without
 * clang's fuzzer runtime. A broken invariant aborts the test.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#define CW_FUZZ_NO_MAIN
#include "../fuzz/fuzz_artifact.c"
#include "../fuzz/fuzz_frame.c"
#include "../fuzz/fuzz_model.c"
#include "../fuzz/fuzz_session.c"
#include "../fuzz/fuzz_tokenizer.c"

typedef int (*entry_fn)(const uint8_t *, size_t);

/* Runs every file of dir through fn; the count of files. */
static int replay_dir(const char *dir, entry_fn fn)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    char path[2048];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        unsigned char *b = tu_read_file(path, &len);
        assert_int_equal(fn(b, len), 0);
        free(b);
        n++;
    }
    closedir(d);
    return n;
}

static void replay(const char *target, entry_fn fn)
{
    char dir[512];
    snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", target);
    int seeds = replay_dir(dir, fn);
    assert_true(seeds > 0); /* the seed corpus is committed */
    snprintf(dir, sizeof dir, "tests/fuzz/regressions/%s", target);
    replay_dir(dir, fn);
}

static void test_model(void **st)
{
    (void)st;
    replay("model", cw_fuzz_model);
}

static void test_tokenizer(void **st)
{
    (void)st;
    replay("tokenizer", cw_fuzz_tokenizer);
}

static void test_artifact(void **st)
{
    (void)st;
    replay("artifact", cw_fuzz_artifact);
    cw_device_close(ref_dev);
    ref_dev = NULL;
}

static void test_frame(void **st)
{
    (void)st;
    replay("frame", cw_fuzz_frame);
}

static void test_session(void **st)
{
    (void)st;
    replay("session", cw_fuzz_session);
}

/* Edge inputs every target must take: nothing, one byte, all ones. */
static void test_edges(void **st)
{
    (void)st;
    static uint8_t ones[4096];
    memset(ones, 0xFF, sizeof ones);
    const entry_fn fns[] = { cw_fuzz_model, cw_fuzz_tokenizer, cw_fuzz_artifact,
                             cw_fuzz_frame, cw_fuzz_session };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        assert_int_equal(fns[i](ones, 0), 0);
        assert_int_equal(fns[i](ones, 1), 0);
        assert_int_equal(fns[i](ones, sizeof ones), 0);
    }
    cw_device_close(ref_dev);
    ref_dev = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model),   cmocka_unit_test(test_tokenizer),
        cmocka_unit_test(test_artifact), cmocka_unit_test(test_frame),
        cmocka_unit_test(test_session), cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
