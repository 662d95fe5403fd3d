/*
 * link_device.c - the device's link engine, modelled in C.
 *
 * The shape follows the hardware (docs/protocol.md, "Device state
 * machine"): a frame parser in DROP mode, a command executor that runs one
 * command to completion and sends exactly one response, a replay register
 * (seq, crc, up to 32 response bytes) for duplicates, and an event framer
 * that sends a TOKEN per output entry the core has written and a DONE (after
 * an ERROR, if any) when the core stops. Responses are sent whole before any
 * event, so frames never interleave on the wire.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "link_device.h"

#define REPLAY_MAX 32u
#define RX_CHUNK 512u
#define RX_READS_PER_POLL 64

struct cw_link_device {
    cw_link_device_config cfg;
    const cw_link_core_ops *ops;
    void *core;
    cw_link_transport *t;
    cw_link_mem mem;
    cw_link_decoder dec;
    cw_link_frame rx;
    uint8_t tx[CW_LINK_MAX_FRAME];
    uint8_t resp[CW_LINK_MAX_PAYLOAD];
    /* duplicate detection: the last command's seq and CRC */
    int have_last;
    uint16_t last_seq;
    uint32_t last_crc;
    int replay_valid;
    uint8_t replay_type;
    uint8_t replay_len;
    uint8_t replay[REPLAY_MAX];
    /* the run the event framer follows */
    uint32_t run_id;
    int run_active;
    uint32_t tokens_sent;
    int empty_polls;
    int mute;
    cw_link_device_stats st;
};

static int send_frame(cw_link_device *d, uint8_t type, uint16_t seq, const uint8_t *payload,
                      size_t len)
{
    size_t n = cw_link_encode(d->tx, sizeof d->tx, type, seq, payload, len);
    if (n == 0)
        return cw_fail(CW_ERR_PROTOCOL, "device: frame of %zu bytes does not encode", len);
    return cw_link_write(d->t, d->tx, n);
}

static void send_event(cw_link_device *d, uint8_t type, const uint8_t *payload, size_t len)
{
    /* The event's seq is the low 16 bits of the event counter (diagnostic
     * only: the host orders tokens by position, not by seq). */
    if (send_frame(d, type, (uint16_t)(d->st.events & 0xFFFFu), payload, len) == CW_OK)
        d->st.events++;
    else
        d->st.events_dropped++;
}

/* ---------------------------------------------------------------- commands */

static int side_effecting(uint8_t cmd)
{
    return cmd == CW_LINK_CMD_WRITE || cmd == CW_LINK_CMD_RUN || cmd == CW_LINK_CMD_CANCEL ||
           cmd == CW_LINK_CMD_RESET;
}

/* Checks region r and [off, off+n) in it; a CW_LINK_ST_* code. */
static int check_range(const cw_link_device *d, uint32_t r, uint32_t off, uint32_t n)
{
    if (r >= CW_LINK_N_REGIONS || d->mem.size[r] == 0)
        return CW_LINK_ST_BAD_REGION;
    if (off > d->mem.size[r] || n > d->mem.size[r] - off)
        return CW_LINK_ST_OUT_OF_RANGE;
    return CW_LINK_ST_OK;
}

