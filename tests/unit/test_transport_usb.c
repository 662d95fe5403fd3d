/*
 * test_transport_usb.c - the USB transports (driver/link_usb.c) against
 * mocks of libusb-1.0 and libftdi1: the linker's --wrap (mk/usb.mk) sends
 * every libusb_* and ftdi_* call link_usb.c makes to the __wrap_ functions
 * here, so no hardware is needed. The mocked bulk endpoints lead to a
 * simulated device (ref core + link engine) on an in-process pipe, so a
 * whole generation runs through them while transfers time out part way,
 * endpoints stall and the device is unplugged; opening meets access
 * denied and busy interfaces; the FTDI path is configured as the boards
 * need (3 Mbaud unless told, latency timer 1 ms, no flow control, purged)
 * and maps libftdi's errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ftdi.h>
#include <libusb.h>

#include "clockwork.h"
#include "link_usb.h"
#include "linkutil.h"
#include "testutil.h"

/* ------------------------------------------------------------ the mock */

static struct mock {
    /* enumeration and open */
    uint16_t vid, pid;
    int open_err, claim_err;
    int n_devices;
    int claimed, released, closed, exited;
    /* the device behind the bulk endpoints */
    lu_pipe *pipe;
    int unplugged;
    int partial_every;  /* every Nth OUT transfer moves half and times out */
    int stall_every;    /* every Nth IN transfer stalls */
    int out_calls, in_calls, partials, stalls, clears;
    /* FTDI */
    int ftdi_open_rc;
    int baud, latency, flow, purged, bitmode_reset, line_ok, iface;
    int baud_rc;
    int ftdi_read_rc; /* non-zero: ftdi_read_data returns it */
    int ftdi_short_writes, ftdi_write_calls;
    unsigned char ftdi_rx[64];
    int ftdi_rx_len, ftdi_empty_reads;
    unsigned char ftdi_tx[4096];
    int ftdi_tx_len;
} mk;

static char fake_dev[1], fake_handle[1];
static libusb_device *dev_list[2] = { (libusb_device *)fake_dev, NULL };

int __wrap_libusb_init(libusb_context **ctx);
int __wrap_libusb_init(libusb_context **ctx)
{
    *ctx = (libusb_context *)fake_handle;
    return 0;
}
void __wrap_libusb_exit(libusb_context *ctx);
void __wrap_libusb_exit(libusb_context *ctx)
{
    (void)ctx;
    mk.exited++;
}
ssize_t __wrap_libusb_get_device_list(libusb_context *ctx, libusb_device ***list);
ssize_t __wrap_libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
    (void)ctx;
    *list = dev_list;
    return mk.n_devices;
}
void __wrap_libusb_free_device_list(libusb_device **list, int unref);
void __wrap_libusb_free_device_list(libusb_device **list, int unref)
{
    (void)list;
    (void)unref;
}
int __wrap_libusb_get_device_descriptor(libusb_device *d, struct libusb_device_descriptor *dd);
int __wrap_libusb_get_device_descriptor(libusb_device *d, struct libusb_device_descriptor *dd)
{
    (void)d;
    memset(dd, 0, sizeof *dd);
    dd->idVendor = mk.vid;
    dd->idProduct = mk.pid;
    dd->iSerialNumber = 3;
    return 0;
}
int __wrap_libusb_open(libusb_device *d, libusb_device_handle **h);
int __wrap_libusb_open(libusb_device *d, libusb_device_handle **h)
{
    (void)d;
    if (mk.open_err)
        return mk.open_err;
    *h = (libusb_device_handle *)fake_handle;
    return 0;
}
void __wrap_libusb_close(libusb_device_handle *h);
void __wrap_libusb_close(libusb_device_handle *h)
{
    (void)h;
    mk.closed++;
}
int __wrap_libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t i,
                                              unsigned char *s, int n);
