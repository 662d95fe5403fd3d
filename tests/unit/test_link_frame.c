/*
 * test_link_frame.c - the frame encoder and the streaming decoder: round
 * trips at every length class, byte-at-a-time and bulk feeding, garbage
 * between frames, truncated frames, every single-bit flip, oversize
 * lengths, random noise, and the byte vectors of docs/protocol.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "link_crc.h"
#include "link_frame.h"
#include "link_proto.h"

static uint32_t rng = 1;
static uint8_t rnd8(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rnd8();
}

/* Feeds n bytes (in pieces of `piece` bytes; 0 = all at once) and collects
 * up to max frames into out; returns how many came out. */
static int feed_all(cw_link_decoder *d, const uint8_t *b, size_t n, size_t piece,
                    cw_link_frame *out, int max)
{
    int got = 0;
    size_t off = 0;
    static cw_link_frame scratch;
    while (off < n) {
        size_t k = piece ? (n - off < piece ? n - off : piece) : n - off;
        size_t done = 0;
        for (;;) {
            size_t used = 0;
            cw_link_frame *f = got < max ? &out[got] : &scratch;
            int r = cw_link_dec_feed(d, b + off + done, k - done, &used, f);
            done += used;
            assert_true(done <= k);
            if (!r)
                break;
            got++;
        }
        assert_int_equal(done, k);
        off += k;
    }
    return got;
}

static void assert_frame(const cw_link_frame *f, uint8_t type, uint16_t seq, const uint8_t *pl,
                         size_t len)
{
    assert_int_equal(f->type, type);
    assert_int_equal(f->seq, seq);
    assert_int_equal(f->len, len);
    if (len)
        assert_memory_equal(f->payload, pl, len);
}

static void test_vectors(void **st)
{
    (void)st;
    /* docs/protocol.md, "Test vectors" */
    uint8_t b[CW_LINK_MAX_FRAME];
    static const uint8_t info[] = {0xA5, 0xC3, 0x01, 0x00, 0x01, 0x00, 0x00,
                                   0x00, 0x2B, 0xBD, 0x8D, 0x12, 0x61, 0xF1};
    assert_int_equal(cw_link_encode(b, sizeof b, CW_LINK_CMD_INFO, 1, NULL, 0), sizeof info);
    assert_memory_equal(b, info, sizeof info);

    uint8_t tk[20];
    cw_put32(tk, 1);
    cw_put32(tk + 4, 5);
    cw_put32(tk + 8, 403);
    cw_put64(tk + 12, 123456789012ull);
    static const uint8_t token[] = {0xA5, 0xC3, 0x41, 0x00, 0x07, 0x00, 0x14, 0x00, 0xEF,
                                    0x64, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
                                    0x93, 0x01, 0x00, 0x00, 0x14, 0x1A, 0x99, 0xBE, 0x1C,
                                    0x00, 0x00, 0x00, 0x4B, 0x3D, 0xE9, 0x0E};
    assert_int_equal(cw_link_encode(b, sizeof b, CW_LINK_EV_TOKEN, 7, tk, 20), sizeof token);
    assert_memory_equal(b, token, sizeof token);

    uint8_t wr[12] = {1, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4};
    static const uint8_t write[] = {0xA5, 0xC3, 0x02, 0x00, 0x02, 0x00, 0x0C, 0x00, 0xAC,
                                    0x5D, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                                    0x01, 0x02, 0x03, 0x04, 0xA9, 0xB4, 0x25, 0x04};
    assert_int_equal(cw_link_encode(b, sizeof b, CW_LINK_CMD_WRITE, 2, wr, 12), sizeof write);
    assert_memory_equal(b, write, sizeof write);

    /* and they decode */
    cw_link_decoder d;
    cw_link_dec_init(&d, CW_LINK_DEC_RESCAN);
    cw_link_frame f[3];
    assert_int_equal(feed_all(&d, token, sizeof token, 0, f, 3), 1);
    assert_frame(&f[0], CW_LINK_EV_TOKEN, 7, tk, 20);
    assert_int_equal(f[0].crc, 0x0EE93D4Bu);
}

static void test_encode_bounds(void **st)
{
    (void)st;
    static uint8_t pl[CW_LINK_MAX_PAYLOAD + 1];
    static uint8_t b[CW_LINK_MAX_FRAME + 16];
    assert_int_equal(cw_link_encode(b, sizeof b, 1, 0, pl, CW_LINK_MAX_PAYLOAD),
                     CW_LINK_MAX_FRAME);
    assert_int_equal(cw_link_encode(b, sizeof b, 1, 0, pl, CW_LINK_MAX_PAYLOAD + 1), 0);
    assert_int_equal(cw_link_encode(b, 13, 1, 0, NULL, 0), 0);
    assert_int_equal(cw_link_encode(b, 14, 1, 0, NULL, 0), 14);
    assert_int_equal(cw_link_encode(b, 100, 1, 0, NULL, 5), 0);
}

