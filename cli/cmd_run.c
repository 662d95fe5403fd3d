/*
 * cmd_run.c - clockwork run: llama2.c's generate, on any device.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char run_help[] =
    "usage: clockwork run MODEL [options]\n"
    "\n"
    "Generates text from a llama2.c checkpoint (or a compiled .cwm artifact),\n"
    "as llama2.c's run does.\n"
    "\n"
    "  -z, --tokenizer FILE  tokenizer (default: tok512.bin beside MODEL)\n"
    "  -i, --prompt TEXT     prompt (default: empty, i.e. BOS only)\n"
    "  -n, --steps N         positions to run, prompt included (default 256; 0 = context)\n"
    "  -t, --temperature T   0 = greedy argmax (default 1.0; 0 on accelerators)\n"
    "  -p, --topp P          nucleus sampling threshold in [0,1] (default 0.9)\n"
    "  -s, --seed S          sampler seed (default: the time)\n"
    "  -d, --device URI      where to run (default cpu); see below\n"
    "  -w, --weights BITS    weight width for integer devices: 8 or 16 (default 16)\n"
    "      --ids             print the token ids of positions 1..n instead of text\n"
    "      --stats FILE      write per-token JSON: position, id, predicted and measured cycles\n"
    "      --trace FILE      sim devices: write an FST waveform (with --trace-from/--trace-to\n"
    "                        CYCLE to bound it)\n"
    "  -q, --quiet           no load progress (shown on stderr when it is a terminal)\n"
    "  -h, --help            this text\n"
    "\n"
    "devices: cpu   float32 forward pass (llama2.c's arithmetic)\n"
    "         int   integer forward pass (the hls/ kernels' arithmetic)\n"
    "         ref   the accelerator's functional simulator (ref:TARGET; default sim)\n"
    "         sim   the Verilated RTL (sim:TARGET; default sim)\n"
    "         unix:PATH  a simulated device behind 'clockwork serve --socket PATH'\n"
    "         pcie:DEV   a board behind a PCIe DMA engine (pcie:/dev/xdma0, pcie:H2C,C2H)\n"
    "         usb:VID:PID[:SERIAL]  a board on USB (usb:0403:6015 for the ULX3S)\n"
    "On accelerators (ref, sim, unix, pcie, usb) a summary of the device cycles follows on\n"
    "stderr.\n";

typedef struct run_ctx {
    const cw_tokenizer *tok;
    int prev;
    int ids;
    int count;
    cw_token_event *events; /* for --stats */
    int max_events;
    /* device cycles, for the summary of accelerator devices */
    uint64_t cyc_min, cyc_max, cyc_sum, mismatches;
} run_ctx;

/* Prints a piece as llama2.c does: a lone unprintable byte is skipped. */
static void print_piece(const char *piece, size_t len)
{
    len = strnlen(piece, len);
    if (len == 0)
        return;
    if (len == 1 && !(isprint((unsigned char)piece[0]) || isspace((unsigned char)piece[0])))
        return;
    fwrite(piece, 1, len, stdout);
}

static int on_token(void *user, const cw_token_event *ev)
{
    run_ctx *r = user;
    if (r->ids) {
        printf(r->count ? " %d" : "%d", ev->token);
    } else {
        size_t len;
        const char *piece = cw_tokenizer_decode(r->tok, r->prev, ev->token, &len);
        if (piece)
            print_piece(piece, len);
    }
    fflush(stdout);
    r->prev = ev->token;
    if (r->events && r->count < r->max_events)
        r->events[r->count] = *ev;
    if (r->count == 0 || ev->cycles < r->cyc_min)
        r->cyc_min = ev->cycles;
    if (ev->cycles > r->cyc_max)
        r->cyc_max = ev->cycles;
    r->cyc_sum += ev->cycles;
    r->mismatches += ev->cycles != ev->predicted_cycles;
    r->count++;
    return 0;
}

/* Writes the --stats JSON through a temporary file. */
static int write_stats(const char *path, const char *device, const run_ctx *r)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "clockwork: --stats %s: cannot create\n", path);
        return 1;
    }
    uint64_t mismatches = 0;
    fprintf(f, "{\n  \"device\": \"%s\",\n  \"tokens\": [\n", device);
    for (int i = 0; i < r->count && i < r->max_events; i++) {
        const cw_token_event *e = &r->events[i];
        mismatches += e->cycles != e->predicted_cycles;
        fprintf(f, "    {\"pos\": %d, \"id\": %d, \"cycle\": %llu, \"predicted_cycles\": %llu, "
                   "\"measured_cycles\": %llu}%s\n", e->pos, e->token,
                (unsigned long long)e->cycle, (unsigned long long)e->predicted_cycles,
                (unsigned long long)e->cycles, i + 1 < r->count ? "," : "");
    }
    fprintf(f, "  ],\n  \"tokens_generated\": %d,\n  \"cycle_mismatches\": %llu\n}\n",
            r->count, (unsigned long long)mismatches);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        fprintf(stderr, "clockwork: --stats %s: write failed\n", path);
        return 1;
    }
    return 0;
}

