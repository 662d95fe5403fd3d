# mk/usb.mk - the USB transports (driver/link_usb.c): libusb-1.0 and libftdi1
# through pkg-config. Without them the library still builds; usb: then
# reports CW_ERR_UNSUPPORTED.
USB_PKGS   := libftdi1 libusb-1.0
USB_OK     := $(shell pkg-config --exists $(USB_PKGS) 2>/dev/null && echo 1)
ifeq ($(USB_OK),1)
USB_CFLAGS := $(shell pkg-config --cflags $(USB_PKGS))
USB_LIBS   := $(shell pkg-config --libs $(USB_PKGS))
LDLIBS     += $(USB_LIBS)
else
USB_CFLAGS := -DCW_NO_USB
endif
$(BUILD)/obj/driver/link_usb.o: CFLAGS += $(USB_CFLAGS)
$(BUILD)/obj/tests/unit/test_transport_usb.o: CFLAGS += $(USB_CFLAGS)

# The USB test replaces libusb and libftdi with mocks (no hardware): every
# call link_usb.c makes goes to the test's __wrap_ functions.
USB_WRAP := libusb_init libusb_exit libusb_get_device_list libusb_free_device_list \
            libusb_get_device_descriptor libusb_open libusb_close \
            libusb_get_string_descriptor_ascii libusb_set_auto_detach_kernel_driver \
            libusb_claim_interface libusb_release_interface libusb_get_device \
            libusb_get_active_config_descriptor libusb_free_config_descriptor \
            libusb_bulk_transfer libusb_clear_halt libusb_get_configuration libusb_strerror \
            ftdi_new ftdi_free ftdi_set_interface ftdi_usb_open_desc ftdi_usb_close \
            ftdi_set_bitmode ftdi_set_baudrate ftdi_set_line_property ftdi_setflowctrl \
            ftdi_set_latency_timer ftdi_tcioflush ftdi_read_data ftdi_write_data \
            ftdi_get_error_string
comma := ,
$(BUILD)/tests/test_transport_usb: LDFLAGS += $(foreach f,$(USB_WRAP),-Wl$(comma)--wrap=$(f))
