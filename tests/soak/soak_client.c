/*
 * soak_client.c - one client of the soak test: sessions on the shared
 * device (unix: URI with fault injection), each loading the artifact on a
 * clean link and then running generations on the faulty one: complete
 * runs, runs cancelled by the token callback or from another thread, runs
 * reset mid-run, and runs the host walks away from. Every token delivered
 * is checked against the ref device's run: positions 1, 2, 3, ... each
 * once, the same token ids and cycle stamps, cycles equal to the
 * compiler's prediction.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "device_link.h"
#include "link_host.h"
#include "link_proto.h"
#include "soak.h"

enum kind { K_FULL, K_CANCEL_CB, K_CANCEL_THREAD, K_RESET, K_LEAVE, K_COUNT };
_Static_assert(K_COUNT == SOAK_KINDS, "soak.h counts the kinds");
static const char *const kind_name[K_COUNT] = {
    "complete", "cancel (callback)", "cancel (thread)", "reset mid-run", "host leaves mid-run",
};

/* ---------------------------------------------------------- token checks */

typedef struct run_check {
    soak_shared *sh;
    int next;     /* the position expected next */
    int stop_at;  /* the callback stops the run after this position (0: never) */
    char bad[200]; /* the first mismatch */
} run_check;

static int on_token(void *user, const cw_token_event *ev)
{
    run_check *r = user;
    const soak_ref *ref = r->sh->ref;
    int i = r->next - 1;
    if (!r->bad[0]) {
        if (ev->pos != r->next)
            snprintf(r->bad, sizeof r->bad, "position %d delivered, %d expected", ev->pos,
                     r->next);
        else if (i >= ref->n)
            snprintf(r->bad, sizeof r->bad, "position %d: the ref run ended at %d", ev->pos,
                     ref->n);
        else if (ev->token != ref->ids[i] || ev->cycle != ref->stamp[i] ||
                 ev->predicted_cycles != ref->predicted[i] || ev->cycles != ev->predicted_cycles)
            snprintf(r->bad, sizeof r->bad, "position %d: token %d cycle %llu (%llu, predicted "
                     "%llu); ref token %d cycle %llu", ev->pos, ev->token,
                     (unsigned long long)ev->cycle, (unsigned long long)ev->cycles,
                     (unsigned long long)ev->predicted_cycles, ref->ids[i],
                     (unsigned long long)ref->stamp[i]);
    }
    r->next++;
    atomic_fetch_add(&r->sh->delivered, 1);
    return r->bad[0] || (r->stop_at && ev->pos >= r->stop_at);
}

static int generate(cw_device *d, int steps, run_check *r)
{
    return soak_generate(d, steps, on_token, r);
}

/* ------------------------------------------- a canceller in another thread */

typedef struct canceller {
    pthread_t th;
    pthread_mutex_t m;
    pthread_cond_t cv;
    int done, fired, delay_ms;
    cw_device *d;
} canceller;

static void *cancel_main(void *arg)
{
    canceller *k = arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += k->delay_ms / 1000;
    ts.tv_nsec += (long)(k->delay_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&k->m);
    while (!k->done)
        if (pthread_cond_timedwait(&k->cv, &k->m, &ts) == ETIMEDOUT)
            break;
    if (!k->done) {
        cw_device_cancel(k->d);
        k->fired = 1;
    }
    pthread_mutex_unlock(&k->m);
    return NULL;
}

static int canceller_start(canceller *k, cw_device *d, int delay_ms)
{
    memset(k, 0, sizeof *k);
    k->d = d;
    k->delay_ms = delay_ms;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&k->m, NULL);
    return pthread_create(&k->th, NULL, cancel_main, k);
}

/* Stops the canceller (if it has not fired yet) and waits for it. */
static int canceller_stop(canceller *k)
{
    pthread_mutex_lock(&k->m);
    k->done = 1;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->m);
    pthread_join(k->th, NULL);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->m);
    return k->fired;
}

/* ------------------------------------------------------------------ runs */

static void sleep_ms(double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { (time_t)(ms / 1000), (long)((ms - 1000.0 * (time_t)(ms / 1000)) * 1e6) };
    nanosleep(&ts, NULL);
}

static int rand_in(soak_client *c, int lo, int hi) /* lo..hi */
{
    return hi <= lo ? lo : lo + (int)(soak_rand(&c->rng) % (uint64_t)(hi - lo + 1));
}

static void count(soak_shared *sh, uint64_t *field, int tokens)
{
    pthread_mutex_lock(&sh->lock);
    (*field)++;
    sh->tot.runs++;
    sh->tot.tokens += (uint64_t)tokens;
    pthread_mutex_unlock(&sh->lock);
}

/* Starts a run through the session without collecting it: the core runs on
 * the device while the host does something else. */
