/*
 * link_frame.c - frame encoder and streaming decoder.
 *
 * The decoder keeps the bytes of the current candidate frame in a fixed
 * buffer of CW_LINK_MAX_FRAME bytes and re-examines it after every byte:
 * sync0, sync1, then (with 10 bytes) the header check and the length bound,
 * then (with the whole frame) the CRC. A failure drops one byte (RESCAN) or
 * the whole candidate (DROP) and hunting resumes. The candidate can never
 * exceed the buffer: once the header is valid the frame's end is known and
 * is at most CW_LINK_MAX_FRAME bytes from its start.
 */
#include <string.h>

#include "link_crc.h"
#include "link_frame.h"

static uint16_t header_check(const uint8_t *hdr_fields)
{
    return (uint16_t)(cw_link_crc32c(hdr_fields, 6) & 0xFFFFu);
}

size_t cw_link_encode(uint8_t *buf, size_t cap, uint8_t type, uint16_t seq,
                      const void *payload, size_t len)
{
    if (!buf || len > CW_LINK_MAX_PAYLOAD || (len && !payload))
        return 0;
    size_t total = CW_LINK_OVERHEAD + len;
    if (cap < total)
        return 0;
    buf[0] = CW_LINK_SYNC0;
    buf[1] = CW_LINK_SYNC1;
    buf[2] = type;
    buf[3] = 0;
    buf[4] = (uint8_t)(seq & 0xFFu);
    buf[5] = (uint8_t)(seq >> 8);
    buf[6] = (uint8_t)(len & 0xFFu);
    buf[7] = (uint8_t)(len >> 8);
    uint16_t hc = header_check(buf + 2);
    buf[8] = (uint8_t)(hc & 0xFFu);
    buf[9] = (uint8_t)(hc >> 8);
    if (len)
        memcpy(buf + CW_LINK_HEADER, payload, len);
    uint32_t crc = cw_link_crc32c(buf + 2, CW_LINK_HEADER - 2 + len);
    uint8_t *t = buf + CW_LINK_HEADER + len;
    t[0] = (uint8_t)(crc & 0xFFu);
    t[1] = (uint8_t)((crc >> 8) & 0xFFu);
    t[2] = (uint8_t)((crc >> 16) & 0xFFu);
    t[3] = (uint8_t)(crc >> 24);
    return total;
}

void cw_link_dec_init(cw_link_decoder *d, int mode)
{
    memset(d, 0, sizeof *d);
    d->mode = mode == CW_LINK_DEC_DROP ? CW_LINK_DEC_DROP : CW_LINK_DEC_RESCAN;
}

static void skip(cw_link_decoder *d)
{
    d->head++;
    d->n--;
    d->st.skipped++;
    if (!d->hunting)
        d->st.resyncs++;
    d->hunting = 1;
    if (d->n == 0)
        d->head = 0;
}

/* A candidate with a valid-looking sync failed a check. */
static void reject(cw_link_decoder *d, uint64_t *counter)
{
    (*counter)++;
    if (d->mode == CW_LINK_DEC_DROP) {
        d->head = 0;
        d->n = 0;
        d->hunting = 1;
        d->st.resyncs++;
    } else {
        skip(d);
    }
}

/* Examines the buffered candidate: 1 and *out filled when a frame is
 * complete, 0 when more bytes are needed. */
static int extract(cw_link_decoder *d, cw_link_frame *out)
{
    for (;;) {
        const uint8_t *b = d->buf + d->head;
        if (d->n == 0)
            return 0;
        if (b[0] != CW_LINK_SYNC0) {
            skip(d);
            continue;
        }
        if (d->n < 2)
            return 0;
        if (b[1] != CW_LINK_SYNC1) {
            skip(d);
            continue;
        }
        if (d->n < CW_LINK_HEADER)
            return 0;
        uint16_t hc = (uint16_t)(b[8] | (b[9] << 8));
        if (hc != header_check(b + 2)) {
            reject(d, &d->st.bad_header);
            continue;
        }
        size_t len = (size_t)b[6] | ((size_t)b[7] << 8);
        if (len > CW_LINK_MAX_PAYLOAD) {
            reject(d, &d->st.oversize);
            continue;
        }
        size_t total = CW_LINK_OVERHEAD + len;
        if (d->n < total)
            return 0;
        const uint8_t *t = b + CW_LINK_HEADER + len;
        uint32_t crc = (uint32_t)t[0] | ((uint32_t)t[1] << 8) | ((uint32_t)t[2] << 16) |
                       ((uint32_t)t[3] << 24);
        if (crc != cw_link_crc32c(b + 2, CW_LINK_HEADER - 2 + len)) {
            reject(d, &d->st.bad_crc);
            continue;
        }
        out->type = b[2];
        out->flags = b[3];
        out->seq = (uint16_t)(b[4] | (b[5] << 8));
        out->len = (uint16_t)len;
        out->crc = crc;
        memcpy(out->payload, b + CW_LINK_HEADER, len);
        d->head += total;
        d->n -= total;
        if (d->n == 0)
            d->head = 0;
        d->hunting = 0;
        d->st.frames++;
        return 1;
    }
}

int cw_link_dec_feed(cw_link_decoder *d, const uint8_t *data, size_t n, size_t *used,
                     cw_link_frame *out)
{
    size_t i = 0;
    int got = extract(d, out);
    while (!got && i < n) {
        if (d->head + d->n == sizeof d->buf) { /* compact; n < sizeof buf here */
            memmove(d->buf, d->buf + d->head, d->n);
            d->head = 0;
        }
        d->buf[d->head + d->n] = data[i++];
        d->n++;
        got = extract(d, out);
    }
    if (used)
        *used = i;
    return got;
}

void cw_link_dec_idle(cw_link_decoder *d)
{
    if (d->n == 0)
        return;
    d->st.abandoned++;
    d->head = 0;
    d->n = 0;
    d->hunting = 0;
}

size_t cw_link_dec_pending(const cw_link_decoder *d)
{
    return d->n;
}

uint64_t cw_link_dec_errors(const cw_link_dec_stats *st)
{
    return st->bad_header + st->oversize + st->bad_crc;
}