int __wrap_libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t i,
                                              unsigned char *s, int n)
{
    (void)h;
    (void)i;
    snprintf((char *)s, (size_t)n, "CW0001");
    return 6;
}
int __wrap_libusb_set_auto_detach_kernel_driver(libusb_device_handle *h, int on);
int __wrap_libusb_set_auto_detach_kernel_driver(libusb_device_handle *h, int on)
{
    (void)h;
    (void)on;
    return 0;
}
int __wrap_libusb_claim_interface(libusb_device_handle *h, int i);
int __wrap_libusb_claim_interface(libusb_device_handle *h, int i)
{
    (void)h;
    (void)i;
    if (mk.claim_err)
        return mk.claim_err;
    mk.claimed++;
    return 0;
}
int __wrap_libusb_release_interface(libusb_device_handle *h, int i);
int __wrap_libusb_release_interface(libusb_device_handle *h, int i)
{
    (void)h;
    (void)i;
    mk.released++;
    return 0;
}
libusb_device *__wrap_libusb_get_device(libusb_device_handle *h);
libusb_device *__wrap_libusb_get_device(libusb_device_handle *h)
{
    (void)h;
    return (libusb_device *)fake_dev;
}

static struct libusb_endpoint_descriptor eps[3] = {
    { .bEndpointAddress = 0x83, .bmAttributes = LIBUSB_TRANSFER_TYPE_INTERRUPT },
    { .bEndpointAddress = 0x81, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK },
    { .bEndpointAddress = 0x02, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK },
};
static struct libusb_interface_descriptor alt = { .bInterfaceNumber = 0, .bNumEndpoints = 3,
                                                  .endpoint = eps };
static struct libusb_interface itf = { .altsetting = &alt, .num_altsetting = 1 };
static struct libusb_config_descriptor cfg = { .bNumInterfaces = 1, .interface = &itf };

int __wrap_libusb_get_active_config_descriptor(libusb_device *d,
                                               struct libusb_config_descriptor **c);
int __wrap_libusb_get_active_config_descriptor(libusb_device *d,
                                               struct libusb_config_descriptor **c)
{
    (void)d;
    *c = &cfg;
    return 0;
}
void __wrap_libusb_free_config_descriptor(struct libusb_config_descriptor *c);
void __wrap_libusb_free_config_descriptor(struct libusb_config_descriptor *c)
{
    (void)c;
}
int __wrap_libusb_get_configuration(libusb_device_handle *h, int *c);
int __wrap_libusb_get_configuration(libusb_device_handle *h, int *c)
{
    (void)h;
    *c = 1;
    return mk.unplugged ? LIBUSB_ERROR_NO_DEVICE : 0;
}
const char *__wrap_libusb_strerror(int err);
const char *__wrap_libusb_strerror(int err)
{
    (void)err;
    return "mock error";
}
int __wrap_libusb_clear_halt(libusb_device_handle *h, unsigned char ep);
int __wrap_libusb_clear_halt(libusb_device_handle *h, unsigned char ep)
{
    (void)h;
    (void)ep;
    mk.clears++;
    return mk.unplugged ? LIBUSB_ERROR_NO_DEVICE : 0;
}

int __wrap_libusb_bulk_transfer(libusb_device_handle *h, unsigned char ep, unsigned char *data,
                                int len, int *done, unsigned int timeout);