static int start_run(cw_device *d, int steps)
{
    cw_link_host *h = cw_device_link_session(d);
    uint8_t prompt[4];
    cw_put32(prompt, CW_TOKEN_BOS);
    int rc = cw_link_host_write(h, CW_LINK_REGION_PROMPT, 0, prompt, sizeof prompt, NULL, NULL);
    return rc == CW_OK ? cw_link_host_run(h, 1, (uint32_t)steps, NULL) : rc;
}

/* One run of the given kind; returns 1 when the session must end. */
static int one_run(soak_client *c, cw_device *d, int kind)
{
    soak_shared *sh = c->sh;
    const int max = sh->set->max_steps;
    const int expect_full = sh->ref->n;
    run_check r;
    memset(&r, 0, sizeof r);
    r.sh = sh;
    r.next = 1;
    int steps, rc, got;
    switch (kind) {
    case K_FULL: {
        steps = rand_in(c, 8, max);
        double t = soak_now();
        rc = generate(d, steps, &r);
        got = r.next - 1;
        int want = steps < expect_full ? steps : expect_full;
        soak_check(sh, rc == CW_OK && got == want && !r.bad[0],
                   "client %d: complete run of %d steps: %s, %d tokens (want %d)%s%s%s", c->id,
                   steps, cw_strerror(rc), got, want, r.bad[0] ? ": " : "", r.bad,
                   rc != CW_OK ? cw_last_error() : "");
        if (got > 0)
            c->ms_per_token = 0.7 * c->ms_per_token + 0.3 * 1000.0 * (soak_now() - t) / got;
        count(sh, &sh->tot.complete, got);
        return 0;
    }
    case K_CANCEL_CB:
        steps = rand_in(c, 16, max);
        r.stop_at = rand_in(c, 1, (steps < expect_full ? steps : expect_full) - 1);
        rc = generate(d, steps, &r);
        got = r.next - 1;
        soak_check(sh, rc == CW_ERR_ABORTED && got == r.stop_at && !r.bad[0],
                   "client %d: run of %d steps stopped by the callback at %d: %s, %d tokens %s",
                   c->id, steps, r.stop_at, cw_strerror(rc), got, r.bad);
        count(sh, &sh->tot.cancel_cb, got);
        return 0;
    case K_CANCEL_THREAD: {
        steps = rand_in(c, 32, max);
        canceller k;
        int delay = (int)(soak_rand(&c->rng) % (uint64_t)(1 + steps * c->ms_per_token));
        if (canceller_start(&k, d, delay) != 0) {
            soak_check(sh, 0, "client %d: pthread_create failed", c->id);
            return 1;
        }
        rc = generate(d, steps, &r);
        int fired = canceller_stop(&k);
        got = r.next - 1;
        int want = steps < expect_full ? steps : expect_full;
        int ok = !r.bad[0] && ((rc == CW_ERR_ABORTED && fired && got <= want) ||
                               (rc == CW_OK && got == want));
        soak_check(sh, ok, "client %d: run of %d steps cancelled from a thread after %d ms: %s, "
                   "%d tokens %s", c->id, steps, delay, cw_strerror(rc), got, r.bad);
        count(sh, rc == CW_OK ? &sh->tot.cancel_late : &sh->tot.cancel_thread, got);
        return 0;
    }
    case K_RESET: {
        steps = rand_in(c, 32, max);
        rc = start_run(d, steps);
        sleep_ms((double)(soak_rand(&c->rng) % 1000) / 1000.0 * steps * c->ms_per_token);
        cw_link_status st;
        memset(&st, 0, sizeof st);
        int running = 0;
        if (rc == CW_OK && (rc = cw_link_host_status(cw_device_link_session(d), &st)) == CW_OK)
            running = st.state == CW_LINK_CORE_RUNNING;
        if (rc == CW_OK)
            rc = cw_device_reset(d);
        if (rc == CW_OK)
            rc = cw_link_host_status(cw_device_link_session(d), &st);
        soak_check(sh, rc == CW_OK && st.state == CW_LINK_CORE_IDLE && st.tokens == 0,
                   "client %d: reset during a run of %d steps: %s %s", c->id, steps,
                   cw_strerror(rc), rc != CW_OK ? cw_last_error() : "not idle after RESET");
        count(sh, &sh->tot.reset_mid, 0);
        if (running) {
            pthread_mutex_lock(&sh->lock);
            sh->tot.reset_running++;
            pthread_mutex_unlock(&sh->lock);
        }
        return 0;
    }
    default: /* K_LEAVE: start a run and close the device under it */
        steps = rand_in(c, 32, max);
        rc = start_run(d, steps);
        soak_check(sh, rc == CW_OK, "client %d: run of %d steps to walk away from: %s %s", c->id,
                   steps, cw_strerror(rc), rc != CW_OK ? cw_last_error() : "");
        sleep_ms((double)(soak_rand(&c->rng) % 1000) / 2000.0 * steps * c->ms_per_token);
        count(sh, &sh->tot.left_mid, 0);
        atomic_store(&sh->left_pending, 1);
        return 1;
    }
}

