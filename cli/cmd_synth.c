/*
 * cmd_synth.c - clockwork synth: a synthetic llama2.c checkpoint of any
 * shape from a seed, for tests, demos without a model, and scaling studies.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static const char synth_help[] =
    "usage: clockwork synth OUT [options]\n"
    "\n"
    "Writes a valid llama2.c checkpoint with seeded random weights. The\n"
    "defaults are stories260K's shape.\n"
    "\n"
    "      --dim N          residual width (64)\n"
    "      --hidden N       FFN width (172)\n"
    "      --layers N       layers (5)\n"
    "      --heads N        query heads (8)\n"
    "      --kv-heads N     key/value heads (4)\n"
    "      --vocab N        vocabulary size (512)\n"
    "      --seq-len N      context length (512)\n"
    "      --seed N         generator seed (1)\n"
    "      --separate-classifier  store a classifier apart from the embedding\n"
    "  -h, --help           this text\n";

int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        { "dim", required_argument, 0, 'D' },     { "hidden", required_argument, 0, 'H' },
        { "layers", required_argument, 0, 'L' },  { "heads", required_argument, 0, 'A' },
        { "kv-heads", required_argument, 0, 'K' }, { "vocab", required_argument, 0, 'V' },
        { "seq-len", required_argument, 0, 'S' }, { "seed", required_argument, 0, 'R' },
        { "separate-classifier", no_argument, 0, 'C' }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    long dim = 64, hid = 172, layers = 5, heads = 8, kv = 4, vocab = 512, seq = 512, seed = 1;
    int shared = 1, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        const char *flag = optind > 0 ? argv[optind - 1] : "?";
        int bad = 0;
        switch (c) {
        case 'D': bad = cli_parse_int("synth", flag, optarg, 2, 1 << 16, &dim); break;
        case 'H': bad = cli_parse_int("synth", flag, optarg, 1, 1 << 16, &hid); break;
        case 'L': bad = cli_parse_int("synth", flag, optarg, 1, 1024, &layers); break;
        case 'A': bad = cli_parse_int("synth", flag, optarg, 1, 1024, &heads); break;
        case 'K': bad = cli_parse_int("synth", flag, optarg, 1, 1024, &kv); break;
        case 'V': bad = cli_parse_int("synth", flag, optarg, 3, 1 << 20, &vocab); break;
        case 'S': bad = cli_parse_int("synth", flag, optarg, 1, 1 << 20, &seq); break;
        case 'R': bad = cli_parse_int("synth", flag, optarg, 0, 0x7fffffffL, &seed); break;
        case 'C': shared = 0; break;
        case 'h': fputs(synth_help, stdout); return 0;
        case ':': return cli_usage_error("synth", "%s needs a value", flag);
        default: return cli_usage_error("synth", "unknown option '%s'", flag);
        }
        if (bad)
            return 2;
    }
    if (optind != argc - 1)
        return cli_usage_error("synth", "one OUT path expected");
    cw_model_config cfg = { (int)dim, (int)hid, (int)layers, (int)heads, (int)kv,
                            (int)vocab, (int)seq, shared };
    int rc = cw_model_write_synthetic(argv[optind], &cfg, (uint64_t)seed);
    if (rc != CW_OK)
        return cli_fail(rc, argv[optind]);
    return 0;
}
