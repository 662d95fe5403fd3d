/*
 * ref_link.h - a simulated device that speaks the link protocol: the ref
 * core (ref_core.c) behind the C model of the device's link engine
 * (driver/link_device.c). Whatever transport it is given (the in-process
 * pipe, a Unix socket or a FIFO pair through `clockwork serve`), the host
 * reaches it exactly as it reaches a board.
 *
 * The core reads its program, weights, scales, constants and prompt
 * straight from the link engine's memory regions (no copy); it runs one
 * position per cw_ref_link_poll() while a run is in progress and writes
 * every token's OUTPUT entry (pos, token, cycle) before counting it.
 */
#ifndef CW_REF_LINK_H
#define CW_REF_LINK_H

#include "clockwork.h"
#include "link_device.h"

typedef struct cw_ref_link cw_ref_link;

/* A simulated device of target t on transport tr (not owned: close it
 * after cw_ref_link_close). idle_polls: see cw_link_device_config. */
int cw_ref_link_open(const cw_target_config *t, cw_link_transport *tr, int idle_polls,
                     cw_ref_link **out);
void cw_ref_link_close(cw_ref_link *r);

/* One turn of the device: cw_link_device_poll(). */
int cw_ref_link_poll(cw_ref_link *r, int timeout_ms);

/* The link engine (for its memory, statistics, cw_link_device_set_mute). */
cw_link_device *cw_ref_link_device(cw_ref_link *r);

/* The core's state, and the detail of the error that stopped it ("" if
 * none). */
void cw_ref_link_core_status(cw_ref_link *r, cw_link_core_status *st);
const char *cw_ref_link_core_error(const cw_ref_link *r);

/* The core as cw_link_core_ops, over a ref core whose memories are bound
 * to the link engine's regions at start (for other engines or tests). */
extern const cw_link_core_ops cw_ref_link_core_ops;

#endif