/* Executes command f into d->resp; returns the response length. */
static size_t execute(cw_link_device *d, const cw_link_frame *f)
{
    uint8_t *r = d->resp;
    const uint8_t *p = f->payload;
    cw_link_core_status cs;
    d->ops->status(d->core, &cs);
    int running = cs.state == CW_LINK_CORE_RUNNING;
    memset(r, 0, 64);
    r[0] = CW_LINK_ST_OK;
    d->st.commands++;

    switch (f->type) {
    case CW_LINK_CMD_INFO:
        if (f->len != 0)
            break;
        r[1] = CW_LINK_VERSION;
        r[2] = cs.state;
        r[3] = CW_LINK_N_REGIONS;
        cw_put16(r + 4, CW_LINK_MAX_PAYLOAD);
        cw_put64(r + 8, d->cfg.config_hash);
        cw_put32(r + 16, d->cfg.mac_lanes);
        cw_put32(r + 20, d->cfg.ctx_len);
        cw_put32(r + 24, d->run_id);
        for (int i = 0; i < CW_LINK_N_REGIONS; i++)
            cw_put32(r + 32 + 4 * i, d->mem.size[i]);
        return CW_LINK_INFO_RESP_LEN;

    case CW_LINK_CMD_WRITE: {
        if (f->len < CW_LINK_IO_HEADER)
            break;
        uint32_t region = p[0], off = cw_get32(p + 4);
        uint32_t n = (uint32_t)f->len - CW_LINK_IO_HEADER;
        int s = check_range(d, region, off, n);
        if (s == CW_LINK_ST_OK && running)
            s = CW_LINK_ST_BUSY;
        r[0] = (uint8_t)s;
        if (s == CW_LINK_ST_OK && n)
            memcpy(d->mem.base[region] + off, p + CW_LINK_IO_HEADER, n);
        cw_put32(r + 4, off);
        cw_put32(r + 8, s == CW_LINK_ST_OK ? n : 0);
        return CW_LINK_WRITE_RESP_LEN;
    }

    case CW_LINK_CMD_READ: {
        if (f->len != CW_LINK_READ_REQ_LEN)
            break;
        uint32_t region = p[0], off = cw_get32(p + 4), n = cw_get16(p + 8);
        int s = n > CW_LINK_IO_MAX ? CW_LINK_ST_BAD_ARG : check_range(d, region, off, n);
        r[0] = (uint8_t)s;
        r[1] = (uint8_t)region;
        cw_put32(r + 4, off);
        if (s != CW_LINK_ST_OK)
            return CW_LINK_IO_HEADER;
        if (n)
            memcpy(r + CW_LINK_IO_HEADER, d->mem.base[region] + off, n);
        return CW_LINK_IO_HEADER + n;
    }

    case CW_LINK_CMD_RUN: {
        if (f->len != CW_LINK_RUN_REQ_LEN)
            break;
        uint32_t n_prompt = cw_get32(p), steps = cw_get32(p + 4);
        int s = CW_LINK_ST_OK;
        if (running)
            s = CW_LINK_ST_BUSY;
        else if (n_prompt < 1 || steps < 1 || n_prompt > d->cfg.ctx_len ||
                 steps > d->cfg.ctx_len)
            s = CW_LINK_ST_BAD_ARG;
        else
            s = d->ops->start(d->core, &d->mem, n_prompt, steps);
        if (s == CW_LINK_ST_OK) {
            d->run_id++;
            d->run_active = 1;
            d->tokens_sent = 0;
        }
        r[0] = (uint8_t)s;
        cw_put32(r + 4, d->run_id);
        return CW_LINK_RUN_RESP_LEN;
    }

    case CW_LINK_CMD_CANCEL:
        if (f->len != 0)
            break;
        if (running)
            d->ops->cancel(d->core);
        d->ops->status(d->core, &cs);
        r[1] = cs.state;
        cw_put32(r + 4, d->run_id);
        cw_put32(r + 8, cs.tokens);
        return CW_LINK_CANCEL_RESP_LEN;

    case CW_LINK_CMD_RESET:
        if (f->len != 0)
            break;
        d->ops->reset(d->core);
        d->run_active = 0; /* no further events for the run that was reset */
        d->ops->status(d->core, &cs);
        r[1] = cs.state;
        cw_put32(r + 4, d->run_id);
        return CW_LINK_RESET_RESP_LEN;

    case CW_LINK_CMD_STATUS:
        if (f->len != 0)
            break;
        r[1] = cs.state;
        r[2] = cs.exit_reason;
        r[3] = cs.error;
        cw_put32(r + 4, d->run_id);
        cw_put32(r + 8, cs.tokens);
        cw_put32(r + 12, cs.steps);
        cw_put64(r + 16, cs.cycle);
        cw_put32(r + 24, (uint32_t)cw_link_dec_errors(&d->dec.st));
        cw_put32(r + 28, (uint32_t)(d->st.replays + d->st.reexecuted));
        cw_put32(r + 32, (uint32_t)d->st.events);
        cw_put32(r + 36, (uint32_t)d->st.events_dropped);
        return CW_LINK_STATUS_RESP_LEN;

    default:
        r[0] = CW_LINK_ST_BAD_COMMAND;
        return 1;
    }
    r[0] = CW_LINK_ST_BAD_LENGTH;
    return 1;
}

