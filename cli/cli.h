/*
 * cli.h - what the clockwork subcommands share.
 */
#ifndef CW_CLI_H
#define CW_CLI_H

#include <stdint.h>

#include "clockwork.h"

/* Prints "clockwork: <what>: <library detail or error text>" to stderr and
 * returns the exit status for a failure (1). */
int cli_fail(int err, const char *what);

/* Prints "clockwork: <message>" and a pointer to --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parses a whole decimal integer in [lo, hi] for flag `flag`; 0 or 2. */
int cli_parse_int(const char *cmd, const char *flag, const char *s, long lo, long hi,
                  long *out);
int cli_parse_float(const char *cmd, const char *flag, const char *s, float *out);

/* The default tokenizer: tok512.bin in the model's folder. */
void cli_default_tokenizer(const char *model, char *buf, size_t n);

int cmd_run(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_target(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
