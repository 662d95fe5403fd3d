/*
 * cmd_serve.c - clockwork serve: a simulated device (the ref core behind
 * the link engine model) on a Unix socket and/or a FIFO pair, for hosts in
 * other processes (unix:PATH and pcie:H2C,C2H devices).
 */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "link_server.h"

static const char serve_help[] =
    "usage: clockwork serve [--target NAME] [--socket PATH] [--fifo H2C,C2H] [options]\n"
    "\n"
    "Runs a simulated device (the ref core behind the link protocol's device\n"
    "engine) until SIGINT or SIGTERM. Hosts reach it as they reach a board:\n"
    "  --socket PATH   on a Unix socket (device URI unix:PATH); local only, no\n"
    "                  network port; the socket is created with mode 0600\n"
    "  --fifo H2C,C2H  on two named FIFOs standing in for a PCIe DMA engine's\n"
    "                  host-to-card and card-to-host devices (URI pcie:H2C,C2H);\n"
    "                  created (mode 0600) if missing\n"
    "\n"
    "  -t, --target NAME  hardware configuration (default sim; see clockwork target)\n"
    "      --group        socket mode 0660: the owner's group may connect too\n"
    "  -v, --verbose      log connections on stderr\n"
    "  -h, --help         this text\n"
    "\n"
    "One host at a time, as on a board: later socket clients wait their turn.\n";

static atomic_int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stop_flag, 1);
}

static void log_line(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "clockwork serve: %s\n", line);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "target", required_argument, 0, 't' }, { "socket", required_argument, 0, 'S' },
        { "fifo", required_argument, 0, 'F' },   { "group", no_argument, 0, 'g' },
        { "verbose", no_argument, 0, 'v' },      { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    cw_server_params sp;
    cw_server_params_default(&sp);
    const char *fifo = NULL;
    int verbose = 0, c;
    char h2c[1024], c2h[1024];
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":t:vh", opts, NULL)) != -1) {
        switch (c) {
        case 't': sp.target = optarg; break;
        case 'S': sp.socket_path = optarg; break;
        case 'F': fifo = optarg; break;
        case 'g': sp.socket_mode = 0660; break;
        case 'v': verbose = 1; break;
        case 'h': fputs(serve_help, stdout); return 0;
        case ':': return cli_usage_error("serve", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("serve", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    if (fifo) {
        const char *comma = strchr(fifo, ',');
        if (!comma || comma == fifo || !comma[1] || strlen(fifo) >= sizeof h2c)
            return cli_usage_error("serve", "--fifo %s: expected H2C,C2H", fifo);
        snprintf(h2c, sizeof h2c, "%.*s", (int)(comma - fifo), fifo);
        snprintf(c2h, sizeof c2h, "%s", comma + 1);
        sp.fifo_h2c = h2c;
        sp.fifo_c2h = c2h;
    }
    if (!sp.socket_path && !fifo)
        return cli_usage_error("serve", "give --socket PATH and/or --fifo H2C,C2H");
    if (verbose)
        sp.log = log_line;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    cw_server *s = NULL;
    int rc = cw_server_open(&sp, &s);
    if (rc != CW_OK)
        return cli_fail(rc, sp.socket_path ? sp.socket_path : fifo);
    fprintf(stderr, "clockwork serve: target %s", cw_server_target(s)->name);
    if (sp.socket_path)
        fprintf(stderr, ", device unix:%s (mode %04o)", sp.socket_path, sp.socket_mode);
    if (fifo)
        fprintf(stderr, ", device pcie:%s,%s", h2c, c2h);
    fprintf(stderr, "\n");
    rc = cw_server_run(s, &stop_flag);
    cw_server_close(s);
    if (rc != CW_OK)
        return cli_fail(rc, "serve");
    if (verbose)
        fprintf(stderr, "clockwork serve: stopped\n");
    return 0;
}
