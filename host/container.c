/*
 * container.c - the artifact's byte container: header, section table,
 * sections, checksums. docs/artifact.md gives the layout:
 *
 *   header (64 B): magic[8] version u32, header_bytes u32, target_hash u64,
 *                  n_sections u32, flags u32, file_bytes u64, reserved[20],
 *                  header_crc u32 (CRC-32C of bytes 0..59)
 *   table (32 B per section): type u32, reserved u32, offset u64,
 *                  length u64, crc u32 (of the section), reserved u32
 *   sections, each starting on a 16-byte boundary, zero padding between.
 *
 * The table's CRC is covered by the header CRC through table_crc stored in
 * the reserved header bytes 40..43.
 */
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "error.h"
#include "fileio.h"
#include "link_crc.h"

#define ALIGN16(x) (((x) + 15u) & ~(uint64_t)15u)

int cw_container_build(uint64_t target_hash, const cw_section *secs, int n,
                       unsigned char **out, uint64_t *out_len)
{
    if (n <= 0 || n > CW_ART_MAX_SECTIONS)
        return cw_fail(CW_ERR_INVALID_ARG, "artifact: %d sections", n);
    uint64_t off = ALIGN16(CW_ART_HEADER_BYTES + (uint64_t)n * CW_ART_ENTRY_BYTES);
    uint64_t offs[CW_ART_MAX_SECTIONS];
    for (int i = 0; i < n; i++) {
        offs[i] = off;
        off = ALIGN16(off + secs[i].length);
    }
    unsigned char *b = calloc(1, (size_t)off);
    if (!b)
        return cw_fail(CW_ERR_NO_MEMORY, "artifact: cannot allocate %llu bytes",
                       (unsigned long long)off);
    for (int i = 0; i < n; i++) {
        unsigned char *e = b + CW_ART_HEADER_BYTES + (size_t)i * CW_ART_ENTRY_BYTES;
        if (secs[i].length)
            memcpy(b + offs[i], secs[i].data, (size_t)secs[i].length);
        cw_write_le32(e, secs[i].type);
        cw_write_le64(e + 8, offs[i]);
        cw_write_le64(e + 16, secs[i].length);
        cw_write_le32(e + 24, cw_link_crc32c(b + offs[i], (size_t)secs[i].length));
    }
    memcpy(b, CW_ART_MAGIC, 8);
    cw_write_le32(b + 8, CW_ART_VERSION);
    cw_write_le32(b + 12, CW_ART_HEADER_BYTES);
    cw_write_le64(b + 16, target_hash);
    cw_write_le32(b + 24, (uint32_t)n);
    cw_write_le32(b + 28, 0);
    cw_write_le64(b + 32, off);
    cw_write_le32(b + 40, cw_link_crc32c(b + CW_ART_HEADER_BYTES, (size_t)n * CW_ART_ENTRY_BYTES));
    cw_write_le32(b + 60, cw_link_crc32c(b, 60));
    *out = b;
    *out_len = off;
    return CW_OK;
}

int cw_container_parse(unsigned char *b, uint64_t n, const char *origin, cw_container *out)
{
    int rc = CW_OK;
    memset(out, 0, sizeof *out);
    if (n < CW_ART_HEADER_BYTES) {
        rc = cw_fail(CW_ERR_TRUNCATED, "%s: %llu bytes is shorter than the artifact header",
                     origin, (unsigned long long)n);
        goto fail;
    }
    if (memcmp(b, CW_ART_MAGIC, 8) != 0) {
        rc = cw_fail(CW_ERR_FORMAT, "%s: not a clockwork artifact (bad magic)", origin);
        goto fail;
    }
    if (cw_read_le32(b + 60) != cw_link_crc32c(b, 60)) {
        rc = cw_fail(CW_ERR_FORMAT, "%s: header checksum mismatch", origin);
        goto fail;
    }
    uint32_t version = cw_read_le32(b + 8);
    if (version != CW_ART_VERSION) {
        rc = cw_fail(CW_ERR_UNSUPPORTED, "%s: artifact version %u; this build reads version %d",
                     origin, version, CW_ART_VERSION);
        goto fail;
    }
    uint32_t nsec = cw_read_le32(b + 24);
    uint64_t file_bytes = cw_read_le64(b + 32);
    if (cw_read_le32(b + 12) != CW_ART_HEADER_BYTES || nsec == 0 ||
        nsec > CW_ART_MAX_SECTIONS) {
        rc = cw_fail(CW_ERR_FORMAT, "%s: bad header (header size or %u sections)", origin, nsec);
        goto fail;
    }
    if (file_bytes != n) {
        rc = cw_fail(file_bytes > n ? CW_ERR_TRUNCATED : CW_ERR_FORMAT,
                     "%s: the header says %llu bytes, the file has %llu", origin,
                     (unsigned long long)file_bytes, (unsigned long long)n);
        goto fail;
    }
    uint64_t table_end = CW_ART_HEADER_BYTES + (uint64_t)nsec * CW_ART_ENTRY_BYTES;
    if (table_end > n ||
        cw_read_le32(b + 40) != cw_link_crc32c(b + CW_ART_HEADER_BYTES, (size_t)(table_end - 64))) {
        rc = cw_fail(CW_ERR_FORMAT, "%s: section table checksum mismatch", origin);
        goto fail;
    }
    uint64_t prev_end = table_end;
    for (uint32_t i = 0; i < nsec; i++) {
        const unsigned char *e = b + CW_ART_HEADER_BYTES + (size_t)i * CW_ART_ENTRY_BYTES;
        uint32_t type = cw_read_le32(e);
        uint64_t off = cw_read_le64(e + 8), len = cw_read_le64(e + 16);
        /* Sections are in file order, aligned, inside the file. */
        if (off % 16 != 0 || off < prev_end || off > n || len > n - off) {
            rc = cw_fail(CW_ERR_FORMAT, "%s: section %u (type %u) lies outside the file",
                         origin, i, type);
            goto fail;
        }
        for (uint32_t j = 0; j < i; j++)
            if (out->sec[j].type == type) {
                rc = cw_fail(CW_ERR_FORMAT, "%s: section type %u appears twice", origin, type);
                goto fail;
            }
        if (cw_read_le32(e + 24) != cw_link_crc32c(b + off, (size_t)len)) {
            rc = cw_fail(CW_ERR_FORMAT, "%s: section %u (type %u) checksum mismatch", origin,
                         i, type);
            goto fail;
        }
        out->sec[i] = (cw_section){ type, b + off, len };
        prev_end = off + len;
    }
    out->bytes = b;
    out->n_bytes = n;
    out->target_hash = cw_read_le64(b + 16);
    out->n_sections = (int)nsec;
    return CW_OK;
fail:
    free(b);
    memset(out, 0, sizeof *out);
    return rc;
}

const cw_section *cw_container_find(const cw_container *c, uint32_t type)
{
    for (int i = 0; i < c->n_sections; i++)
        if (c->sec[i].type == type)
            return &c->sec[i];
    return NULL;
}

void cw_container_free(cw_container *c)
{
    free(c->bytes);
    memset(c, 0, sizeof *c);
}
