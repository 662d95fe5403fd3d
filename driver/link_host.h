/*
 * link_host.h - the host side of the link protocol: one session with one
 * device over one transport (docs/protocol.md).
 *
 * Commands are stop-and-wait: each is sent with the next sequence number
 * and retransmitted, byte for byte, when its response does not arrive
 * within timeout_ms; after max_retries retransmissions the call fails with
 * CW_ERR_TIMEOUT (so no call waits longer than about
 * (max_retries + 1) * timeout_ms, plus the chunk-size fallbacks of large
 * transfers). WRITE and READ of any length are split into chunks whose size
 * adapts to the link: halved when a chunk times out, doubled again after a
 * run of clean exchanges.
 *
 * Generation: cw_link_host_generate() starts a run and hands every token of
 * positions 1..n to a callback exactly once and in order. TOKEN events
 * carry most of them; whatever the link loses is read back from the
 * device's output buffer; when events stop, STATUS tells how far the core
 * got.
 *
 * A session is used from one thread, except cw_link_host_request_cancel(),
 * which any thread may call.
 */
#ifndef CW_LINK_HOST_H
#define CW_LINK_HOST_H

#include <stdatomic.h>
#include <stdint.h>

#include "link_frame.h"
#include "link_proto.h"
#include "link_transport.h"

typedef struct cw_link_host cw_link_host;

typedef struct cw_link_host_params {
    int timeout_ms;    /* per attempt; default 250 */
    int max_retries;   /* retransmissions before CW_ERR_TIMEOUT; default 10 */
    int poll_ms;       /* quiet time during a run before a STATUS; default 100 */
    uint16_t first_seq; /* sequence number of the first command; default 1 */
    uint32_t max_chunk; /* largest WRITE/READ data per frame; default and max 1016 */
    uint32_t min_chunk; /* smallest chunk the fallback goes to; default 16 */
} cw_link_host_params;

void cw_link_host_params_default(cw_link_host_params *p);

/* What INFO returns. */
typedef struct cw_link_info {
    uint8_t version;
    uint8_t core_state;
    uint8_t n_regions;
    uint16_t max_payload;
    uint64_t config_hash;
    uint32_t mac_lanes;
    uint32_t ctx_len;
    uint32_t run_id;    /* the last run started (0: none since power-up) */
    uint32_t region_size[CW_LINK_N_REGIONS];
} cw_link_info;

/* What STATUS returns. */
typedef struct cw_link_status {
    uint8_t state;       /* CW_LINK_CORE_* */
    uint8_t exit_reason; /* CW_LINK_EXIT_* */
    uint8_t error;
    uint32_t run_id;
    uint32_t tokens;     /* tokens produced by run run_id */
    uint32_t steps;
    uint64_t cycle;
    uint32_t rx_bad_frames;  /* the device parser's rejected frames */
    uint32_t dup_commands;   /* duplicates the device answered */
    uint32_t events_sent;
    uint32_t events_dropped;
} cw_link_status;

/* One token as the host delivers it. */
typedef struct cw_link_token {
    uint32_t pos;    /* 1..steps */
    uint32_t token;
    uint64_t cycle;  /* device cycle stamp */
} cw_link_token;

/* Return non-zero to stop the run (the call then cancels it on the device
 * and returns CW_ERR_ABORTED). */
typedef int (*cw_link_token_fn)(void *user, const cw_link_token *t);

/* Progress of a WRITE: return non-zero to abort (CW_ERR_ABORTED). */
typedef int (*cw_link_progress_fn)(void *user, uint64_t done, uint64_t total);

typedef struct cw_link_run_result {
    uint32_t run_id;
    uint32_t tokens;     /* tokens delivered */
    uint8_t exit_reason; /* CW_LINK_EXIT_* */
    uint8_t error;       /* the core's error code (exit reason ERROR) */
    uint64_t cycles;     /* the core's cycle counter at the end */
} cw_link_run_result;

