/*
 * fuzz_common.h - what the fuzz targets share (tests/fuzz/fuzz_*.c).
 *
 * Each target defines cw_fuzz_TARGET(data, size), the whole test of one
 * input. Built with clang -fsanitize=fuzzer (mk/fuzz.mk) a target also
 * defines LLVMFuzzerTestOneInput; tests/unit/test_fuzz_regress.c includes
 * the targets with CW_FUZZ_NO_MAIN and replays the committed corpora and
 * regression inputs through the same functions, built with the project's
 * compiler (and its sanitizers under SANITIZE=1).
 *
 * FUZZ_CHECK states an invariant: a broken one aborts, which both the
 * fuzzer and the replaying test report as a failure.
 */
#ifndef CW_FUZZ_COMMON_H
#define CW_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cw_fuzz_model(const uint8_t *data, size_t size);
int cw_fuzz_tokenizer(const uint8_t *data, size_t size);
int cw_fuzz_artifact(const uint8_t *data, size_t size);
int cw_fuzz_frame(const uint8_t *data, size_t size);
int cw_fuzz_session(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

/* Writes data to this process's scratch file (one per process, under
 * $TMPDIR, removed at exit) and returns its path; the loaders under test
 * read files. */
static char fuzz_path[1024];

static inline void fuzz_remove_scratch(void)
{
    if (fuzz_path[0])
        unlink(fuzz_path);
}

static inline const char *fuzz_scratch_file(const uint8_t *data, size_t size)
{
    if (!fuzz_path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_path, sizeof fuzz_path, "%s/cw-fuzz-%ld.bin",
                 tmp && tmp[0] ? tmp : "/tmp", (long)getpid());
        atexit(fuzz_remove_scratch);
    }
    FILE *f = fopen(fuzz_path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
    return fuzz_path;
}

/* A little reader over the input, for targets that take it as a script:
 * past the end it yields zeros. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t n, at;
} fuzz_in;

static inline int fuzz_left(const fuzz_in *in)
{
    return in->at < in->n;
}

static inline uint8_t fuzz_u8(fuzz_in *in)
{
    return in->at < in->n ? in->p[in->at++] : 0;
}

static inline uint16_t fuzz_u16(fuzz_in *in)
{
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | (fuzz_u8(in) << 8));
}

/* Copies up to n bytes into dst (zero-filled past the end). */
static inline void fuzz_bytes(fuzz_in *in, uint8_t *dst, size_t n)
{
    size_t k = in->n - in->at < n ? in->n - in->at : n;
    memcpy(dst, in->p + in->at, k);
    memset(dst + k, 0, n - k);
    in->at += k;
}

#endif
