/*
 * cw_simlink.h - the C API of the Verilated device (libcwsimlink-TARGET.so):
 * rtl/cw_device.v (the link engine in front of cw_core) for one target's
 * parameters, reached only through its link byte streams, as a board is
 * through its PHY. A caller pushes host->device bytes (frames of
 * docs/protocol.md), advances the clock and pulls device->host bytes; a
 * cw_link_transport over these calls lets driver/link_host.c drive the RTL.
 *
 * This is how libclockwork's `sim` device reaches the RTL: no side door into
 * the core's memories, the same frames a board gets.
 */
#ifndef CW_SIMLINK_H
#define CW_SIMLINK_H

#include <stddef.h>
#include <stdint.h>


#ifdef __cplusplus
extern "C" {
#endif

#define CW_SIMLINK_ABI 2

typedef struct cw_simlink cw_simlink;

typedef struct cw_sim_options {
    const char *trace_path; /* FST waveform, or NULL */
    uint64_t trace_from;    /* first cycle traced (since open) */
    uint64_t trace_to;      /* last cycle traced; 0: to the end */
    uint64_t seed;          /* randomizes the initial state of every register */
} cw_sim_options;

int cw_simlink_abi(void);
const char *cw_simlink_target(void); /* the target name it was built for */

/* Builds the model and holds it in reset for a few cycles. NULL options:
 * no waveform, seed 1. */
cw_simlink *cw_simlink_open(const cw_sim_options *o);
void cw_simlink_close(cw_simlink *s);

/* Queues n host->device bytes; the device takes them as its receiver is
 * ready, one per cycle at most. */
void cw_simlink_push(cw_simlink *s, const void *buf, size_t n);

/* Host->device bytes queued and not yet taken by the device. */
size_t cw_simlink_pending(const cw_simlink *s);

/* Moves up to n device->host bytes produced so far into buf; returns the
 * count (0 when there is none). */
size_t cw_simlink_pull(cw_simlink *s, void *buf, size_t n);

/* Device->host bytes waiting to be pulled. */
size_t cw_simlink_available(const cw_simlink *s);

/* Advances the clock by `cycles`. */
void cw_simlink_step(cw_simlink *s, uint64_t cycles);

/* Advances until a device->host byte is waiting or max_cycles have
 * passed; returns the cycles run. */
uint64_t cw_simlink_step_until_output(cw_simlink *s, uint64_t max_cycles);

/* NULL while the RTL runs; once one of its assertions failed (or it ran
 * $stop or $fatal), the message, and the device is frozen from then on: no
 * clock, no bytes. Verilator's messages are kept here, never printed, and
 * nothing aborts the process that loaded the library. */
const char *cw_simlink_error(const cw_simlink *s);

/* Clock cycles since open; whether the core is running (busy). */
uint64_t cw_simlink_clock(const cw_simlink *s);
int cw_simlink_busy(const cw_simlink *s);

#ifdef __cplusplus
}
#endif

#endif
