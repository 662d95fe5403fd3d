/*
 * link_fd.h - link transports over POSIX file descriptors: a Unix stream
 * socket (a simulator server, `clockwork serve`) and a pair of character
 * devices or named FIFOs (the host-to-card and card-to-host streams of a
 * PCIe DMA engine such as Xilinx XDMA, or FIFOs standing in for them).
 *
 * Reads wait with poll() for at most the timeout and return what one
 * read() gives; writes loop until every byte is taken. The descriptors are
 * non-blocking, so a peer that stops reading cannot hang a write forever:
 * see cw_link_fd_params.write_ms.
 */
#ifndef CW_LINK_FD_H
#define CW_LINK_FD_H

#include "link_transport.h"

typedef struct cw_link_fd_params {
    /* How long a write may wait for the peer to take bytes. 0: as long as
     * it takes. When the time passes: with drop_on_stall the rest of the
     * bytes are discarded and the write succeeds (a device side: a UART
     * with nobody listening; the protocol repairs the loss), else the
     * write fails with CW_ERR_TIMEOUT. */
    int write_ms;
    int drop_on_stall;
    /* A peer that closes (EOF on read, EPIPE on write) gives
     * CW_ERR_NO_DEVICE. */
} cw_link_fd_params;

/* A transport reading rfd and writing wfd (may be the same descriptor);
 * both are made non-blocking and are closed by cw_link_close (once, when
 * equal). p may be NULL (wait forever, never drop). */
int cw_link_fd_open(int rfd, int wfd, const cw_link_fd_params *p, cw_link_transport **out);

/* Connects to the Unix socket at path: CW_ERR_NO_DEVICE when nothing
 * listens there, CW_ERR_ACCESS when its permissions forbid. */
int cw_link_unix_connect(const char *path, cw_link_transport **out);

/* Creates a listening Unix socket at path with permissions `mode` (0600 or
 * 0660; never more), replacing a stale socket file left by a server that
 * died, refusing a path that holds anything else or a live server.
 * *fd receives the listening descriptor (non-blocking, close-on-exec). */
int cw_link_unix_listen(const char *path, int mode, int backlog, int *fd);

/* Opens the two streams of a DMA engine or a FIFO pair, host side: h2c
 * for writing, c2h for reading. A FIFO without a reader on the other end
 * gives CW_ERR_NO_DEVICE at once (no blocking open). One host at a time:
 * the H2C stream is write-locked (fcntl), and a second host waits up to
 * wait_ms for it (then CW_ERR_DEVICE). */
int cw_link_fifo_open(const char *h2c, const char *c2h, int wait_ms, cw_link_transport **out);

/* The device side of a FIFO pair (the simulator server): creates the FIFOs
 * (mode 0600) if they do not exist and opens both read-write, so neither
 * side's open blocks and hosts may come and go. *created receives a bit
 * per FIFO made here (1: h2c, 2: c2h), for removal at exit. Writes drop
 * what a stalled host does not take within write_ms. */
int cw_link_fifo_serve(const char *h2c, const char *c2h, int write_ms, int *created,
                       cw_link_transport **out);

/* The descriptor a transport opened by this module reads (for poll()). */
int cw_link_fd_read_fd(cw_link_transport *t);

#endif
