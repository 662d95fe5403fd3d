/*
 * link_usb.c - USB transports: FTDI UART bridges through libftdi1, and
 * plain bulk-endpoint devices through libusb-1.0 (link_usb.h).
 *
 * Built without libusb/libftdi (CW_NO_USB), usb: reports
 * CW_ERR_UNSUPPORTED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "link_usb.h"

#define RULES_HINT "see driver/99-clockwork.rules (install it in /etc/udev/rules.d/, then " \
                   "'udevadm control --reload' and replug; be in group plugdev)"

void cw_link_usb_params_default(cw_link_usb_params *p)
{
    memset(p, 0, sizeof *p);
    p->mode = CW_USB_AUTO;
    p->baud = 3000000;
    p->latency_ms = 1;
    p->write_timeout_ms = 1000;
}

static int parse_num(const char *key, const char *v, long lo, long hi, long *out)
{
    char *end;
    long x = strtol(v, &end, 0);
    if (!*v || *end || x < lo || x > hi)
        return cw_fail(CW_ERR_INVALID_ARG, "usb: option %s=%s must be a number in %ld..%ld",
                       key, v, lo, hi);
    *out = x;
    return CW_OK;
}

int cw_link_usb_option(cw_link_usb_params *p, const char *key, const char *value)
{
    long v = 0;
    int rc = CW_OK;
    if (!strcmp(key, "baud")) {
        if ((rc = parse_num(key, value, 300, 12000000, &v)) == CW_OK)
            p->baud = (int)v;
    } else if (!strcmp(key, "latency")) {
        if ((rc = parse_num(key, value, 1, 255, &v)) == CW_OK)
            p->latency_ms = (int)v;
    } else if (!strcmp(key, "channel")) {
        if ((rc = parse_num(key, value, 0, 3, &v)) == CW_OK)
            p->channel = (int)v;
    } else if (!strcmp(key, "interface")) {
        if ((rc = parse_num(key, value, 0, 255, &v)) == CW_OK)
            p->interface = (int)v;
    } else if (!strcmp(key, "ep_in") || !strcmp(key, "ep_out")) {
        if ((rc = parse_num(key, value, 1, 255, &v)) == CW_OK)
            *(key[3] == 'i' ? &p->ep_in : &p->ep_out) = (int)v;
    } else if (!strcmp(key, "flow")) {
        if (!strcmp(value, "none"))
            p->flow = 0;
        else if (!strcmp(value, "rtscts"))
            p->flow = 1;
        else
            rc = cw_fail(CW_ERR_INVALID_ARG, "usb: flow=%s: none or rtscts", value);
    } else if (!strcmp(key, "mode")) {
        if (!strcmp(value, "ftdi"))
            p->mode = CW_USB_FTDI;
        else if (!strcmp(value, "bulk"))
            p->mode = CW_USB_BULK;
        else
            rc = cw_fail(CW_ERR_INVALID_ARG, "usb: mode=%s: ftdi or bulk", value);
    } else {
        return 1; /* not a USB option */
    }
    return rc;
}

int cw_link_usb_parse(const char *spec, cw_link_usb_params *p)
{
    char buf[256];
    if (strlen(spec) >= sizeof buf)
        return cw_fail(CW_ERR_INVALID_ARG, "usb: '%s' is too long", spec);
    strcpy(buf, spec);
    char *vid = buf, *pid = strchr(buf, ':');
    char *serial = pid ? strchr(pid + 1, ':') : NULL;
    if (pid)
        *pid++ = '\0';
    if (serial)
        *serial++ = '\0';
    char *e1, *e2;
    long v = pid ? strtol(vid, &e1, 16) : -1, d = pid ? strtol(pid, &e2, 16) : -1;
    if (!pid || !*vid || !*pid || *e1 || *e2 || v < 0 || v > 0xFFFF || d < 0 || d > 0xFFFF)
        return cw_fail(CW_ERR_INVALID_ARG, "usb: '%s': expected usb:VID:PID[:SERIAL] with "
                       "hexadecimal ids (usb:0403:6015)", spec);
    p->vid = (uint16_t)v;
    p->pid = (uint16_t)d;
    snprintf(p->serial, sizeof p->serial, "%s", serial ? serial : "");
    return CW_OK;
}

