/*
 * soak.c - the soak test (`make soak`; a short run in `make test`): the
 * simulator server on a Unix socket in a thread of this process, several
 * client threads taking turns on its one device over unix: with byte
 * faults injected in both directions, runs completed, cancelled and reset
 * in the middle, every token checked against the ref device's run of the
 * same artifact (soak_client.c). Bounded by --seconds and/or --tokens;
 * prints the faults injected, detected and recovered, and the closing line
 * "N passed, N failed"; exits non-zero on any mismatch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "link_server.h"
#include "soak.h"

static const char usage[] =
    "usage: soak [--seconds S] [--tokens N] [--clients C] [--seed S] [--corrupt P]\n"
    "            [--drop P] [--dup P] [--timeout MS] [--runs R] [--steps N]\n"
    "            [--models DIR] [--verbose]\n"
    "  --seconds S   start no run after S seconds (default 20)\n"
    "  --tokens N    ... or after N tokens delivered (default 0: no limit)\n"
    "  --clients C   client threads taking turns on the device (default 3)\n"
    "  --seed S      fault and run-choice seed (default 1)\n"
    "  --corrupt P, --drop P, --dup P\n"
    "                byte fault probabilities, each direction (default 1e-3, 2.5e-4, 2.5e-4)\n"
    "  --timeout MS  per command attempt (default 20)\n"
    "  --runs R      generations per connection (default 6)\n"
    "  --steps N     positions of the longest run (default 200)\n"
    "  --models DIR  where stories260K.bin is (default: $CW_MODELS, ./models,\n"
    "                $CLOCKWORK_MODELS, ../shared/models)\n";

double soak_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

uint64_t soak_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void soak_check(soak_shared *sh, int ok, const char *fmt, ...)
{
    pthread_mutex_lock(&sh->lock);
    if (ok) {
        sh->tot.passed++;
    } else {
        sh->tot.failed++;
        va_list ap;
        va_start(ap, fmt);
        printf("FAIL: ");
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
        fflush(stdout);
    }
    pthread_mutex_unlock(&sh->lock);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "soak: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    printf("0 passed, 1 failed\n");
    exit(1);
}

/* ---------------------------------------------------------------- options */

static double num_arg(const char *opt, const char *v, double lo, double hi)
{
    char *end;
    double x = v ? strtod(v, &end) : 0.0;
    if (!v || !*v || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "soak: %s needs a number from %g to %g, not '%s'\n", opt, lo, hi,
                v ? v : "");
        exit(2);
    }
    return x;
}

static void parse_args(int argc, char **argv, soak_settings *s, const char **models)
{
    *s = (soak_settings){ .seconds = 20, .tokens = 0, .clients = 3, .seed = 1,
                          .corrupt = 1e-3, .drop = 2.5e-4, .dup = 2.5e-4, .timeout_ms = 20,
                          .runs_per_session = 6, .max_steps = 200 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            exit(0);
        } else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            s->verbose = 1;
            continue;
        } else if (!strcmp(a, "--models")) {
            if (!v)
                num_arg(a, v, 0, 0);
            *models = v;
        } else if (!strcmp(a, "--seconds")) {
            s->seconds = num_arg(a, v, 0, 1e6);
        } else if (!strcmp(a, "--tokens")) {
            s->tokens = (uint64_t)num_arg(a, v, 0, 1e15);
        } else if (!strcmp(a, "--clients")) {
            s->clients = (int)num_arg(a, v, 1, 16);
        } else if (!strcmp(a, "--seed")) {
            s->seed = (uint64_t)num_arg(a, v, 0, 1e15);
        } else if (!strcmp(a, "--corrupt")) {
            s->corrupt = num_arg(a, v, 0, 0.1);
        } else if (!strcmp(a, "--drop")) {
            s->drop = num_arg(a, v, 0, 0.1);
        } else if (!strcmp(a, "--dup")) {
            s->dup = num_arg(a, v, 0, 0.1);
        } else if (!strcmp(a, "--timeout")) {
            s->timeout_ms = (int)num_arg(a, v, 1, 10000);
        } else if (!strcmp(a, "--runs")) {
            s->runs_per_session = (int)num_arg(a, v, 1, 1000);
        } else if (!strcmp(a, "--steps")) {
            s->max_steps = (int)num_arg(a, v, 40, SOAK_MAX_STEPS);
        } else {
            fprintf(stderr, "soak: unknown option '%s' (--help lists them)\n", a);
            exit(2);
        }
        i++;
    }
}