typedef struct cw_link_host_stats {
    cw_link_dec_stats rx;        /* the host's frame decoder */
    uint64_t commands;           /* commands issued (not counting retransmissions) */
    uint64_t retransmits;
    uint64_t timeouts;           /* attempts that timed out */
    uint64_t chunk_shrinks;      /* WRITE/READ chunk halvings */
    uint64_t stale_responses;    /* responses to earlier attempts, ignored */
    uint64_t unexpected;         /* frames of the wrong type or malformed */
    uint64_t events;             /* event frames received */
    uint64_t stale_events;       /* events of another run, ignored */
    uint64_t dup_tokens;         /* TOKEN events for positions already held */
    uint64_t tokens_from_events; /* tokens delivered from TOKEN events */
    uint64_t tokens_from_reads;  /* tokens delivered from READs of the output buffer */
    uint64_t recovery_reads;     /* READ commands issued for missing tokens */
    uint64_t status_polls;       /* STATUS issued because the run went quiet */
} cw_link_host_stats;

/* Opens a session on transport t (not owned; close it after the session)
 * and exchanges INFO; fails with CW_ERR_PROTOCOL if the device speaks
 * another protocol version, CW_ERR_TIMEOUT if nothing answers. */
int cw_link_host_open(cw_link_transport *t, const cw_link_host_params *p, cw_link_host **out);
void cw_link_host_close(cw_link_host *h);

/* INFO again (the session caches the one from open: see cw_link_host_cached_info). */
int cw_link_host_info(cw_link_host *h, cw_link_info *out);
const cw_link_info *cw_link_host_cached_info(const cw_link_host *h);

/* Writes n bytes at offset of region, in chunks; progress (may be NULL)
 * after each chunk. */
int cw_link_host_write(cw_link_host *h, int region, uint32_t offset, const void *data,
                       size_t n, cw_link_progress_fn progress, void *user);

/* Reads n bytes at offset of region, in chunks. */
int cw_link_host_read(cw_link_host *h, int region, uint32_t offset, void *buf, size_t n);

/* Starts a run on a prompt already written to the PROMPT region (n_prompt
 * u32 ids) for `steps` positions; *run_id (may be NULL) receives its id.
 * Tokens of a run started this way can be collected with
 * cw_link_host_collect(). */
int cw_link_host_run(cw_link_host *h, uint32_t n_prompt, uint32_t steps, uint32_t *run_id);

/* Delivers the tokens of the run started last by cw_link_host_run(), from
 * the first not yet delivered, until the run ends. result may be NULL.
 * Returns CW_OK when the core finished (steps or end token), CW_ERR_ABORTED
 * when cancelled (by the callback, cw_link_host_request_cancel or a CANCEL
 * from elsewhere), CW_ERR_DEVICE when the core stopped on an error (every
 * token before it delivered), CW_ERR_TIMEOUT when the device stops
 * answering. */
int cw_link_host_collect(cw_link_host *h, cw_link_token_fn on_token, void *user,
                         cw_link_run_result *result);

/* Writes the prompt (u32 ids) to the PROMPT region, runs and collects. */
int cw_link_host_generate(cw_link_host *h, const uint32_t *prompt, uint32_t n_prompt,
                          uint32_t steps, cw_link_token_fn on_token, void *user,
                          cw_link_run_result *result);

int cw_link_host_cancel(cw_link_host *h);
int cw_link_host_reset(cw_link_host *h);
int cw_link_host_status(cw_link_host *h, cw_link_status *out);

/* Asks a running collect/generate to cancel the run; safe from any thread
 * and from the token callback. */
void cw_link_host_request_cancel(cw_link_host *h);

/* Makes collect/generate also cancel the run when *flag becomes non-zero
 * (e.g. cw_device's own cancel flag); the session only reads it. NULL
 * stops watching. */
void cw_link_host_watch_cancel(cw_link_host *h, atomic_int *flag);

void cw_link_host_get_stats(const cw_link_host *h, cw_link_host_stats *out);

#endif