#ifdef CW_NO_USB

int cw_link_usb_open(const cw_link_usb_params *p, cw_link_transport **out)
{
    (void)p;
    *out = NULL;
    return cw_fail(CW_ERR_UNSUPPORTED, "usb: this libclockwork was built without libusb-1.0 "
                   "and libftdi1 (install libusb-1.0-0-dev libftdi1-dev and rebuild)");
}

#else

#include <ftdi.h>
#include <libusb.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A libusb error as a cw_error, naming what failed. */
static int usb_error(int err, const char *what, const cw_link_usb_params *p)
{
    switch (err) {
    case LIBUSB_ERROR_NO_DEVICE:
        return cw_fail(CW_ERR_NO_DEVICE, "usb %04x:%04x: %s: the device is gone (unplugged?)",
                       p->vid, p->pid, what);
    case LIBUSB_ERROR_ACCESS:
        return cw_fail(CW_ERR_ACCESS, "usb %04x:%04x: %s: permission denied; " RULES_HINT,
                       p->vid, p->pid, what);
    case LIBUSB_ERROR_BUSY:
        return cw_fail(CW_ERR_DEVICE, "usb %04x:%04x: %s: the interface is claimed by another "
                       "program", p->vid, p->pid, what);
    case LIBUSB_ERROR_NOT_FOUND:
        return cw_fail(CW_ERR_NO_DEVICE, "usb %04x:%04x: %s: not found", p->vid, p->pid, what);
    case LIBUSB_ERROR_TIMEOUT:
        return cw_fail(CW_ERR_TIMEOUT, "usb %04x:%04x: %s: timed out", p->vid, p->pid, what);
    default:
        return cw_fail(CW_ERR_IO, "usb %04x:%04x: %s: %s", p->vid, p->pid, what,
                       libusb_strerror(err));
    }
}

/* ------------------------------------------------------------ libusb bulk */

#define BULK_RX 16384 /* a multiple of every max packet size: no overflow */

typedef struct bulk_link {
    cw_link_transport t;
    cw_link_usb_params p;
    libusb_context *ctx;
    libusb_device_handle *h;
    int claimed;
    unsigned char ep_in, ep_out;
    unsigned char rx[BULK_RX];
    int rx_pos, rx_len;
} bulk_link;

/* One bulk transfer; a stalled endpoint is cleared and the transfer tried
 * once more. */
static int bulk_xfer(bulk_link *l, unsigned char ep, unsigned char *buf, int n, int *done,
                     unsigned timeout)
{
    *done = 0;
    int rc = libusb_bulk_transfer(l->h, ep, buf, n, done, timeout);
    if (rc == LIBUSB_ERROR_PIPE) {
        int c = libusb_clear_halt(l->h, ep);
        if (c != 0)
            return c;
        buf += *done;
        n -= *done;
        int more = 0;
        rc = libusb_bulk_transfer(l->h, ep, buf, n, &more, timeout);
        *done += more;
    }
    return rc;
}

static int bulk_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    bulk_link *l = t->impl;
    if (l->rx_pos == l->rx_len) {
        int got = 0;
        int rc = bulk_xfer(l, l->ep_in, l->rx, BULK_RX, &got,
                           (unsigned)(timeout_ms > 0 ? timeout_ms : 1));
        /* a timeout may still have moved bytes: keep them */
        if (rc != 0 && rc != LIBUSB_ERROR_TIMEOUT)
            return usb_error(rc, "bulk read", &l->p);
        l->rx_pos = 0;
        l->rx_len = got;
        if (got == 0)
            return 0;
    }
    size_t k = (size_t)(l->rx_len - l->rx_pos);
    if (k > n)
        k = n;
    memcpy(buf, l->rx + l->rx_pos, k);
    l->rx_pos += (int)k;
    return (int)k;
}

