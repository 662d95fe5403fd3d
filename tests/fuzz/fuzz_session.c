/*
 * fuzz_session.c - the host session (driver/link_host.c) against a device
 * that answers whatever the input says.
 *
 * The transport hands every frame the host writes to a script read from
 * the input; the script says what comes back: the matching response (its
 * payload from the input), events (TOKEN, DONE, ERROR, any 0x40..0x7F),
 * stale responses, raw garbage, repeats of the last frame, or nothing
 * (a timeout). Frames are encoded with valid checksums so the input reaches
 * the parsing of payloads. The session then runs what the library does
 * with a device: INFO (open), WRITE, READ, STATUS, a generation, CANCEL,
 * RESET. Whatever the device says, every call returns CW_OK or a cw_error,
 * and a generation delivers positions 1, 2, ... each exactly once.
 * Timeouts cost nothing: the transport never sleeps.
 */
#include "fuzz_common.h"

#include "clockwork.h"
#include "link_host.h"

typedef struct script_link {
    cw_link_transport base;
    fuzz_in in;
    uint8_t out[1 << 16];
    size_t out_len, out_pos;
    uint8_t last[CW_LINK_MAX_FRAME];
    size_t last_len;
} script_link;

static void emit(script_link *s, uint8_t type, uint16_t seq, const uint8_t *pl, size_t len)
{
    if (s->out_len + CW_LINK_MAX_FRAME > sizeof s->out)
        return;
    size_t m = cw_link_encode(s->out + s->out_len, sizeof s->out - s->out_len, type, seq, pl,
                              len);
    FUZZ_CHECK(m == CW_LINK_OVERHEAD + len);
    memcpy(s->last, s->out + s->out_len, m);
    s->last_len = m;
    s->out_len += m;
}

static int sl_write(cw_link_transport *t, const void *buf, size_t n)
{
    script_link *s = (script_link *)t;
    const uint8_t *b = buf;
    FUZZ_CHECK(n >= CW_LINK_OVERHEAD && b[0] == CW_LINK_SYNC0 && b[1] == CW_LINK_SYNC1);
    uint8_t type = b[2];
    uint16_t seq = (uint16_t)(b[4] | (b[5] << 8));
    if (s->out_pos == s->out_len)
        s->out_pos = s->out_len = 0;
    uint8_t pl[CW_LINK_MAX_PAYLOAD];
    while (fuzz_left(&s->in)) {
        uint8_t op = fuzz_u8(&s->in);
        size_t len;
        switch (op & 7) {
        case 0: /* the response, status OK */
        case 1: /* the response, status from the input */
            len = fuzz_u16(&s->in) % (CW_LINK_MAX_PAYLOAD + 1);
            fuzz_bytes(&s->in, pl, len);
            if ((op & 7) == 0 && len)
                pl[0] = CW_LINK_ST_OK;
            emit(s, (uint8_t)(type | CW_LINK_RESPONSE), seq, pl, len);
            return CW_OK;
        case 2: { /* an event */
            uint8_t e = fuzz_u8(&s->in);
            uint8_t et = e < 0xC0 ? (uint8_t)(CW_LINK_EV_TOKEN + e % 3) : (uint8_t)(0x40 | (e & 0x3F));
            len = fuzz_u16(&s->in) % (CW_LINK_MAX_PAYLOAD + 1);
            fuzz_bytes(&s->in, pl, len);
            emit(s, et, fuzz_u16(&s->in), pl, len);
            break;
        }
        case 3: /* a frame of any type and seq */
            pl[0] = fuzz_u8(&s->in);
            len = fuzz_u16(&s->in) % (CW_LINK_MAX_PAYLOAD + 1);
            {
                uint8_t ty = pl[0];
                uint16_t sq = fuzz_u16(&s->in);
                fuzz_bytes(&s->in, pl, len);
                emit(s, ty, sq, pl, len);
            }
            break;
        case 4: { /* raw bytes */
            size_t k = (size_t)(op >> 3) + 1;
            if (s->out_len + k <= sizeof s->out) {
                fuzz_bytes(&s->in, s->out + s->out_len, k);
                s->out_len += k;
            }
            break;
        }
        case 5: /* silence: this attempt times out */
            return CW_OK;
        case 6: /* the last frame again */
            if (s->last_len && s->out_len + s->last_len <= sizeof s->out) {
                memcpy(s->out + s->out_len, s->last, s->last_len);
                s->out_len += s->last_len;
            }
            break;
        case 7: /* the transport fails */
            if (op == 0xFF)
                return CW_ERR_IO;
            break;
        }
    }
    return CW_OK;
}