static int handle_frame(cw_link_device *d, const cw_link_frame *f)
{
    if (f->type & (CW_LINK_RESPONSE | 0x40u)) {
        d->st.unexpected++; /* responses and events only travel to the host */
        return CW_OK;
    }
    uint8_t rtype = (uint8_t)(f->type | CW_LINK_RESPONSE);
    if (d->have_last && f->seq == d->last_seq && f->crc == d->last_crc) {
        if (d->replay_valid) {
            d->st.replays++;
            d->st.responses++;
            return send_frame(d, d->replay_type, f->seq, d->replay, d->replay_len);
        }
        d->st.reexecuted++;
        d->st.commands--; /* counted again by execute() */
    }
    size_t n = execute(d, f);
    d->have_last = 1;
    d->last_seq = f->seq;
    d->last_crc = f->crc;
    d->replay_valid = side_effecting(f->type) && n <= REPLAY_MAX;
    if (d->replay_valid) {
        d->replay_type = rtype;
        d->replay_len = (uint8_t)n;
        memcpy(d->replay, d->resp, n);
    }
    d->st.responses++;
    return send_frame(d, rtype, f->seq, d->resp, n);
}

/* ------------------------------------------------------------------ events */

static void send_events(cw_link_device *d)
{
    if (!d->run_active)
        return;
    cw_link_core_status cs;
    d->ops->status(d->core, &cs);
    uint8_t ev[CW_LINK_TOKEN_LEN];
    const uint8_t *out = d->mem.base[CW_LINK_REGION_OUTPUT];
    while (d->tokens_sent < cs.tokens) {
        const uint8_t *e = out + (size_t)CW_LINK_OUT_ENTRY * d->tokens_sent;
        cw_put32(ev, d->run_id);
        memcpy(ev + 4, e, CW_LINK_OUT_ENTRY); /* pos, token, cycle */
        send_event(d, CW_LINK_EV_TOKEN, ev, CW_LINK_TOKEN_LEN);
        d->tokens_sent++;
    }
    if (cs.state == CW_LINK_CORE_DONE || cs.state == CW_LINK_CORE_ERROR) {
        uint8_t b[CW_LINK_DONE_LEN];
        memset(b, 0, sizeof b);
        cw_put32(b, d->run_id);
        cw_put32(b + 4, cs.tokens);
        if (cs.state == CW_LINK_CORE_ERROR) {
            cw_put32(b + 8, cs.error);
            send_event(d, CW_LINK_EV_ERROR, b, CW_LINK_ERROR_LEN);
            memset(b + 8, 0, 4);
        }
        cw_put64(b + 8, cs.cycle);
        b[16] = cs.exit_reason;
        b[17] = cs.error;
        send_event(d, CW_LINK_EV_DONE, b, CW_LINK_DONE_LEN);
        d->run_active = 0;
    }
}

/* -------------------------------------------------------------- public API */