static int bulk_write(cw_link_transport *t, const void *buf, size_t n)
{
    bulk_link *l = t->impl;
    unsigned char *b = (unsigned char *)(uintptr_t)buf; /* libusb's API is not const */
    long long deadline = now_ms() + l->p.write_timeout_ms;
    while (n > 0) {
        int chunk = n > (1u << 20) ? 1 << 20 : (int)n, done = 0;
        long long left = deadline - now_ms();
        int rc = bulk_xfer(l, l->ep_out, b, chunk, &done, (unsigned)(left > 1 ? left : 1));
        b += done;
        n -= (size_t)done;
        if (rc == LIBUSB_ERROR_TIMEOUT && done > 0 && now_ms() < deadline)
            continue; /* partial: the rest goes in the next transfer */
        if (rc == LIBUSB_ERROR_TIMEOUT && n > 0)
            return cw_fail(CW_ERR_TIMEOUT, "usb %04x:%04x: the device took %d bytes short of "
                           "the write in %d ms", l->p.vid, l->p.pid, (int)n,
                           l->p.write_timeout_ms);
        if (rc != 0 && rc != LIBUSB_ERROR_TIMEOUT)
            return usb_error(rc, "bulk write", &l->p);
    }
    return CW_OK;
}

static void bulk_close(cw_link_transport *t)
{
    bulk_link *l = t->impl;
    if (l->claimed)
        libusb_release_interface(l->h, l->p.interface);
    if (l->h)
        libusb_close(l->h);
    if (l->ctx)
        libusb_exit(l->ctx);
    free(l);
}

static const cw_link_transport_ops bulk_ops = { bulk_write, bulk_read, bulk_close };

/* The first bulk IN and OUT endpoints of the interface's first setting. */
static int find_endpoints(bulk_link *l)
{
    if (l->p.ep_in && l->p.ep_out) {
        l->ep_in = (unsigned char)(l->p.ep_in | LIBUSB_ENDPOINT_IN);
        l->ep_out = (unsigned char)(l->p.ep_out & ~LIBUSB_ENDPOINT_IN);
        return CW_OK;
    }
    struct libusb_config_descriptor *cfg = NULL;
    int rc = libusb_get_active_config_descriptor(libusb_get_device(l->h), &cfg);
    if (rc != 0)
        return usb_error(rc, "configuration descriptor", &l->p);
    for (int i = 0; i < cfg->bNumInterfaces; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        if (itf->num_altsetting < 1 || itf->altsetting[0].bInterfaceNumber != l->p.interface)
            continue;
        const struct libusb_interface_descriptor *alt = &itf->altsetting[0];
        for (int e = 0; e < alt->bNumEndpoints; e++) {
            const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
            if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
                continue;
            if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !l->ep_in)
                l->ep_in = ep->bEndpointAddress;
            else if (!(ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !l->ep_out)
                l->ep_out = ep->bEndpointAddress;
        }
    }
    libusb_free_config_descriptor(cfg);
    if (l->p.ep_in)
        l->ep_in = (unsigned char)(l->p.ep_in | LIBUSB_ENDPOINT_IN);
    if (l->p.ep_out)
        l->ep_out = (unsigned char)(l->p.ep_out & ~LIBUSB_ENDPOINT_IN);
    if (!l->ep_in || !l->ep_out)
        return cw_fail(CW_ERR_NO_DEVICE, "usb %04x:%04x: interface %d has no pair of bulk "
                       "endpoints (give ep_in= and ep_out=)", l->p.vid, l->p.pid, l->p.interface);
    return CW_OK;
}

