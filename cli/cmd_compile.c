/*
 * cmd_compile.c - clockwork compile: a checkpoint to an artifact, with a
 * report of cycles, MAC utilization and memory use, and an SVG picture of
 * one position's schedule.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char compile_help[] =
    "usage: clockwork compile MODEL -o OUT.cwm [options]\n"
    "\n"
    "Quantizes a llama2.c checkpoint, plans the target's memories, emits the\n"
    "static program and predicts the cycles of every position.\n"
    "\n"
    "  -o, --output FILE     the artifact to write (required unless --report only)\n"
    "      --target NAME     sim (default), ulx3s-85f, icebreaker, or a .target file\n"
    "  -w, --weights BITS    8 or 16 (default 16)\n"
    "      --report          print cycles per position, MAC utilization, memory use\n"
    "      --svg FILE        draw one position's schedule (which unit, which cycle)\n"
    "      --svg-pos N       the position to draw (default: the last)\n"
    "  -h, --help            this text\n";

static void report(const cw_artifact *a)
{
    cw_artifact_info in;
    cw_artifact_get_info(a, &in);
    const cw_target_config *t = &in.target;
    /* the serial core multiplies once a cycle at best; lanes x k is only the
     * shape of its weight lines (docs/serial.md) */
    const double macs_per_cycle = t->serial ? 1.0 : (double)t->lanes * t->k;
    if (t->serial)
        printf("target %s: the serial core (one micro-operation a cycle, weight lines of "
               "%d x %d), %d-bit weights, %d-bit KV cache, %d MHz\n", t->name, t->lanes, t->k,
               t->wbits, t->kvbits, t->clock_mhz);
    else
        printf("target %s: %d x %d MACs/cycle, %d vector lanes, %d-bit weight lanes, "
               "%d-bit KV cache, %d MHz\n", t->name, t->lanes, t->k, t->vlanes, t->wbits,
               t->kvbits, t->clock_mhz);
    printf("model: dim %d, hidden %d, %d layers, %d heads (%d kv), vocab %d; %d-bit weights; "
           "context %d\n", in.model.dim, in.model.hidden_dim, in.model.n_layers,
           in.model.n_heads, in.model.n_kv_heads, in.model.vocab_size, in.weight_bits,
           in.context);
    printf("program: %d instructions per position\n\n", in.n_instructions);

    printf("%8s %12s %12s %12s %8s\n", "position", "cycles", "MACs", "ideal", "ratio");
    int marks[] = { 0, 1, 63, 127, 199, 255, 511, 1023, in.context - 1 };
    int last = -1;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        int pos = marks[i];
        if (pos < 0 || pos >= in.context || pos <= last)
            continue;
        last = pos;
        uint64_t cyc, macs = in.macs_base + in.macs_per_pos * (uint64_t)(pos + 1);
        cw_artifact_cycles(a, pos, &cyc);
        double ideal = (double)macs / macs_per_cycle;
        printf("%8d %12llu %12llu %12.0f %7.2fx\n", pos, (unsigned long long)cyc,
               (unsigned long long)macs, ideal, (double)cyc / ideal);
    }
    int n_avg = in.context < 200 ? in.context : 200;
    double sum_c = 0, sum_i = 0;
    for (int pos = 0; pos < n_avg; pos++) {
        uint64_t cyc;
        cw_artifact_cycles(a, pos, &cyc);
        sum_c += (double)cyc;
        sum_i += (double)(in.macs_base + in.macs_per_pos * (uint64_t)(pos + 1)) / macs_per_cycle;
    }
    printf("\nmean over positions 0..%d: %.0f cycles per token, MAC-bound ideal %.0f: %.2fx "
           "(MAC utilization %.1f%%)\n", n_avg - 1, sum_c / n_avg, sum_i / n_avg, sum_c / sum_i,
           100.0 * sum_i / sum_c);
    printf("at %d MHz: %.0f tokens/s\n\n", t->clock_mhz,
           (double)t->clock_mhz * 1e6 / (sum_c / n_avg));

    /* Where the cycles of the last averaged position go, by unit and op. */
    int n = 0;
    cw_artifact_schedule(a, n_avg - 1, NULL, 0, &n);
    cw_sched_entry *s = calloc((size_t)n, sizeof *s);
    if (s && cw_artifact_schedule(a, n_avg - 1, s, n, &n) == CW_OK) {
        const char *ops[16];
        uint64_t cyc[16] = { 0 }, cnt[16] = { 0 };
        int n_ops = 0;
        uint64_t total = 0;
        for (int i = 0; i < n; i++) {
            int j = 0;
            while (j < n_ops && strcmp(ops[j], s[i].op) != 0)
                j++;
            if (j == n_ops && n_ops < 16)
                ops[n_ops++] = s[i].op;
            if (j < 16) {
                cyc[j] += s[i].cycles;
                cnt[j]++;
            }
            total += s[i].cycles;
        }
        printf("cycles of position %d by instruction:\n", n_avg - 1);
        for (int j = 0; j < n_ops; j++)
            printf("  %-8s %4llu x  %8llu cycles  %5.1f%%\n", ops[j], (unsigned long long)cnt[j],
                   (unsigned long long)cyc[j], 100.0 * (double)cyc[j] / (double)total);
        printf("\n");
    }
    free(s);

    printf("%-6s %12s %12s %6s  %s\n", "memory", "used", "capacity", "use", "unit");
    for (int i = 0; i < CW_MEM_COUNT; i++)
        printf("%-6s %12llu %12llu %5.1f%%  %s\n", cw_memory_name(i),
               (unsigned long long)in.mem_used[i], (unsigned long long)in.mem_capacity[i],
               100.0 * (double)in.mem_used[i] / (double)in.mem_capacity[i], cw_memory_unit(i));
}