/* The models folder, in the order of scripts/find-models.sh (CW_MODELS,
 * which make test exports, first). */
static const char *find_models(const char *given)
{
    static char path[4096];
    const char *env1 = getenv("CW_MODELS"), *env2 = getenv("CLOCKWORK_MODELS");
    const char *dirs[] = { given, env1, "./models", env2, "../shared/models" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        snprintf(path, sizeof path, "%s/stories260K.bin", dirs[i]);
        if (access(path, R_OK) == 0)
            return path;
        if (given && i == 0)
            break;
    }
    die("stories260K.bin not found (--models DIR, $CW_MODELS, ./models, $CLOCKWORK_MODELS, "
        "../shared/models); scripts/fetch-models.sh downloads it");
    return NULL;
}

/* ------------------------------------------------------------------ setup */

static cw_artifact *compile_model(const char *path)
{
    cw_model *m = NULL;
    cw_artifact *a = NULL;
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = "sim";
    cp.weight_bits = 16;
    if (cw_model_open(path, &m) != CW_OK || cw_compile(m, &cp, &a) != CW_OK)
        die("%s: %s", path, cw_last_error());
    cw_model_close(m);
    return a;
}

static int record_ref(void *user, const cw_token_event *ev)
{
    soak_ref *r = user;
    if (r->n < SOAK_MAX_STEPS && ev->pos == r->n + 1) {
        r->ids[r->n] = ev->token;
        r->stamp[r->n] = ev->cycle;
        r->predicted[r->n] = ev->predicted_cycles;
    }
    r->n++;
    return 0;
}

int soak_generate(cw_device *d, int steps, cw_token_fn on_token, void *user)
{
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = steps;
    p.temperature = 0.0f;
    p.on_token = on_token;
    p.user = user;
    int bos = CW_TOKEN_BOS;
    return cw_device_generate(d, &bos, 1, &p, NULL, 0, NULL);
}

static void reference(const cw_artifact *a, int steps, soak_ref *r)
{
    cw_device *d = NULL;
    memset(r, 0, sizeof *r);
    if (cw_device_open("ref:sim", &d) != CW_OK || cw_device_load_artifact(d, a, NULL) != CW_OK ||
        soak_generate(d, steps, record_ref, r) != CW_OK)
        die("ref device: %s", cw_last_error());
    cw_device_close(d);
    if (r->n > SOAK_MAX_STEPS || r->n < 40)
        die("the ref run gave %d tokens", r->n);
}

typedef struct server_thread {
    cw_server *s;
    atomic_int stop;
    pthread_t th;
    int rc;
    atomic_ulong clients;
} server_thread;

static void server_log(void *user, const char *line)
{
    server_thread *st = user;
    if (strstr(line, "connected"))
        atomic_fetch_add(&st->clients, 1);
}

static void *server_main(void *arg)
{
    server_thread *st = arg;
    st->rc = cw_server_run(st->s, &st->stop);
    return NULL;
}

/* A watchdog: a soak that hangs fails instead of hanging make. */
typedef struct watchdog {
    pthread_t th;
    pthread_mutex_t m;
    pthread_cond_t cv;
    int done;
    double limit;
} watchdog;

static void *watchdog_main(void *arg)
{
    watchdog *w = arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)w->limit;
    pthread_mutex_lock(&w->m);
    while (!w->done)
        if (pthread_cond_timedwait(&w->cv, &w->m, &ts) == ETIMEDOUT)
            break;
    int fire = !w->done;
    pthread_mutex_unlock(&w->m);
    if (fire) {
        printf("FAIL: soak still running %.0f s after its start: hung?\n0 passed, 1 failed\n",
               w->limit);
        fflush(stdout);
        _exit(1);
    }
    return NULL;
}

/* ---------------------------------------------------------------- summary */