static int open_bulk(const cw_link_usb_params *p, cw_link_transport **out)
{
    bulk_link *l = calloc(1, sizeof *l);
    if (!l)
        return cw_fail(CW_ERR_NO_MEMORY, "usb: out of memory");
    l->t.ops = &bulk_ops;
    l->t.impl = l;
    l->p = *p;
    int rc = libusb_init(&l->ctx);
    if (rc != 0) {
        l->ctx = NULL;
        rc = usb_error(rc, "libusb_init", p);
        goto fail;
    }
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(l->ctx, &list);
    if (n < 0) {
        rc = usb_error((int)n, "device list", p);
        goto fail;
    }
    int last_err = LIBUSB_ERROR_NOT_FOUND;
    for (ssize_t i = 0; i < n && !l->h; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) != 0 || dd.idVendor != p->vid ||
            dd.idProduct != p->pid)
            continue;
        libusb_device_handle *h = NULL;
        int e = libusb_open(list[i], &h);
        if (e != 0) {
            last_err = e;
            continue;
        }
        if (p->serial[0]) {
            unsigned char s[128] = "";
            if (dd.iSerialNumber == 0 ||
                libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, s, sizeof s) < 0 ||
                strcmp((const char *)s, p->serial) != 0) {
                libusb_close(h);
                continue;
            }
        }
        l->h = h;
    }
    libusb_free_device_list(list, 1);
    if (!l->h) {
        rc = last_err == LIBUSB_ERROR_NOT_FOUND
                 ? cw_fail(CW_ERR_NO_DEVICE, "usb %04x:%04x%s%s: no such device is connected",
                           p->vid, p->pid, p->serial[0] ? " serial " : "", p->serial)
                 : usb_error(last_err, "open", p);
        goto fail;
    }
    libusb_set_auto_detach_kernel_driver(l->h, 1);
    if ((rc = libusb_claim_interface(l->h, p->interface)) != 0) {
        rc = usb_error(rc, "claim interface", p);
        goto fail;
    }
    l->claimed = 1;
    if ((rc = find_endpoints(l)) != CW_OK)
        goto fail;
    *out = &l->t;
    return CW_OK;
fail:
    bulk_close(&l->t);
    return rc;
}

/* ------------------------------------------------------------------- FTDI */

typedef struct ftdi_link {
    cw_link_transport t;
    cw_link_usb_params p;
    struct ftdi_context *f;
    int opened;
} ftdi_link;

/* An ftdi call failed: unplugged, or something else? libusb knows. */
static int ftdi_error(ftdi_link *l, int rc, const char *what)
{
    int cfg;
    if (rc == -666 || (l->f->usb_dev &&
                       libusb_get_configuration(l->f->usb_dev, &cfg) == LIBUSB_ERROR_NO_DEVICE))
        return cw_fail(CW_ERR_NO_DEVICE, "usb %04x:%04x: %s: the device is gone (unplugged?)",
                       l->p.vid, l->p.pid, what);
    return cw_fail(CW_ERR_IO, "usb %04x:%04x: %s: %s (%d)", l->p.vid, l->p.pid, what,
                   ftdi_get_error_string(l->f), rc);
}

static int ftdi_link_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    ftdi_link *l = t->impl;
    if (n > (1u << 20))
        n = 1u << 20;
    /* The chip answers every latency period (status bytes only when it has
     * no data), so each ftdi_read_data returns within about latency_ms. */
    long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        int k = ftdi_read_data(l->f, buf, (int)n);
        if (k > 0)
            return k;
        if (k < 0)
            return ftdi_error(l, k, "read");
        if (now_ms() >= deadline)
            return 0;
    }
}

static int ftdi_link_write(cw_link_transport *t, const void *buf, size_t n)
{
    ftdi_link *l = t->impl;
    const unsigned char *b = buf;
    while (n > 0) {
        int chunk = n > (1u << 16) ? 1 << 16 : (int)n;
        int k = ftdi_write_data(l->f, b, chunk);
        if (k < 0)
            return ftdi_error(l, k, "write");
        if (k == 0)
            return cw_fail(CW_ERR_TIMEOUT, "usb %04x:%04x: write: the bridge takes no bytes",
                           l->p.vid, l->p.pid);
        b += k;
        n -= (size_t)k;
    }
    return CW_OK;
}

