/*
 * clockwork_bench.c - the measurements behind `make bench` (docs/performance.md).
 *
 * Runs one prompt for one number of positions on every device the build has
 * (cpu, int, ref:TARGET and sim:TARGET for every built-in target, then the
 * link transports that answer), several times each, and writes one JSON file:
 * the machine, the commit and the tool versions; per run the host wall time of
 * every token (from the token callback), the device cycles measured and
 * predicted; per device the summaries (medians over the runs); the link
 * figures; and a scaling study over synthetic checkpoints. bench/report.py
 * turns the JSON into the tables and plots.
 *
 * Only the public API is used, plus the library's temporary-file helper.
 * The one assertion is on device cycles: every position's measured count must
 * equal the compiler's prediction, in every run (exit status 1 otherwise).
 * Wall times are reported, never checked.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "clockwork.h"
#include "fileio.h"

/* ------------------------------------------------------------ transports
 *
 * Link transports, measured besides the devices reached directly. Each is a
 * device URI and the direct device it is compared with (the same core
 * without the link: "ref" for `clockwork serve`, whose device is the ref core
 * behind the link engine model; "sim" for a link into the Verilated RTL).
 * A transport without a URI, or whose URI does not open, is reported as
 * pending with the reason. More at run time: BENCH_TRANSPORTS=
 * "label=URI;label=URI" (compared with ref).
 */
typedef struct transport_spec {
    const char *label;
    const char *uri;      /* NULL: pending */
    const char *baseline; /* "ref" or "sim": the direct device of the same target */
    const char *pending;  /* why there is no URI */
} transport_spec;

/* -------------------------------------------------------------- shapes */

typedef struct shape {
    int dim, hidden, layers, heads, kv_heads, seq_len;
    int quick; /* also in BENCH_QUICK=1 */
} shape;

/* Synthetic checkpoints for the scaling study (vocabulary 512 throughout,
 * head sizes whole KV words on every target). */
static const shape shapes[] = {
    { 64, 172, 2, 8, 4, 128, 1 },  { 64, 172, 5, 8, 4, 512, 0 },
    { 128, 344, 4, 8, 4, 256, 1 }, { 192, 512, 4, 6, 2, 256, 0 },
    { 288, 768, 4, 6, 2, 512, 1 }, { 288, 768, 6, 6, 6, 512, 0 },
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

/* --------------------------------------------------------------- helpers */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die_oom(void)
{
    fprintf(stderr, "clockwork_bench: out of memory\n");
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die_oom();
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, p99 (nearest rank) and maximum of v[0..n). */
typedef struct dist {
    double median, p99, max;
} dist;

static dist distribution(const double *v, int n)
{
    dist d = { 0, 0, 0 };
    if (n <= 0)
        return d;
    double *s = xcalloc((size_t)n, sizeof *s);
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    d.median = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    int r = (int)ceil(0.99 * n) - 1;
    d.p99 = s[r < 0 ? 0 : r];
    d.max = s[n - 1];
    free(s);
    return d;
}

static double median(const double *v, int n)
{
    return distribution(v, n).median;
}

/* A JSON string literal. */
static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A JSON number; NaN and infinities (never expected) become null. */
static void jnum(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

/* A literal (the key and what precedes it) and a number. */
static void jfield(FILE *f, const char *lit, double v)
{
    fputs(lit, f);
    jnum(f, v);
}

/* The first line a command prints, without its newline; "" if none. */
static void first_line(const char *cmd, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    if (!fgets(buf, (int)n, p))
        buf[0] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    pclose(p);
}

/* The value after "key" and ':' on the first matching line of a /proc file. */
static void proc_field(const char *path, const char *key, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, strlen(key)) != 0)
            continue;
        const char *c = strchr(line, ':');
        if (!c)
            continue;
        c++;
        while (*c == ' ' || *c == '\t')
            c++;
        snprintf(buf, n, "%s", c);
        buf[strcspn(buf, "\r\n")] = '\0';
        break;
    }
    fclose(f);
}

