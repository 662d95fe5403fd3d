/*
 * link_host.c - the host session of the link protocol.
 *
 * One function, transact(), sends a command and waits for its response,
 * retransmitting on timeout. Every frame that arrives meanwhile is
 * dispatched: events update the run's bookkeeping, responses to earlier
 * attempts are ignored. The run's bookkeeping is one token slot per
 * position of the device's context (16 bytes each, allocated at open);
 * collect() delivers position `next` from its slot or, if the slot is
 * empty, READs the missing range of the device's output buffer.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "link_host.h"

#define RECOVER_MAX 64u     /* entries per recovery READ */
#define GROW_AFTER 8u      /* clean exchanges before a chunk size doubles */

struct cw_link_host {
    cw_link_transport *t;
    cw_link_host_params p;
    uint16_t seq;
    uint32_t chunk;
    uint32_t clean;
    int last_attempts;
    cw_link_decoder dec;
    cw_link_frame fr;   /* the frame just received */
    cw_link_frame resp; /* the response transact() matched */
    uint8_t tx[CW_LINK_MAX_FRAME];
    uint8_t rx[1024];
    size_t rx_pos, rx_len;
    cw_link_info info;
    uint32_t last_run_id; /* the device's run id as last reported */
    atomic_int cancel;
    atomic_int *cancel_ext; /* watched, never written */
    struct {
        int active;
        uint32_t id, steps;
        uint32_t next;  /* next position to deliver */
        uint32_t known; /* highest position known to be in the output buffer */
        int done;
        uint32_t final; /* tokens the run produced (when done) */
        uint8_t reason, error;
        uint64_t cycles;
        int progress;   /* set when an event moved known or done */
    } run;
    cw_link_token *cache;  /* [ctx_len + 1], indexed by position */
    uint8_t *cache_src;    /* [ctx_len + 1]; 0: from an event, 1: from a READ */
    cw_link_host_stats st;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *cmd_name(uint8_t t)
{
    switch (t) {
    case CW_LINK_CMD_INFO: return "INFO";
    case CW_LINK_CMD_WRITE: return "WRITE";
    case CW_LINK_CMD_READ: return "READ";
    case CW_LINK_CMD_RUN: return "RUN";
    case CW_LINK_CMD_CANCEL: return "CANCEL";
    case CW_LINK_CMD_RESET: return "RESET";
    case CW_LINK_CMD_STATUS: return "STATUS";
    }
    return "?";
}

void cw_link_host_params_default(cw_link_host_params *p)
{
    memset(p, 0, sizeof *p);
    p->timeout_ms = 250;
    p->max_retries = 10;
    p->poll_ms = 100;
    p->first_seq = 1;
    p->max_chunk = CW_LINK_IO_MAX;
    p->min_chunk = 16;
}

/* ------------------------------------------------------------- receiving */

/* The next good frame into h->fr: 1, or 0 when the deadline passes first,
 * or a negative error from the transport. */
static int wait_frame(cw_link_host *h, int64_t deadline)
{
    for (;;) {
        size_t used = 0;
        int got = cw_link_dec_feed(&h->dec, h->rx + h->rx_pos, h->rx_len - h->rx_pos, &used,
                                   &h->fr);
        h->rx_pos += used;
        if (got)
            return 1;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return 0;
        int n = cw_link_read(h->t, h->rx, sizeof h->rx, left > 60000 ? 60000 : (int)left);
        if (n < 0)
            return n;
        if (n == 0)
            return 0;
        h->rx_pos = 0;
        h->rx_len = (size_t)n;
    }
}

static void handle_event(cw_link_host *h, const cw_link_frame *f)
{
    const uint8_t *p = f->payload;
    h->st.events++;
    if (!h->run.active) {
        h->st.stale_events++;
        return;
    }
    switch (f->type) {
    case CW_LINK_EV_TOKEN: {
        if (f->len != CW_LINK_TOKEN_LEN) {
            h->st.unexpected++;
            return;
        }
        if (cw_get32(p) != h->run.id) {
            h->st.stale_events++;
            return;
        }
        uint32_t pos = cw_get32(p + 4);
        if (pos < 1 || pos > h->run.steps) {
            h->st.unexpected++;
            return;
        }
        if (pos < h->run.next) {
            h->st.dup_tokens++;
            return;
        }
        cw_link_token *s = &h->cache[pos];
        if (s->pos == pos) {
            h->st.dup_tokens++;
        } else {
            s->pos = pos;
            s->token = cw_get32(p + 8);
            s->cycle = cw_get64(p + 12);
            h->cache_src[pos] = 0;
        }
        if (pos > h->run.known) {
            h->run.known = pos;
            h->run.progress = 1;
        }
        return;
    }
    case CW_LINK_EV_DONE: {
        if (f->len != CW_LINK_DONE_LEN) {
            h->st.unexpected++;
            return;
        }
        if (cw_get32(p) != h->run.id) {
            h->st.stale_events++;
            return;
        }
        uint32_t tokens = cw_get32(p + 4);
        if (tokens > h->run.steps) {
            h->st.unexpected++;
            return;
        }
        if (!h->run.done) {
            h->run.done = 1;
            h->run.final = tokens;
            h->run.cycles = cw_get64(p + 8);
            h->run.reason = p[16];
            h->run.error = p[17];
            h->run.progress = 1;
        }
        if (tokens > h->run.known)
            h->run.known = tokens;
        return;
    }
    case CW_LINK_EV_ERROR:
        if (f->len != CW_LINK_ERROR_LEN) {
            h->st.unexpected++;
            return;
        }
        if (cw_get32(p) != h->run.id) {
            h->st.stale_events++;
            return;
        }
        h->run.error = (uint8_t)cw_get32(p + 8);
        return; /* the DONE that follows (or STATUS) ends the run */
    default:
        h->st.unexpected++;
    }
}

/* A frame that is not the response being waited for. */
static void dispatch(cw_link_host *h, const cw_link_frame *f)
{
    if (f->type & CW_LINK_RESPONSE)
        h->st.stale_responses++;
    else if ((f->type & 0xC0u) == 0x40u)
        handle_event(h, f);
    else
        h->st.unexpected++;
}

/* -------------------------------------------------------------- commands */

static int device_refused(uint8_t status, uint8_t cmd)
{
    const char *c = cmd_name(cmd);
    switch (status) {
    case CW_LINK_ST_BAD_COMMAND:
        return cw_fail(CW_ERR_UNSUPPORTED, "device does not implement %s", c);
    case CW_LINK_ST_BAD_LENGTH:
        return cw_fail(CW_ERR_PROTOCOL, "device rejected the length of %s", c);
    case CW_LINK_ST_BAD_REGION:
        return cw_fail(CW_ERR_INVALID_ARG, "%s: the device has no such region", c);
    case CW_LINK_ST_OUT_OF_RANGE:
        return cw_fail(CW_ERR_INVALID_ARG, "%s: past the end of the region", c);
    case CW_LINK_ST_BUSY:
        return cw_fail(CW_ERR_DEVICE, "%s: device busy (a run is in progress)", c);
    case CW_LINK_ST_BAD_ARG:
        return cw_fail(CW_ERR_INVALID_ARG, "%s: device rejected the arguments", c);
    }
    return cw_fail(CW_ERR_PROTOCOL, "%s: device answered with unknown status %u", c,
                   (unsigned)status);
}

/* Sends command `type` and waits for its response (into h->resp), trying
 * at most `tries` times. Then checks the status byte and that the response
 * holds at least min_len bytes. */
static int transact(cw_link_host *h, uint8_t type, const uint8_t *payload, size_t len,
                    size_t min_len, int tries)
{
    uint16_t seq = h->seq++;
    size_t n = cw_link_encode(h->tx, sizeof h->tx, type, seq, payload, len);
    if (n == 0)
        return cw_fail(CW_ERR_INVALID_ARG, "%s payload of %zu bytes is too long",
                       cmd_name(type), len);
    h->st.commands++;
    uint8_t rtype = (uint8_t)(type | CW_LINK_RESPONSE);
    for (int attempt = 0; attempt < tries; attempt++) {
        if (attempt)
            h->st.retransmits++;
        h->last_attempts = attempt + 1;
        int rc = cw_link_write(h->t, h->tx, n);
        if (rc < 0)
            return rc;
        int64_t deadline = now_ms() + h->p.timeout_ms;
        for (;;) {
            int r = wait_frame(h, deadline);
            if (r < 0)
                return r;
            if (r == 0) {
                h->st.timeouts++;
                break;
            }
            if (h->fr.type != rtype || h->fr.seq != seq) {
                dispatch(h, &h->fr);
                continue;
            }
            if (h->fr.len < 1) {
                h->st.unexpected++;
                continue;
            }
            h->resp = h->fr;
            if (h->resp.payload[0] != CW_LINK_ST_OK)
                return device_refused(h->resp.payload[0], type);
            if (h->resp.len < min_len)
                return cw_fail(CW_ERR_PROTOCOL, "%s response of %u bytes, expected %zu",
                               cmd_name(type), (unsigned)h->resp.len, min_len);
            return CW_OK;
        }
    }
    return cw_fail(CW_ERR_TIMEOUT, "no response to %s (seq %u) after %d attempts of %d ms",
                   cmd_name(type), (unsigned)seq, tries, h->p.timeout_ms);
}

static int command(cw_link_host *h, uint8_t type, const uint8_t *payload, size_t len,
                   size_t min_len)
{
    return transact(h, type, payload, len, min_len, h->p.max_retries + 1);
}

/* One WRITE or READ chunk with the chunk-size fallback. *k receives the
 * bytes moved. */
static int io_chunk(cw_link_host *h, uint8_t cmd, int region, uint32_t off, const uint8_t *src,
                    uint8_t *dst, size_t want, size_t *k)
{
    uint8_t pl[CW_LINK_MAX_PAYLOAD];
    for (;;) {
        size_t n = want < h->chunk ? want : h->chunk;
        memset(pl, 0, CW_LINK_IO_HEADER + 4);
        pl[0] = (uint8_t)region;
        cw_put32(pl + 4, off);
        size_t len;
        if (cmd == CW_LINK_CMD_WRITE) {
            memcpy(pl + CW_LINK_IO_HEADER, src, n);
            len = CW_LINK_IO_HEADER + n;
        } else {
            cw_put16(pl + 8, (uint16_t)n);
            len = CW_LINK_READ_REQ_LEN;
        }
        int shrinkable = h->chunk > h->p.min_chunk;
        int rc = transact(h, cmd, pl, len,
                          cmd == CW_LINK_CMD_WRITE ? CW_LINK_WRITE_RESP_LEN : CW_LINK_IO_HEADER,
                          shrinkable ? 2 : h->p.max_retries + 1);
        if (rc == CW_ERR_TIMEOUT && shrinkable) {
            h->chunk = h->chunk / 2 < h->p.min_chunk ? h->p.min_chunk : h->chunk / 2;
            h->clean = 0;
            h->st.chunk_shrinks++;
            continue;
        }
        if (rc < 0)
            return rc;
        const uint8_t *r = h->resp.payload;
        if (cw_get32(r + 4) != off ||
            (cmd == CW_LINK_CMD_WRITE ? cw_get32(r + 8) != n
                                      : h->resp.len != CW_LINK_IO_HEADER + n))
            return cw_fail(CW_ERR_PROTOCOL, "%s response does not match the request",
                           cmd_name(cmd));
        if (dst)
            memcpy(dst, r + CW_LINK_IO_HEADER, n);
        if (h->last_attempts == 1) {
            if (++h->clean >= GROW_AFTER && h->chunk < h->p.max_chunk) {
                h->chunk = h->chunk * 2 > h->p.max_chunk ? h->p.max_chunk : h->chunk * 2;
                h->clean = 0;
            }
        } else {
            h->clean = 0;
        }
        *k = n;
        return CW_OK;
    }
}

static int check_io(const cw_link_host *h, int region, uint32_t offset, size_t n,
                    const void *p, const char *what)
{
    if (!h || (n && !p))
        return cw_fail(CW_ERR_INVALID_ARG, "%s: NULL argument", what);
    if (region < 0 || region >= CW_LINK_N_REGIONS || h->info.region_size[region] == 0)
        return cw_fail(CW_ERR_INVALID_ARG, "%s: region %d does not exist on the device", what,
                       region);
    uint32_t size = h->info.region_size[region];
    if (offset > size || n > size - offset)
        return cw_fail(CW_ERR_INVALID_ARG,
                       "%s: %zu bytes at offset %u exceed region %d of %u bytes", what, n,
                       (unsigned)offset, region, (unsigned)size);
    return CW_OK;
}

int cw_link_host_write(cw_link_host *h, int region, uint32_t offset, const void *data,
                       size_t n, cw_link_progress_fn progress, void *user)
{
    int rc = check_io(h, region, offset, n, data, "link write");
    if (rc < 0)
        return rc;
    const uint8_t *src = data;
    size_t done = 0;
    while (done < n) {
        size_t k = 0;
        rc = io_chunk(h, CW_LINK_CMD_WRITE, region, offset + (uint32_t)done, src + done, NULL,
                      n - done, &k);
        if (rc < 0)
            return rc;
        done += k;
        if (progress && progress(user, done, n))
            return cw_fail(CW_ERR_ABORTED, "write aborted by the progress callback at %zu of %zu",
                           done, n);
    }
    return CW_OK;
}

int cw_link_host_read(cw_link_host *h, int region, uint32_t offset, void *buf, size_t n)
{
    int rc = check_io(h, region, offset, n, buf, "link read");
    if (rc < 0)
        return rc;
    uint8_t *dst = buf;
    size_t done = 0;
    while (done < n) {
        size_t k = 0;
        rc = io_chunk(h, CW_LINK_CMD_READ, region, offset + (uint32_t)done, NULL, dst + done,
                      n - done, &k);
        if (rc < 0)
            return rc;
        done += k;
    }
    return CW_OK;
}

static void parse_info(const uint8_t *r, cw_link_info *o)
{
    memset(o, 0, sizeof *o);
    o->version = r[1];
    o->core_state = r[2];
    o->n_regions = r[3];
    o->max_payload = cw_get16(r + 4);
    o->config_hash = cw_get64(r + 8);
    o->mac_lanes = cw_get32(r + 16);
    o->ctx_len = cw_get32(r + 20);
    o->run_id = cw_get32(r + 24);
    for (int i = 0; i < CW_LINK_N_REGIONS && i < o->n_regions; i++)
        o->region_size[i] = cw_get32(r + 32 + 4 * i);
}

int cw_link_host_info(cw_link_host *h, cw_link_info *out)
{
    if (!h || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_info: NULL argument");
    int rc = command(h, CW_LINK_CMD_INFO, NULL, 0, CW_LINK_INFO_RESP_LEN);
    if (rc < 0)
        return rc;
    parse_info(h->resp.payload, out);
    h->last_run_id = out->run_id;
    if (out->version != CW_LINK_VERSION)
        return cw_fail(CW_ERR_PROTOCOL, "device speaks link protocol %u, this host %u",
                       (unsigned)out->version, (unsigned)CW_LINK_VERSION);
    if (out->n_regions > CW_LINK_N_REGIONS || out->max_payload < CW_LINK_MAX_PAYLOAD)
        return cw_fail(CW_ERR_PROTOCOL, "device reports %u regions, %u-byte payloads",
                       (unsigned)out->n_regions, (unsigned)out->max_payload);
    return CW_OK;
}

const cw_link_info *cw_link_host_cached_info(const cw_link_host *h)
{
    return &h->info;
}

int cw_link_host_status(cw_link_host *h, cw_link_status *o)
{
    if (!h || !o)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_status: NULL argument");
    int rc = command(h, CW_LINK_CMD_STATUS, NULL, 0, CW_LINK_STATUS_RESP_LEN);
    if (rc < 0)
        return rc;
    const uint8_t *r = h->resp.payload;
    o->state = r[1];
    o->exit_reason = r[2];
    o->error = r[3];
    o->run_id = cw_get32(r + 4);
    h->last_run_id = o->run_id;
    o->tokens = cw_get32(r + 8);
    o->steps = cw_get32(r + 12);
    o->cycle = cw_get64(r + 16);
    o->rx_bad_frames = cw_get32(r + 24);
    o->dup_commands = cw_get32(r + 28);
    o->events_sent = cw_get32(r + 32);
    o->events_dropped = cw_get32(r + 36);
    return CW_OK;
}

int cw_link_host_cancel(cw_link_host *h)
{
    if (!h)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_cancel: NULL argument");
    int rc = command(h, CW_LINK_CMD_CANCEL, NULL, 0, CW_LINK_CANCEL_RESP_LEN);
    if (rc == CW_OK)
        h->last_run_id = cw_get32(h->resp.payload + 4);
    return rc;
}

int cw_link_host_reset(cw_link_host *h)
{
    if (!h)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_reset: NULL argument");
    int rc = command(h, CW_LINK_CMD_RESET, NULL, 0, CW_LINK_RESET_RESP_LEN);
    if (rc == CW_OK) {
        h->run.active = 0;
        h->last_run_id = cw_get32(h->resp.payload + 4);
    }
    return rc;
}

void cw_link_host_request_cancel(cw_link_host *h)
{
    if (h)
        atomic_store(&h->cancel, 1);
}

void cw_link_host_watch_cancel(cw_link_host *h, atomic_int *flag)
{
    if (h)
        h->cancel_ext = flag;
}

static int cancel_requested(cw_link_host *h)
{
    int c = atomic_exchange(&h->cancel, 0);
    return c || (h->cancel_ext && atomic_load(h->cancel_ext));
}

void cw_link_host_get_stats(const cw_link_host *h, cw_link_host_stats *out)
{
    *out = h->st;
    out->rx = h->dec.st;
}

/* ------------------------------------------------------------------- runs */

int cw_link_host_run(cw_link_host *h, uint32_t n_prompt, uint32_t steps, uint32_t *run_id)
{
    if (!h)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_run: NULL argument");
    if (n_prompt < 1 || steps < 1 || steps > h->info.ctx_len || n_prompt > h->info.ctx_len)
        return cw_fail(CW_ERR_TOO_LONG,
                       "run of %u prompt tokens and %u steps: the device context is %u",
                       (unsigned)n_prompt, (unsigned)steps, (unsigned)h->info.ctx_len);
    uint8_t pl[CW_LINK_RUN_REQ_LEN];
    memset(pl, 0, sizeof pl);
    cw_put32(pl, n_prompt);
    cw_put32(pl + 4, steps);
    /* The device numbers runs 1, 2, ... and every response that carries the
     * number updates last_run_id, so the new run's id is known before the
     * response to RUN arrives: events that overtake a lost response are
     * kept rather than read back later. */
    memset(&h->run, 0, sizeof h->run);
    memset(h->cache, 0, sizeof *h->cache * (steps + 1u));
    h->run.active = 1;
    h->run.id = h->last_run_id + 1;
    h->run.steps = steps;
    h->run.next = 1;
    int rc = command(h, CW_LINK_CMD_RUN, pl, sizeof pl, CW_LINK_RUN_RESP_LEN);
    if (rc < 0) {
        h->run.active = 0;
        return rc;
    }
    uint32_t id = cw_get32(h->resp.payload + 4);
    h->last_run_id = id;
    if (id != h->run.id) { /* another host ran something: start clean */
        memset(h->cache, 0, sizeof *h->cache * (steps + 1u));
        h->run.known = 0;
        h->run.done = 0;
        h->run.id = id;
    }
    atomic_store(&h->cancel, 0);
    if (run_id)
        *run_id = h->run.id;
    return CW_OK;
}

/* READs the output entries of the positions missing from `next` on (at most
 * RECOVER_MAX, none past `limit`) into their slots. */
static int recover(cw_link_host *h, uint32_t limit)
{
    uint8_t buf[RECOVER_MAX * CW_LINK_OUT_ENTRY];
    uint32_t first = h->run.next;
    uint32_t count = 0; /* the run of missing positions from `next` */
    while (count < RECOVER_MAX && first + count <= limit &&
           h->cache[first + count].pos != first + count)
        count++;
    h->st.recovery_reads++;
    int rc = cw_link_host_read(h, CW_LINK_REGION_OUTPUT, (first - 1) * CW_LINK_OUT_ENTRY, buf,
                               (size_t)count * CW_LINK_OUT_ENTRY);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = buf + (size_t)i * CW_LINK_OUT_ENTRY;
        uint32_t pos = first + i;
        if (cw_get32(e) != pos)
            return cw_fail(CW_ERR_PROTOCOL, "output buffer entry %u holds position %u",
                           (unsigned)(pos - 1), (unsigned)cw_get32(e));
        if (pos < h->run.next)
            continue; /* delivered while the READ was under way? not possible, but safe */
        cw_link_token *s = &h->cache[pos];
        if (s->pos == pos)
            continue; /* an event got here first */
        s->pos = pos;
        s->token = cw_get32(e + 4);
        s->cycle = cw_get64(e + 8);
        h->cache_src[pos] = 1;
    }
    return CW_OK;
}

static void fill_result(const cw_link_host *h, cw_link_run_result *r)
{
    if (!r)
        return;
    memset(r, 0, sizeof *r);
    r->run_id = h->run.id;
    r->tokens = h->run.next - 1;
    r->exit_reason = h->run.reason;
    r->error = h->run.error;
    r->cycles = h->run.cycles;
}

static int cancel_run(cw_link_host *h, cw_link_run_result *result)
{
    int rc = cw_link_host_cancel(h);
    h->run.reason = CW_LINK_EXIT_CANCELLED;
    fill_result(h, result);
    h->run.active = 0;
    if (rc < 0)
        return rc;
    return cw_fail(CW_ERR_ABORTED, "run %u cancelled after %u tokens", (unsigned)h->run.id,
                   (unsigned)(h->run.next - 1));
}

/* The run went quiet: ask how far it got. */
static int poll_status(cw_link_host *h)
{
    cw_link_status s;
    h->st.status_polls++;
    int rc = cw_link_host_status(h, &s);
    if (rc < 0)
        return rc;
    if (s.run_id != h->run.id)
        return cw_fail(CW_ERR_DEVICE, "the device is on run %u, not %u (started elsewhere?)",
                       (unsigned)s.run_id, (unsigned)h->run.id);
    if (s.state == CW_LINK_CORE_IDLE)
        return cw_fail(CW_ERR_DEVICE, "run %u was reset on the device", (unsigned)h->run.id);
    if (s.tokens > h->run.steps)
        return cw_fail(CW_ERR_PROTOCOL, "device reports %u tokens for %u steps",
                       (unsigned)s.tokens, (unsigned)h->run.steps);
    if (s.tokens > h->run.known)
        h->run.known = s.tokens;
    if (s.state != CW_LINK_CORE_RUNNING && !h->run.done) {
        h->run.done = 1;
        h->run.final = s.tokens;
        h->run.reason = s.exit_reason;
        h->run.error = s.error;
        h->run.cycles = s.cycle;
    }
    return CW_OK;
}

int cw_link_host_collect(cw_link_host *h, cw_link_token_fn on_token, void *user,
                         cw_link_run_result *result)
{
    if (!h)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_collect: NULL argument");
    if (!h->run.active)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_collect: no run started");
    int64_t deadline = now_ms() + h->p.poll_ms;
    for (;;) {
        if (cancel_requested(h))
            return cancel_run(h, result);
        uint32_t limit = h->run.done ? h->run.final : h->run.known;
        while (h->run.next <= limit) {
            uint32_t pos = h->run.next;
            const cw_link_token *s = &h->cache[pos];
            if (s->pos != pos) {
                int rc = recover(h, limit);
                if (rc < 0)
                    return rc;
                continue;
            }
            cw_link_token tok = *s;
            if (h->cache_src[pos])
                h->st.tokens_from_reads++;
            else
                h->st.tokens_from_events++;
            h->run.next++;
            if (on_token && on_token(user, &tok))
                return cancel_run(h, result);
            if (cancel_requested(h))
                return cancel_run(h, result);
            limit = h->run.done ? h->run.final : h->run.known;
        }
        if (h->run.done && h->run.next > h->run.final) {
            fill_result(h, result);
            h->run.active = 0;
            switch (h->run.reason) {
            case CW_LINK_EXIT_STEPS:
            case CW_LINK_EXIT_EOS:
                return CW_OK;
            case CW_LINK_EXIT_CANCELLED:
                return cw_fail(CW_ERR_ABORTED, "run %u was cancelled on the device",
                               (unsigned)h->run.id);
            case CW_LINK_EXIT_ERROR:
                return cw_fail(CW_ERR_DEVICE, "the core stopped with error %u after %u tokens",
                               (unsigned)h->run.error, (unsigned)h->run.final);
            }
            return cw_fail(CW_ERR_PROTOCOL, "run ended with unknown exit reason %u",
                           (unsigned)h->run.reason);
        }
        int r = wait_frame(h, deadline);
        if (r < 0)
            return r;
        if (r == 1) {
            dispatch(h, &h->fr);
            if (h->run.progress) {
                h->run.progress = 0;
                deadline = now_ms() + h->p.poll_ms;
            }
            continue;
        }
        int rc = poll_status(h);
        if (rc < 0)
            return rc;
        deadline = now_ms() + h->p.poll_ms;
    }
}

int cw_link_host_generate(cw_link_host *h, const uint32_t *prompt, uint32_t n_prompt,
                          uint32_t steps, cw_link_token_fn on_token, void *user,
                          cw_link_run_result *result)
{
    if (!h || !prompt || n_prompt == 0)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_generate: no prompt");
    if (n_prompt > h->info.ctx_len)
        return cw_fail(CW_ERR_TOO_LONG, "prompt of %u tokens: the device context is %u",
                       (unsigned)n_prompt, (unsigned)h->info.ctx_len);
    uint8_t *b = malloc((size_t)n_prompt * 4u);
    if (!b)
        return cw_fail(CW_ERR_NO_MEMORY, "link generate: out of memory");
    for (uint32_t i = 0; i < n_prompt; i++)
        cw_put32(b + 4u * i, prompt[i]);
    int rc = cw_link_host_write(h, CW_LINK_REGION_PROMPT, 0, b, (size_t)n_prompt * 4u, NULL,
                                NULL);
    free(b);
    if (rc < 0)
        return rc;
    rc = cw_link_host_run(h, n_prompt, steps, NULL);
    if (rc < 0)
        return rc;
    return cw_link_host_collect(h, on_token, user, result);
}

/* ------------------------------------------------------------ open/close */

int cw_link_host_open(cw_link_transport *t, const cw_link_host_params *p, cw_link_host **out)
{
    if (!t || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_host_open: NULL argument");
    *out = NULL;
    cw_link_host_params def;
    if (!p) {
        cw_link_host_params_default(&def);
        p = &def;
    }
    if (p->timeout_ms <= 0 || p->max_retries < 0 || p->poll_ms <= 0 || p->min_chunk < 1 ||
        p->max_chunk < p->min_chunk || p->max_chunk > CW_LINK_IO_MAX)
        return cw_fail(CW_ERR_INVALID_ARG,
                       "link params: timeout %d ms, retries %d, poll %d ms, chunk %u..%u",
                       p->timeout_ms, p->max_retries, p->poll_ms, (unsigned)p->min_chunk,
                       (unsigned)p->max_chunk);
    cw_link_host *h = calloc(1, sizeof *h);
    if (!h)
        return cw_fail(CW_ERR_NO_MEMORY, "cw_link_host_open: out of memory");
    h->t = t;
    h->p = *p;
    h->seq = p->first_seq;
    h->chunk = p->max_chunk;
    cw_link_dec_init(&h->dec, CW_LINK_DEC_RESCAN);
    atomic_init(&h->cancel, 0);
    int rc = cw_link_host_info(h, &h->info);
    /* The token cache is sized by the device's word: bound it by the largest
     * context a target may have (max_ctx, host/target.c). */
    if (rc == CW_OK && (h->info.ctx_len == 0 || h->info.ctx_len > (1u << 16)))
        rc = cw_fail(CW_ERR_PROTOCOL, "device reports a context of %u positions",
                     (unsigned)h->info.ctx_len);
    if (rc == CW_OK) {
        h->cache = calloc((size_t)h->info.ctx_len + 1u, sizeof *h->cache);
        h->cache_src = calloc((size_t)h->info.ctx_len + 1u, 1);
        if (!h->cache || !h->cache_src)
            rc = cw_fail(CW_ERR_NO_MEMORY, "cw_link_host_open: out of memory");
    }
    if (rc < 0) {
        cw_link_host_close(h);
        return rc;
    }
    *out = h;
    return CW_OK;
}

void cw_link_host_close(cw_link_host *h)
{
    if (!h)
        return;
    free(h->cache);
    free(h->cache_src);
    free(h);
}
