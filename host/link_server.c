/*
 * link_server.c - the simulator server (link_server.h): one simulated
 * device, its link engine reading and writing a multiplexing transport
 * that forwards to whichever endpoint holds the device now.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "link_fd.h"
#include "link_server.h"
#include "ref_link.h"

enum { OWN_NONE, OWN_SOCKET, OWN_FIFO };

struct cw_server {
    cw_server_params p;
    char socket_path[512];
    char h2c[512], c2h[512];
    cw_target_config t;
    int listen_fd;
    cw_link_transport *fifo;
    int fifo_created;
    cw_link_transport *client;
    unsigned long n_clients;
    int owner;
    long long fifo_last;
    cw_link_transport mux;
    cw_ref_link *dev;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void say(cw_server *s, const char *fmt, ...)
{
    if (!s->p.log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->p.log(s->p.log_user, line);
}

static void drop_client(cw_server *s, const char *why)
{
    cw_link_close(s->client);
    s->client = NULL;
    s->owner = OWN_NONE;
    say(s, "client %lu left (%s)", s->n_clients, why);
}

/* ------------------------------------------------- the multiplexing transport */

static int mux_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    cw_server *s = t->impl;
    if (s->owner == OWN_SOCKET) {
        int k = cw_link_read(s->client, buf, n, timeout_ms);
        if (k < 0) {
            drop_client(s, cw_last_error());
            return 0;
        }
        return k;
    }
    if (s->owner == OWN_FIFO) {
        int k = cw_link_read(s->fifo, buf, n, timeout_ms);
        if (k > 0)
            s->fifo_last = now_ms();
        return k;
    }
    return 0; /* nobody holds the device: the run loop waits for someone */
}

static int mux_write(cw_link_transport *t, const void *buf, size_t n)
{
    cw_server *s = t->impl;
    if (s->owner == OWN_SOCKET) {
        if (cw_link_write(s->client, buf, n) < 0)
            drop_client(s, cw_last_error());
        return CW_OK; /* for the device, bytes nobody takes are simply lost */
    }
    if (s->owner == OWN_FIFO)
        return cw_link_write(s->fifo, buf, n);
    return CW_OK;
}

static void mux_close(cw_link_transport *t)
{
    (void)t;
}

static const cw_link_transport_ops mux_ops = { mux_write, mux_read, mux_close };

/* ------------------------------------------------------------------ public */

void cw_server_params_default(cw_server_params *p)
{
    memset(p, 0, sizeof *p);
    p->target = "sim";
    p->socket_mode = 0600;
    p->fifo_idle_ms = 1000;
}

void cw_server_close(cw_server *s)
{
    if (!s)
        return;
    cw_link_close(s->client);
    cw_ref_link_close(s->dev);
    cw_link_close(s->fifo);
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        unlink(s->socket_path);
    }
    if (s->fifo_created & 1)
        unlink(s->h2c);
    if (s->fifo_created & 2)
        unlink(s->c2h);
    free(s);
}

int cw_server_open(const cw_server_params *p, cw_server **out)
{
    if (!p || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_server_open: NULL argument");
    *out = NULL;
    if (!p->socket_path && !p->fifo_h2c)
        return cw_fail(CW_ERR_INVALID_ARG, "serve: neither a socket nor a FIFO pair to serve on");
    if (!p->fifo_h2c != !p->fifo_c2h)
        return cw_fail(CW_ERR_INVALID_ARG, "serve: a FIFO pair needs both H2C and C2H");
    cw_server *s = calloc(1, sizeof *s);
    if (!s)
        return cw_fail(CW_ERR_NO_MEMORY, "serve: out of memory");
    s->p = *p;
    s->listen_fd = -1;
    s->mux.ops = &mux_ops;
    s->mux.impl = s;
    if (s->p.fifo_idle_ms <= 0)
        s->p.fifo_idle_ms = 1000;
    int rc = cw_target_get(p->target ? p->target : "sim", &s->t);
    if (rc == CW_OK)
        rc = cw_ref_link_open(&s->t, &s->mux, 64, &s->dev);
    if (rc == CW_OK && p->socket_path) {
        snprintf(s->socket_path, sizeof s->socket_path, "%s", p->socket_path);
        rc = cw_link_unix_listen(p->socket_path, p->socket_mode ? p->socket_mode : 0600, 64,
                                 &s->listen_fd);
    }
    if (rc == CW_OK && p->fifo_h2c) {
        snprintf(s->h2c, sizeof s->h2c, "%s", p->fifo_h2c);
        snprintf(s->c2h, sizeof s->c2h, "%s", p->fifo_c2h);
        rc = cw_link_fifo_serve(p->fifo_h2c, p->fifo_c2h, 100, &s->fifo_created, &s->fifo);
    }
    if (rc != CW_OK) {
        cw_server_close(s);
        return rc;
    }
    *out = s;
    return CW_OK;
}

const cw_target_config *cw_server_target(const cw_server *s)
{
    return &s->t;
}

/* Nobody holds the device: wait (up to wait_ms) for a client or FIFO bytes. */
static void find_owner(cw_server *s, int wait_ms)
{
    struct pollfd pf[2];
    int n = 0, i_listen = -1, i_fifo = -1;
    if (s->listen_fd >= 0) {
        i_listen = n;
        pf[n++] = (struct pollfd){ s->listen_fd, POLLIN, 0 };
    }
    if (s->fifo) {
        i_fifo = n;
        pf[n++] = (struct pollfd){ cw_link_fd_read_fd(s->fifo), POLLIN, 0 };
    }
    if (poll(pf, (nfds_t)n, wait_ms) <= 0)
        return;
    if (i_listen >= 0 && (pf[i_listen].revents & POLLIN)) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            cw_link_fd_params fp = { 2000, 1 };
            if (cw_link_fd_open(fd, fd, &fp, &s->client) == CW_OK) {
                s->owner = OWN_SOCKET;
                s->n_clients++;
                say(s, "client %lu connected", s->n_clients);
                return;
            }
            close(fd);
        }
    }
    if (i_fifo >= 0 && (pf[i_fifo].revents & POLLIN)) {
        s->owner = OWN_FIFO;
        s->fifo_last = now_ms();
        say(s, "host on the FIFO pair");
    }
}

int cw_server_run(cw_server *s, atomic_int *stop)
{
    if (!s || !stop)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_server_run: NULL argument");
    uint8_t last_state = CW_LINK_CORE_IDLE;
    while (!atomic_load(stop)) {
        cw_link_core_status cs;
        cw_ref_link_core_status(s->dev, &cs);
        int running = cs.state == CW_LINK_CORE_RUNNING;
        if (cs.state == CW_LINK_CORE_ERROR && last_state != CW_LINK_CORE_ERROR)
            say(s, "the core stopped on an error: %s", cw_ref_link_core_error(s->dev));
        last_state = cs.state;
        if (s->owner == OWN_NONE)
            find_owner(s, running ? 0 : 50);
        if (s->owner == OWN_FIFO && !running && now_ms() - s->fifo_last > s->p.fifo_idle_ms) {
            s->owner = OWN_NONE;
            say(s, "the FIFO pair went quiet");
        }
        int rc = cw_ref_link_poll(s->dev, s->owner != OWN_NONE ? 50 : 0);
        if (rc < 0)
            return rc;
    }
    return CW_OK;
}
