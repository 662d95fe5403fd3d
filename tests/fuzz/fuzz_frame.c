/*
 * fuzz_frame.c - the link frame decoder (driver/link_frame.c) on arbitrary
 * bytes, and the frame codec round trip.
 *
 * Input byte 0 chooses the test:
 *  - even: the rest is a raw byte stream. It is decoded in both modes
 *    (RESCAN, DROP), once in chunks whose sizes come from the stream itself
 *    and once in one piece; the two must yield the same frames and the
 *    same statistics. Every frame handed back must re-encode to bytes that
 *    decode to it again, and the decoder never holds more than one frame.
 *  - odd: the rest is a script (op u8, then its bytes) that builds a stream
 *    of frames made by cw_link_encode, garbage runs and idle points. Every
 *    frame not damaged by garbage must come out, in order, and in a stream
 *    without garbage exactly the frames that went in come out.
 */
#include "fuzz_common.h"

#include "link_frame.h"

#define MAX_FRAMES 256

typedef struct frames {
    int n;
    cw_link_frame f[MAX_FRAMES];
} frames;

static int same_frame(const cw_link_frame *a, const cw_link_frame *b)
{
    return a->type == b->type && a->seq == b->seq && a->len == b->len && a->crc == b->crc &&
           memcmp(a->payload, b->payload, a->len) == 0;
}

/* Feeds data[0..n) in chunks (chunk sizes from `sizes`, cycled; NULL: one
 * piece), recording the frames. */
static void decode(int mode, const uint8_t *data, size_t n, const uint8_t *sizes,
                   size_t n_sizes, frames *out, cw_link_dec_stats *st)
{
    static cw_link_decoder d;
    static cw_link_frame f;
    cw_link_dec_init(&d, mode);
    out->n = 0;
    size_t at = 0, k = 0;
    while (at < n) {
        size_t chunk = n - at;
        if (sizes && n_sizes) {
            size_t c = (size_t)sizes[k++ % n_sizes] + 1;
            chunk = c < chunk ? c : chunk;
        }
        size_t fed = 0;
        for (;;) {
            size_t used = 0;
            int got = cw_link_dec_feed(&d, data + at + fed, chunk - fed, &used, &f);
            FUZZ_CHECK(used <= chunk - fed);
            fed += used;
            FUZZ_CHECK(cw_link_dec_pending(&d) < CW_LINK_MAX_FRAME);
            if (!got) {
                FUZZ_CHECK(fed == chunk);
                break;
            }
            FUZZ_CHECK(f.len <= CW_LINK_MAX_PAYLOAD);
            /* A frame handed back re-encodes to a frame that decodes to it. */
            uint8_t buf[CW_LINK_MAX_FRAME];
            static cw_link_decoder d2;
            static cw_link_frame g;
            size_t m = cw_link_encode(buf, sizeof buf, f.type, f.seq, f.payload, f.len);
            FUZZ_CHECK(m == CW_LINK_OVERHEAD + f.len);
            cw_link_dec_init(&d2, mode);
            size_t used2 = 0;
            FUZZ_CHECK(cw_link_dec_feed(&d2, buf, m, &used2, &g) == 1 && used2 == m);
            FUZZ_CHECK(f.flags != 0 || same_frame(&f, &g));
            if (out->n < MAX_FRAMES)
                out->f[out->n++] = f;
        }
        at += chunk;
    }
    *st = d.st;
}

static void raw_stream(const uint8_t *data, size_t n)
{
    static frames a, b;
    for (int mode = 0; mode < 2; mode++) {
        cw_link_dec_stats sa, sb;
        decode(mode, data, n, data, n < 16 ? n : 16, &a, &sa);
        decode(mode, data, n, NULL, 0, &b, &sb);
        FUZZ_CHECK(a.n == b.n);
        for (int i = 0; i < a.n; i++)
            FUZZ_CHECK(same_frame(&a.f[i], &b.f[i]));
        FUZZ_CHECK(memcmp(&sa, &sb, sizeof sa) == 0);
        FUZZ_CHECK(sa.frames >= (uint64_t)a.n);
    }
}

/* Builds a stream of encoded frames and garbage runs from a script. */
static void scripted(const uint8_t *data, size_t n)
{
    static uint8_t stream[1 << 17];
    static frames in, out;
    fuzz_in s = { data, n, 0 };
    size_t len = 0;
    int garbage = 0;
    in.n = 0;
    while (fuzz_left(&s) && in.n < MAX_FRAMES) {
        uint8_t op = fuzz_u8(&s);
        if (op < 0xF0) { /* a frame */
            cw_link_frame *f = &in.f[in.n];
            memset(f, 0, sizeof *f);
            f->type = fuzz_u8(&s);
            f->seq = fuzz_u16(&s);
            f->len = (uint16_t)(fuzz_u16(&s) % (CW_LINK_MAX_PAYLOAD + 1));
            fuzz_bytes(&s, f->payload, f->len);
            if (len + CW_LINK_MAX_FRAME > sizeof stream)
                break;
            size_t m = cw_link_encode(stream + len, sizeof stream - len, f->type, f->seq,
                                      f->payload, f->len);
            FUZZ_CHECK(m == CW_LINK_OVERHEAD + f->len);
            f->crc = (uint32_t)stream[len + m - 4] | ((uint32_t)stream[len + m - 3] << 8) |
                     ((uint32_t)stream[len + m - 2] << 16) |
                     ((uint32_t)stream[len + m - 1] << 24);
            in.n++;
            len += m;
        } else { /* garbage: up to 16 bytes */
            size_t k = (op & 0x0F) + 1;
            if (len + k > sizeof stream)
                break;
            fuzz_bytes(&s, stream + len, k);
            len += k;
            garbage = 1;
        }
    }
    cw_link_dec_stats st;
    for (int mode = 0; mode < 2; mode++) {
        decode(mode, stream, len, data, n < 8 ? n : 8, &out, &st);
        if (!garbage) {
            FUZZ_CHECK(out.n == in.n);
            for (int i = 0; i < in.n; i++)
                FUZZ_CHECK(same_frame(&in.f[i], &out.f[i]));
            FUZZ_CHECK(st.skipped == 0 && cw_link_dec_errors(&st) == 0);
        } else if (mode == CW_LINK_DEC_RESCAN) {
            /* RESCAN finds every frame put in (garbage lies only between
             * frames): they are a subsequence of those that come out, unless
             * the garbage itself held a frame with a valid CRC that ran
             * into them (then some output frame is not one put in). */
            int j = 0, foreign = 0;
            for (int i = 0; i < out.n; i++) {
                if (j < in.n && same_frame(&out.f[i], &in.f[j])) {
                    j++;
                    continue;
                }
                int known = 0;
                for (int k = 0; k < in.n && !known; k++)
                    known = same_frame(&out.f[i], &in.f[k]);
                foreign += !known;
            }
            FUZZ_CHECK(out.n >= MAX_FRAMES || foreign > 0 || j == in.n);
        }
    }
}

int cw_fuzz_frame(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        scripted(data + 1, size - 1);
    else
        raw_stream(data + 1, size - 1);
    return 0;
}

#ifndef CW_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cw_fuzz_frame(data, size);
}
#endif
