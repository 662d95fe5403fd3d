/*
 * device_link.h - devices reached through the link protocol (unix:, pcie:,
 * usb:, and any other byte stream: the in-process pipe, later the
 * Verilated device's byte stream). One backend, any transport: the
 * transport moves bytes, the link session (driver/link_host.c) makes them
 * reliable, this backend maps the device API onto the session.
 */
#ifndef CW_DEVICE_LINK_H
#define CW_DEVICE_LINK_H

#include "device.h"
#include "link_fault.h"
#include "link_host.h"
#include "link_transport.h"

typedef struct cw_link_open_params {
    cw_link_host_params host; /* timeouts, retries, chunk sizes */
    /* A device that does not answer the first INFO (busy with another
     * host: a server's queue) is asked again until wait_ms has passed. */
    int wait_ms;
    int own_transport; /* close the transport with the device */
    const char *name;  /* the URI, for messages */
    /* Byte faults injected between the session and the transport (the
     * URI options corrupt=, drop=, dup=, seed=; default none, seed 1):
     * host -> device with fault.seed, device -> host with another seed
     * derived from it. */
    cw_link_fault fault;
} cw_link_open_params;

void cw_link_open_params_default(cw_link_open_params *p);

/* Opens a device on transport t: drains stale bytes, starts a session
 * (INFO: protocol version and configuration hash), finds the built-in
 * target with that hash (CW_ERR_MISMATCH naming the hash when none has
 * it), and resets a core left running by a previous host. p may be NULL. */
int cw_device_open_link(cw_link_transport *t, const cw_link_open_params *p, cw_device **out);

/* Attaches a link session on transport t to dev (what the open of every
 * link scheme does once it has its transport); and the device operations
 * every link device shares (the sim device reuses them). */
int cw_linkdev_attach(cw_device *dev, cw_link_transport *t, const cw_link_open_params *p);
int cw_linkdev_load_artifact(cw_device *dev, const cw_artifact *a, const cw_load_params *p);
int cw_linkdev_generate(cw_device *dev, const int *prompt, int n_prompt,
                     const cw_generate_params *p, int *out, int max_out, int *n_out);
int cw_linkdev_get_target(cw_device *dev, cw_target_config *out);
void cw_linkdev_close(cw_device *dev);
int cw_linkdev_reset(cw_device *dev);

/* Changes the fault rates of a link device opened with fault injection
 * (f NULL: clean for now); the seeds and counts carry on.
 * CW_ERR_UNSUPPORTED for a device opened without. (Tests and the soak:
 * they load the model on a clean link, then generate on a faulty one.) */
int cw_linkdev_set_faults(cw_device *dev, const cw_link_fault *f);

/* Parses "HEAD?key=value&key=value..." (a link device's URI after its
 * scheme): the part before '?' into head; each option first to opt(ctx,
 * key, value) (may be NULL), which returns 0 when it took the option, 1
 * when it does not know it, or a cw_error; then the options every link
 * device takes (timeout, retries, wait; corrupt, drop, dup, seed) into *p.
 * Anything else fails with a message naming the option. */
typedef int (*cw_linkdev_option_fn)(void *ctx, const char *key, const char *value);
int cw_linkdev_parse_uri(const char *scheme, const char *arg, char *head, size_t hn,
                         cw_link_open_params *p, cw_linkdev_option_fn opt, void *ctx);

/* The session of a link device (tests, tools); NULL for other devices. */
cw_link_host *cw_device_link_session(cw_device *dev);

extern const cw_device_ops cw_unix_device_ops;
extern const cw_device_ops cw_pcie_device_ops;
extern const cw_device_ops cw_usb_device_ops;

#endif
