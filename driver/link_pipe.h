/*
 * link_pipe.h - an in-process transport pair with fault injection.
 *
 * cw_link_pipe_open() returns two connected transports: bytes written to
 * the host end are read from the device end and the other way round. Each
 * direction can damage the bytes passing through it, byte by byte, from a
 * seeded generator: with probability `corrupt` a byte is xored with a
 * random non-zero mask, with `drop` it is lost, with `dup` it is delivered
 * twice. The same seed and the same bytes written give the same faults.
 *
 * Two ways to drive the device end:
 *  - pumped (single thread, deterministic): cw_link_pipe_set_pump() gives
 *    the host end a function to call whenever its read finds nothing; the
 *    test pumps the device model from it. A read that still finds nothing
 *    after one pump returns 0, i.e. counts as a timeout at once.
 *  - threaded: without a pump, reads block on a condition variable for up
 *    to timeout_ms, and the device model runs in its own thread.
 *
 * Both ends must be closed (cw_link_close) to free the pipe.
 */
#ifndef CW_LINK_PIPE_H
#define CW_LINK_PIPE_H

#include <stdint.h>

#include "link_transport.h"

typedef struct cw_link_fault {
    double corrupt; /* probability per byte */
    double drop;
    double dup;
    uint64_t seed;
} cw_link_fault;

typedef struct cw_link_fault_counts {
    uint64_t bytes;      /* bytes written into this direction */
    uint64_t corrupted;
    uint64_t dropped;
    uint64_t duplicated;
    uint64_t overflow;   /* bytes lost because the reader fell 1 MiB behind */
} cw_link_fault_counts;

/* Either fault pointer may be NULL (a clean direction). */
int cw_link_pipe_open(const cw_link_fault *to_device, const cw_link_fault *to_host,
                      cw_link_transport **host_end, cw_link_transport **device_end);

/* Makes the host end call pump(ctx) when a read finds no byte. NULL
 * restores blocking reads. */
void cw_link_pipe_set_pump(cw_link_transport *host_end, int (*pump)(void *ctx), void *ctx);

/* Changes a direction's fault rates (counts and generator state carry on).
 * `end` is either end of the pipe; NULL means clean. */
void cw_link_pipe_set_faults(cw_link_transport *end, const cw_link_fault *to_device,
                             const cw_link_fault *to_host);

/* The counts of both directions; `end` is either end of the pipe. */
void cw_link_pipe_counts(cw_link_transport *end, cw_link_fault_counts *to_device,
                         cw_link_fault_counts *to_host);

#endif