static void test_round_trip(void **st)
{
    (void)st;
    static const size_t lens[] = {0, 1, 2, 9, 20, 255, 256, 1000, 1023, 1024};
    const size_t nl = sizeof lens / sizeof lens[0];
    static uint8_t stream[16 * CW_LINK_MAX_FRAME];
    static uint8_t pls[16][CW_LINK_MAX_PAYLOAD];
    static cw_link_frame out[16];
    size_t n = 0;
    for (size_t i = 0; i < nl; i++) {
        fill(pls[i], lens[i]);
        n += cw_link_encode(stream + n, sizeof stream - n, (uint8_t)(0x01 + i),
                            (uint16_t)(65530 + i), pls[i], lens[i]);
    }
    static const size_t pieces[] = {0, 1, 3, 64, 1037};
    for (int mode = 0; mode < 2; mode++) {
        for (size_t pi = 0; pi < sizeof pieces / sizeof pieces[0]; pi++) {
            cw_link_decoder d;
            cw_link_dec_init(&d, mode);
            assert_int_equal(feed_all(&d, stream, n, pieces[pi], out, 16), (int)nl);
            for (size_t i = 0; i < nl; i++)
                assert_frame(&out[i], (uint8_t)(0x01 + i), (uint16_t)(65530 + i), pls[i],
                             lens[i]);
            assert_int_equal(d.st.frames, nl);
            assert_int_equal(d.st.skipped, 0);
            assert_int_equal(cw_link_dec_errors(&d.st), 0);
            assert_int_equal(cw_link_dec_pending(&d), 0);
        }
    }
}

static void test_garbage_between_frames(void **st)
{
    (void)st;
    static uint8_t stream[64 * 1024];
    static uint8_t pl[20][100];
    static cw_link_frame out[32];
    size_t n = 0;
    for (int i = 0; i < 20; i++) {
        /* garbage, including stray sync bytes and fake headers */
        size_t g = (size_t)(rnd8() % 200);
        for (size_t k = 0; k < g; k++) {
            uint8_t c = rnd8();
            stream[n++] = (c & 7) == 0 ? CW_LINK_SYNC0 : (c & 7) == 1 ? CW_LINK_SYNC1 : c;
        }
        fill(pl[i], 100);
        n += cw_link_encode(stream + n, sizeof stream - n, CW_LINK_EV_TOKEN, (uint16_t)i, pl[i],
                            (size_t)(i * 5));
    }
    for (int mode = 0; mode < 2; mode++) {
        cw_link_decoder d;
        cw_link_dec_init(&d, mode);
        int got = feed_all(&d, stream, n, 1, out, 32);
        if (mode == CW_LINK_DEC_RESCAN) {
            /* rescanning finds every frame, whatever the garbage hid */
            assert_int_equal(got, 20);
            for (int i = 0; i < 20; i++)
                assert_frame(&out[i], CW_LINK_EV_TOKEN, (uint16_t)i, pl[i], (size_t)(i * 5));
        } else {
            /* dropping may lose a frame swallowed by a fake header, but
             * never delivers a wrong one */
            assert_true(got >= 1 && got <= 20);
            for (int i = 0; i < got; i++) {
                int seq = out[i].seq;
                assert_true(seq < 20);
                assert_frame(&out[i], CW_LINK_EV_TOKEN, (uint16_t)seq, pl[seq],
                             (size_t)(seq * 5));
            }
        }
        assert_true(d.st.skipped > 0);
        assert_true(d.st.resyncs > 0);
    }
}

static void test_truncation(void **st)
{
    (void)st;
    uint8_t a[200], b[200], pa[100], pb[40];
    fill(pa, sizeof pa);
    fill(pb, sizeof pb);
    size_t na = cw_link_encode(a, sizeof a, 0x41, 1, pa, sizeof pa);
    size_t nb = cw_link_encode(b, sizeof b, 0x42, 2, pb, sizeof pb);
    cw_link_frame out[4];
    for (size_t cut = 1; cut < na; cut++) {
        static uint8_t s[400 + CW_LINK_MAX_FRAME];
        memset(s, 0, sizeof s);
        memcpy(s, a, cut); /* frame a loses its tail */
        memcpy(s + cut, b, nb);
        /* RESCAN: b is found whatever the cut, once enough bytes follow to
         * complete (and fail) the truncated candidate that swallowed it */
        cw_link_decoder d;
        cw_link_dec_init(&d, CW_LINK_DEC_RESCAN);
        int got = feed_all(&d, s, sizeof s, 0, out, 4);
        assert_int_equal(got, 1);
        assert_frame(&out[0], 0x42, 2, pb, sizeof pb);
        /* DROP with an idle gap (the inter-byte timeout): b is found too */
        cw_link_dec_init(&d, CW_LINK_DEC_DROP);
        assert_int_equal(feed_all(&d, s, cut, 0, out, 4), 0);
        cw_link_dec_idle(&d);
        assert_int_equal(d.st.abandoned, 1);
        assert_int_equal(feed_all(&d, b, nb, 0, out, 4), 1);
        assert_frame(&out[0], 0x42, 2, pb, sizeof pb);
        /* a truncated frame alone never comes out */
        cw_link_dec_init(&d, CW_LINK_DEC_DROP);
        assert_int_equal(feed_all(&d, a, cut, 1, out, 4), 0);
        assert_int_equal(cw_link_dec_pending(&d) <= cut, 1);
    }
}

