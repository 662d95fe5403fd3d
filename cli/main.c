/*
 * main.c - the clockwork command line: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    { "run", cmd_run, "generate text from a model on a device" },
    { "compile", cmd_compile, "compile a checkpoint into an artifact for a target" },
    { "eval", cmd_eval, "integer arithmetic against float32: tokens and agreement" },
    { "target", cmd_target, "list hardware configurations, or show one" },
    { "tokenize", cmd_tokenize, "print the token ids of a text" },
    { "synth", cmd_synth, "write a synthetic llama2.c checkpoint from a seed" },
    { "serve", cmd_serve, "serve a simulated device on a Unix socket or FIFO pair" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: clockwork COMMAND [ARGS]   (clockwork COMMAND --help for more)\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("clockwork %d.%d.%d\n", CW_VERSION_MAJOR, CW_VERSION_MINOR, CW_VERSION_PATCH);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "clockwork: unknown command '%s' (try clockwork --help)\n", argv[1]);
    return 2;
}
