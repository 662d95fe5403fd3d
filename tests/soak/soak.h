/*
 * soak.h - what the soak test's main program (soak.c) and its clients
 * (soak_client.c) share: the settings, the reference run, the counters.
 */
#ifndef CW_SOAK_H
#define CW_SOAK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "clockwork.h"

#define SOAK_MAX_STEPS 512
#define SOAK_KINDS 5 /* complete, cancel (callback), cancel (thread), reset, leave */

typedef struct soak_settings {
    double seconds;       /* stop starting runs after this long */
    uint64_t tokens;      /* ... or once this many tokens were delivered (0: no limit) */
    int clients;
    uint64_t seed;
    double corrupt, drop, dup; /* per byte, each direction */
    int timeout_ms;       /* per command attempt */
    int runs_per_session; /* generations per connection */
    int max_steps;        /* positions of the longest run */
    int verbose;
} soak_settings;

/* The ref device's run of the artifact from BOS. */
typedef struct soak_ref {
    int n;
    int ids[SOAK_MAX_STEPS];
    uint64_t stamp[SOAK_MAX_STEPS], predicted[SOAK_MAX_STEPS];
} soak_ref;

/* What the clients add up (under lock). */
typedef struct soak_totals {
    uint64_t tokens, runs, sessions;
    uint64_t complete, cancel_cb, cancel_thread, cancel_late, reset_mid, reset_running, left_mid;
    uint64_t passed, failed;
    cw_link_stats link;    /* sums over the sessions' generation phases */
} soak_totals;

typedef struct soak_shared {
    const soak_settings *set;
    const soak_ref *ref;
    const cw_artifact *art;
    char sock[512];
    double t0;             /* start, seconds (monotonic) */
    atomic_int stop;       /* no more runs (but the complete run after an interruption) */
    atomic_int left_pending; /* a host walked away from a run: the next session checks */
    atomic_ullong delivered;
    pthread_mutex_t lock;  /* totals, printing */
    soak_totals tot;
} soak_shared;

typedef struct soak_client {
    soak_shared *sh;
    int id;
    uint64_t rng;
    double ms_per_token;   /* measured on complete runs: aims the cancels and resets */
    int picks;             /* runs whose kind was chosen (not forced) */
} soak_client;

/* A client thread: sessions of runs until sh->stop. */
void *soak_client_main(void *arg);

/* Greedy generation from BOS for `steps` positions. */
int soak_generate(cw_device *d, int steps, cw_token_fn on_token, void *user);

double soak_now(void);
uint64_t soak_rand(uint64_t *s);
/* Records one check; prints the message when it failed. */
void soak_check(soak_shared *sh, int ok, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