static void ftdi_link_close(cw_link_transport *t)
{
    ftdi_link *l = t->impl;
    if (l->opened)
        ftdi_usb_close(l->f);
    if (l->f)
        ftdi_free(l->f);
    free(l);
}

static const cw_link_transport_ops ftdi_ops = { ftdi_link_write, ftdi_link_read,
                                                ftdi_link_close };

static int open_ftdi(const cw_link_usb_params *p, cw_link_transport **out)
{
    ftdi_link *l = calloc(1, sizeof *l);
    if (!l)
        return cw_fail(CW_ERR_NO_MEMORY, "usb: out of memory");
    l->t.ops = &ftdi_ops;
    l->t.impl = l;
    l->p = *p;
    int rc;
    if (!(l->f = ftdi_new())) {
        rc = cw_fail(CW_ERR_NO_MEMORY, "usb: ftdi_new failed");
        goto fail;
    }
    if (ftdi_set_interface(l->f, (enum ftdi_interface)(INTERFACE_A + p->channel)) < 0) {
        rc = cw_fail(CW_ERR_INVALID_ARG, "usb %04x:%04x: channel %d: %s", p->vid, p->pid,
                     p->channel, ftdi_get_error_string(l->f));
        goto fail;
    }
    rc = ftdi_usb_open_desc(l->f, p->vid, p->pid, NULL, p->serial[0] ? p->serial : NULL);
    if (rc < 0) {
        const char *why = ftdi_get_error_string(l->f);
        if (rc == -3)
            rc = cw_fail(CW_ERR_NO_DEVICE, "usb %04x:%04x%s%s: no such FTDI device is "
                         "connected", p->vid, p->pid, p->serial[0] ? " serial " : "", p->serial);
        else if (rc == -4)
            rc = cw_fail(CW_ERR_ACCESS, "usb %04x:%04x: cannot open the FTDI device (%s): "
                         "permission denied? " RULES_HINT, p->vid, p->pid, why);
        else if (rc == -5)
            rc = cw_fail(CW_ERR_DEVICE, "usb %04x:%04x: cannot claim the FTDI interface (%s): "
                         "in use by another program?", p->vid, p->pid, why);
        else
            rc = cw_fail(CW_ERR_NO_DEVICE, "usb %04x:%04x: %s (%d)", p->vid, p->pid, why, rc);
        goto fail;
    }
    l->opened = 1;
    l->f->usb_write_timeout = p->write_timeout_ms;
    const char *step = NULL;
    if (ftdi_set_bitmode(l->f, 0, BITMODE_RESET) < 0)
        step = "UART mode";
    else if (ftdi_set_baudrate(l->f, p->baud) < 0)
        step = "baud rate";
    else if (ftdi_set_line_property(l->f, BITS_8, STOP_BIT_1, NONE) < 0)
        step = "8N1";
    else if (ftdi_setflowctrl(l->f, p->flow ? SIO_RTS_CTS_HS : SIO_DISABLE_FLOW_CTRL) < 0)
        step = "flow control";
    else if (ftdi_set_latency_timer(l->f, (unsigned char)p->latency_ms) < 0)
        step = "latency timer";
    else if (ftdi_tcioflush(l->f) < 0)
        step = "purge";
    if (step) {
        rc = ftdi_error(l, -1, step);
        goto fail;
    }
    *out = &l->t;
    return CW_OK;
fail:
    ftdi_link_close(&l->t);
    return rc;
}

int cw_link_usb_open(const cw_link_usb_params *p, cw_link_transport **out)
{
    if (!p || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_usb_open: NULL argument");
    *out = NULL;
    int ftdi = p->mode == CW_USB_FTDI || (p->mode == CW_USB_AUTO && p->vid == 0x0403);
    return ftdi ? open_ftdi(p, out) : open_bulk(p, out);
}

#endif
