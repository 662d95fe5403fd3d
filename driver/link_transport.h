/*
 * link_transport.h - the byte stream under the link protocol.
 *
 * Every way of reaching a device (UART/FT245 through libftdi, a PCIe DMA
 * stream, a Unix socket, the in-process pipe of link_pipe.c) implements
 * these three operations; the host session and the device model use
 * nothing else. A transport moves bytes, in order, possibly damaged: the
 * protocol above it detects and repairs loss, corruption and duplication.
 */
#ifndef CW_LINK_TRANSPORT_H
#define CW_LINK_TRANSPORT_H

#include <stddef.h>

typedef struct cw_link_transport cw_link_transport;

typedef struct cw_link_transport_ops {
    /* Sends all n bytes (blocking until they are handed to the medium).
     * CW_OK or a negative cw_error (CW_ERR_IO ...). */
    int (*write)(cw_link_transport *t, const void *buf, size_t n);
    /* Receives between 1 and n bytes, waiting at most timeout_ms (0: do not
     * wait). Returns the count, 0 when timeout_ms passed with nothing to
     * read, or a negative cw_error. */
    int (*read)(cw_link_transport *t, void *buf, size_t n, int timeout_ms);
    /* Releases the transport (t is invalid afterwards). */
    void (*close)(cw_link_transport *t);
} cw_link_transport_ops;

/* Implementations embed this as their first member or point impl at their
 * state. */
struct cw_link_transport {
    const cw_link_transport_ops *ops;
    void *impl;
};

static inline int cw_link_write(cw_link_transport *t, const void *buf, size_t n)
{
    return t->ops->write(t, buf, n);
}
static inline int cw_link_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    return t->ops->read(t, buf, n, timeout_ms);
}
static inline void cw_link_close(cw_link_transport *t)
{
    if (t)
        t->ops->close(t);
}

#endif
