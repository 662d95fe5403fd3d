/*
 * artifact.h - the compiled artifact: a versioned container of checksummed
 * sections (docs/artifact.md). The same bytes are written to disk, held in
 * memory and loaded onto a device; parsing validates everything first.
 */
#ifndef CW_ARTIFACT_H
#define CW_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#include "clockwork.h"

#define CW_ART_MAGIC "CLKWORK\x1a"
#define CW_ART_VERSION 1
#define CW_ART_HEADER_BYTES 64
#define CW_ART_ENTRY_BYTES 32
#define CW_ART_MAX_SECTIONS 16

enum cw_section_type {
    CW_SEC_META = 1,   /* model shape, weight bits, target, counts */
    CW_SEC_PROG = 2,   /* instructions, 16 bytes each */
    CW_SEC_WGT = 3,    /* weight memory image, line by line */
    CW_SEC_SCL = 4,    /* row-scale memory image, 4 bytes per entry */
    CW_SEC_CST = 5,    /* constant memory image, 4 bytes per word */
    CW_SEC_CYCLES = 6, /* predicted cycles per position, u64 each */
    CW_SEC_PLAN = 7,   /* memory plan: region uses, 16 bytes each */
};

typedef struct cw_section {
    uint32_t type;
    const unsigned char *data;
    uint64_t length;
} cw_section;

/* Raw container: header fields and section views into `bytes`. */
typedef struct cw_container {
    unsigned char *bytes; /* owned */
    uint64_t n_bytes;
    uint64_t target_hash;
    int n_sections;
    cw_section sec[CW_ART_MAX_SECTIONS];
} cw_container;

/* Serializes sections into one buffer (header, table, 16-byte aligned
 * sections, each with its CRC-32C). */
int cw_container_build(uint64_t target_hash, const cw_section *secs, int n,
                       unsigned char **out, uint64_t *out_len);

/* Validates magic, version, header CRC, the section table (bounds, overlap,
 * duplicates) and every section CRC; takes ownership of bytes on success
 * and on failure frees them. `origin` names the source in errors. */
int cw_container_parse(unsigned char *bytes, uint64_t n, const char *origin,
                       cw_container *out);

/* The section of a type, or NULL. */
const cw_section *cw_container_find(const cw_container *c, uint32_t type);

void cw_container_free(cw_container *c);

/* ------------------------------------------------------------ the artifact */

#include "isa.h"

#define CW_META_VERSION 1
#define CW_META_BYTES 192

/* Where the compiler put the model's vectors (ACT word addresses), the
 * exponent registers it uses, and the KV cache geometry. Everything the
 * program needs is in its instructions; this is for reports and devices. */
struct cw_artifact {
    cw_container c;
    cw_artifact_info info;
    cw_instr *prog;           /* decoded, info.n_instructions */
    const unsigned char *wgt; /* weight image, wgt_lines * line_bytes */
    uint64_t wgt_lines;
    int line_bytes;           /* lanes * k * wbits / 8 */
    const unsigned char *scl; /* u32 per entry: mult[15:0] shift[23:16] */
    uint64_t scl_entries;
    const unsigned char *cst; /* u32 words */
    uint64_t cst_words;
    uint64_t *cycles;         /* predicted cycles per position, info.context */
    int kv_dim, n_kv_heads;   /* KV cache geometry: layer stride target.max_ctx */
};

/* Wraps a validated container into an artifact (takes the container). */
int cw_artifact_from_container(cw_container *c, const char *origin, cw_artifact **out);

/* META section codec. */
void cw_meta_encode(const cw_artifact_info *info, int kv_dim, int n_kv_heads,
                    unsigned char out[CW_META_BYTES]);

#endif