/* One horizontal lane per unit, one bar per instruction. */
static int write_svg(const cw_artifact *a, int pos, const char *path)
{
    int n = 0;
    cw_artifact_schedule(a, pos, NULL, 0, &n);
    cw_sched_entry *s = calloc((size_t)n, sizeof *s);
    if (!s || cw_artifact_schedule(a, pos, s, n, &n) != CW_OK) {
        free(s);
        return cli_fail(CW_ERR_NO_MEMORY, path);
    }
    static const char *const units[] = { "matrix", "attention", "vector", "sequencer" };
    static const char *const colors[] = { "#3b6ea8", "#c0504d", "#5a9a4a", "#888888" };
    uint64_t total = s[n - 1].issue + s[n - 1].cycles;
    const double W = 1200, left = 90, lane_h = 40, top = 40;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        free(s);
        fprintf(stderr, "clockwork: %s: cannot create\n", path);
        return 1;
    }
    double H = top + 4 * lane_h + 50;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n", W + left + 20, H);
    fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"14\">position %d: %llu cycles, "
               "%d instructions (one bar each; hover for details)</text>\n", left, pos,
            (unsigned long long)total, n);
    for (int u = 0; u < 4; u++)
        fprintf(f, "<text x=\"4\" y=\"%.0f\">%s</text>\n", top + u * lane_h + 24, units[u]);
    for (int i = 0; i < n; i++) {
        int u = 0;
        while (u < 3 && strcmp(units[u], s[i].unit) != 0)
            u++;
        double x = left + W * (double)s[i].issue / (double)total;
        double w = W * (double)s[i].cycles / (double)total;
        fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\" "
                   "stroke=\"white\" stroke-width=\"0.3\"><title>#%d %s: cycles %llu..%llu "
                   "(%llu), %llu MACs</title></rect>\n",
                x, top + u * lane_h + 8, w < 0.5 ? 0.5 : w, lane_h - 12, colors[u], s[i].index,
                s[i].op, (unsigned long long)s[i].issue,
                (unsigned long long)(s[i].issue + s[i].cycles), (unsigned long long)s[i].cycles,
                (unsigned long long)s[i].macs);
    }
    for (int k = 0; k <= 10; k++) {
        double x = left + W * k / 10.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ccc\"/>"
                   "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%llu</text>\n",
                x, top, x, top + 4 * lane_h, x, top + 4 * lane_h + 16,
                (unsigned long long)(total * (uint64_t)k / 10));
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">cycle</text>\n</svg>\n", left + W / 2,
            top + 4 * lane_h + 36);
    free(s);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        fprintf(stderr, "clockwork: %s: write failed\n", path);
        return 1;
    }
    return 0;
}

int cmd_compile(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, 0, 'o' }, { "target", required_argument, 0, 'T' },
        { "weights", required_argument, 0, 'w' }, { "report", no_argument, 0, 'R' },
        { "svg", required_argument, 0, 'S' },     { "svg-pos", required_argument, 0, 'P' },
        { "help", no_argument, 0, 'h' },          { 0, 0, 0, 0 },
    };
    const char *out = NULL, *svg = NULL;
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    long bits = 16, svg_pos = -1;
    int want_report = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:w:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'T': cp.target = optarg; break;
        case 'w':
            if (cli_parse_int("compile", "-w", optarg, 8, 16, &bits))
                return 2;
            if (bits != 8 && bits != 16)
                return cli_usage_error("compile", "-w %s: the weight width must be 8 or 16",
                                       optarg);
            break;
        case 'R': want_report = 1; break;
        case 'S': svg = optarg; break;
        case 'P':
            if (cli_parse_int("compile", "--svg-pos", optarg, 0, 1 << 20, &svg_pos))
                return 2;
            break;
        case 'h': fputs(compile_help, stdout); return 0;
        case ':': return cli_usage_error("compile", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("compile", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("compile", optind >= argc ? "MODEL is missing"
                                                         : "one MODEL expected");
    if (!out && !want_report && !svg)
        return cli_usage_error("compile", "-o OUT.cwm is required (or --report / --svg)");
    cp.weight_bits = (int)bits;
    cw_model *m = NULL;
    cw_artifact *a = NULL;
    int rc = cw_model_open(argv[optind], &m);
    if (rc != CW_OK)
        return cli_fail(rc, argv[optind]);
    rc = cw_compile(m, &cp, &a);
    cw_model_close(m);
    if (rc != CW_OK)
        return cli_fail(rc, argv[optind]);
    int status = 0;
    cw_artifact_info in;
    cw_artifact_get_info(a, &in);
    if (svg_pos >= in.context) {
        status = cli_usage_error("compile", "--svg-pos %ld: the context is %d", svg_pos,
                                 in.context);
    } else {
        if (out && (rc = cw_artifact_save(a, out)) != CW_OK)
            status = cli_fail(rc, out);
        if (!status && want_report)
            report(a);
        if (!status && svg)
            status = write_svg(a, svg_pos < 0 ? in.context - 1 : (int)svg_pos, svg);
    }
    cw_artifact_close(a);
    return status;
}