static void test_every_bit_flip(void **st)
{
    (void)st;
    uint8_t pl[48], good[100], bad[100];
    fill(pl, sizeof pl);
    size_t n = cw_link_encode(good, sizeof good, 0x03, 0xBEEF, pl, sizeof pl);
    cw_link_frame out[4];
    for (int mode = 0; mode < 2; mode++) {
        for (size_t bit = 0; bit < n * 8; bit++) {
            memcpy(bad, good, n);
            bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            cw_link_decoder d;
            cw_link_dec_init(&d, mode);
            assert_int_equal(feed_all(&d, bad, n, 0, out, 4), 0);
            /* the flip is noticed: lost sync, a failed check, or (a length
             * made longer) a frame still waiting for bytes */
            assert_true(d.st.skipped + cw_link_dec_errors(&d.st) + cw_link_dec_pending(&d) > 0);
            /* and the next good frame still comes through (after an idle
             * gap in DROP mode, as on the wire) */
            if (mode == CW_LINK_DEC_DROP)
                cw_link_dec_idle(&d);
            int got = feed_all(&d, good, n, 0, out, 4);
            assert_true(got >= 1);
            assert_frame(&out[got - 1], 0x03, 0xBEEF, pl, sizeof pl);
        }
    }
}

static void test_oversize(void **st)
{
    (void)st;
    /* a header with a valid check but a length past the bound */
    uint8_t h[CW_LINK_HEADER] = {CW_LINK_SYNC0, CW_LINK_SYNC1, 0x02, 0, 5, 0, 0x01, 0x04};
    uint32_t hc = cw_link_crc32c(h + 2, 6);
    h[8] = (uint8_t)(hc & 0xFF);
    h[9] = (uint8_t)((hc >> 8) & 0xFF);
    uint8_t good[32];
    size_t ng = cw_link_encode(good, sizeof good, 0x07, 6, NULL, 0);
    for (int mode = 0; mode < 2; mode++) {
        cw_link_decoder d;
        cw_link_dec_init(&d, mode);
        cw_link_frame out[2];
        assert_int_equal(feed_all(&d, h, sizeof h, 1, out, 2), 0);
        assert_int_equal(d.st.oversize, 1);
        assert_int_equal(cw_link_dec_pending(&d) < CW_LINK_HEADER, 1);
        assert_int_equal(feed_all(&d, good, ng, 1, out, 2), 1);
        assert_frame(&out[0], 0x07, 6, NULL, 0);
    }
    /* every length 1025..65535 is refused at the header */
    cw_link_decoder d;
    cw_link_dec_init(&d, CW_LINK_DEC_DROP);
    for (uint32_t len = CW_LINK_MAX_PAYLOAD + 1; len <= 0xFFFF; len += 97) {
        h[6] = (uint8_t)(len & 0xFF);
        h[7] = (uint8_t)(len >> 8);
        hc = cw_link_crc32c(h + 2, 6);
        h[8] = (uint8_t)(hc & 0xFF);
        h[9] = (uint8_t)((hc >> 8) & 0xFF);
        cw_link_frame out[1];
        assert_int_equal(feed_all(&d, h, sizeof h, 0, out, 1), 0);
        assert_int_equal(cw_link_dec_pending(&d), 0);
    }
}

static void test_noise(void **st)
{
    (void)st;
    /* a megabyte of noise rich in sync bytes: nothing comes out, nothing
     * overflows (the sanitizer build checks the bounds) */
    static uint8_t noise[1 << 20];
    for (size_t i = 0; i < sizeof noise; i++) {
        uint8_t c = rnd8();
        noise[i] = (c & 3) == 0 ? CW_LINK_SYNC0 : (c & 3) == 1 ? CW_LINK_SYNC1 : rnd8();
    }
    for (int mode = 0; mode < 2; mode++) {
        cw_link_decoder d;
        cw_link_dec_init(&d, mode);
        cw_link_frame out[1];
        assert_int_equal(feed_all(&d, noise, sizeof noise, 4096, out, 1), 0);
        assert_true(cw_link_dec_pending(&d) <= CW_LINK_MAX_FRAME);
        assert_true(d.st.bad_header > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_encode_bounds),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_garbage_between_frames),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_every_bit_flip),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_noise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
