/*
 * link_fault.c - the byte fault injector (link_fault.h) and the wrapper
 * transport that applies it to the two directions of any transport.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "link_fault.h"

/* ---------------------------------------------------------------- injector */

/* splitmix64: small, seedable, good enough for fault placement. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return (double)(next_rand(s) >> 11) * (1.0 / 9007199254740992.0);
}

void cw_link_injector_set(cw_link_injector *inj, const cw_link_fault *f)
{
    if (f) {
        if (f->seed != inj->fault.seed || inj->rng == 0)
            inj->rng = f->seed ^ 0x5DEECE66Dull;
        inj->fault = *f;
    } else {
        memset(&inj->fault, 0, sizeof inj->fault);
    }
}

int cw_link_injector_byte(cw_link_injector *inj, uint8_t b, uint8_t out[2])
{
    const cw_link_fault *f = &inj->fault;
    inj->counts.bytes++;
    if (f->corrupt > 0 || f->drop > 0 || f->dup > 0) {
        double u = uniform(&inj->rng);
        if (u < f->corrupt) {
            out[0] = (uint8_t)(b ^ (uint8_t)(1 + next_rand(&inj->rng) % 255));
            inj->counts.corrupted++;
            return 1;
        }
        u -= f->corrupt;
        if (u < f->drop) {
            inj->counts.dropped++;
            return 0;
        }
        u -= f->drop;
        if (u < f->dup) {
            out[0] = out[1] = b;
            inj->counts.duplicated++;
            return 2;
        }
    }
    out[0] = b;
    return 1;
}

int cw_link_fault_check(const cw_link_fault *f)
{
    const struct { const char *name; double v; } r[] = {
        { "corrupt", f->corrupt }, { "drop", f->drop }, { "dup", f->dup },
    };
    for (int i = 0; i < 3; i++)
        if (!(r[i].v >= 0.0 && r[i].v <= 1.0)) /* also refuses NaN */
            return cw_fail(CW_ERR_INVALID_ARG, "fault rate %s=%g is not a probability in 0..1",
                           r[i].name, r[i].v);
    if (f->corrupt + f->drop + f->dup > 1.0)
        return cw_fail(CW_ERR_INVALID_ARG, "fault rates corrupt+drop+dup = %g exceed 1",
                       f->corrupt + f->drop + f->dup);
    return CW_OK;
}

/* ----------------------------------------------------------------- wrapper */

#define CHUNK 4096

typedef struct fault_wrap {
    cw_link_transport t;
    cw_link_transport *inner;
    int own_inner;
    pthread_mutex_t lock;          /* the injectors (rates, generators, counts) */
    cw_link_injector dir[2];       /* 0: host -> device (writes), 1: device -> host (reads) */
    uint8_t carry[CHUNK];          /* damaged bytes read but not yet handed out */
    size_t carry_n;
} fault_wrap;

static int wrap_write(cw_link_transport *t, const void *buf, size_t n)
{
    fault_wrap *w = t->impl;
    const uint8_t *b = buf;
    uint8_t out[2 * CHUNK];
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK, k = 0;
        pthread_mutex_lock(&w->lock);
        for (size_t i = 0; i < m; i++)
            k += (size_t)cw_link_injector_byte(&w->dir[0], b[i], out + k);
        pthread_mutex_unlock(&w->lock);
        if (k > 0) {
            int rc = cw_link_write(w->inner, out, k);
            if (rc < 0)
                return rc;
        }
        b += m;
        n -= m;
    }
    return CW_OK;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wrap_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    fault_wrap *w = t->impl;
    uint8_t *dst = buf;
    if (n == 0)
        return 0;
    if (n > 0x7FFFFFFF)
        n = 0x7FFFFFFF;
    if (w->carry_n > 0) {
        size_t k = n < w->carry_n ? n : w->carry_n;
        memcpy(dst, w->carry, k);
        memmove(w->carry, w->carry + k, w->carry_n - k);
        w->carry_n -= k;
        return (int)k;
    }
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int wait = timeout_ms, late = 0;
    for (;;) {
        uint8_t in[CHUNK];
        int r = cw_link_read(w->inner, in, n < CHUNK ? n : CHUNK, wait);
        if (r <= 0)
            return r;
        /* up to 2r bytes come out: the first n to the caller, the rest
         * (at most r <= CHUNK) kept for the next read */
        size_t k = 0;
        pthread_mutex_lock(&w->lock);
        for (int i = 0; i < r; i++) {
            uint8_t o[2];
            int c = cw_link_injector_byte(&w->dir[1], in[i], o);
            for (int j = 0; j < c; j++, k++) {
                if (k < n)
                    dst[k] = o[j];
                else
                    w->carry[w->carry_n++] = o[j];
            }
        }
        pthread_mutex_unlock(&w->lock);
        if (k > 0)
            return (int)(k < n ? k : n);
        /* every byte was dropped: wait on for what time is left; once it
         * is up, still take what is already waiting (a bounded number of
         * times, so a stream that never stops cannot hold the caller) */
        int64_t left = deadline - now_ms();
        if (left <= 0 && ++late > 64)
            return 0;
        wait = left > 0 ? (int)left : 0;
    }
}

static void wrap_close(cw_link_transport *t)
{
    fault_wrap *w = t->impl;
    if (w->own_inner)
        cw_link_close(w->inner);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static const cw_link_transport_ops wrap_ops = {
    .write = wrap_write,
    .read = wrap_read,
    .close = wrap_close,
};

int cw_link_fault_wrap(cw_link_transport *inner, int own_inner, const cw_link_fault *to_device,
                       const cw_link_fault *to_host, cw_link_transport **out)
{
    if (!inner || !out) {
        if (inner && own_inner)
            cw_link_close(inner);
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_fault_wrap: NULL argument");
    }
    *out = NULL;
    int rc = to_device ? cw_link_fault_check(to_device) : CW_OK;
    if (rc == CW_OK && to_host)
        rc = cw_link_fault_check(to_host);
    fault_wrap *w = rc == CW_OK ? calloc(1, sizeof *w) : NULL;
    if (rc == CW_OK && !w)
        rc = cw_fail(CW_ERR_NO_MEMORY, "cw_link_fault_wrap: out of memory");
    if (rc != CW_OK) {
        if (own_inner)
            cw_link_close(inner);
        return rc;
    }
    w->t.ops = &wrap_ops;
    w->t.impl = w;
    w->inner = inner;
    w->own_inner = own_inner;
    pthread_mutex_init(&w->lock, NULL);
    cw_link_injector_set(&w->dir[0], to_device);
    cw_link_injector_set(&w->dir[1], to_host);
    *out = &w->t;
    return CW_OK;
}

void cw_link_fault_counts_of(cw_link_transport *wrapper, cw_link_fault_counts *to_device,
                             cw_link_fault_counts *to_host)
{
    fault_wrap *w = wrapper->impl;
    pthread_mutex_lock(&w->lock);
    if (to_device)
        *to_device = w->dir[0].counts;
    if (to_host)
        *to_host = w->dir[1].counts;
    pthread_mutex_unlock(&w->lock);
}

void cw_link_fault_set(cw_link_transport *wrapper, const cw_link_fault *to_device,
                       const cw_link_fault *to_host)
{
    fault_wrap *w = wrapper->impl;
    pthread_mutex_lock(&w->lock);
    cw_link_injector_set(&w->dir[0], to_device);
    cw_link_injector_set(&w->dir[1], to_host);
    pthread_mutex_unlock(&w->lock);
}
