# bench.mk - `make bench`: the performance figures of docs/performance.md.
#
#   make bench                 every device, 5 runs (sim: 3) of 200 positions, the
#                              scaling study; writes build/bench/results-TIME.json and
#                              regenerates docs/performance.md, docs/performance/*.svg
#                              and docs/performance/results.json (a few minutes)
#   make bench BENCH_QUICK=1   fewer runs and positions (under a minute); the report
#                              goes to build/bench/quick/, the committed one is kept
#
# `make bench` is not part of `make test` (which only runs the tool at toy sizes,
# tests/cli/test_bench.sh). The only assertion is that every device cycle count
# equals the compiler's prediction in every run; wall times are reported only.

BENCH_BIN := $(BUILD)/bench/clockwork_bench
BENCH_QUICK ?= 0

.PHONY: bench bench-lint

$(BENCH_BIN): $(BUILD)/obj/bench/clockwork_bench.o $(BUILD)/libclockwork.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libclockwork.a $(LDLIBS)

bench: deps
	$(Q)$(MAKE) -s --no-print-directory all $(BENCH_BIN) $(if $(wildcard rtl/cw_core.v),$(SIM_LIBS))
	$(Q)BENCH_QUICK=$(BENCH_QUICK) CC="$(CC)" bench/run.sh $(BUILD)

# `make test` runs tests/cli/test_bench.sh (toy sizes, seconds), which needs the tool.
test: $(BENCH_BIN)

# `make lint` also holds the bench to -Werror and cppcheck.
lint: bench-lint
bench-lint:
	$(Q)$(MAKE) --no-print-directory -W bench/clockwork_bench.c WERROR=1 BUILD=build-lint build-lint/bench/clockwork_bench >/dev/null
	$(Q)cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
	    --inline-suppr -Iinclude -Ihost bench

-include $(BUILD)/obj/bench/clockwork_bench.d
