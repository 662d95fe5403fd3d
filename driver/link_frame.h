/*
 * link_frame.h - framing of the link protocol (docs/protocol.md, "Framing").
 *
 *   offset  size  field
 *   0       1     sync0 = 0xA5
 *   1       1     sync1 = 0xC3
 *   2       1     type
 *   3       1     flags (0; receivers ignore it)
 *   4       2     seq, little-endian
 *   6       2     len: payload bytes, 0..CW_LINK_MAX_PAYLOAD
 *   8       2     hcheck: low 16 bits of CRC-32C over bytes 2..7
 *   10      len   payload
 *   10+len  4     crc: CRC-32C over bytes 2..10+len-1, little-endian
 *
 * The encoder writes a frame into a caller's buffer. The decoder is a fixed
 * size struct (no allocation) fed with bytes; it hands back complete frames
 * whose header check and CRC both hold and whose length is in bounds, skips
 * anything else and counts what it skipped.
 */
#ifndef CW_LINK_FRAME_H
#define CW_LINK_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define CW_LINK_SYNC0 0xA5u
#define CW_LINK_SYNC1 0xC3u
#define CW_LINK_HEADER 10u        /* sync .. hcheck */
#define CW_LINK_TRAILER 4u        /* crc */
#define CW_LINK_OVERHEAD (CW_LINK_HEADER + CW_LINK_TRAILER)
#define CW_LINK_MAX_PAYLOAD 1024u
#define CW_LINK_MAX_FRAME (CW_LINK_OVERHEAD + CW_LINK_MAX_PAYLOAD) /* 1038 */

/* A decoded frame. The payload is copied in, so the frame outlives the
 * decoder's buffer. */
typedef struct cw_link_frame {
    uint8_t type;
    uint8_t flags;
    uint16_t seq;
    uint16_t len;
    uint32_t crc; /* the frame's CRC (the device keys duplicates on it) */
    uint8_t payload[CW_LINK_MAX_PAYLOAD];
} cw_link_frame;

/* Writes one frame into buf (cap bytes). Returns the frame's length, or 0
 * when len > CW_LINK_MAX_PAYLOAD or cap is too small. */
size_t cw_link_encode(uint8_t *buf, size_t cap, uint8_t type, uint16_t seq,
                      const void *payload, size_t len);

/* What to do with the bytes of a candidate frame that fails a check.
 * RESCAN (the host): hunt again from the byte after its first sync byte, so
 * a good frame hidden behind a damaged one is still found. DROP (what the
 * hardware parser does, and the device model): discard the candidate's
 * bytes and hunt in the bytes that follow. */
enum { CW_LINK_DEC_RESCAN = 0, CW_LINK_DEC_DROP = 1 };

typedef struct cw_link_dec_stats {
    uint64_t frames;      /* good frames handed back */
    uint64_t skipped;     /* bytes discarded while hunting for sync */
    uint64_t resyncs;     /* runs of skipped bytes (each a loss of sync) */
    uint64_t bad_header;  /* header check failed */
    uint64_t oversize;    /* header check held but len > CW_LINK_MAX_PAYLOAD */
    uint64_t bad_crc;     /* frame CRC failed */
    uint64_t abandoned;   /* partial frames dropped by cw_link_dec_idle() */
} cw_link_dec_stats;

typedef struct cw_link_decoder {
    int mode;
    int hunting;      /* the last byte examined was skipped */
    size_t head, n;   /* candidate bytes: buf[head .. head+n) */
    uint8_t buf[CW_LINK_MAX_FRAME];
    cw_link_dec_stats st;
} cw_link_decoder;

void cw_link_dec_init(cw_link_decoder *d, int mode);

/* Consumes bytes of data[0..n) until a frame completes: returns 1 with the
 * frame in *out, or 0 once all n bytes are consumed without one. *used
 * receives the bytes consumed either way. Call again with data + *used
 * until it returns 0 (in RESCAN mode a frame can complete from buffered
 * bytes alone, so a call with n = 0 can also return 1). Never reads outside
 * data[0..n) and never writes outside *d and *out. */
int cw_link_dec_feed(cw_link_decoder *d, const uint8_t *data, size_t n,
                     size_t *used, cw_link_frame *out);

/* The line went quiet: a partial frame will not be completed, drop it. */
void cw_link_dec_idle(cw_link_decoder *d);

/* Bytes held as a partial frame. */
size_t cw_link_dec_pending(const cw_link_decoder *d);

/* Frames rejected after sync was found: bad_header + oversize + bad_crc. */
uint64_t cw_link_dec_errors(const cw_link_dec_stats *st);

#endif
