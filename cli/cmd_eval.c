/*
 * cmd_eval.c - clockwork eval: how close the integer arithmetic stays to
 * float32: leading greedy tokens reproduced, teacher-forced top-1 agreement.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char eval_help[] =
    "usage: clockwork eval MODEL [options]\n"
    "\n"
    "Compares the integer forward pass (both weight widths unless -w) with the\n"
    "float32 one: the leading tokens of a greedy generation it reproduces, and\n"
    "the top-1 agreement when both are fed the same tokens (teacher forcing).\n"
    "\n"
    "  -w, --weights BITS    8 or 16 (default: both, or the target's if it has\n"
    "                        8-bit weight lanes)\n"
    "  -t, --target NAME     the integer arithmetic of a target (its KV cache\n"
    "                        entries, kvbits); a name or a .target file\n"
    "  -z, --tokenizer FILE  tokenizer (default: tok512.bin beside MODEL)\n"
    "  -i, --prompt TEXT     prompt of the greedy generation (default: empty)\n"
    "      --prompt-ids IDS  the prompt as token ids, e.g. \"1 403 407\" (BOS included)\n"
    "  -n, --steps N         positions of the greedy generation (default 200)\n"
    "      --text FILE       teacher-force this text (default: the prompt followed\n"
    "                        by float32's greedy tokens)\n"
    "  -h, --help            this text\n";

/* Reads a whole (small) text file into a NUL-terminated buffer. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            if (cap >= ((size_t)1 << 26)) {
                free(b);
                b = NULL;
                break;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b)
        b[n] = '\0';
    return b;
}

int cmd_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        { "weights", required_argument, 0, 'w' }, { "tokenizer", required_argument, 0, 'z' },
        { "prompt", required_argument, 0, 'i' },  { "steps", required_argument, 0, 'n' },
        { "text", required_argument, 0, 'T' },    { "help", no_argument, 0, 'h' },
        { "prompt-ids", required_argument, 0, 'I' }, { "target", required_argument, 0, 't' },
        { 0, 0, 0, 0 },
    };
    const char *tok_path = NULL, *prompt = "", *text_path = NULL, *prompt_ids = NULL;
    const char *target = NULL;
    long bits = 0, steps = 200;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":w:z:i:n:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'w':
            if (cli_parse_int("eval", "-w", optarg, 8, 16, &bits))
                return 2;
            if (bits != 8 && bits != 16)
                return cli_usage_error("eval", "-w %s: the weight width must be 8 or 16", optarg);
            break;
        case 'z': tok_path = optarg; break;
        case 'i': prompt = optarg; break;
        case 'n':
            if (cli_parse_int("eval", "-n", optarg, 1, 1 << 20, &steps))
                return 2;
            break;
        case 'T': text_path = optarg; break;
        case 't': target = optarg; break;
        case 'I': prompt_ids = optarg; break;
        case 'h': fputs(eval_help, stdout); return 0;
        case ':': return cli_usage_error("eval", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("eval", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("eval", optind >= argc ? "MODEL is missing" : "one MODEL expected");
    const char *model_path = argv[optind];
    cw_target_config tc;
    memset(&tc, 0, sizeof tc);
    int kv_bits = 16;
    if (target) {
        int trc = cw_target_get(target, &tc);
        if (trc != CW_OK)
            return cli_fail(trc, target);
        kv_bits = tc.kvbits;
        if (!bits && tc.wbits == 8)
            bits = 8;
    }
    char default_tok[4096];
    if (!tok_path) {
        cli_default_tokenizer(model_path, default_tok, sizeof default_tok);
        tok_path = default_tok;
    }
    int need_tok = prompt[0] != '\0' || text_path != NULL;
    cw_model *m = NULL;
    cw_tokenizer *tok = NULL;
    int *ids = NULL, *forced = NULL, n_ids = 0, n_forced = 0, status = 1, rc;
    char *text = NULL;
    if ((rc = cw_model_open(model_path, &m)) != CW_OK) {
        cli_fail(rc, model_path);
        goto out;
    }
    cw_model_config cfg;
    cw_model_get_config(m, &cfg);
    if (need_tok && (rc = cw_tokenizer_open(tok_path, cfg.vocab_size, &tok)) != CW_OK) {
        cli_fail(rc, tok_path);
        goto out;
    }
    size_t max_ids = strlen(prompt) + 3 + (prompt_ids ? strlen(prompt_ids) : 0);
    ids = malloc(max_ids * sizeof *ids);
    if (!ids)
        goto oom;
    if (prompt_ids) {
        if (prompt[0]) {
            cli_usage_error("eval", "give -i or --prompt-ids, not both");
            status = 2;
            goto out;
        }
        for (const char *p = prompt_ids; *p;) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || v < 0 || v >= cfg.vocab_size) {
                cli_usage_error("eval", "--prompt-ids: '%s' is not a list of ids in 0..%d",
                                prompt_ids, cfg.vocab_size - 1);
                status = 2;
                goto out;
            }
            ids[n_ids++] = (int)v;
            for (p = end; *p == ' ' || *p == ','; p++)
                ;
        }
        if (n_ids == 0) {
            cli_usage_error("eval", "--prompt-ids is empty");
            status = 2;
            goto out;
        }
    } else if (!tok) {
        ids[0] = CW_TOKEN_BOS;
        n_ids = 1;
    } else if ((rc = cw_tokenizer_encode(tok, prompt, 1, 0, ids, (int)strlen(prompt) + 3,
                                         &n_ids)) != CW_OK) {
        cli_fail(rc, "-i");
        goto out;
    }
    if (text_path) {
        if (!(text = read_text(text_path))) {
            fprintf(stderr, "clockwork: --text %s: cannot read\n", text_path);
            goto out;
        }
        size_t max = strlen(text) + 3;
        if (!(forced = malloc(max * sizeof *forced)))
            goto oom;
        if ((rc = cw_tokenizer_encode(tok, text, 1, 0, forced, (int)max, &n_forced)) != CW_OK) {
            cli_fail(rc, text_path);
            goto out;
        }
        if (n_forced > cfg.seq_len)
            n_forced = cfg.seq_len; /* the context bounds what can be compared */
    }
    printf("model %s, float32 reference against the integer forward pass", model_path);
    if (target)
        printf(" of target %s (%d-bit KV cache)", tc.name, kv_bits);
    printf("\n");
    for (int b = 16; b >= 8; b -= 8) {
        if (bits && bits != b)
            continue;
        cw_eval_result r;
        rc = cw_eval(m, b, kv_bits, ids, n_ids, (int)steps, forced, n_forced, NULL, NULL, &r);
        if (rc != CW_OK) {
            cli_fail(rc, model_path);
            goto out;
        }
        printf("weights %2d: leading greedy tokens %d/%d; teacher-forced top-1 %d/%d (%.1f%%)\n",
               b, r.leading, r.n_generated, r.tf_agree, r.tf_positions,
               r.tf_positions ? 100.0 * r.tf_agree / r.tf_positions : 0.0);
    }
    status = 0;
    goto out;
oom:
    fprintf(stderr, "clockwork: out of memory\n");
out:
    free(text);
    free(forced);
    free(ids);
    cw_tokenizer_close(tok);
    cw_model_close(m);
    return status;
}
