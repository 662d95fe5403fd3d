# sanitize.mk - what `make test SANITIZE=1` needs beyond the top Makefile's
# CFLAGS/LDFLAGS: the Verilator testbenches link $(BUILD)/libclockwork.a,
# which is instrumented, so scripts/verilate-tb.sh links them with the same
# sanitizers (it reads CW_TB_SANITIZE; the Verilated models themselves are
# not instrumented). The sim libraries (scripts/build-sim.sh) stay
# uninstrumented too: they are dlopened into an instrumented process, which
# works without them carrying the runtime.
# tests/cli/test_install.sh links the installed (instrumented) library into
# the example: it reads CW_SANITIZE_FLAGS.
ifeq ($(SANITIZE),1)
$(RTL_TB): export CW_TB_SANITIZE := -fsanitize=address,undefined
test: export CW_SANITIZE_FLAGS := -fsanitize=address,undefined
endif
