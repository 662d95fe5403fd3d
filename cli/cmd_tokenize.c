/*
 * cmd_tokenize.c - clockwork tokenize: a text's token ids, BOS included.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char tokenize_help[] =
    "usage: clockwork tokenize -z TOKENIZER -i TEXT [--eos]\n"
    "\n"
    "Prints the ids of TEXT (BOS first) space-separated on one line, encoded\n"
    "as llama2.c encodes prompts.\n"
    "\n"
    "  -z, --tokenizer FILE  llama2.c tokenizer file (all entries up to its end)\n"
    "  -i, --text TEXT       the text (may be empty)\n"
    "      --eos             append EOS (id 2)\n"
    "  -h, --help            this text\n";

int cmd_tokenize(int argc, char **argv)
{
    static const struct option opts[] = {
        { "tokenizer", required_argument, 0, 'z' }, { "text", required_argument, 0, 'i' },
        { "eos", no_argument, 0, 'E' },             { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *tok_path = NULL, *text = NULL;
    int eos = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":z:i:h", opts, NULL)) != -1) {
        switch (c) {
        case 'z': tok_path = optarg; break;
        case 'i': text = optarg; break;
        case 'E': eos = 1; break;
        case 'h': fputs(tokenize_help, stdout); return 0;
        case ':': return cli_usage_error("tokenize", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("tokenize", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error("tokenize", "unexpected argument '%s'", argv[optind]);
    if (!tok_path)
        return cli_usage_error("tokenize", "-z TOKENIZER is required");
    if (!text)
        return cli_usage_error("tokenize", "-i TEXT is required");

    cw_tokenizer *tok;
    int rc = cw_tokenizer_open(tok_path, 0, &tok);
    if (rc != CW_OK)
        return cli_fail(rc, tok_path);
    size_t max_ids = strlen(text) + 3;
    int *ids = malloc(max_ids * sizeof *ids), n = 0;
    if (!ids) {
        cw_tokenizer_close(tok);
        fprintf(stderr, "clockwork: out of memory\n");
        return 1;
    }
    rc = cw_tokenizer_encode(tok, text, 1, eos, ids, (int)max_ids, &n);
    if (rc == CW_OK)
        for (int i = 0; i < n; i++)
            printf(i ? " %d" : "%d", ids[i]);
    free(ids);
    cw_tokenizer_close(tok);
    if (rc != CW_OK)
        return cli_fail(rc, "-i");
    printf("\n");
    return 0;
}
