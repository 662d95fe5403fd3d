/*
 * link_crc.h - CRC-32C (Castagnoli) for the link protocol.
 *
 * Polynomial 0x1EDC6F41 (reflected 0x82F63B78), input and output reflected,
 * initial value and final xor 0xFFFFFFFF. Check value: the nine ASCII bytes
 * "123456789" give 0xE3069283. See docs/protocol.md for more vectors.
 */
#ifndef CW_LINK_CRC_H
#define CW_LINK_CRC_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of n bytes, in one call. */
uint32_t cw_link_crc32c(const void *data, size_t n);

/* Incremental form: state = cw_link_crc32c_init(); state =
 * cw_link_crc32c_update(state, ...) any number of times; then
 * cw_link_crc32c_final(state). Equal to the one-call form over the
 * concatenation. */
uint32_t cw_link_crc32c_init(void);
uint32_t cw_link_crc32c_update(uint32_t state, const void *data, size_t n);
uint32_t cw_link_crc32c_final(uint32_t state);

/* The 256-entry byte table (for tests and for generating the RTL's ROM). */
const uint32_t *cw_link_crc32c_table(void);

#endif