int __wrap_libusb_bulk_transfer(libusb_device_handle *h, unsigned char ep, unsigned char *data,
                                int len, int *done, unsigned int timeout)
{
    (void)h;
    *done = 0;
    if (mk.unplugged)
        return LIBUSB_ERROR_NO_DEVICE;
    if (!(ep & 0x80)) {
        assert_int_equal(ep, 0x02);
        mk.out_calls++;
        if (mk.partial_every && mk.out_calls % mk.partial_every == 0 && len > 1) {
            /* half the bytes go, then the transfer times out */
            cw_link_write(mk.pipe->host_end, data, (size_t)len / 2);
            *done = len / 2;
            mk.partials++;
            return LIBUSB_ERROR_TIMEOUT;
        }
        cw_link_write(mk.pipe->host_end, data, (size_t)len);
        *done = len;
        return 0;
    }
    assert_int_equal(ep, 0x81);
    assert_int_equal(len % 512, 0); /* whole packets: no overflow */
    mk.in_calls++;
    if (mk.stall_every && mk.in_calls % mk.stall_every == 0) {
        mk.stalls++;
        return LIBUSB_ERROR_PIPE;
    }
    int n = cw_link_read(mk.pipe->host_end, data, (size_t)len, (int)timeout);
    if (n < 0)
        return LIBUSB_ERROR_IO;
    *done = n;
    return n ? 0 : LIBUSB_ERROR_TIMEOUT;
}

/* FTDI */
static struct ftdi_context fctx;
struct ftdi_context *__wrap_ftdi_new(void);
struct ftdi_context *__wrap_ftdi_new(void)
{
    memset(&fctx, 0, sizeof fctx);
    return &fctx;
}
void __wrap_ftdi_free(struct ftdi_context *f);
void __wrap_ftdi_free(struct ftdi_context *f)
{
    (void)f;
}
int __wrap_ftdi_set_interface(struct ftdi_context *f, enum ftdi_interface i);
int __wrap_ftdi_set_interface(struct ftdi_context *f, enum ftdi_interface i)
{
    (void)f;
    mk.iface = (int)i;
    return 0;
}
int __wrap_ftdi_usb_open_desc(struct ftdi_context *f, int v, int p, const char *d,
                              const char *s);
int __wrap_ftdi_usb_open_desc(struct ftdi_context *f, int v, int p, const char *d,
                              const char *s)
{
    (void)d;
    (void)s;
    assert_int_equal(v, mk.vid);
    assert_int_equal(p, mk.pid);
    if (mk.ftdi_open_rc)
        return mk.ftdi_open_rc;
    f->usb_dev = (libusb_device_handle *)fake_handle;
    return 0;
}
int __wrap_ftdi_usb_close(struct ftdi_context *f);
int __wrap_ftdi_usb_close(struct ftdi_context *f)
{
    (void)f;
    mk.closed++;
    return 0;
}
int __wrap_ftdi_set_bitmode(struct ftdi_context *f, unsigned char m, unsigned char mode);
int __wrap_ftdi_set_bitmode(struct ftdi_context *f, unsigned char m, unsigned char mode)
{
    (void)f;
    (void)m;
    mk.bitmode_reset = mode == BITMODE_RESET;
    return 0;
}
int __wrap_ftdi_set_baudrate(struct ftdi_context *f, int b);
int __wrap_ftdi_set_baudrate(struct ftdi_context *f, int b)
{
    (void)f;
    mk.baud = b;
    return mk.baud_rc;
}
int __wrap_ftdi_set_line_property(struct ftdi_context *f, enum ftdi_bits_type b,
                                  enum ftdi_stopbits_type s, enum ftdi_parity_type p);
