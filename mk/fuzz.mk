# fuzz.mk - libFuzzer targets (tests/fuzz/fuzz_*.c, docs/reliability.md).
#
#   make fuzz                 build every target with clang
#                             -fsanitize=fuzzer,address,undefined and run each
#                             for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ=model      one target (model tokenizer artifact frame session)
#   make fuzz-build           build only
#   make fuzz-corpus          regenerate the seed corpora tests/fuzz/corpus/
#                             from synthetic models (gen_corpus.c)
#
# The library is rebuilt with clang's coverage instrumentation in
# build-fuzz/; the fuzzers' own finds go to build-fuzz/corpus/TARGET and
# crashes to build-fuzz/crashes/TARGET/ (copy a crash into
# tests/fuzz/regressions/TARGET/ once fixed: make test replays those files
# through test_fuzz_regress, built with the normal compiler).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_ALL     := model tokenizer artifact frame session
FUZZ         ?= $(FUZZ_ALL)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BINS    := $(FUZZ_ALL:%=$(FUZZ_BUILD)/fuzz/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-corpus fuzz-lib

# The library, instrumented for coverage (a make of its own: CC and BUILD differ).
fuzz-lib:
	$(Q)CFLAGS='-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)' \
	    $(MAKE) -s --no-print-directory CC=$(FUZZ_CC) SANITIZE=0 BUILD=$(FUZZ_BUILD) \
	    $(FUZZ_BUILD)/libclockwork.a

$(FUZZ_BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h fuzz-lib
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -O1 -g -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer $(FUZZ_SAN) \
	    -Iinclude -Ihost -Ihls -Idriver -o $@ $< $(FUZZ_BUILD)/libclockwork.a $(LDLIBS)

fuzz-build: $(FUZZ:%=$(FUZZ_BUILD)/fuzz/fuzz_%)

fuzz: fuzz-build
	$(Q)scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ)

$(BUILD)/fuzz/gen_corpus: tests/fuzz/gen_corpus.c $(BUILD)/libclockwork.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libclockwork.a $(LDLIBS)

fuzz-corpus: $(BUILD)/fuzz/gen_corpus
	$(Q)rm -rf tests/fuzz/corpus && $(BUILD)/fuzz/gen_corpus tests/fuzz/corpus
	@echo "fuzz-corpus: tests/fuzz/corpus/ written"

# test_fuzz_regress includes the targets' sources
$(BUILD)/obj/tests/unit/test_fuzz_regress.o: $(wildcard tests/fuzz/*.c tests/fuzz/*.h)

.PHONY: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
clean: fuzz-clean