static void loadavg(char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    double a = 0, b = 0, c = 0;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
        snprintf(buf, n, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

/* ------------------------------------------------------------ one run */

typedef struct run_rec {
    double open_s, load_s, gen_s, total_s;
    double cpu_s;      /* this process's CPU time (user + system) during generate */
    int n;             /* tokens produced */
    double *wall_us;   /* host wall time of each token */
    uint64_t *cycles;  /* device cycles measured (0 on host devices) */
    uint64_t *pred;    /* compiler prediction (0 on host devices) */
    int *tok;
    uint64_t last_cycle;
} run_rec;

typedef struct tok_ctx {
    run_rec *r;
    int cap;
    double t_prev;
} tok_ctx;

static int on_token(void *user, const cw_token_event *ev)
{
    tok_ctx *c = user;
    double t = now_s();
    run_rec *r = c->r;
    if (r->n < c->cap) {
        r->wall_us[r->n] = (t - c->t_prev) * 1e6;
        r->cycles[r->n] = ev->cycles;
        r->pred[r->n] = ev->predicted_cycles;
        r->tok[r->n] = ev->token;
        r->n++;
    }
    r->last_cycle = ev->cycle;
    c->t_prev = t;
    return 0;
}

static double cpu_now(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
}

static void run_free(run_rec *r)
{
    free(r->wall_us);
    free(r->cycles);
    free(r->pred);
    free(r->tok);
}

/* ------------------------------------------------------------ one device */

typedef struct dev_result {
    char uri[256];
    char label[128];  /* transports: what the link is; "" for devices */
    char baseline[8]; /* transports: the direct device's scheme */
    char error[512];  /* why it did not run; "" when it ran */
    int skipped;      /* not built / not registered (not an error) */
    int accel;
    int bits;
    cw_target_config target;
    cw_artifact_info info; /* accelerators */
    double compile_s;
    uint64_t upload_bytes;
    int reps, n_runs;
    run_rec *runs;
} dev_result;

typedef struct workload {
    const cw_model *model;
    const int *prompt;
    int n_prompt;
    int steps;
} workload;

static const char *err_text(int rc)
{
    const char *d = cw_last_error();
    return d && d[0] ? d : cw_strerror(rc);
}

static void set_error(dev_result *d, int rc, const char *what)
{
    snprintf(d->error, sizeof d->error, "%s: %s", what, err_text(rc));
}

/* The bytes an artifact puts into device memory: the program, the weight
 * lines, the row scales and the constants. */
static uint64_t artifact_bytes(const cw_artifact_info *in)
{
    const cw_target_config *t = &in->target;
    return in->mem_used[CW_MEM_PROG] * 20u +
           in->mem_used[CW_MEM_WGT] * (uint64_t)(t->lanes * t->k * t->wbits / 8) +
           in->mem_used[CW_MEM_SCL] * 4u + in->mem_used[CW_MEM_CST] * 4u;
}

/* Opens, loads and runs `uri` `reps` times, each from a fresh open. */
static void bench_device(const workload *w, const char *uri, const char *label, int bits,
                         int reps, int verbose, dev_result *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->uri, sizeof d->uri, "%s", uri);
    snprintf(d->label, sizeof d->label, "%s", label ? label : "");
    d->bits = bits;
    d->reps = reps;
    d->runs = xcalloc((size_t)reps, sizeof *d->runs);
    cw_artifact *art = NULL;
    for (int rep = 0; rep < reps; rep++) {
        run_rec *r = &d->runs[rep];
        cw_device *dev = NULL;
        double t0 = now_s();
        int rc = cw_device_open(uri, &dev);
        double t1 = now_s();
        if (rc != CW_OK) {
            set_error(d, rc, "open");
            d->skipped = rc == CW_ERR_NO_DEVICE;
            break;
        }
        if (rep == 0) {
            d->accel = cw_device_get_target(dev, &d->target) == CW_OK;
            if (d->accel) {
                cw_compile_params cp;
                cw_compile_params_default(&cp);
                cp.target = d->target.name;
                cp.weight_bits = bits ? bits : d->target.wbits == 8 ? 8 : 16;
                d->bits = cp.weight_bits;
                double c0 = now_s();
                rc = cw_compile(w->model, &cp, &art);
                d->compile_s = now_s() - c0;
                if (rc != CW_OK) {
                    set_error(d, rc, "compile");
                    cw_device_close(dev);
                    break;
                }
                cw_artifact_get_info(art, &d->info);
                d->upload_bytes = artifact_bytes(&d->info);
            }
        }
        cw_load_params lp;
        cw_load_params_default(&lp);
        lp.weight_bits = d->accel ? 0 : bits;
        double t2 = now_s();
        rc = d->accel ? cw_device_load_artifact(dev, art, &lp)
                      : cw_device_load_model(dev, w->model, &lp);
        double t3 = now_s();
        if (rc != CW_OK) {
            set_error(d, rc, "load");
            cw_device_close(dev);
            break;
        }
        int cap = w->steps;
        r->wall_us = xcalloc((size_t)cap, sizeof *r->wall_us);
        r->cycles = xcalloc((size_t)cap, sizeof *r->cycles);
        r->pred = xcalloc((size_t)cap, sizeof *r->pred);
        r->tok = xcalloc((size_t)cap, sizeof *r->tok);
        tok_ctx tc = { r, cap, 0 };
        cw_generate_params gp;
        cw_generate_params_default(&gp);
        gp.steps = w->steps;
        gp.temperature = 0.0f;
        gp.on_token = on_token;
        gp.user = &tc;
        double c4 = cpu_now();
        tc.t_prev = now_s();
        double t4 = tc.t_prev;
        rc = cw_device_generate(dev, w->prompt, w->n_prompt, &gp, NULL, 0, NULL);
        double t5 = now_s();
        r->cpu_s = cpu_now() - c4;
        cw_device_close(dev);
        if (rc != CW_OK) {
            set_error(d, rc, "generate");
            run_free(r);
            break;
        }
        r->open_s = t1 - t0;
        r->load_s = t3 - t2;
        r->gen_s = t5 - t4;
        r->total_s = t5 - t0;
        d->n_runs++;
        if (verbose)
            fprintf(stderr, "  %-16s run %d/%d: %d tokens in %.3f s\n", uri, rep + 1, reps,
                    r->n, r->gen_s);
    }
    cw_artifact_close(art);
}

static void dev_free(dev_result *d)
{
    for (int i = 0; i < d->n_runs; i++)
        run_free(&d->runs[i]);
    free(d->runs);
}

/* --------------------------------------------------------- summaries */

typedef struct dev_summary {
    dist wall;            /* medians over runs of each run's median/p99/max */
    double wall_max_all;  /* the largest token time of all runs */
    double tok_per_s;     /* median over runs */
    double gen_s, load_s, open_s, total_s; /* medians over runs */
    double cpu_us_per_token;    /* host process CPU time per token, median over runs */
    double wall_run_range_pct;  /* (max - min) / median of the runs' generate times */
    double wall_pos_range_us;   /* median over positions of the range across runs */
    uint64_t cycle_spread;      /* max over positions of the range across runs */
    uint64_t mismatches;        /* positions (all runs) where measured != predicted */
    int lengths_differ;         /* runs produced different token counts */
    double pred_mean, meas_mean, ideal_mean, efficiency;
    double dev_tok_per_s;       /* at the target's clock */
    double sim_cycles_per_s;    /* device cycles / generate wall time, median */
    double upload_bps;          /* upload_bytes / median load time */
} dev_summary;

static double pos_macs(const cw_artifact_info *in, int pos)
{
    return (double)(in->macs_base + in->macs_per_pos * (uint64_t)(pos + 1));
}

static void summarize(const dev_result *d, dev_summary *s)
{
    memset(s, 0, sizeof *s);
    int R = d->n_runs;
    if (R == 0)
        return;
    double *med = xcalloc((size_t)R, sizeof *med), *p99 = xcalloc((size_t)R, sizeof *p99);
    double *mx = xcalloc((size_t)R, sizeof *mx), *tps = xcalloc((size_t)R, sizeof *tps);
    double *gen = xcalloc((size_t)R, sizeof *gen), *load = xcalloc((size_t)R, sizeof *load);
    double *opn = xcalloc((size_t)R, sizeof *opn), *tot = xcalloc((size_t)R, sizeof *tot);
    double *cps = xcalloc((size_t)R, sizeof *cps), *cpu = xcalloc((size_t)R, sizeof *cpu);
    int n = d->runs[0].n;
    for (int r = 0; r < R; r++) {
        const run_rec *x = &d->runs[r];
        dist q = distribution(x->wall_us, x->n);
        med[r] = q.median;
        p99[r] = q.p99;
        mx[r] = q.max;
        if (q.max > s->wall_max_all)
            s->wall_max_all = q.max;
        tps[r] = x->gen_s > 0 ? x->n / x->gen_s : 0;
        gen[r] = x->gen_s;
        load[r] = x->load_s;
        opn[r] = x->open_s;
        tot[r] = x->total_s;
        cps[r] = x->gen_s > 0 ? (double)x->last_cycle / x->gen_s : 0;
        cpu[r] = x->n > 0 ? x->cpu_s * 1e6 / x->n : 0;
        if (x->n != n)
            s->lengths_differ = 1;
        if (x->n < n)
            n = x->n;
        for (int i = 0; i < x->n; i++)
            s->mismatches += x->cycles[i] != x->pred[i];
    }
    s->wall.median = median(med, R);
    s->wall.p99 = median(p99, R);
    s->wall.max = median(mx, R);
    s->tok_per_s = median(tps, R);
    s->gen_s = median(gen, R);
    s->load_s = median(load, R);
    s->open_s = median(opn, R);
    s->total_s = median(tot, R);
    s->sim_cycles_per_s = median(cps, R);
    s->cpu_us_per_token = median(cpu, R);
    dist g = distribution(gen, R);
    double gmin = g.max;
    for (int r = 0; r < R; r++)
        gmin = gen[r] < gmin ? gen[r] : gmin;
    s->wall_run_range_pct = g.median > 0 ? 100.0 * (g.max - gmin) / g.median : 0;
    double *range = xcalloc((size_t)(n ? n : 1), sizeof *range);
    for (int i = 0; i < n; i++) {
        double lo = d->runs[0].wall_us[i], hi = lo;
        uint64_t clo = d->runs[0].cycles[i], chi = clo;
        for (int r = 1; r < R; r++) {
            double v = d->runs[r].wall_us[i];
            uint64_t c = d->runs[r].cycles[i];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            clo = c < clo ? c : clo;
            chi = c > chi ? c : chi;
        }
        range[i] = hi - lo;
        if (chi - clo > s->cycle_spread)
            s->cycle_spread = chi - clo;
    }
    s->wall_pos_range_us = median(range, n);
    free(range);
    if (d->accel && n > 0) {
        const run_rec *x = &d->runs[0];
        double sp = 0, sm = 0, si = 0;
        const double mpc = (double)d->target.lanes * d->target.k;
        for (int i = 0; i < n; i++) {
            sp += (double)x->pred[i];
            sm += (double)x->cycles[i];
            si += pos_macs(&d->info, i) / mpc;
        }
        s->pred_mean = sp / n;
        s->meas_mean = sm / n;
        s->ideal_mean = si / n;
        s->efficiency = sm > 0 ? si / sm : 0;
        s->dev_tok_per_s = s->meas_mean > 0 ? d->target.clock_mhz * 1e6 / s->meas_mean : 0;
        s->upload_bps = s->load_s > 0 ? (double)d->upload_bytes / s->load_s : 0;
    }
    free(med), free(p99), free(mx), free(tps), free(gen), free(load), free(opn), free(tot);
    free(cps), free(cpu);
}

/* -------------------------------------------------------------- JSON */

static void json_u64s(FILE *f, const uint64_t *v, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)v[i]);
    fputc(']', f);
}

