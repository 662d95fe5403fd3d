/*
 * link_usb.h - the USB transports: an FTDI bridge in UART mode through
 * libftdi1 (the ULX3S's FT231X, the iCEBreaker's FT2232H, an FT232H), or a
 * device with a pair of bulk endpoints through libusb-1.0.
 *
 * Errors: an unplugged device gives CW_ERR_NO_DEVICE; a device the user
 * may not open gives CW_ERR_ACCESS with a pointer to
 * driver/99-clockwork.rules; a transfer that times out returns the bytes
 * it did move (reads: 0 = timeout, as every transport); a stalled
 * endpoint is cleared and the transfer tried once more.
 */
#ifndef CW_LINK_USB_H
#define CW_LINK_USB_H

#include <stdint.h>

#include "link_transport.h"

enum { CW_USB_AUTO = -1, CW_USB_BULK = 0, CW_USB_FTDI = 1 };

typedef struct cw_link_usb_params {
    uint16_t vid, pid;
    char serial[128];  /* "" : the first device with vid:pid */
    int mode;          /* CW_USB_AUTO: FTDI when vid is 0x0403, else bulk */
    /* FTDI */
    int baud;          /* default 3000000 */
    int latency_ms;    /* latency timer, 1..255; default 1 (the chip's own default is 16) */
    int flow;          /* 0 none (default), 1 RTS/CTS */
    int channel;       /* FT2232/FT4232 channel: 0 = A (default), 1 = B, ... */
    /* bulk */
    int interface;     /* interface to claim (default 0) */
    int ep_in, ep_out; /* endpoint addresses; 0: the interface's first bulk pair */
    int write_timeout_ms; /* per write transfer; default 1000 */
} cw_link_usb_params;

void cw_link_usb_params_default(cw_link_usb_params *p);

/* Parses "VID:PID[:SERIAL]" (hex ids) and "key=value" options (baud,
 * latency, flow=none|rtscts, channel, mode=ftdi|bulk, interface, ep_in,
 * ep_out) into p. */
int cw_link_usb_parse(const char *spec, cw_link_usb_params *p);
int cw_link_usb_option(cw_link_usb_params *p, const char *key, const char *value);

int cw_link_usb_open(const cw_link_usb_params *p, cw_link_transport **out);

#endif
