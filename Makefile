# clockwork - top-level Makefile. Every target a user runs is here.
#
#   make            library (build/libclockwork.{a,so}) and CLI (build/clockwork)
#   make demo       install what is missing, build, run the story on the default model
#   make test       install what is missing, build, run every test
#   make lint       warnings as errors, cppcheck, verilator --lint-only -Wall
#
# Variables: SANITIZE=1 (ASan+UBSan build in build-san/), V=1 (echo commands),
#            WAVES=1 (make test: each Verilator testbench writes build/waves/NAME.fst).

CC       ?= cc
SANITIZE ?= 0
BUILD    ?= $(if $(filter 1,$(SANITIZE)),build-san,build)
MODELS   ?= $(shell scripts/find-models.sh 2>/dev/null)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wvla -Wformat=2
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_POSIX_C_SOURCE=200809L -fPIC $(WARN) -Iinclude -Ihost -Ihls -Idriver \
            -Irtl/sim -DCW_SIM_DIR='"$(abspath $(BUILD))/sim"'
LDLIBS   += -lm -lpthread -ldl
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif
ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif

Q := $(if $(filter 1,$(V)),,@)

# ------------------------------------------------------------ sources
LIB_SRC  := $(wildcard host/*.c) $(wildcard hls/*.c) $(wildcard driver/*.c)
TARGETS  := $(sort $(wildcard targets/*.target))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/targets.o
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
RTL_SRC  := $(wildcard rtl/*.v rtl/*.vh) rtl/lint.vlt $(wildcard rtl/tables/*.hex)
SERIAL_SRC := $(wildcard rtl/serial/*.v rtl/serial/*.vh rtl/serial/*.hex)
RTL_TB_SRC := $(wildcard tests/rtl/tb_*.cpp)
RTL_TB   := $(RTL_TB_SRC:tests/rtl/%.cpp=$(BUILD)/rtl/bin/%)
TEST_COMMON := $(wildcard tests/unit/common/*.c)
TEST_COMMON_OBJ := $(TEST_COMMON:%.c=$(BUILD)/obj/%.o)

.PHONY: all lib cli demo test check lint deps clean rtl-tests sim synth install ucode
.DEFAULT_GOAL := all
all: lib cli
rtl-tests: $(RTL_TB)
lib: $(BUILD)/libclockwork.a $(BUILD)/libclockwork.so
cli: $(BUILD)/clockwork

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/targets.c: $(TARGETS) scripts/embed-targets.sh
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-targets.sh $@ $(TARGETS)

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libclockwork.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libclockwork.so: $(LIB_OBJ)
	$(Q)$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/clockwork: $(CLI_OBJ) $(BUILD)/libclockwork.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libclockwork.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_COMMON_OBJ) $(BUILD)/libclockwork.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TEST_COMMON_OBJ) $(BUILD)/libclockwork.a -lcmocka $(LDLIBS)

$(BUILD)/obj/tests/unit/%.o: CFLAGS += -Itests/unit/common

# Verilator testbenches (one per tests/rtl/tb_*.cpp; scripts/verilate-tb.sh)
$(BUILD)/rtl/bin/%: tests/rtl/%.cpp $(wildcard tests/rtl/*.h tests/rtl/*.v tests/rtl/*.vlt) $(RTL_SRC) $(BUILD)/libclockwork.a
	@echo "  VERILATE $*"
	$(Q)scripts/verilate-tb.sh $< $@ $(BUILD)

# The Verilated device (link engine + core), one shared library per target;
# the sim device loads it and talks to it through the link protocol
SIM_TARGETS ?= sim ulx3s-85f icebreaker
SIM_LIBS := $(SIM_TARGETS:%=$(BUILD)/sim/libcwsimlink-%.so)
$(BUILD)/sim/libcwsimlink-%.so: $(RTL_SRC) $(SERIAL_SRC) rtl/sim/cw_simlink.cpp rtl/sim/cw_simlink.h rtl/sim/cw_simlink_vl.h \
		targets/%.target scripts/build-sim.sh $(BUILD)/clockwork
	@echo "  VERILATE device for target $*"
	$(Q)scripts/build-sim.sh $* $@ $(BUILD)

# testbenches that include another's body
$(BUILD)/rtl/bin/tb_attn_k2: tests/rtl/tb_attn.cpp
$(BUILD)/rtl/bin/tb_embed_w8: tests/rtl/tb_embed.cpp
$(BUILD)/rtl/bin/tb_heads_kv9: tests/rtl/tb_heads.cpp
$(BUILD)/rtl/bin/tb_fn_recip_shared: tests/rtl/tb_fn_recip.cpp
# the serial core (docs/serial.md): its RTL and microcode ROM
$(BUILD)/rtl/bin/tb_serial $(BUILD)/rtl/bin/tb_serial_core: $(SERIAL_SRC)

# rewrite the serial core's ROM images from host/ucode_ops.c and hls/cw_tables.h
ucode: $(BUILD)/rtl/bin/tb_serial
	$(Q)CW_WRITE_UCODE=rtl/serial $(BUILD)/rtl/bin/tb_serial

sim: $(SIM_LIBS)

# yosys synthesis of the core: ulx3s-85f for ECP5, icebreaker for iCE40
synth: $(BUILD)/clockwork
	$(Q)scripts/synth.sh ulx3s-85f ecp5 $(BUILD)
	$(Q)scripts/synth.sh icebreaker ice40 $(BUILD)

# ------------------------------------------------------------ install
PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  := $(PREFIX)/lib
install: lib cli
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 755 $(BUILD)/clockwork $(DESTDIR)$(PREFIX)/bin/clockwork
	install -m 644 include/clockwork.h $(DESTDIR)$(PREFIX)/include/clockwork.h
	install -m 644 $(BUILD)/libclockwork.a $(DESTDIR)$(LIBDIR)/libclockwork.a
	install -m 755 $(BUILD)/libclockwork.so $(DESTDIR)$(LIBDIR)/libclockwork.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@VERSION@|$(shell sed -n 's/^#define CW_VERSION_[A-Z]* \([0-9]*\)/\1/p' include/clockwork.h | paste -sd.)|' \
	    scripts/clockwork.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/clockwork.pc

# ------------------------------------------------------------ user targets
deps:
	$(Q)scripts/install-deps.sh

demo: deps
	$(Q)$(MAKE) -s --no-print-directory all $(if $(wildcard rtl/cw_core.v),$(SIM_LIBS))
	$(Q)scripts/demo.sh $(BUILD)/clockwork

test: deps
	$(Q)$(MAKE) -s --no-print-directory all $(TEST_BIN) $(RTL_TB) $(if $(wildcard rtl/cw_core.v),$(SIM_LIBS))
	$(Q)WAVES=$(WAVES) scripts/run-tests.sh $(BUILD) $(TEST_BIN) $(RTL_TB)

lint: deps
	$(Q)$(MAKE) --no-print-directory -B WERROR=1 BUILD=build-lint all $(TEST_BIN:$(BUILD)/%=build-lint/%) >/dev/null
	$(Q)cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
	    --inline-suppr -Iinclude -Ihost -Ihls -Idriver host hls driver cli
	$(Q)for t in $(TARGETS:targets/%.target=%); do \
	    verilator --lint-only -Wall rtl/lint.vlt -y rtl --top-module cw_core rtl/cw_core.v \
	        $$(build-lint/clockwork target $$t --params) || exit 1; done
	$(Q)verilator --lint-only -Wall -DCW_SIM_GATE rtl/lint.vlt -y rtl --top-module cw_core rtl/cw_core.v \
	    $$(build-lint/clockwork target sim --params)   # the Verilated device's op clocks
	$(Q)verilator --lint-only -Wall -DCW_SERIAL_CORE rtl/lint.vlt -y rtl -y rtl/serial \
	    --top-module cw_device rtl/cw_device.v $$(build-lint/clockwork target icebreaker --params)   # the serial core
	@echo "lint: clean"

clean:
	rm -rf build build-san build-lint

# More targets (bench, fuzz, soak, bitstreams) live in mk/*.mk
-include $(sort $(wildcard mk/*.mk))

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_COMMON_OBJ:.o=.d) \
    $(TEST_BIN:$(BUILD)/tests/%=$(BUILD)/obj/tests/unit/%.d)