static void json_ints(FILE *f, const int *v, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d", i ? "," : "", v[i]);
    fputc(']', f);
}

static void json_doubles(FILE *f, const double *v, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        fprintf(f, "%.2f", v[i]);
    }
    fputc(']', f);
}

static void json_target(FILE *f, const cw_target_config *t)
{
    fprintf(f, "{\"name\": ");
    jstr(f, t->name);
    fprintf(f, ", \"lanes\": %d, \"k\": %d, \"vlanes\": %d, \"wbits\": %d, \"clock_mhz\": %d, "
               "\"clock_source\": \"target clock (targets/%s.target)\", \"max_ctx\": %d}",
            t->lanes, t->k, t->vlanes, t->wbits, t->clock_mhz, t->name, t->max_ctx);
}

static void json_device(FILE *f, const dev_result *d, const dev_summary *s, const int *ref_tok,
                        int ref_n)
{
    fprintf(f, "    {\"uri\": ");
    jstr(f, d->uri);
    if (d->label[0]) {
        fprintf(f, ", \"transport\": ");
        jstr(f, d->label);
    }
    fprintf(f, ", \"kind\": \"%s\", \"weight_bits\": %d, \"reps\": %d, \"runs_completed\": %d",
            d->accel ? "accelerator" : "host", d->bits, d->reps, d->n_runs);
    if (d->error[0]) {
        fprintf(f, ", \"status\": \"%s\", \"error\": ", d->skipped ? "unavailable" : "failed");
        jstr(f, d->error);
    } else {
        fprintf(f, ", \"status\": \"measured\"");
    }
    if (d->n_runs == 0) {
        fprintf(f, "}");
        return;
    }
    const run_rec *x0 = &d->runs[0];
    int agree = 0;
    while (ref_tok && agree < x0->n && agree < ref_n && x0->tok[agree] == ref_tok[agree])
        agree++;
    fprintf(f, ",\n     \"tokens\": %d, \"leading_tokens_equal_to_cpu\": %d,\n", x0->n, agree);
    jfield(f, "     \"wall_us_per_token\": {\"median\": ", s->wall.median);
    jfield(f, ", \"p99\": ", s->wall.p99);
    jfield(f, ", \"max\": ", s->wall.max);
    jfield(f, ", \"max_all_runs\": ", s->wall_max_all);
    jfield(f, "},\n     \"tokens_per_s\": ", s->tok_per_s);
    jfield(f, ", \"open_s\": ", s->open_s);
    jfield(f, ", \"load_s\": ", s->load_s);
    jfield(f, ", \"generate_s\": ", s->gen_s);
    jfield(f, ", \"whole_run_s\": ", s->total_s);
    jfield(f, ", \"host_cpu_us_per_token\": ", s->cpu_us_per_token);
    fprintf(f, ",\n     \"spread\": {\"device_cycles_max_range\": %llu, "
               "\"wall_generate_range_pct\": ", (unsigned long long)s->cycle_spread);
    jnum(f, s->wall_run_range_pct);
    jfield(f, ", \"wall_per_position_range_us_median\": ", s->wall_pos_range_us);
    fprintf(f, ", \"token_counts_differ\": %s}", s->lengths_differ ? "true" : "false");
    if (d->accel) {
        fprintf(f, ",\n     \"target\": ");
        json_target(f, &d->target);
        jfield(f, ",\n     \"compile_s\": ", d->compile_s);
        fprintf(f, ", \"upload_bytes\": %llu, \"upload_bytes_per_s\": ",
                (unsigned long long)d->upload_bytes);
        jnum(f, s->upload_bps);
        fprintf(f, ",\n     \"macs_base\": %llu, \"macs_per_attended_position\": %llu",
                (unsigned long long)d->info.macs_base, (unsigned long long)d->info.macs_per_pos);
        jfield(f, ",\n     \"cycles_per_token\": {\"predicted_mean\": ", s->pred_mean);
        jfield(f, ", \"measured_mean\": ", s->meas_mean);
        jfield(f, ", \"mac_bound_ideal_mean\": ", s->ideal_mean);
        jfield(f, ", \"efficiency\": ", s->efficiency);
        fprintf(f, ", \"mismatches\": %llu}", (unsigned long long)s->mismatches);
        jfield(f, ",\n     \"device_tokens_per_s_at_clock\": ", s->dev_tok_per_s);
        jfield(f, ", \"device_cycles_per_s\": ", s->sim_cycles_per_s);
        fprintf(f, ",\n     \"predicted_cycles\": ");
        json_u64s(f, x0->pred, x0->n);
        double mpc = (double)d->target.lanes * d->target.k;
        fprintf(f, ",\n     \"ideal_cycles\": [");
        for (int i = 0; i < x0->n; i++)
            fprintf(f, "%s%.1f", i ? "," : "", pos_macs(&d->info, i) / mpc);
        fprintf(f, "]");
    }
    fprintf(f, ",\n     \"token_ids\": ");
    json_ints(f, x0->tok, x0->n);
    fprintf(f, ",\n     \"runs\": [\n");
    for (int r = 0; r < d->n_runs; r++) {
        const run_rec *x = &d->runs[r];
        fprintf(f, "       {\"open_s\": %.6f, \"load_s\": %.6f, \"generate_s\": %.6f, "
                   "\"whole_run_s\": %.6f, \"cpu_s\": %.6f, \"tokens\": %d, \"last_cycle\": %llu,\n"
                   "        \"wall_us\": ", x->open_s, x->load_s, x->gen_s, x->total_s, x->cpu_s, x->n,
                (unsigned long long)x->last_cycle);
        json_doubles(f, x->wall_us, x->n);
        if (d->accel) {
            fprintf(f, ",\n        \"measured_cycles\": ");
            json_u64s(f, x->cycles, x->n);
        }
        fprintf(f, "}%s\n", r + 1 < d->n_runs ? "," : "");
    }
    fprintf(f, "     ]}");
}

