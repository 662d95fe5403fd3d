/*
 * testutil.h - what the cmocka tests share: where the models are, scratch
 * files, and the reference ids of ../shared/models/README.md.
 */
#ifndef CW_TESTUTIL_H
#define CW_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* $CW_MODELS, else ../shared/models (the tests run from the repo root). */
const char *tu_models_dir(void);

/* tu_models_dir()/name in a static buffer (one of four, rotating). */
const char *tu_model_path(const char *name);

/* A fresh path in a per-process scratch folder under $TMPDIR. */
const char *tu_scratch_path(const char *name);

/* Writes n bytes to path; fails the test on error. */
void tu_write_file(const char *path, const void *data, size_t n);

/* Reads a whole file into a malloc'd buffer; fails the test on error. */
unsigned char *tu_read_file(const char *path, size_t *n);

/* xorshift64 (13, 7, 17): the next of the tests' random numbers from *state
 * (never 0). */
uint64_t tu_xorshift64(uint64_t *state);

/* llama2.c's float32 greedy ids for stories260K, BOS prompt, 200 positions. */
extern const int tu_reference_ids[200];

#endif