static void summary(const soak_shared *sh, double wall, unsigned long clients_seen)
{
    const soak_totals *t = &sh->tot;
    const cw_link_stats *l = &t->link;
    printf("tokens delivered: %llu, every one checked against ref (%.0f tokens/s)\n",
           (unsigned long long)t->tokens, wall > 0 ? t->tokens / wall : 0.0);
    printf("runs: %llu in %llu sessions (%lu connections): %llu complete, %llu cancelled by "
           "the callback, %llu cancelled from another thread (%llu finished first), %llu reset "
           "mid-run (%llu while the core ran), %llu left running by their host\n",
           (unsigned long long)t->runs, (unsigned long long)t->sessions, clients_seen,
           (unsigned long long)t->complete, (unsigned long long)t->cancel_cb,
           (unsigned long long)t->cancel_thread, (unsigned long long)t->cancel_late,
           (unsigned long long)t->reset_mid, (unsigned long long)t->reset_running,
           (unsigned long long)t->left_mid);
    printf("faults injected: to device %llu corrupted, %llu dropped, %llu duplicated of %llu "
           "bytes; to host %llu corrupted, %llu dropped, %llu duplicated of %llu bytes\n",
           (unsigned long long)l->corrupted_sent, (unsigned long long)l->dropped_sent,
           (unsigned long long)l->duplicated_sent, (unsigned long long)l->bytes_sent,
           (unsigned long long)l->corrupted_received, (unsigned long long)l->dropped_received,
           (unsigned long long)l->duplicated_received, (unsigned long long)l->bytes_received);
    printf("faults detected: host rejected %llu frames (CRC %llu, header %llu, length %llu, "
           "abandoned %llu; %llu bytes skipped), %llu timeouts, %llu retransmits, %llu stale "
           "responses, %llu stale events, %llu duplicate tokens, %llu unexpected; device "
           "rejected %llu frames, answered %llu duplicate commands, dropped %llu events\n",
           (unsigned long long)(l->bad_crc + l->bad_header + l->bad_length + l->abandoned),
           (unsigned long long)l->bad_crc, (unsigned long long)l->bad_header,
           (unsigned long long)l->bad_length, (unsigned long long)l->abandoned,
           (unsigned long long)l->bytes_skipped, (unsigned long long)l->timeouts,
           (unsigned long long)l->retransmits, (unsigned long long)l->stale_responses,
           (unsigned long long)l->stale_events, (unsigned long long)l->dup_tokens,
           (unsigned long long)l->unexpected, (unsigned long long)l->device_bad_frames,
           (unsigned long long)l->device_dup_commands, (unsigned long long)l->device_events_dropped);
    printf("recovered: %llu tokens from events, %llu read back (%llu READs), %llu STATUS "
           "polls, %llu chunk halvings; %llu commands\n",
           (unsigned long long)l->tokens_from_events, (unsigned long long)l->tokens_from_reads,
           (unsigned long long)l->recovery_reads, (unsigned long long)l->status_polls,
           (unsigned long long)l->chunk_shrinks, (unsigned long long)l->commands);
    printf("wall time: %.1f s\n", wall);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    soak_settings set;
    const char *models = NULL;
    parse_args(argc, argv, &set, &models);
    const char *model = find_models(models);
    printf("soak: seed %llu, %d clients, %.0f s%s, faults per byte each way: corrupt %g, drop "
           "%g, dup %g; timeout %d ms, %d runs per session, up to %d steps\n",
           (unsigned long long)set.seed, set.clients, set.seconds,
           set.tokens ? " or the token limit" : "", set.corrupt, set.drop, set.dup,
           set.timeout_ms, set.runs_per_session, set.max_steps);
    if (set.tokens)
        printf("soak: stops after %llu tokens\n", (unsigned long long)set.tokens);

    static soak_shared sh;
    static soak_ref ref;
    sh.set = &set;
    pthread_mutex_init(&sh.lock, NULL);
    cw_artifact *art = compile_model(model);
    sh.art = art;
    reference(art, set.max_steps, &ref);
    sh.ref = &ref;
    printf("soak: reference: %d tokens from the ref device (%s, target sim, 16-bit weights)\n",
           ref.n, model);
    int timed = 0;
    for (int i = 0; i < ref.n; i++)
        timed += ref.stamp[i] > 0 && ref.predicted[i] > 0;
    if (timed != ref.n)
        die("the ref run has %d of %d positions without cycle stamps", ref.n - timed, ref.n);

    /* the server, on a socket in a private folder */
    const char *tmp = getenv("TMPDIR");
    char dir[400];
    snprintf(dir, sizeof dir, "%s/cw-soak-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir))
        die("mkdtemp %s: %s", dir, strerror(errno));
    snprintf(sh.sock, sizeof sh.sock, "%s/dev.sock", dir);
    static server_thread srv;
    atomic_init(&srv.stop, 0);
    cw_server_params sp;
    cw_server_params_default(&sp);
    sp.socket_path = sh.sock;
    sp.log = server_log;
    sp.log_user = &srv;
    if (cw_server_open(&sp, &srv.s) != CW_OK)
        die("server: %s", cw_last_error());
    pthread_create(&srv.th, NULL, server_main, &srv);

    watchdog wd = { .limit = 3 * set.seconds + 180 };
    pthread_mutex_init(&wd.m, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wd.cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_create(&wd.th, NULL, watchdog_main, &wd);

    sh.t0 = soak_now();
    soak_client *cl = calloc((size_t)set.clients, sizeof *cl);
    pthread_t *th = calloc((size_t)set.clients, sizeof *th);
    if (!cl || !th)
        die("out of memory");
    for (int i = 0; i < set.clients; i++) {
        cl[i].sh = &sh;
        cl[i].id = i;
        cl[i].rng = set.seed * 0x100000001B3ull + (uint64_t)i;
        cl[i].ms_per_token = 2.0;
        pthread_create(&th[i], NULL, soak_client_main, &cl[i]);
    }
    double next_report = 10;
    for (;;) {
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
        double t = soak_now() - sh.t0;
        uint64_t got = atomic_load(&sh.delivered);
        if (t >= set.seconds || (set.tokens && got >= set.tokens))
            break;
        if (set.verbose && t >= next_report) {
            printf("soak: %.0f s, %llu tokens\n", t, (unsigned long long)got);
            next_report += 10;
        }
    }
    atomic_store(&sh.stop, 1);
    for (int i = 0; i < set.clients; i++)
        pthread_join(th[i], NULL);
    double wall = soak_now() - sh.t0;
    atomic_store(&srv.stop, 1);
    pthread_join(srv.th, NULL);
    soak_check(&sh, srv.rc == CW_OK, "the server stopped with %s", cw_strerror(srv.rc));
    cw_server_close(srv.s);
    rmdir(dir);
    pthread_mutex_lock(&wd.m);
    wd.done = 1;
    pthread_cond_signal(&wd.cv);
    pthread_mutex_unlock(&wd.m);
    pthread_join(wd.th, NULL);

    /* the whole soak: something happened, and what was injected was seen */
    const soak_totals *t = &sh.tot;
    const cw_link_stats *l = &t->link;
    soak_check(&sh, t->tokens > 0 && t->complete > 0, "no complete run");
    int picks = 0;
    for (int i = 0; i < set.clients; i++)
        picks = cl[i].picks > picks ? cl[i].picks : picks;
    if (picks >= SOAK_KINDS) /* a client went through its first round of every kind */
        soak_check(&sh, t->complete && t->cancel_cb && t->cancel_thread + t->cancel_late &&
                   t->reset_mid && t->left_mid, "not every kind of run happened");
    uint64_t injected = l->corrupted_sent + l->dropped_sent + l->duplicated_sent +
                        l->corrupted_received + l->dropped_received + l->duplicated_received;
    uint64_t detected = l->bad_crc + l->bad_header + l->bad_length + l->abandoned +
                        l->timeouts + l->dup_tokens + l->device_bad_frames + l->device_dup_commands;
    if (set.corrupt + set.drop + set.dup > 0 && t->tokens >= 300)
        soak_check(&sh, injected > 0 && detected > 0,
                   "faults: %llu injected, %llu detected", (unsigned long long)injected,
                   (unsigned long long)detected);
    soak_check(&sh, l->tokens_from_events + l->tokens_from_reads == t->tokens,
               "the link delivered %llu tokens, the clients counted %llu",
               (unsigned long long)(l->tokens_from_events + l->tokens_from_reads),
               (unsigned long long)t->tokens);
    summary(&sh, wall, (unsigned long)atomic_load(&srv.clients));
    printf("%llu passed, %llu failed\n", (unsigned long long)t->passed,
           (unsigned long long)t->failed);
    free(cl);
    free(th);
    cw_artifact_close(art);
    pthread_cond_destroy(&wd.cv);
    pthread_mutex_destroy(&wd.m);
    pthread_mutex_destroy(&sh.lock);
    return t->failed ? 1 : 0;
}