/* ------------------------------------------------------------ scaling */

typedef struct fit_rec {
    char target[32];
    int bits, fits;
    char reason[512];
    cw_target_config t;
    int context;
    double cycles_mean, ideal_mean, macs_mean, efficiency, tok_per_s;
    uint64_t cycles_first, cycles_last;
    char fullest[16];
    double fullest_pct;
    /* measured on devices (sim target only): positions run, mismatches */
    int ref_positions, sim_positions;
    uint64_t ref_mismatch, sim_mismatch;
    char sim_note[256];
} fit_rec;

/* Runs `steps` forced positions on uri and counts cycle mismatches. */
static int measure_shape(const cw_artifact *a, const char *uri, int steps, uint64_t *mism,
                         char *note, size_t nn)
{
    cw_device *dev = NULL;
    int rc = cw_device_open(uri, &dev);
    if (rc == CW_OK)
        rc = cw_device_load_artifact(dev, a, NULL);
    run_rec r;
    memset(&r, 0, sizeof r);
    r.wall_us = xcalloc((size_t)steps, sizeof *r.wall_us);
    r.cycles = xcalloc((size_t)steps, sizeof *r.cycles);
    r.pred = xcalloc((size_t)steps, sizeof *r.pred);
    r.tok = xcalloc((size_t)steps, sizeof *r.tok);
    if (rc == CW_OK) {
        tok_ctx tc = { &r, steps, now_s() };
        cw_generate_params gp;
        cw_generate_params_default(&gp);
        gp.steps = steps;
        gp.temperature = 0.0f;
        gp.on_token = on_token;
        gp.user = &tc;
        /* a forced prompt over every position: a random model's argmax may
         * be BOS, which would end the run early */
        int *ids = xcalloc((size_t)steps, sizeof *ids);
        ids[0] = CW_TOKEN_BOS;
        for (int i = 1; i < steps; i++)
            ids[i] = 3 + (i * 37) % 500;
        rc = cw_device_generate(dev, ids, steps, &gp, NULL, 0, NULL);
        free(ids);
    }
    if (rc != CW_OK)
        snprintf(note, nn, "%s: %s", uri, err_text(rc));
    *mism = 0;
    for (int i = 0; i < r.n; i++)
        *mism += r.cycles[i] != r.pred[i];
    int n = rc == CW_OK ? r.n : 0;
    run_free(&r);
    cw_device_close(dev);
    return n;
}

static void scale_one(const cw_model *m, const char *target, int quick, int with_sim,
                      fit_rec *fr)
{
    memset(fr, 0, sizeof *fr);
    snprintf(fr->target, sizeof fr->target, "%s", target);
    if (cw_target_get(target, &fr->t) != CW_OK) {
        snprintf(fr->reason, sizeof fr->reason, "%s", err_text(CW_ERR_INVALID_ARG));
        return;
    }
    fr->bits = fr->t.wbits == 8 ? 8 : 16;
    /* 8-bit quantization (GPTQ) takes seconds per million weights, and the
     * compiler quantizes before it plans the memories. A shape whose weights
     * alone outnumber the weight memory cannot fit whatever the plan, so it
     * is refused here without compiling (the reason says so). */
    cw_model_config mc;
    cw_model_get_config(m, &mc);
    uint64_t kv_dim = (uint64_t)(mc.dim / mc.n_heads * mc.n_kv_heads);
    uint64_t n_w = (uint64_t)mc.vocab_size * (uint64_t)mc.dim * (mc.shared_classifier ? 1 : 2) +
                   (uint64_t)mc.n_layers * ((uint64_t)mc.dim * (uint64_t)mc.dim * 2 +
                                            2 * kv_dim * (uint64_t)mc.dim +
                                            3 * (uint64_t)mc.dim * (uint64_t)mc.hidden_dim);
    uint64_t per_line = (uint64_t)fr->t.lanes * (uint64_t)fr->t.k;
    if (fr->bits == 8 && (n_w + per_line - 1) / per_line > (uint64_t)fr->t.wgt_lines) {
        snprintf(fr->reason, sizeof fr->reason,
                 "%llu weights need at least %llu weight lines, the target has %d "
                 "(bench pre-check from the parameter count; not compiled)",
                 (unsigned long long)n_w, (unsigned long long)((n_w + per_line - 1) / per_line),
                 fr->t.wgt_lines);
        return;
    }
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = target;
    cp.weight_bits = fr->bits;
    cw_artifact *a = NULL;
    int rc = cw_compile(m, &cp, &a);
    if (rc != CW_OK) {
        snprintf(fr->reason, sizeof fr->reason, "%s", err_text(rc));
        return;
    }
    fr->fits = 1;
    cw_artifact_info in;
    cw_artifact_get_info(a, &in);
    fr->context = in.context;
    double sc = 0, si = 0, sm = 0, mpc = (double)in.target.lanes * in.target.k;
    for (int pos = 0; pos < in.context; pos++) {
        uint64_t c = 0;
        cw_artifact_cycles(a, pos, &c);
        if (pos == 0)
            fr->cycles_first = c;
        fr->cycles_last = c;
        sc += (double)c;
        sm += pos_macs(&in, pos);
        si += pos_macs(&in, pos) / mpc;
    }
    fr->cycles_mean = sc / in.context;
    fr->macs_mean = sm / in.context;
    fr->ideal_mean = si / in.context;
    fr->efficiency = si / sc;
    fr->tok_per_s = in.target.clock_mhz * 1e6 / fr->cycles_mean;
    for (int i = 0; i < CW_MEM_COUNT; i++) {
        double pct = 100.0 * (double)in.mem_used[i] / (double)in.mem_capacity[i];
        if (pct > fr->fullest_pct) {
            fr->fullest_pct = pct;
            snprintf(fr->fullest, sizeof fr->fullest, "%s", cw_memory_name(i));
        }
    }
    if (!strcmp(target, "sim")) {
        int steps = quick ? 16 : 64;
        steps = steps < in.context ? steps : in.context;
        char uri[64];
        snprintf(uri, sizeof uri, "ref:%s", target);
        fr->ref_positions = measure_shape(a, uri, steps, &fr->ref_mismatch, fr->sim_note,
                                          sizeof fr->sim_note);
        if (with_sim) {
            snprintf(uri, sizeof uri, "sim:%s", target);
            fr->sim_positions = measure_shape(a, uri, 8 < in.context ? 8 : in.context,
                                              &fr->sim_mismatch, fr->sim_note,
                                              sizeof fr->sim_note);
        }
    }
    cw_artifact_close(a);
}

