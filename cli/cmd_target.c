/*
 * cmd_target.c - clockwork target: list the hardware configurations, show
 * one, or print it as the RTL's parameters (for Verilator and yosys).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char target_help[] =
    "usage: clockwork target [NAME|FILE.target] [--params]\n"
    "\n"
    "Without NAME, lists the built-in targets. With NAME, prints its fields and\n"
    "configuration hash; --params prints them as the RTL's parameters\n"
    "(-GLANES=8 ... -GCONFIG_HASH=64'h...), as the RTL builds use them.\n";

int cmd_target(int argc, char **argv)
{
    static const struct option opts[] = {
        { "params", no_argument, 0, 'P' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    int params = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'P': params = 1; break;
        case 'h': fputs(target_help, stdout); return 0;
        default: return cli_usage_error("target", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc) {
        if (params)
            return cli_usage_error("target", "--params needs a target NAME");
        for (const char *const *n = cw_target_names(); *n; n++) {
            cw_target_config t;
            if (cw_target_get(*n, &t) == CW_OK)
                printf("%-12s %2d x %-2d MACs, %2d-bit weights, %2d-bit KV cache, %4d MHz, "
                       "context %d%s\n", t.name, t.lanes, t.k, t.wbits, t.kvbits, t.clock_mhz,
                       t.max_ctx, t.serial ? ", serial core" : "");
        }
        return 0;
    }
    if (optind != argc - 1)
        return cli_usage_error("target", "one NAME expected");
    cw_target_config t;
    int rc = cw_target_get(argv[optind], &t);
    if (rc != CW_OK)
        return cli_fail(rc, argv[optind]);
    if (params) {
        printf("-GLANES=%d -GK=%d -GWBITS=%d -GPROG_DEPTH=%d -GWGT_LINES=%d -GSCL_DEPTH=%d "
               "-GCST_DEPTH=%d -GACT_DEPTH=%d -GKV_DEPTH=%d -GMAX_CTX=%d -GKV_BITS=%d "
               "-GCONFIG_HASH=64'h%016llx\n", t.lanes, t.k, t.wbits, t.prog_depth, t.wgt_lines,
               t.scl_depth, t.cst_depth, t.act_depth, t.kv_depth, t.max_ctx, t.kvbits,
               (unsigned long long)t.hash);
        return 0;
    }
    printf("name        %s\nlanes       %d\nk           %d\nvlanes      %d\nwbits       %d\n"
           "clock_mhz   %d\nprog_depth  %d\nwgt_lines   %d\nscl_depth   %d\ncst_depth   %d\n"
           "act_depth   %d\nkv_depth    %d\nmax_ctx     %d\nkvbits      %d\nserial      %d\n"
           "hash        %016llx\n",
           t.name, t.lanes, t.k, t.vlanes, t.wbits, t.clock_mhz, t.prog_depth, t.wgt_lines,
           t.scl_depth, t.cst_depth, t.act_depth, t.kv_depth, t.max_ctx, t.kvbits, t.serial,
           (unsigned long long)t.hash);
    return 0;
}
