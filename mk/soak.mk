# soak.mk - `make soak`: the soak test (tests/soak/, docs/reliability.md).
#
#   make soak                   SOAK_SECONDS (default 120) of generations by
#                               SOAK_CLIENTS (3) client threads taking turns on
#                               one simulated device over a Unix socket, with
#                               byte faults injected both ways; seed SOAK_SEED (1);
#                               SOAK_ARGS adds options (build/soak/soak --help)
#
# `make test` runs a short one (tests/soak/test_soak.sh: a few hundred tokens).

SOAK_SRC := $(wildcard tests/soak/*.c)
SOAK_OBJ := $(SOAK_SRC:%.c=$(BUILD)/obj/%.o)
SOAK_BIN := $(BUILD)/soak/soak
SOAK_SECONDS ?= 120
SOAK_CLIENTS ?= 3
SOAK_SEED    ?= 1
SOAK_ARGS    ?=

.PHONY: soak soak-lint

$(SOAK_BIN): $(SOAK_OBJ) $(BUILD)/libclockwork.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(SOAK_OBJ) $(BUILD)/libclockwork.a $(LDLIBS)

soak: deps
	$(Q)$(MAKE) -s --no-print-directory $(SOAK_BIN)
	$(Q)CW_MODELS=$(MODELS) $(SOAK_BIN) --seconds $(SOAK_SECONDS) --clients $(SOAK_CLIENTS) \
	    --seed $(SOAK_SEED) $(SOAK_ARGS)

# `make test` runs the short soak, which needs the program.
test: $(SOAK_BIN)

# `make lint` holds the soak to -Werror and cppcheck too.
lint: soak-lint
soak-lint:
	$(Q)$(MAKE) --no-print-directory -W tests/soak/soak.c WERROR=1 BUILD=build-lint build-lint/soak/soak >/dev/null
	$(Q)cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
	    --inline-suppr -Iinclude -Ihost -Idriver tests/soak

-include $(SOAK_OBJ:.o=.d)