/* ------------------------------------------------------------------ main */

static const char usage[] =
    "usage: clockwork_bench --out FILE.json [options]\n"
    "\n"
    "  --model FILE      checkpoint (default: a synthetic stories260K-shaped one)\n"
    "  --tokenizer FILE  tokenizer for --prompt (default: tok512.bin beside the model)\n"
    "  --prompt TEXT     prompt (default \"Once upon a time\")\n"
    "  --steps N         positions per run, prompt included (default 200; quick 64)\n"
    "  --reps N          runs per host/ref device (default 5; quick 3)\n"
    "  --sim-reps N      runs per sim device and transport (default 3; quick 2)\n"
    "  --quick           the BENCH_QUICK=1 sizes (under a minute)\n"
    "  --no-scaling      skip the synthetic-checkpoint scaling study\n"
    "  --work DIR        where synthetic checkpoints go (default: beside --out)\n"
    "  --command TEXT    the command line recorded in the JSON (default: argv)\n"
    "  --socket PATH     a `clockwork serve --socket PATH` is running: measure unix:PATH\n"
    "  --fifo H2C,C2H    a `clockwork serve --fifo H2C,C2H` is running: measure pcie:H2C,C2H\n"
    "  --cc CMD          the C compiler whose version is recorded (default cc)\n"
    "  -v, --verbose     progress on stderr\n";

