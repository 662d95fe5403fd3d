/*
 * link_server.h - a simulated device served to other processes: the ref
 * core behind the link engine model (ref_link.h), reachable on a Unix
 * socket and/or a pair of FIFOs standing in for a PCIe DMA engine's
 * character devices. `clockwork serve` is this plus argument parsing; the
 * tests run it in a thread.
 *
 * One device, one host at a time, as on a board: a socket client holds the
 * device from accept() until it disconnects, while later clients wait in
 * the listen queue (their first INFO is answered when their turn comes; a
 * host keeps asking for up to its wait time). The FIFO pair has no
 * connections: it holds the device while bytes arrive on it and lets go
 * after fifo_idle_ms of silence with the core stopped.
 */
#ifndef CW_LINK_SERVER_H
#define CW_LINK_SERVER_H

#include <stdatomic.h>

#include "clockwork.h"

typedef struct cw_server_params {
    const char *target;      /* built-in name or .target file; default "sim" */
    const char *socket_path; /* NULL: no socket */
    int socket_mode;         /* 0600 (default) or 0660 */
    const char *fifo_h2c;    /* both or neither */
    const char *fifo_c2h;
    int fifo_idle_ms;        /* default 1000 */
    /* One line per event worth telling (client connected, left, core
     * error); may be NULL. */
    void (*log)(void *user, const char *line);
    void *log_user;
} cw_server_params;

void cw_server_params_default(cw_server_params *p);

typedef struct cw_server cw_server;

/* Creates the device and the endpoints (the socket file exists when this
 * returns). */
int cw_server_open(const cw_server_params *p, cw_server **out);

/* Serves until *stop becomes non-zero (checked at least every 50 ms; a
 * signal handler may set it). */
int cw_server_run(cw_server *s, atomic_int *stop);

/* Closes every connection, removes the socket file and the FIFOs this
 * server created. */
void cw_server_close(cw_server *s);

/* The device's target (after open). */
const cw_target_config *cw_server_target(const cw_server *s);

#endif
