/*
 * link_pipe.h - an in-process transport pair with fault injection.
 *
 * cw_link_pipe_open() returns two connected transports: bytes written to
 * the host end are read from the device end and the other way round. Each
 * direction can damage the bytes passing through it with the injector of
 * link_fault.h (corrupt, drop, duplicate; seeded, so the same seed and the
 * same bytes written give the same faults).
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

#include "link_fault.h"
#include "link_transport.h"

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