static int parse_pos(const char *flag, const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "clockwork_bench: %s %s: expected an integer in [%d, %d]\n", flag, s,
                lo, hi);
        return 2;
    }
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' },   { "tokenizer", required_argument, 0, 'z' },
        { "prompt", required_argument, 0, 'i' },  { "steps", required_argument, 0, 'n' },
        { "reps", required_argument, 0, 'r' },    { "sim-reps", required_argument, 0, 'R' },
        { "quick", no_argument, 0, 'q' },         { "no-scaling", no_argument, 0, 'S' },
        { "out", required_argument, 0, 'o' },     { "work", required_argument, 0, 'w' },
        { "command", required_argument, 0, 'c' }, { "cc", required_argument, 0, 'C' },
        { "socket", required_argument, 0, 'U' },  { "fifo", required_argument, 0, 'F' },
        { "verbose", no_argument, 0, 'v' },       { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *model_path = NULL, *tok_path = NULL, *prompt_text = "Once upon a time";
    const char *out_path = NULL, *work = NULL, *command = NULL, *cc = "cc";
    const char *sock = NULL, *fifo = NULL;
    int steps = -1, reps = -1, sim_reps = -1, quick = 0, scaling = 1, verbose = 0, c;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'z': tok_path = optarg; break;
        case 'i': prompt_text = optarg; break;
        case 'n': bad = parse_pos("--steps", optarg, 2, 1 << 16, &steps); break;
        case 'r': bad = parse_pos("--reps", optarg, 1, 1000, &reps); break;
        case 'R': bad = parse_pos("--sim-reps", optarg, 0, 1000, &sim_reps); break;
        case 'q': quick = 1; break;
        case 'S': scaling = 0; break;
        case 'o': out_path = optarg; break;
        case 'w': work = optarg; break;
        case 'c': command = optarg; break;
        case 'C': cc = optarg; break;
        case 'U': sock = optarg; break;
        case 'F': fifo = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
        if (bad)
            return 2;
    }
    if (!out_path || optind != argc) {
        fprintf(stderr, "clockwork_bench: %s\n", !out_path ? "--out FILE.json is required"
                                                          : "unexpected argument");
        return 2;
    }
    if (steps < 0)
        steps = quick ? 64 : 200;
    if (reps < 0)
        reps = quick ? 3 : 5;
    if (sim_reps < 0)
        sim_reps = quick ? 2 : 3;

    char workdir[4096];
    if (work) {
        snprintf(workdir, sizeof workdir, "%s", work);
    } else {
        snprintf(workdir, sizeof workdir, "%s", out_path);
        char *slash = strrchr(workdir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(workdir, sizeof workdir, ".");
    }

    /* ---- the workload */
    int status = 0;
    char synth_path[4200] = "", prompt_note[128] = "";
    cw_model *model = NULL;
    cw_tokenizer *tok = NULL;
    cw_model_config mc;
    int rc;
    if (!model_path) {
        cw_model_config sc = { 64, 172, 5, 8, 4, 512, 512, 1 };
        snprintf(synth_path, sizeof synth_path, "%s/bench-workload.bin", workdir);
        if ((rc = cw_model_write_synthetic(synth_path, &sc, 1)) != CW_OK) {
            fprintf(stderr, "clockwork_bench: %s: %s\n", synth_path, err_text(rc));
            return 1;
        }
        model_path = synth_path;
    }
    if ((rc = cw_model_open(model_path, &model)) != CW_OK) {
        fprintf(stderr, "clockwork_bench: %s: %s\n", model_path, err_text(rc));
        return 1;
    }
    cw_model_get_config(model, &mc);
    char tok_default[4200];
    if (!tok_path && !synth_path[0]) {
        snprintf(tok_default, sizeof tok_default, "%s", model_path);
        char *slash = strrchr(tok_default, '/');
        snprintf(slash ? slash + 1 : tok_default,
                 sizeof tok_default - (size_t)(slash ? slash + 1 - tok_default : 0),
                 "tok512.bin");
        tok_path = tok_default;
    }
    int max_ids = (int)strlen(prompt_text) + 3, n_prompt = 1;
    int *prompt = xcalloc((size_t)max_ids, sizeof *prompt);
    prompt[0] = CW_TOKEN_BOS;
    if (tok_path && (rc = cw_tokenizer_open(tok_path, mc.vocab_size, &tok)) == CW_OK) {
        if ((rc = cw_tokenizer_encode(tok, prompt_text, 1, 0, prompt, max_ids, &n_prompt))) {
            fprintf(stderr, "clockwork_bench: --prompt: %s\n", err_text(rc));
            return 1;
        }
    } else {
        snprintf(prompt_note, sizeof prompt_note, "no tokenizer: BOS only");
        prompt_text = "";
    }
    if (steps > mc.seq_len)
        steps = mc.seq_len;
    workload w = { model, prompt, n_prompt, steps };
    if (verbose)
        fprintf(stderr, "clockwork_bench: %s, prompt of %d tokens, %d positions%s\n",
                model_path, n_prompt, steps, quick ? " (quick)" : "");

    /* ---- devices: cpu, int, then ref and sim on every target, then transports */
    const char *const *tnames = cw_target_names();
    int n_targets = 0;
    while (tnames[n_targets])
        n_targets++;
    /* the transports: built-in ones, then BENCH_TRANSPORTS */
    char sock_uri[1100], fifo_uri[1100];
    snprintf(sock_uri, sizeof sock_uri, "unix:%s", sock ? sock : "");
    snprintf(fifo_uri, sizeof fifo_uri, "pcie:%s", fifo ? fifo : "");
    transport_spec tspecs[64];
    int n_tspecs = 0;
    tspecs[n_tspecs++] = (transport_spec){
        "Unix socket to `clockwork serve`", sock ? sock_uri : NULL, "ref",
        "no server: run through make bench, or give --socket with a server running" };
    tspecs[n_tspecs++] = (transport_spec){
        "FIFO pair to `clockwork serve` (stands in for a PCIe DMA engine)",
        fifo ? fifo_uri : NULL, "ref",
        "no server: run through make bench, or give --fifo with a server running" };
    const char *env_tr = getenv("BENCH_TRANSPORTS");
    char *env_copy = env_tr && env_tr[0] ? strdup(env_tr) : NULL;
    for (char *save = NULL, *item = env_copy ? strtok_r(env_copy, ";", &save) : NULL;
         item && n_tspecs < 64; item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            continue;
        *eq = '\0';
        tspecs[n_tspecs++] = (transport_spec){ item, eq + 1, "ref", NULL };
    }
    int max_dev = 2 + 2 * n_targets + n_tspecs;
    dev_result *devs = xcalloc((size_t)max_dev, sizeof *devs);
    dev_summary *sums = xcalloc((size_t)max_dev, sizeof *sums);
    int n_dev = 0, n_transport_first;
    double t_start = now_s();
    char load_start[64], load_end[64];
    loadavg(load_start, sizeof load_start);

    bench_device(&w, "cpu", NULL, 0, reps, verbose, &devs[n_dev++]);
    bench_device(&w, "int", NULL, 16, reps, verbose, &devs[n_dev++]);
    for (int o = 0; o < n_targets; o++) {
        /* the sim target first, then the boards in name order */
        int t = o;
        for (int j = 0; j < n_targets; j++)
            if (!strcmp(tnames[j], "sim"))
                t = o == 0 ? j : (o <= j ? o - 1 : o);
        cw_target_config tc;
        if (cw_target_get(tnames[t], &tc) != CW_OK)
            continue;
        int bits = tc.wbits == 8 ? 8 : 16;
        char uri[96];
        snprintf(uri, sizeof uri, "ref:%s", tnames[t]);
        bench_device(&w, uri, NULL, bits, reps, verbose, &devs[n_dev++]);
        if (devs[n_dev - 1].n_runs == 0)
            continue; /* does not fit: the sim cannot run it either */
        snprintf(uri, sizeof uri, "sim:%s", tnames[t]);
        /* boards' configurations: one run fewer (the sim target shows the spread) */
        int r = strcmp(tnames[t], "sim") ? (sim_reps > 2 ? sim_reps - 1 : sim_reps) : sim_reps;
        if (quick && strcmp(tnames[t], "sim"))
            r = 1;
        if (r > 0)
            bench_device(&w, uri, NULL, bits, r, verbose, &devs[n_dev++]);
    }
    n_transport_first = n_dev;
    for (int i = 0; i < n_tspecs; i++) {
        const transport_spec *ts = &tspecs[i];
        dev_result *d = &devs[n_dev++];
        /* a link to ref runs as fast as ref: as many runs as ref */
        int r = !strcmp(ts->baseline, "ref") ? reps : sim_reps;
        if (ts->uri && r > 0) {
            bench_device(&w, ts->uri, ts->label, 0, r, verbose, d);
        } else {
            memset(d, 0, sizeof *d);
            snprintf(d->uri, sizeof d->uri, "%s", ts->uri ? ts->uri : "");
            snprintf(d->label, sizeof d->label, "%s", ts->label);
            snprintf(d->error, sizeof d->error, "%s", ts->uri ? "no runs asked" : ts->pending);
            d->skipped = 1;
        }
        snprintf(d->baseline, sizeof d->baseline, "%s", ts->baseline);
    }
    for (int i = 0; i < n_dev; i++)
        summarize(&devs[i], &sums[i]);

    /* ---- the one assertion: device cycles equal the prediction, in every run */
    uint64_t total_mismatch = 0, total_spread = 0;
    for (int i = 0; i < n_dev; i++) {
        if (!devs[i].accel)
            continue;
        total_mismatch += sums[i].mismatches;
        total_spread += sums[i].cycle_spread;
    }
    int essential_failed = 0;
    for (int i = 0; i < n_dev; i++) {
        const dev_result *d = &devs[i];
        int essential = !strcmp(d->uri, "cpu") || !strcmp(d->uri, "int") ||
                        !strcmp(d->uri, "ref:sim");
        if (d->error[0] && (essential || (!d->skipped && !d->label[0] &&
                                          strncmp(d->error, "compile", 7) != 0))) {
            fprintf(stderr, "clockwork_bench: %s: %s\n", d->uri, d->error);
            essential_failed = 1;
        }
    }
    double t_devices = now_s() - t_start;

    /* ---- scaling */
    int n_fit_targets = n_targets;
    fit_rec *fits = xcalloc(N_SHAPES * (size_t)(n_fit_targets ? n_fit_targets : 1), sizeof *fits);
    int shape_done[N_SHAPES] = { 0 };
    char shape_err[N_SHAPES][256];
    memset(shape_err, 0, sizeof shape_err);
    double t_scale0 = now_s();
    for (size_t s = 0; scaling && s < N_SHAPES; s++) {
        if (quick && !shapes[s].quick)
            continue;
        const shape *sh = &shapes[s];
        cw_model_config cfg = { sh->dim, sh->hidden, sh->layers, sh->heads, sh->kv_heads,
                                512, sh->seq_len, 1 };
        char path[4200];
        snprintf(path, sizeof path, "%s/bench-shape-%zu.bin", workdir, s);
        cw_model *m = NULL;
        rc = cw_model_write_synthetic(path, &cfg, 1000 + s);
        if (rc == CW_OK)
            rc = cw_model_open(path, &m);
        if (rc != CW_OK) {
            snprintf(shape_err[s], sizeof shape_err[s], "%s", err_text(rc));
            remove(path);
            continue;
        }
        for (int t = 0; t < n_fit_targets; t++)
            scale_one(m, tnames[t], quick, !quick && sim_reps > 0,
                      &fits[s * (size_t)n_fit_targets + (size_t)t]);
        cw_model_close(m);
        remove(path);
        shape_done[s] = 1;
        if (verbose)
            fprintf(stderr, "  scaling: dim %d, %d layers, context %d done\n", sh->dim,
                    sh->layers, sh->seq_len);
        for (int t = 0; t < n_fit_targets; t++) {
            const fit_rec *fr = &fits[s * (size_t)n_fit_targets + (size_t)t];
            total_mismatch += fr->ref_mismatch + fr->sim_mismatch;
        }
    }
    double t_scale = now_s() - t_scale0;
    loadavg(load_end, sizeof load_end);

    /* ---- machine, commit, tools */
    char cpu[256], mem[64], commit[64], dirty[8], ccv[256], verv[256], yosv[256], pyv[128];
    proc_field("/proc/cpuinfo", "model name", cpu, sizeof cpu);
    proc_field("/proc/meminfo", "MemTotal", mem, sizeof mem);
    struct utsname un;
    if (uname(&un) != 0)
        memset(&un, 0, sizeof un);
    first_line("git rev-parse HEAD 2>/dev/null", commit, sizeof commit);
    first_line("git status --porcelain --untracked-files=no 2>/dev/null | head -c 1", dirty,
               sizeof dirty);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --version 2>/dev/null", cc);
    first_line(cmd, ccv, sizeof ccv);
    first_line("verilator --version 2>/dev/null", verv, sizeof verv);
    first_line("yosys -V 2>/dev/null", yosv, sizeof yosv);
    first_line("python3 --version 2>&1", pyv, sizeof pyv);
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tmv);

    /* ---- JSON */
    cw_tmpfile tf;
    FILE *f;
    if ((rc = cw_tmpfile_open(&tf, out_path, &f)) != CW_OK) {
        fprintf(stderr, "clockwork_bench: %s: %s\n", out_path, err_text(rc));
        return 1;
    }
    fprintf(f, "{\n  \"schema\": \"clockwork-bench/1\",\n  \"when\": \"%s\",\n  \"mode\": \"%s\",\n",
            when, quick ? "quick" : "default");
    fprintf(f, "  \"command\": ");
    if (command) {
        jstr(f, command);
    } else {
        char line[2048] = "";
        for (int i = 0; i < argc; i++) {
            strncat(line, i ? " " : "", sizeof line - strlen(line) - 1);
            strncat(line, argv[i], sizeof line - strlen(line) - 1);
        }
        jstr(f, line);
    }
    fprintf(f, ",\n  \"machine\": {\"cpu\": ");
    jstr(f, cpu);
    fprintf(f, ", \"cores\": %ld, \"memory\": ", sysconf(_SC_NPROCESSORS_ONLN));
    jstr(f, mem);
    fprintf(f, ", \"os\": ");
    char osbuf[512];
    snprintf(osbuf, sizeof osbuf, "%s %s %s", un.sysname, un.release, un.machine);
    jstr(f, osbuf);
    fprintf(f, ", \"load_average_start\": ");
    jstr(f, load_start);
    fprintf(f, ", \"load_average_end\": ");
    jstr(f, load_end);
    fprintf(f, "},\n  \"commit\": {\"id\": ");
    jstr(f, commit[0] ? commit : "unknown");
    fprintf(f, ", \"dirty\": %s},\n  \"tools\": {\"cc\": ", dirty[0] ? "true" : "false");
    jstr(f, ccv);
    fprintf(f, ", \"verilator\": ");
    jstr(f, verv[0] ? verv : "not installed");
    fprintf(f, ", \"yosys\": ");
    jstr(f, yosv[0] ? yosv : "not installed");
    fprintf(f, ", \"python\": ");
    jstr(f, pyv);
    fprintf(f, ", \"libclockwork\": \"%d.%d.%d\"},\n", CW_VERSION_MAJOR, CW_VERSION_MINOR,
            CW_VERSION_PATCH);
    fprintf(f, "  \"workload\": {\"model\": ");
    const char *base = strrchr(model_path, '/');
    jstr(f, synth_path[0] ? "synthetic (stories260K shape, seed 1)" : base ? base + 1 : model_path);
    fprintf(f, ", \"dim\": %d, \"hidden_dim\": %d, \"layers\": %d, \"heads\": %d, "
               "\"kv_heads\": %d, \"vocab\": %d, \"seq_len\": %d, \"prompt\": ",
            mc.dim, mc.hidden_dim, mc.n_layers, mc.n_heads, mc.n_kv_heads, mc.vocab_size,
            mc.seq_len);
    jstr(f, prompt_text);
    fprintf(f, ", \"prompt_note\": ");
    jstr(f, prompt_note);
    fprintf(f, ", \"prompt_tokens\": %d, \"steps\": %d, \"temperature\": 0, \"reps\": %d, "
               "\"sim_reps\": %d},\n", n_prompt, steps, reps, sim_reps);
    fprintf(f, "  \"timing\": {\"devices_s\": %.3f, \"scaling_s\": %.3f},\n", t_devices, t_scale);
    fprintf(f, "  \"checks\": {\"cycle_mismatches\": %llu, \"cycle_spread\": %llu, "
               "\"passed\": %s},\n", (unsigned long long)total_mismatch,
            (unsigned long long)total_spread,
            total_mismatch == 0 && total_spread == 0 ? "true" : "false");
    const int *cpu_tok = devs[0].n_runs ? devs[0].runs[0].tok : NULL;
    int cpu_n = devs[0].n_runs ? devs[0].runs[0].n : 0;
    fprintf(f, "  \"devices\": [\n");
    for (int i = 0; i < n_transport_first; i++) {
        json_device(f, &devs[i], &sums[i], cpu_tok, cpu_n);
        fprintf(f, "%s\n", i + 1 < n_transport_first ? "," : "");
    }
    fprintf(f, "  ],\n  \"transports\": [\n");
    /* the direct accelerator devices first: no link, the baselines */
    int first = 1;
    for (int i = 0; i < n_transport_first; i++) {
        const dev_result *d = &devs[i];
        if (!d->accel || d->n_runs == 0)
            continue;
        fprintf(f, "%s    {\"transport\": \"%s\", \"uri\": ", first ? "" : ",\n",
                strncmp(d->uri, "sim", 3) == 0
                    ? "the link protocol into the Verilated RTL (rtl/cw_device.v), in process"
                                               : "none: the ref core, in process");
        jstr(f, d->uri);
        fprintf(f, ", \"status\": \"measured\", \"upload_bytes\": %llu, \"upload_s\": ",
                (unsigned long long)d->upload_bytes);
        jnum(f, sums[i].load_s);
        jfield(f, ", \"upload_bytes_per_s\": ", sums[i].upload_bps);
        jfield(f, ", \"host_cpu_us_per_token\": ", sums[i].cpu_us_per_token);
        fprintf(f, ", \"wall_difference_us_per_token\": 0, \"baseline\": true}");
        first = 0;
    }
    for (int i = n_transport_first; i < n_dev; i++) {
        const dev_result *d = &devs[i];
        fprintf(f, "%s    {\"transport\": ", first ? "" : ",\n");
        first = 0;
        jstr(f, d->label);
        fprintf(f, ", \"uri\": ");
        jstr(f, d->uri);
        if (d->n_runs == 0) {
            fprintf(f, ", \"status\": \"pending\", \"note\": ");
            jstr(f, d->error);
            fprintf(f, "}");
            continue;
        }
        /* the direct device of the same core and target is the baseline */
        const dev_result *b = NULL;
        char want[96];
        snprintf(want, sizeof want, "%s:%s", d->baseline, d->target.name);
        for (int j = 0; j < n_transport_first; j++)
            if (!strcmp(devs[j].uri, want) && devs[j].n_runs)
                b = &devs[j];
        /* what the link adds per token: the difference of the median generation
         * times over the tokens (tokens may arrive in bursts, so single
         * intervals do not compare) */
        double overhead = NAN;
        if (b && d->runs[0].n > 0)
            overhead = (sums[i].gen_s - sums[b - devs].gen_s) * 1e6 / d->runs[0].n;
        fprintf(f, ", \"status\": \"measured\", \"upload_bytes\": %llu, \"upload_s\": ",
                (unsigned long long)d->upload_bytes);
        jnum(f, sums[i].load_s);
        jfield(f, ", \"upload_bytes_per_s\": ", sums[i].upload_bps);
        jfield(f, ", \"host_cpu_us_per_token\": ", sums[i].cpu_us_per_token);
        jfield(f, ", \"wall_difference_us_per_token\": ", overhead);
        fprintf(f, ", \"baseline\": false, \"compared_with\": ");
        jstr(f, b ? b->uri : "");
        fprintf(f, ", \"device\": \n");
        json_device(f, d, &sums[i], cpu_tok, cpu_n);
        fprintf(f, "}");
    }
    fprintf(f, "\n  ],\n  \"scaling\": [\n");
    first = 1;
    for (size_t s = 0; s < N_SHAPES; s++) {
        if (!shape_done[s] && !shape_err[s][0])
            continue;
        const shape *sh = &shapes[s];
        fprintf(f, "%s    {\"dim\": %d, \"hidden_dim\": %d, \"layers\": %d, \"heads\": %d, "
                   "\"kv_heads\": %d, \"vocab\": 512, \"seq_len\": %d",
                first ? "" : ",\n", sh->dim, sh->hidden, sh->layers, sh->heads, sh->kv_heads,
                sh->seq_len);
        first = 0;
        if (shape_err[s][0]) {
            fprintf(f, ", \"error\": ");
            jstr(f, shape_err[s]);
            fprintf(f, "}");
            continue;
        }
        fprintf(f, ", \"targets\": [\n");
        for (int t = 0; t < n_fit_targets; t++) {
            const fit_rec *fr = &fits[s * (size_t)n_fit_targets + (size_t)t];
            fprintf(f, "      {\"target\": ");
            jstr(f, fr->target);
            fprintf(f, ", \"weight_bits\": %d, \"fits\": %s", fr->bits,
                    fr->fits ? "true" : "false");
            if (!fr->fits) {
                fprintf(f, ", \"reason\": ");
                jstr(f, fr->reason);
            } else {
                fprintf(f, ", \"context\": %d, \"macs_per_token_mean\": ", fr->context);
                jnum(f, fr->macs_mean);
                jfield(f, ", \"cycles_per_token_mean\": ", fr->cycles_mean);
                fprintf(f, ", \"cycles_first\": %llu, \"cycles_last\": %llu, "
                           "\"mac_bound_ideal_mean\": ",
                        (unsigned long long)fr->cycles_first, (unsigned long long)fr->cycles_last);
                jnum(f, fr->ideal_mean);
                jfield(f, ", \"efficiency\": ", fr->efficiency);
                fprintf(f, ", \"clock_mhz\": %d, \"tokens_per_s_at_clock\": ", fr->t.clock_mhz);
                jnum(f, fr->tok_per_s);
                fprintf(f, ", \"fullest_memory\": ");
                jstr(f, fr->fullest);
                jfield(f, ", \"fullest_pct\": ", fr->fullest_pct);
                fprintf(f, ", \"ref_positions\": %d, \"ref_mismatches\": %llu, "
                           "\"sim_positions\": %d, \"sim_mismatches\": %llu",
                        fr->ref_positions, (unsigned long long)fr->ref_mismatch,
                        fr->sim_positions, (unsigned long long)fr->sim_mismatch);
                if (fr->sim_note[0]) {
                    fprintf(f, ", \"note\": ");
                    jstr(f, fr->sim_note);
                }
            }
            fprintf(f, "}%s\n", t + 1 < n_fit_targets ? "," : "");
        }
        fprintf(f, "    ]}");
    }
    fprintf(f, "\n  ]\n}\n");
    if ((rc = cw_tmpfile_commit(&tf, f)) != CW_OK) {
        fprintf(stderr, "clockwork_bench: %s: %s\n", out_path, err_text(rc));
        status = 1;
    }

    if (total_mismatch || total_spread) {
        fprintf(stderr, "clockwork_bench: FAILED: %llu positions measured other cycles than "
                        "predicted; device cycles spread across runs by up to %llu\n",
                (unsigned long long)total_mismatch, (unsigned long long)total_spread);
        status = 1;
    } else if (verbose) {
        fprintf(stderr, "clockwork_bench: device cycles equal the prediction at every "
                        "position of every run\n");
    }
    if (essential_failed)
        status = 1;

    for (int i = 0; i < n_dev; i++)
        dev_free(&devs[i]);
    free(devs);
    free(sums);
    free(fits);
    free(env_copy);
    free(prompt);
    cw_tokenizer_close(tok);
    cw_model_close(model);
    if (synth_path[0])
        remove(synth_path);
    return status;
}
