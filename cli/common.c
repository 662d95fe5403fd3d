/*
 * common.c - error reporting and argument parsing for the subcommands.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_fail(int err, const char *what)
{
    const char *detail = cw_last_error();
    if (detail[0])
        fprintf(stderr, "clockwork: %s\n", detail);
    else
        fprintf(stderr, "clockwork: %s: %s\n", what, cw_strerror(err));
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "clockwork %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see clockwork %s --help)\n", cmd);
    return 2;
}

int cli_parse_int(const char *cmd, const char *flag, const char *s, long lo, long hi,
                  long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return cli_usage_error(cmd, "%s '%s' is not a whole number", flag, s);
    if (v < lo || v > hi)
        return cli_usage_error(cmd, "%s %ld is out of range (%ld..%ld)", flag, v, lo, hi);
    *out = v;
    return 0;
}

int cli_parse_float(const char *cmd, const char *flag, const char *s, float *out)
{
    char *end;
    errno = 0;
    float v = strtof(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v))
        return cli_usage_error(cmd, "%s '%s' is not a number", flag, s);
    *out = v;
    return 0;
}

void cli_default_tokenizer(const char *model, char *buf, size_t n)
{
    const char *slash = strrchr(model, '/');
    if (slash)
        snprintf(buf, n, "%.*s/tok512.bin", (int)(slash - model), model);
    else
        snprintf(buf, n, "tok512.bin");
}
