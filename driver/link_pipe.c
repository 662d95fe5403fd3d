/*
 * link_pipe.c - the in-process transport pair: two ring buffers under one
 * mutex, a condition variable per direction, and a fault injector
 * (link_fault.c) on the writing side of each direction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "link_pipe.h"

#define RING_BYTES (1u << 20)

typedef struct direction {
    uint8_t *ring;
    size_t head, count;
    cw_link_injector inj;
    pthread_cond_t readable;
} direction;

typedef struct pipe_end pipe_end;

typedef struct link_pipe {
    pthread_mutex_t lock;
    direction dir[2]; /* 0: host -> device, 1: device -> host */
    int refs;
    int (*pump)(void *ctx);
    void *pump_ctx;
} link_pipe;

struct pipe_end {
    cw_link_transport t;
    link_pipe *p;
    int side; /* 0: host end (writes dir 0, reads dir 1); 1: device end */
};

static void push(direction *d, uint8_t b)
{
    if (d->count == RING_BYTES) {
        d->inj.counts.overflow++;
        return;
    }
    d->ring[(d->head + d->count) % RING_BYTES] = b;
    d->count++;
}

static int pipe_write(cw_link_transport *t, const void *buf, size_t n)
{
    pipe_end *e = t->impl;
    direction *d = &e->p->dir[e->side];
    const uint8_t *b = buf;
    pthread_mutex_lock(&e->p->lock);
    for (size_t i = 0; i < n; i++) {
        uint8_t o[2];
        int k = cw_link_injector_byte(&d->inj, b[i], o);
        for (int j = 0; j < k; j++)
            push(d, o[j]);
    }
    pthread_cond_broadcast(&d->readable);
    pthread_mutex_unlock(&e->p->lock);
    return CW_OK;
}

static size_t take(direction *d, uint8_t *out, size_t n)
{
    size_t k = n < d->count ? n : d->count;
    for (size_t i = 0; i < k; i++)
        out[i] = d->ring[(d->head + i) % RING_BYTES];
    d->head = (d->head + k) % RING_BYTES;
    d->count -= k;
    return k;
}

static int pipe_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    pipe_end *e = t->impl;
    link_pipe *p = e->p;
    direction *d = &p->dir[1 - e->side];
    if (n == 0)
        return 0;
    pthread_mutex_lock(&p->lock);
    if (d->count == 0 && e->side == 0 && p->pump) {
        int (*pump)(void *) = p->pump;
        void *ctx = p->pump_ctx;
        pthread_mutex_unlock(&p->lock);
        int rc = pump(ctx);
        pthread_mutex_lock(&p->lock);
        if (rc < 0) {
            pthread_mutex_unlock(&p->lock);
            return rc;
        }
    } else if (d->count == 0 && timeout_ms > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (d->count == 0) {
            if (pthread_cond_timedwait(&d->readable, &p->lock, &ts) == ETIMEDOUT)
                break;
        }
    }
    size_t k = take(d, buf, n > 0x7FFFFFFF ? 0x7FFFFFFF : n);
    pthread_mutex_unlock(&p->lock);
    return (int)k;
}

static void free_pipe(link_pipe *p)
{
    for (int i = 0; i < 2; i++) {
        free(p->dir[i].ring);
        pthread_cond_destroy(&p->dir[i].readable);
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static void pipe_close(cw_link_transport *t)
{
    pipe_end *e = t->impl;
    link_pipe *p = e->p;
    pthread_mutex_lock(&p->lock);
    int last = --p->refs == 0;
    pthread_mutex_unlock(&p->lock);
    free(e);
    if (last)
        free_pipe(p);
}

static const cw_link_transport_ops pipe_ops = {
    .write = pipe_write,
    .read = pipe_read,
    .close = pipe_close,
};

int cw_link_pipe_open(const cw_link_fault *to_device, const cw_link_fault *to_host,
                      cw_link_transport **host_end, cw_link_transport **device_end)
{
    if (!host_end || !device_end)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_pipe_open: NULL argument");
    *host_end = *device_end = NULL;
    link_pipe *p = calloc(1, sizeof *p);
    pipe_end *e0 = calloc(1, sizeof *e0), *e1 = calloc(1, sizeof *e1);
    if (p) {
        p->dir[0].ring = malloc(RING_BYTES);
        p->dir[1].ring = malloc(RING_BYTES);
    }
    if (!p || !e0 || !e1 || !p->dir[0].ring || !p->dir[1].ring) {
        if (p) {
            free(p->dir[0].ring);
            free(p->dir[1].ring);
        }
        free(p);
        free(e0);
        free(e1);
        return cw_fail(CW_ERR_NO_MEMORY, "cw_link_pipe_open: out of memory");
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    for (int i = 0; i < 2; i++)
        pthread_cond_init(&p->dir[i].readable, &ca);
    pthread_condattr_destroy(&ca);
    cw_link_injector_set(&p->dir[0].inj, to_device);
    cw_link_injector_set(&p->dir[1].inj, to_host);
    p->refs = 2;
    e0->t.ops = &pipe_ops;
    e0->t.impl = e0;
    e0->p = p;
    e0->side = 0;
    e1->t.ops = &pipe_ops;
    e1->t.impl = e1;
    e1->p = p;
    e1->side = 1;
    *host_end = &e0->t;
    *device_end = &e1->t;
    return CW_OK;
}

void cw_link_pipe_set_pump(cw_link_transport *host_end, int (*pump)(void *ctx), void *ctx)
{
    pipe_end *e = host_end->impl;
    pthread_mutex_lock(&e->p->lock);
    e->p->pump = pump;
    e->p->pump_ctx = ctx;
    pthread_mutex_unlock(&e->p->lock);
}

void cw_link_pipe_set_faults(cw_link_transport *end, const cw_link_fault *to_device,
                             const cw_link_fault *to_host)
{
    pipe_end *e = end->impl;
    pthread_mutex_lock(&e->p->lock);
    cw_link_injector_set(&e->p->dir[0].inj, to_device);
    cw_link_injector_set(&e->p->dir[1].inj, to_host);
    pthread_mutex_unlock(&e->p->lock);
}

void cw_link_pipe_counts(cw_link_transport *end, cw_link_fault_counts *to_device,
                         cw_link_fault_counts *to_host)
{
    pipe_end *e = end->impl;
    pthread_mutex_lock(&e->p->lock);
    if (to_device)
        *to_device = e->p->dir[0].inj.counts;
    if (to_host)
        *to_host = e->p->dir[1].inj.counts;
    pthread_mutex_unlock(&e->p->lock);
}
