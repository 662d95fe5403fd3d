/*
 * link_device.h - a C model of the device's link engine.
 *
 * This is the reference the Verilog link engine mirrors (docs/protocol.md,
 * "Device state machine"): it parses frames from a transport, executes
 * commands against the device's memory regions and a core, answers every
 * command with one response, and turns the core's progress into TOKEN,
 * DONE and ERROR events. Everything it keeps is of fixed size: the frame
 * parser's 1038-byte buffer, a 32-byte replay buffer for the last
 * side-effecting response, and a handful of counters. The only allocation
 * is of the memory regions themselves, at creation.
 *
 * The model is driven by calling cw_link_device_poll() (from a pump in the
 * same thread, or in a loop in a thread of its own).
 */
#ifndef CW_LINK_DEVICE_H
#define CW_LINK_DEVICE_H

#include <stdint.h>

#include "link_proto.h"
#include "link_transport.h"

/* The device's memory, as the core sees it: CW_LINK_N_REGIONS byte arrays.
 * A region of size 0 does not exist. */
typedef struct cw_link_mem {
    uint8_t *base[CW_LINK_N_REGIONS];
    uint32_t size[CW_LINK_N_REGIONS];
} cw_link_mem;

/* What the core reports; the link engine reads it after every step. */
typedef struct cw_link_core_status {
    uint8_t state;       /* CW_LINK_CORE_* */
    uint8_t exit_reason; /* CW_LINK_EXIT_* (when state is DONE or ERROR) */
    uint8_t error;       /* core error code (when state is ERROR) */
    uint32_t tokens;     /* output entries written so far in this run */
    uint32_t steps;      /* positions requested by the run */
    uint64_t cycle;      /* core cycle counter (cycles since the run began) */
} cw_link_core_status;

/* The core behind the link engine. Output entries (CW_LINK_OUT_ENTRY bytes
 * each: pos u32, token u32, cycle u64, entry k for position k+1) are written
 * by the core into the OUTPUT region before `tokens` counts them. */
typedef struct cw_link_core_ops {
    /* Begins a run whose prompt (n_prompt u32 ids) is in the PROMPT region.
     * Returns a CW_LINK_ST_* status; anything but OK leaves the core idle. */
    int (*start)(void *core, cw_link_mem *mem, uint32_t n_prompt, uint32_t steps);
    /* Advances a running core by one quantum (the model: one position). */
    void (*step)(void *core, cw_link_mem *mem);
    /* Stops a running core: state DONE, exit reason CANCELLED. */
    void (*cancel)(void *core);
    /* Back to IDLE with tokens = 0 (memory untouched). */
    void (*reset)(void *core);
    void (*status)(void *core, cw_link_core_status *st);
} cw_link_core_ops;

typedef struct cw_link_device_config {
    uint64_t config_hash;  /* the hardware configuration's hash (INFO) */
    uint32_t mac_lanes;
    uint32_t ctx_len;      /* positions a run may have */
    uint32_t region_size[CW_LINK_N_REGIONS];
    /* Consecutive polls without input after which a partial frame is
     * abandoned (the hardware: an inter-byte timeout). 0: never. */
    int idle_polls;
} cw_link_device_config;

typedef struct cw_link_device_stats {
    cw_link_dec_stats rx;      /* the frame parser's counters */
    uint64_t commands;         /* commands executed (replays not counted) */
    uint64_t replays;          /* duplicates answered from the replay buffer */
    uint64_t reexecuted;       /* duplicates of pure commands executed again */
    uint64_t unexpected;       /* frames of a type a device does not accept */
    uint64_t responses;
    uint64_t events;           /* TOKEN, DONE and ERROR frames sent */
    uint64_t events_dropped;   /* events the transport refused */
} cw_link_device_stats;

typedef struct cw_link_device cw_link_device;

/* Allocates the regions (zeroed) and binds core and transport (neither is
 * owned: the caller closes them after cw_link_device_destroy). The OUTPUT
 * region must hold ctx_len entries and PROMPT ctx_len ids. */
int cw_link_device_create(const cw_link_device_config *cfg, const cw_link_core_ops *core_ops,
                          void *core, cw_link_transport *t, cw_link_device **out);
void cw_link_device_destroy(cw_link_device *d);

/* One turn of the engine: reads what the transport has (waiting up to
 * timeout_ms only when the core is not running), executes every complete
 * command, steps a running core once and sends the events due. Returns
 * CW_OK or the transport's error. */
int cw_link_device_poll(cw_link_device *d, int timeout_ms);

/* The device memory (for the core, and for tests to inspect). */
cw_link_mem *cw_link_device_mem(cw_link_device *d);

void cw_link_device_get_stats(const cw_link_device *d, cw_link_device_stats *out);

/* Stops the device answering: input is read and dropped, nothing is sent
 * and the core is not stepped (a hung board, for tests). */
void cw_link_device_set_mute(cw_link_device *d, int mute);

/* ---- a fake core for tests: deterministic tokens, no arithmetic ----
 * Position p (1..steps) gets prompt[p] while p < n_prompt, then
 * cw_link_fakecore_next(previous token, p, vocab). Its cycle stamp is
 * p * cycles_per_token; it takes steps_per_token step() calls. With eos_token >= 0 the run stops after producing
 * it; with fail_at > 0 the core stops with error `fail_code` instead of
 * producing position fail_at. */
typedef struct cw_link_fakecore {
    uint32_t vocab;
    uint32_t cycles_per_token;
    uint32_t steps_per_token; /* step() calls per position (default 1) */
    int32_t eos_token;
    uint32_t fail_at;
    uint8_t fail_code;
    /* run state */
    cw_link_core_status st;
    uint32_t n_prompt;
    uint32_t prev;
    uint32_t phase;
} cw_link_fakecore;

void cw_link_fakecore_init(cw_link_fakecore *c, uint32_t vocab, uint32_t cycles_per_token);
uint32_t cw_link_fakecore_next(uint32_t prev, uint32_t pos, uint32_t vocab);
extern const cw_link_core_ops cw_link_fakecore_ops;

#endif