/* An artifact starts with its magic; anything else is taken as a checkpoint. */
static int is_artifact(const char *path)
{
    unsigned char magic[8] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == 8 && memcmp(magic, "CLKWORK\x1a", 8) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Load progress on stderr: bytes, rate, time left; at most 10 updates/s. */
typedef struct load_progress {
    double t0, last;
    int shown;
} load_progress;

static int on_load_progress(void *user, uint64_t done, uint64_t total)
{
    load_progress *lp = user;
    double now = now_seconds();
    if (done < total && now - lp->last < 0.1)
        return 0;
    lp->last = now;
    double rate = now > lp->t0 ? (double)done / (now - lp->t0) : 0.0;
    fprintf(stderr, "\rloading %.1f of %.1f KiB, %.0f KiB/s, %.1f s left   ", done / 1024.0,
            total / 1024.0, rate / 1024.0, rate > 0 ? (double)(total - done) / rate : 0.0);
    if (done >= total)
        fputc('\n', stderr);
    lp->shown = done < total;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "tokenizer", required_argument, 0, 'z' }, { "prompt", required_argument, 0, 'i' },
        { "steps", required_argument, 0, 'n' },     { "temperature", required_argument, 0, 't' },
        { "topp", required_argument, 0, 'p' },      { "seed", required_argument, 0, 's' },
        { "device", required_argument, 0, 'd' },    { "ids", no_argument, 0, 'I' },
        { "weights", required_argument, 0, 'w' },   { "stats", required_argument, 0, 'S' },
        { "trace", required_argument, 0, 'W' },     { "trace-from", required_argument, 0, 'F' },
        { "trace-to", required_argument, 0, 'G' },  { "quiet", no_argument, 0, 'q' },
        { "help", no_argument, 0, 'h' },            { 0, 0, 0, 0 },
    };
    const char *tok_path = NULL, *prompt = "", *device = "cpu", *stats = NULL, *trace = NULL;
    long trace_from = 0, trace_to = 0;
    char uri[4096];
    int temp_given = 0;
    cw_generate_params gp;
    cw_generate_params_default(&gp);
    long steps = 256, seed = 0, bits = 0;
    int ids = 0, quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":z:i:n:t:p:s:d:w:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'z': tok_path = optarg; break;
        case 'i': prompt = optarg; break;
        case 'n':
            if (cli_parse_int("run", "-n", optarg, 0, 1L << 30, &steps))
                return 2;
            break;
        case 't':
            if (cli_parse_float("run", "-t", optarg, &gp.temperature))
                return 2;
            temp_given = 1;
            if (gp.temperature < 0.0f)
                return cli_usage_error("run", "-t %s: the temperature must be >= 0", optarg);
            break;
        case 'p':
            if (cli_parse_float("run", "-p", optarg, &gp.topp))
                return 2;
            if (gp.topp < 0.0f || gp.topp > 1.0f)
                return cli_usage_error("run", "-p %s: top-p must be in [0, 1]", optarg);
            break;
        case 's':
            if (cli_parse_int("run", "-s", optarg, 0, 0x7fffffffL, &seed))
                return 2;
            break;
        case 'd': device = optarg; break;
        case 'I': ids = 1; break;
        case 'q': quiet = 1; break;
        case 'S': stats = optarg; break;
        case 'W': trace = optarg; break;
        case 'F':
            if (cli_parse_int("run", "--trace-from", optarg, 0, 0x7fffffffL, &trace_from))
                return 2;
            break;
        case 'G':
            if (cli_parse_int("run", "--trace-to", optarg, 0, 0x7fffffffL, &trace_to))
                return 2;
            break;
        case 'w':
            if (cli_parse_int("run", "-w", optarg, 8, 16, &bits))
                return 2;
            if (bits != 8 && bits != 16)
                return cli_usage_error("run", "-w %s: the weight width must be 8 or 16", optarg);
            break;
        case 'h': fputs(run_help, stdout); return 0;
        case ':': return cli_usage_error("run", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("run", optind >= argc ? "MODEL is missing"
                                                     : "one MODEL expected, got extra '%s'",
                               argv[argc - 1]);
    const char *model_path = argv[optind];
    char default_tok[4096];
    /* Ids from an empty prompt need no tokenizer. */
    int need_tok = !ids || prompt[0] != '\0' || tok_path != NULL;
    if (!tok_path) {
        cli_default_tokenizer(model_path, default_tok, sizeof default_tok);
        tok_path = default_tok;
    }
    gp.seed = seed > 0 ? (uint64_t)seed : (uint64_t)time(NULL);
    if (trace) {
        if (strncmp(device, "sim", 3) != 0 || (device[3] != '\0' && device[3] != ':'))
            return cli_usage_error("run", "--trace needs a sim device (--device sim[:TARGET])");
        snprintf(uri, sizeof uri, "%s%strace=%s&from=%ld&to=%ld", device,
                 strchr(device, '?') ? "&" : "?", trace, trace_from, trace_to);
        device = uri;
    }

    cw_model *model = NULL;
    cw_artifact *art = NULL;
    cw_tokenizer *tok = NULL;
    cw_device *dev = NULL;
    cw_token_event *events = NULL;
    int *prompt_ids = NULL, rc, status = 1;
    cw_model_config cfg;
    if (is_artifact(model_path)) {
        cw_artifact_info info;
        if ((rc = cw_artifact_open(model_path, &art)) != CW_OK) {
            cli_fail(rc, model_path);
            goto out;
        }
        cw_artifact_get_info(art, &info);
        cfg = info.model;
        cfg.seq_len = info.context;
    } else {
        if ((rc = cw_model_open(model_path, &model)) != CW_OK) {
            cli_fail(rc, model_path);
            goto out;
        }
        cw_model_get_config(model, &cfg);
    }
    if (need_tok && (rc = cw_tokenizer_open(tok_path, cfg.vocab_size, &tok)) != CW_OK) {
        cli_fail(rc, tok_path);
        goto out;
    }
    size_t max_ids = strlen(prompt) + 3;
    prompt_ids = malloc(max_ids * sizeof *prompt_ids);
    int n_prompt = 0;
    if (!prompt_ids) {
        fprintf(stderr, "clockwork: out of memory\n");
        goto out;
    }
    if (!tok) {
        prompt_ids[0] = CW_TOKEN_BOS;
        n_prompt = 1;
    } else if ((rc = cw_tokenizer_encode(tok, prompt, 1, 0, prompt_ids, (int)max_ids,
                                         &n_prompt))) {
        cli_fail(rc, "-i");
        goto out;
    }
    if (n_prompt > cfg.seq_len) {
        fprintf(stderr, "clockwork: -i: the prompt is %d tokens; the model's context is %d\n",
                n_prompt, cfg.seq_len);
        goto out;
    }
    gp.steps = (int)steps;
    if ((rc = cw_device_open(device, &dev)) != CW_OK) {
        cli_fail(rc, device);
        goto out;
    }
    cw_load_params lp;
    cw_load_params_default(&lp);
    lp.weight_bits = (int)bits;
    cw_target_config target;
    int accel = cw_device_get_target(dev, &target) == CW_OK;
    if (accel && !temp_given)
        gp.temperature = 0.0f; /* accelerators pick tokens by argmax on the device */
    if (art && !accel) {
        fprintf(stderr, "clockwork: %s: device '%s' runs checkpoints, not artifacts\n",
                model_path, device);
        goto out;
    }
    load_progress prog = { now_seconds(), now_seconds(), 0 }; /* first update after 0.1 s */
    if (!quiet && isatty(STDERR_FILENO)) {
        lp.on_progress = on_load_progress;
        lp.user = &prog;
    }
    rc = art ? cw_device_load_artifact(dev, art, &lp) : cw_device_load_model(dev, model, &lp);
    if (prog.shown)
        fputc('\n', stderr); /* a load that stopped short */
    if (rc != CW_OK) {
        cli_fail(rc, device);
        goto out;
    }
    run_ctx r = { tok, prompt_ids[0], ids, 0, NULL, 0, 0, 0, 0, 0 };
    if (stats) {
        r.max_events = cfg.seq_len;
        r.events = events = calloc((size_t)cfg.seq_len, sizeof *events);
        if (!events) {
            fprintf(stderr, "clockwork: out of memory\n");
            goto out;
        }
    }
    gp.on_token = on_token;
    gp.user = &r;
    double t0 = now_seconds();
    rc = cw_device_generate(dev, prompt_ids, n_prompt, &gp, NULL, 0, NULL);
    double t1 = now_seconds();
    if (rc == CW_OK || r.count > 0)
        printf("\n"); /* end the line of text or ids */
    fflush(stdout);
    if (rc != CW_OK) {
        cli_fail(rc, device);
        goto out;
    }
    if (r.count > 0 && !ids)
        fprintf(stderr, "achieved tok/s: %f\n", (double)r.count / (t1 - t0));
    if (r.count > 0 && accel) {
        double mean = (double)r.cyc_sum / r.count;
        fprintf(stderr, "device cycles per token: min %llu, mean %.0f, max %llu; "
                        "%llu of %d differ from the compiler's prediction\n",
                (unsigned long long)r.cyc_min, mean, (unsigned long long)r.cyc_max,
                (unsigned long long)r.mismatches, r.count);
        fprintf(stderr, "at %s's %d MHz: %.0f tokens/s, %.1f us per token\n", target.name,
                target.clock_mhz, target.clock_mhz * 1e6 / mean, mean / target.clock_mhz);
    }
    status = stats ? write_stats(stats, device, &r) : 0;
out:
    free(events);
    cw_artifact_close(art);
    free(prompt_ids);
    cw_device_close(dev);
    cw_tokenizer_close(tok);
    cw_model_close(model);
    return status;
}