int __wrap_ftdi_set_line_property(struct ftdi_context *f, enum ftdi_bits_type b,
                                  enum ftdi_stopbits_type s, enum ftdi_parity_type p)
{
    (void)f;
    mk.line_ok = b == BITS_8 && s == STOP_BIT_1 && p == NONE;
    return 0;
}
int __wrap_ftdi_setflowctrl(struct ftdi_context *f, int fl);
int __wrap_ftdi_setflowctrl(struct ftdi_context *f, int fl)
{
    (void)f;
    mk.flow = fl;
    return 0;
}
int __wrap_ftdi_set_latency_timer(struct ftdi_context *f, unsigned char l);
int __wrap_ftdi_set_latency_timer(struct ftdi_context *f, unsigned char l)
{
    (void)f;
    mk.latency = l;
    return 0;
}
int __wrap_ftdi_tcioflush(struct ftdi_context *f);
int __wrap_ftdi_tcioflush(struct ftdi_context *f)
{
    (void)f;
    mk.purged++;
    return 0;
}
int __wrap_ftdi_read_data(struct ftdi_context *f, unsigned char *buf, int size);
int __wrap_ftdi_read_data(struct ftdi_context *f, unsigned char *buf, int size)
{
    (void)f;
    if (mk.ftdi_read_rc)
        return mk.ftdi_read_rc;
    if (mk.ftdi_empty_reads > 0) {
        mk.ftdi_empty_reads--;
        return 0;
    }
    int n = mk.ftdi_rx_len < size ? mk.ftdi_rx_len : size;
    memcpy(buf, mk.ftdi_rx, (size_t)n);
    memmove(mk.ftdi_rx, mk.ftdi_rx + n, (size_t)(mk.ftdi_rx_len - n));
    mk.ftdi_rx_len -= n;
    return n;
}
int __wrap_ftdi_write_data(struct ftdi_context *f, const unsigned char *buf, int size);
int __wrap_ftdi_write_data(struct ftdi_context *f, const unsigned char *buf, int size)
{
    (void)f;
    mk.ftdi_write_calls++;
    if (mk.unplugged)
        return -1;
    int n = mk.ftdi_short_writes && size > 1 ? size / 2 : size;
    memcpy(mk.ftdi_tx + mk.ftdi_tx_len, buf, (size_t)n);
    mk.ftdi_tx_len += n;
    return n;
}
const char *__wrap_ftdi_get_error_string(struct ftdi_context *f);
const char *__wrap_ftdi_get_error_string(struct ftdi_context *f)
{
    (void)f;
    return "mock ftdi error";
}

/* ------------------------------------------------------------- the tests */

static void reset_mock(uint16_t vid, uint16_t pid)
{
    memset(&mk, 0, sizeof mk);
    mk.vid = vid;
    mk.pid = pid;
    mk.n_devices = 1;
}

static void test_bulk_generation(void **st)
{
    (void)st;
    reset_mock(0x1209, 0xC10C);
    static lu_pipe p;
    lu_pipe_open(&p, "sim", NULL, NULL);
    mk.pipe = &p;
    mk.partial_every = 7;
    mk.stall_every = 11;
    const lu_run *ref = lu_reference("sim", 120);
    cw_device *d = NULL;
    if (cw_device_open("usb:1209:c10c:CW0001?timeout=50", &d) != CW_OK)
        fail_msg("open: %s", cw_last_error());
    assert_int_equal(mk.claimed, 1);
    if (cw_device_load_artifact(d, lu_artifact("sim"), NULL) != CW_OK)
        fail_msg("load: %s", cw_last_error());
    static lu_run r;
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 120, &r), CW_OK);
    lu_expect_same(&r, ref, "usb bulk with partial transfers and stalls");
    assert_true(mk.partials > 10);
    assert_true(mk.stalls > 10);
    assert_int_equal(mk.clears, mk.stalls);
    /* unplugged mid-session: CW_ERR_NO_DEVICE, not a hang */
    mk.unplugged = 1;
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 120, &r), CW_ERR_NO_DEVICE);
    assert_non_null(strstr(cw_last_error(), "unplugged"));
    cw_device_close(d);
    assert_int_equal(mk.released, 1);
    assert_int_equal(mk.exited, 1);
    lu_pipe_close(&p);
}