static int pick_kind(soak_client *c)
{
    /* every kind early on (each client from another one), then at random */
    if (c->picks++ < K_COUNT)
        return (c->id + c->picks - 1) % K_COUNT;
    static const int weight[K_COUNT] = { 40, 15, 20, 15, 10 };
    int w = (int)(soak_rand(&c->rng) % 100);
    for (int k = 0; k < K_COUNT; k++) {
        if (w < weight[k])
            return k;
        w -= weight[k];
    }
    return K_FULL;
}

/* ---------------------------------------------------------------- sessions */

/* cw_link_stats holds only uint64_t counters: added and subtracted as arrays.
 * A session's figures run from the end of its load to its end; the device
 * serves one host at a time, so its own counters' differences over that
 * span are this session's too (hosts waiting their turn are not counted). */
_Static_assert(sizeof(cw_link_stats) % sizeof(uint64_t) == 0, "cw_link_stats: u64 fields only");
#define N_STATS (sizeof(cw_link_stats) / sizeof(uint64_t))

static void add_delta(soak_shared *sh, const cw_link_stats *end, const cw_link_stats *base)
{
    uint64_t e[N_STATS], b[N_STATS], t[N_STATS];
    memcpy(e, end, sizeof e);
    memcpy(b, base, sizeof b);
    pthread_mutex_lock(&sh->lock);
    memcpy(t, &sh->tot.link, sizeof t);
    for (size_t i = 0; i < N_STATS; i++)
        t[i] += e[i] - b[i];
    memcpy(&sh->tot.link, t, sizeof t);
    pthread_mutex_unlock(&sh->lock);
}

static int must_stop(soak_shared *sh)
{
    return atomic_load(&sh->stop) != 0;
}

/* One connection: open, load on a clean link, runs on a faulty one. */
static void session(soak_client *c, int n_session)
{
    soak_shared *sh = c->sh;
    const soak_settings *set = sh->set;
    char uri[1024];
    unsigned long long fseed = set->seed * 1000003ull + (unsigned long long)c->id * 1009ull +
                               (unsigned long long)n_session;
    snprintf(uri, sizeof uri, "unix:%s?corrupt=%g&drop=%g&dup=%g&seed=%llu&timeout=%d&wait=%d",
             sh->sock, set->corrupt, set->drop, set->dup, fseed, set->timeout_ms,
             (int)set->seconds + 120);
    const int faulty = set->corrupt > 0 || set->drop > 0 || set->dup > 0;
    cw_device *d = NULL;
    int rc = cw_device_open(uri, &d);
    if (rc == CW_OK && faulty)
        rc = cw_linkdev_set_faults(d, NULL);
    if (rc == CW_OK)
        rc = cw_device_load_artifact(d, sh->art, NULL);
    cw_link_fault f = { set->corrupt, set->drop, set->dup, 0 };
    if (rc == CW_OK && faulty)
        rc = cw_linkdev_set_faults(d, &f);
    cw_link_stats base, end;
    if (rc == CW_OK)
        rc = cw_device_link_stats(d, &base);
    soak_check(sh, rc == CW_OK, "client %d: session %d: open and load: %s: %s", c->id,
               n_session, cw_strerror(rc), cw_last_error());
    if (rc != CW_OK) {
        cw_device_close(d);
        return;
    }
    pthread_mutex_lock(&sh->lock);
    sh->tot.sessions++;
    pthread_mutex_unlock(&sh->lock);
    /* a host left a run behind: this session's first run is a complete one */
    int force_full = atomic_exchange(&sh->left_pending, 0);
    for (int i = 0;; i++) {
        if (!force_full && (i >= set->runs_per_session || must_stop(sh)))
            break;
        int kind = force_full ? K_FULL : pick_kind(c);
        if (set->verbose)
            printf("soak: client %d session %d run %d: %s\n", c->id, n_session, i,
                   kind_name[kind]);
        /* after any interruption, the next run must again be the whole ref run */
        force_full = kind != K_FULL;
        if (one_run(c, d, kind))
            break;
    }
    rc = cw_device_link_stats(d, &end);
    soak_check(sh, rc == CW_OK, "client %d: session %d: link statistics: %s: %s", c->id,
               n_session, cw_strerror(rc), cw_last_error());
    if (rc == CW_OK)
        add_delta(sh, &end, &base);
    cw_device_close(d);
}

void *soak_client_main(void *arg)
{
    soak_client *c = arg;
    for (int n = 0; !must_stop(c->sh); n++)
        session(c, n);
    return NULL;
}