static int sl_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    script_link *s = (script_link *)t;
    (void)timeout_ms;
    size_t k = s->out_len - s->out_pos;
    if (k == 0)
        return 0;
    if (k > n)
        k = n;
    if (k > 200) /* in pieces, as a USB link delivers */
        k = 200;
    memcpy(buf, s->out + s->out_pos, k);
    s->out_pos += k;
    return (int)k;
}

static void sl_close(cw_link_transport *t)
{
    (void)t;
}

static const cw_link_transport_ops sl_ops = { sl_write, sl_read, sl_close };

typedef struct delivery {
    uint32_t next, steps;
} delivery;

static int on_token(void *user, const cw_link_token *tok)
{
    delivery *d = user;
    FUZZ_CHECK(tok->pos == d->next);
    FUZZ_CHECK(tok->pos >= 1 && tok->pos <= d->steps);
    d->next++;
    return 0;
}

int cw_fuzz_session(const uint8_t *data, size_t size)
{
    static script_link s;
    memset(&s, 0, sizeof s);
    s.base.ops = &sl_ops;
    s.in = (fuzz_in){ data, size, 0 };
    uint8_t plan = fuzz_u8(&s.in);

    cw_link_host_params p;
    cw_link_host_params_default(&p);
    p.timeout_ms = 1;
    p.max_retries = 1;
    p.poll_ms = 1;
    p.max_chunk = plan & 1 ? 64 : CW_LINK_IO_MAX;
    cw_link_host *h = NULL;
    int rc = cw_link_host_open(&s.base, &p, &h);
    FUZZ_CHECK(rc <= 0);
    if (rc != CW_OK) {
        FUZZ_CHECK(h == NULL);
        return 0;
    }
    const cw_link_info *info = cw_link_host_cached_info(h);
    FUZZ_CHECK(info->ctx_len >= 1);
    static uint8_t buf[4096];
    for (int r = 0; r < CW_LINK_N_REGIONS; r++) {
        if (!(plan & 2))
            break;
        size_t n = info->region_size[r] < sizeof buf ? info->region_size[r] : sizeof buf;
        if (n > 300)
            n = 300;
        rc = cw_link_host_write(h, r, 0, buf, n, NULL, NULL);
        FUZZ_CHECK(rc <= 0);
        rc = cw_link_host_read(h, r, 0, buf, n);
        FUZZ_CHECK(rc <= 0);
    }
    cw_link_status st;
    FUZZ_CHECK(cw_link_host_status(h, &st) <= 0);

    uint32_t prompt[3] = { 1, 2, 3 };
    uint32_t n_prompt = 1 + (plan >> 2) % 3;
    uint32_t steps = 1 + (plan >> 4) % (info->ctx_len < 12 ? info->ctx_len : 12);
    delivery d = { 1, steps };
    cw_link_run_result res;
    memset(&res, 0, sizeof res);
    rc = cw_link_host_generate(h, prompt, n_prompt, steps, on_token, &d, &res);
    FUZZ_CHECK(rc <= 0);
    if (rc == CW_OK)
        FUZZ_CHECK(res.tokens == d.next - 1 && res.tokens <= steps);
    FUZZ_CHECK(cw_link_host_cancel(h) <= 0);
    FUZZ_CHECK(cw_link_host_reset(h) <= 0);
    cw_link_host_stats hs;
    cw_link_host_get_stats(h, &hs);
    cw_link_host_close(h);
    return 0;
}

#ifndef CW_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cw_fuzz_session(data, size);
}
#endif