int cw_link_device_create(const cw_link_device_config *cfg, const cw_link_core_ops *core_ops,
                          void *core, cw_link_transport *t, cw_link_device **out)
{
    if (!cfg || !core_ops || !t || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_device_create: NULL argument");
    *out = NULL;
    if (cfg->ctx_len == 0 ||
        cfg->region_size[CW_LINK_REGION_OUTPUT] / CW_LINK_OUT_ENTRY < cfg->ctx_len ||
        cfg->region_size[CW_LINK_REGION_PROMPT] / 4u < cfg->ctx_len)
        return cw_fail(CW_ERR_INVALID_ARG,
                       "link device: ctx_len %u needs OUTPUT >= %u and PROMPT >= %u bytes",
                       (unsigned)cfg->ctx_len, (unsigned)(cfg->ctx_len * CW_LINK_OUT_ENTRY),
                       (unsigned)(cfg->ctx_len * 4u));
    cw_link_device *d = calloc(1, sizeof *d);
    if (!d)
        return cw_fail(CW_ERR_NO_MEMORY, "link device: out of memory");
    d->cfg = *cfg;
    d->ops = core_ops;
    d->core = core;
    d->t = t;
    for (int i = 0; i < CW_LINK_N_REGIONS; i++) {
        d->mem.size[i] = cfg->region_size[i];
        if (cfg->region_size[i] == 0)
            continue;
        d->mem.base[i] = calloc(1, cfg->region_size[i]);
        if (!d->mem.base[i]) {
            cw_link_device_destroy(d);
            return cw_fail(CW_ERR_NO_MEMORY, "link device: region %d (%u bytes)", i,
                           (unsigned)cfg->region_size[i]);
        }
    }
    cw_link_dec_init(&d->dec, CW_LINK_DEC_DROP);
    *out = d;
    return CW_OK;
}

void cw_link_device_destroy(cw_link_device *d)
{
    if (!d)
        return;
    for (int i = 0; i < CW_LINK_N_REGIONS; i++)
        free(d->mem.base[i]);
    free(d);
}

static int consume(cw_link_device *d, const uint8_t *buf, size_t n)
{
    size_t off = 0;
    for (;;) {
        size_t used = 0;
        int got = cw_link_dec_feed(&d->dec, buf + off, n - off, &used, &d->rx);
        off += used;
        if (!got)
            return CW_OK;
        int rc = handle_frame(d, &d->rx);
        if (rc < 0)
            return rc;
    }
}

int cw_link_device_poll(cw_link_device *d, int timeout_ms)
{
    uint8_t buf[RX_CHUNK];
    cw_link_core_status cs;
    d->ops->status(d->core, &cs);
    int running = cs.state == CW_LINK_CORE_RUNNING && !d->mute;
    int n = cw_link_read(d->t, buf, sizeof buf, running ? 0 : timeout_ms);
    if (n < 0)
        return n;
    if (n == 0) {
        if (d->cfg.idle_polls > 0 && ++d->empty_polls >= d->cfg.idle_polls)
            cw_link_dec_idle(&d->dec);
    }
    for (int reads = 0; n > 0; reads++) {
        d->empty_polls = 0;
        if (!d->mute) {
            int rc = consume(d, buf, (size_t)n);
            if (rc < 0)
                return rc;
        }
        if (reads + 1 >= RX_READS_PER_POLL)
            break;
        n = cw_link_read(d->t, buf, sizeof buf, 0);
        if (n < 0)
            return n;
    }
    if (d->mute)
        return CW_OK;
    d->ops->status(d->core, &cs);
    if (cs.state == CW_LINK_CORE_RUNNING)
        d->ops->step(d->core, &d->mem);
    send_events(d);
    return CW_OK;
}

cw_link_mem *cw_link_device_mem(cw_link_device *d)
{
    return &d->mem;
}

void cw_link_device_get_stats(const cw_link_device *d, cw_link_device_stats *out)
{
    *out = d->st;
    out->rx = d->dec.st;
}

void cw_link_device_set_mute(cw_link_device *d, int mute)
{
    d->mute = mute;
}
