/*
 * link_fault.h - byte fault injection for any link transport.
 *
 * An injector damages a byte stream one byte at a time, from a seeded
 * generator (splitmix64): with probability `corrupt` a byte is xored with
 * a random non-zero mask, with `drop` it is lost, with `dup` it is
 * delivered twice. The same seed and the same bytes give the same faults.
 * The in-process pipe (link_pipe.c) damages its bytes with it, and
 * cw_link_fault_wrap() puts it around any other transport: the bytes the
 * host writes (host -> device) and the bytes it reads (device -> host) are
 * damaged on their way, and counted.
 */
#ifndef CW_LINK_FAULT_H
#define CW_LINK_FAULT_H

#include <stdint.h>

#include "link_transport.h"

typedef struct cw_link_fault {
    double corrupt; /* probability per byte */
    double drop;
    double dup;
    uint64_t seed;
} cw_link_fault;

typedef struct cw_link_fault_counts {
    uint64_t bytes;      /* bytes that went into this direction */
    uint64_t corrupted;
    uint64_t dropped;
    uint64_t duplicated;
    uint64_t overflow;   /* pipe only: bytes lost because the reader fell 1 MiB behind */
} cw_link_fault_counts;

/* One direction's injector: its rates, generator state and counts. */
typedef struct cw_link_injector {
    cw_link_fault fault;
    uint64_t rng;
    cw_link_fault_counts counts;
} cw_link_injector;

/* Sets the rates (NULL: clean). The generator restarts from the seed when
 * the seed changes or on first use; otherwise it and the counts carry on. */
void cw_link_injector_set(cw_link_injector *inj, const cw_link_fault *f);

/* Passes one byte through: writes 0, 1 or 2 bytes to out and returns how
 * many. */
int cw_link_injector_byte(cw_link_injector *inj, uint8_t b, uint8_t out[2]);

/* Checks rates (each in 0..1, their sum at most 1): CW_OK or
 * CW_ERR_INVALID_ARG naming the rate. */
int cw_link_fault_check(const cw_link_fault *f);

/* A transport that damages what passes through `inner`: bytes written with
 * to_device, bytes read with to_host (either may be NULL: clean). own_inner:
 * closing the wrapper closes inner. On failure inner is closed if owned. */
int cw_link_fault_wrap(cw_link_transport *inner, int own_inner, const cw_link_fault *to_device,
                       const cw_link_fault *to_host, cw_link_transport **out);

/* The counts of both directions of a wrapper (either pointer may be NULL);
 * safe from any thread. */
void cw_link_fault_counts_of(cw_link_transport *wrapper, cw_link_fault_counts *to_device,
                             cw_link_fault_counts *to_host);

/* Changes a wrapper's rates (NULL: clean); counts and generators carry on. */
void cw_link_fault_set(cw_link_transport *wrapper, const cw_link_fault *to_device,
                       const cw_link_fault *to_host);

#endif