static void test_bulk_open_errors(void **st)
{
    (void)st;
    cw_link_usb_params up;
    cw_link_transport *t = NULL;
    cw_link_usb_params_default(&up);
    assert_int_equal(cw_link_usb_parse("1209:c10c", &up), CW_OK);
    up.mode = CW_USB_BULK;
    /* access denied: the udev rule is named */
    reset_mock(0x1209, 0xC10C);
    mk.open_err = LIBUSB_ERROR_ACCESS;
    assert_int_equal(cw_link_usb_open(&up, &t), CW_ERR_ACCESS);
    assert_non_null(strstr(cw_last_error(), "driver/99-clockwork.rules"));
    assert_int_equal(mk.exited, 1);
    /* nothing connected */
    reset_mock(0x1209, 0xC10C);
    mk.n_devices = 0;
    assert_int_equal(cw_link_usb_open(&up, &t), CW_ERR_NO_DEVICE);
    /* another program holds the interface */
    reset_mock(0x1209, 0xC10C);
    mk.claim_err = LIBUSB_ERROR_BUSY;
    assert_int_equal(cw_link_usb_open(&up, &t), CW_ERR_DEVICE);
    assert_int_equal(mk.closed, 1);
    /* gone between listing and opening */
    reset_mock(0x1209, 0xC10C);
    mk.open_err = LIBUSB_ERROR_NO_DEVICE;
    assert_int_equal(cw_link_usb_open(&up, &t), CW_ERR_NO_DEVICE);
    /* the serial number must match */
    reset_mock(0x1209, 0xC10C);
    assert_int_equal(cw_link_usb_parse("1209:c10c:OTHER", &up), CW_OK);
    assert_int_equal(cw_link_usb_open(&up, &t), CW_ERR_NO_DEVICE);
    assert_null(t);
}

/* Reads and writes on the bulk transport itself: a timeout that moved
 * bytes returns them; a write that times out with nothing moved fails
 * with CW_ERR_TIMEOUT. */
static void test_bulk_timeouts(void **st)
{
    (void)st;
    reset_mock(0x1209, 0xC10C);
    static lu_pipe p;
    lu_pipe_open(&p, "sim", NULL, NULL);
    p.dead = 1; /* nobody answers */
    mk.pipe = &p;
    cw_link_usb_params up;
    cw_link_usb_params_default(&up);
    assert_int_equal(cw_link_usb_parse("1209:c10c", &up), CW_OK);
    up.write_timeout_ms = 30;
    cw_link_transport *t = NULL;
    assert_int_equal(cw_link_usb_open(&up, &t), CW_OK);
    unsigned char buf[64];
    assert_int_equal(cw_link_read(t, buf, sizeof buf, 5), 0); /* timeout: 0 bytes */
    cw_link_write(p.dev_end, "abc", 3);
    assert_int_equal(cw_link_read(t, buf, 2, 5), 2); /* buffered: the rest next time */
    assert_int_equal(cw_link_read(t, buf + 2, sizeof buf, 5), 1);
    assert_memory_equal(buf, "abc", 3);
    mk.partial_every = 1; /* every OUT transfer moves half */
    assert_int_equal(cw_link_write(t, "0123456789abcdef", 16), CW_OK);
    unsigned char got[16];
    assert_int_equal(cw_link_read(p.dev_end, got, 16, 0), 16);
    assert_memory_equal(got, "0123456789abcdef", 16);
    cw_link_close(t);
    lu_pipe_close(&p);
}

