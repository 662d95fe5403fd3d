/*
 * linkutil.h - what the link-device tests share: a generation recorded
 * token by token, the same generation on the ref device as the oracle, and
 * a simulated device (ref core + link engine) on an in-process pipe.
 */
#ifndef CW_LINKUTIL_H
#define CW_LINKUTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "clockwork.h"
#include "link_pipe.h"
#include "link_server.h"
#include "ref_link.h"

#define LU_MAX 1024

typedef struct lu_run {
    int n;
    int ids[LU_MAX];
    uint64_t stamp[LU_MAX], cycles[LU_MAX], predicted[LU_MAX];
    int stop_at;           /* on_token: cw_device_cancel at this position */
    cw_device *cancel_dev;
} lu_run;

/* stories260K compiled for `target` with 16-bit weights (cached; do not
 * close). */
const cw_artifact *lu_artifact(const char *target);

/* Runs steps positions from BOS on d (loaded): the return code. */
int lu_generate(cw_device *d, int steps, lu_run *r);

/* The ref device's run of the same artifact (cached per steps). */
const lu_run *lu_reference(const char *target, int steps);

/* Fails the test unless r equals the reference token for token: ids,
 * cycle stamps, cycles and predictions. */
void lu_expect_same(const lu_run *r, const lu_run *ref, const char *what);

/* A simulated device on a pumped in-process pipe (one thread). */
typedef struct lu_pipe {
    cw_link_transport *host_end, *dev_end;
    cw_ref_link *dev;
    int dead; /* the pump stops polling the device */
} lu_pipe;

void lu_pipe_open(lu_pipe *p, const char *target, const cw_link_fault *to_dev,
                  const cw_link_fault *to_host);
void lu_pipe_close(lu_pipe *p);

/* The simulator server in a thread of this process. */
typedef struct lu_server {
    cw_server *s;
    atomic_int stop;
    pthread_t th;
    int rc;
} lu_server;

void lu_server_start(lu_server *sv, const cw_server_params *p);
/* A server with default parameters on the scratch socket NAME; its path. */
const char *lu_server_on_socket(lu_server *sv, const char *name);
/* Stops the thread, checks it ended cleanly, closes the server. */
void lu_server_stop(lu_server *sv);

#endif
