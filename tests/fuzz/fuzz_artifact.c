/*
 * fuzz_artifact.c - the artifact loader: container parser, META decoding,
 * section and instruction validation, then the accessors and the `ref`
 * device running what was accepted.
 *
 * The input is the artifact file. It is tried twice: as it is (through
 * cw_artifact_open, the public path), and with its checksums and file
 * length recomputed (through cw_container_parse and
 * cw_artifact_from_container, the same code from memory), so that
 * mutations reach the checks behind the CRCs. An artifact that passes
 * validation must be safe to run: the ref device (target sim) loads it and
 * runs two positions, and the run ends with a cw_error or tokens in range.
 */
#include "fuzz_common.h"

#include "artifact.h"
#include "clockwork.h"
#include "link_crc.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes what a mutation breaks first: file length, section CRCs,
 * table CRC, header CRC. */
static void fix_checksums(uint8_t *b, size_t n)
{
    if (n < CW_ART_HEADER_BYTES)
        return;
    for (int i = 0; i < 8; i++)
        b[32 + i] = (uint8_t)((uint64_t)n >> (8 * i));
    uint32_t nsec = le32(b + 24);
    if (nsec >= 1 && nsec <= CW_ART_MAX_SECTIONS &&
        CW_ART_HEADER_BYTES + (uint64_t)nsec * CW_ART_ENTRY_BYTES <= n) {
        for (uint32_t i = 0; i < nsec; i++) {
            uint8_t *e = b + CW_ART_HEADER_BYTES + (size_t)i * CW_ART_ENTRY_BYTES;
            uint64_t off = le64(e + 8), len = le64(e + 16);
            if (off <= n && len <= n - off)
                put32(e + 24, cw_link_crc32c(b + off, (size_t)len));
        }
        put32(b + 40, cw_link_crc32c(b + CW_ART_HEADER_BYTES, (size_t)nsec * CW_ART_ENTRY_BYTES));
    }
    put32(b + 60, cw_link_crc32c(b, 60));
}

/* One ref device for the whole process: its memories are large. */
static cw_device *ref_dev;

static void exercise(const cw_artifact *a)
{
    cw_artifact_info info;
    FUZZ_CHECK(cw_artifact_get_info(a, &info) == CW_OK);
    FUZZ_CHECK(info.context >= 1 && info.n_instructions >= 1);
    for (int p = 0; p < info.context; p++) {
        uint64_t cyc;
        FUZZ_CHECK(cw_artifact_cycles(a, p, &cyc) == CW_OK);
    }
    uint64_t cyc;
    FUZZ_CHECK(cw_artifact_cycles(a, info.context, &cyc) == CW_ERR_INVALID_ARG);
    cw_sched_entry sched[8];
    int n = 0;
    FUZZ_CHECK(cw_artifact_schedule(a, info.context - 1, sched, 8, &n) == CW_OK);
    FUZZ_CHECK(n == info.n_instructions);
    for (int i = 0; i < n && i < 8; i++)
        FUZZ_CHECK(sched[i].op != NULL && sched[i].unit != NULL);

    if (!ref_dev)
        FUZZ_CHECK(cw_device_open("ref", &ref_dev) == CW_OK);
    int rc = cw_device_load_artifact(ref_dev, a, NULL);
    FUZZ_CHECK(rc <= 0);
    if (rc != CW_OK)
        return;
    cw_generate_params gp;
    cw_generate_params_default(&gp);
    gp.steps = info.context < 2 ? info.context : 2;
    gp.temperature = 0.0f;
    int prompt[1] = { CW_TOKEN_BOS }, out[2], n_out = 0;
    rc = cw_device_generate(ref_dev, prompt, 1, &gp, out, 2, &n_out);
    FUZZ_CHECK(rc <= 0);
    FUZZ_CHECK(n_out >= 0 && n_out <= 2);
    for (int i = 0; rc == CW_OK && i < n_out; i++)
        FUZZ_CHECK(out[i] >= 0 && out[i] < info.model.vocab_size);
}

int cw_fuzz_artifact(const uint8_t *data, size_t size)
{
    /* As it is, from a file. */
    const char *path = fuzz_scratch_file(data, size);
    cw_artifact *a = NULL;
    int rc = cw_artifact_open(path, &a);
    FUZZ_CHECK(rc <= 0);
    FUZZ_CHECK((rc == CW_OK) == (a != NULL));
    if (a) {
        exercise(a);
        cw_artifact_close(a);
    }

    /* Checksums fixed, from memory. */
    unsigned char *b = malloc(size ? size : 1);
    FUZZ_CHECK(b != NULL);
    memcpy(b, data, size);
    fix_checksums(b, size);
    cw_container c;
    rc = cw_container_parse(b, size, "fuzz", &c); /* takes b */
    FUZZ_CHECK(rc <= 0);
    if (rc != CW_OK)
        return 0;
    a = NULL;
    rc = cw_artifact_from_container(&c, "fuzz", &a); /* takes c */
    FUZZ_CHECK(rc <= 0);
    if (rc == CW_OK) {
        exercise(a);
        cw_artifact_close(a);
    }
    return 0;
}

#ifndef CW_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cw_fuzz_artifact(data, size);
}
#endif