static void test_ftdi(void **st)
{
    (void)st;
    reset_mock(0x0403, 0x6015);
    cw_link_usb_params up;
    cw_link_usb_params_default(&up);
    assert_int_equal(cw_link_usb_parse("0403:6015", &up), CW_OK);
    cw_link_transport *t = NULL;
    assert_int_equal(cw_link_usb_open(&up, &t), CW_OK);
    assert_int_equal(mk.baud, 3000000);
    assert_true(mk.latency >= 1 && mk.latency <= 2);
    assert_int_equal(mk.flow, SIO_DISABLE_FLOW_CTRL);
    assert_true(mk.line_ok && mk.bitmode_reset);
    assert_int_equal(mk.purged, 1);
    assert_int_equal(mk.iface, INTERFACE_A);
    /* reads poll the chip until bytes come or the time is up */
    mk.ftdi_empty_reads = 5;
    memcpy(mk.ftdi_rx, "\xA5\xC3", 2);
    mk.ftdi_rx_len = 2;
    unsigned char buf[8];
    assert_int_equal(cw_link_read(t, buf, sizeof buf, 1000), 2);
    assert_int_equal(cw_link_read(t, buf, sizeof buf, 5), 0);
    /* short writes are continued */
    mk.ftdi_short_writes = 1;
    assert_int_equal(cw_link_write(t, "0123456789", 10), CW_OK);
    assert_int_equal(mk.ftdi_tx_len, 10);
    assert_memory_equal(mk.ftdi_tx, "0123456789", 10);
    assert_true(mk.ftdi_write_calls > 1);
    /* unplugged: libusb tells the ftdi error apart */
    mk.unplugged = 1;
    mk.ftdi_read_rc = -1;
    assert_int_equal(cw_link_read(t, buf, sizeof buf, 5), CW_ERR_NO_DEVICE);
    assert_int_equal(cw_link_write(t, "x", 1), CW_ERR_NO_DEVICE);
    mk.unplugged = 0;
    assert_int_equal(cw_link_read(t, buf, sizeof buf, 5), CW_ERR_IO);
    assert_non_null(strstr(cw_last_error(), "mock ftdi error"));
    cw_link_close(t);
    assert_int_equal(mk.closed, 1);

    /* options: baud, latency, flow control, channel B of an FT2232H */
    reset_mock(0x0403, 0x6010);
    cw_link_usb_params_default(&up);
    assert_int_equal(cw_link_usb_parse("0403:6010", &up), CW_OK);
    assert_int_equal(cw_link_usb_option(&up, "baud", "1000000"), CW_OK);
    assert_int_equal(cw_link_usb_option(&up, "latency", "2"), CW_OK);
    assert_int_equal(cw_link_usb_option(&up, "flow", "rtscts"), CW_OK);
    assert_int_equal(cw_link_usb_option(&up, "channel", "1"), CW_OK);
    assert_int_equal(cw_link_usb_option(&up, "latency", "0"), CW_ERR_INVALID_ARG);
    assert_int_equal(cw_link_usb_option(&up, "speed", "1"), 1);
    assert_int_equal(cw_link_usb_open(&up, &t), CW_OK);
    assert_int_equal(mk.baud, 1000000);
    assert_int_equal(mk.latency, 2);
    assert_int_equal(mk.flow, SIO_RTS_CTS_HS);
    assert_int_equal(mk.iface, INTERFACE_B);
    cw_link_close(t);
}

static void test_ftdi_open_errors(void **st)
{
    (void)st;
    cw_device *d = NULL;
    reset_mock(0x0403, 0x6015);
    mk.ftdi_open_rc = -3;
    assert_int_equal(cw_device_open("usb:0403:6015", &d), CW_ERR_NO_DEVICE);
    reset_mock(0x0403, 0x6015);
    mk.ftdi_open_rc = -4;
    assert_int_equal(cw_device_open("usb:0403:6015", &d), CW_ERR_ACCESS);
    assert_non_null(strstr(cw_last_error(), "driver/99-clockwork.rules"));
    reset_mock(0x0403, 0x6015);
    mk.ftdi_open_rc = -5;
    assert_int_equal(cw_device_open("usb:0403:6015", &d), CW_ERR_DEVICE);
    reset_mock(0x0403, 0x6015);
    mk.baud_rc = -1;
    assert_int_equal(cw_device_open("usb:0403:6015?baud=12000000", &d), CW_ERR_IO);
    assert_non_null(strstr(cw_last_error(), "baud rate"));
    assert_int_equal(mk.baud, 12000000);
    assert_int_equal(mk.closed, 1);
    assert_null(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bulk_generation),
        cmocka_unit_test(test_bulk_open_errors),
        cmocka_unit_test(test_bulk_timeouts),
        cmocka_unit_test(test_ftdi),
        cmocka_unit_test(test_ftdi_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
