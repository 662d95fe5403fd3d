# board.mk - the boards (bitstreams/BOARD/: top level, constraints, PLL,
# board.conf, the committed bitstream and its report.md):
#
#   make bitstream BOARD=ulx3s-85f   yosys -> nextpnr -> ecppack|icepack
#                                    (scripts/bitstream.sh); SEED=N for nextpnr
#   make flash BOARD=... [FLASH=1]   openFPGALoader: SRAM, or the flash with FLASH=1
#   make board-tools                 the tools those need (apt + pip; not needed by make test)
#   make lint-boards                 verilator -Wall of every board top (part of make lint)
#
# tests/cli/test_boards.sh (in make test) lints every top, synthesizes every
# board shell, checks the pins and that a committed bitstream is built from
# the present RTL; tests/cli/test_bitstream.sh runs scripts/bitstream.sh with
# stand-in tools.

BOARDS := $(patsubst bitstreams/%/board.conf,%,$(wildcard bitstreams/*/board.conf))
FLASH ?= 0

.PHONY: bitstream flash board-tools lint-boards

bitstream: $(BUILD)/clockwork
	@test -n "$(BOARD)" || { echo "make bitstream: set BOARD to one of: $(BOARDS)" >&2; exit 2; }
	$(Q)scripts/bitstream.sh $(BOARD) $(BUILD)

flash:
	@test -n "$(BOARD)" || { echo "make flash: set BOARD to one of: $(BOARDS)" >&2; exit 2; }
	$(Q)scripts/flash.sh $(BOARD) $(FLASH)

board-tools:
	$(Q)scripts/install-board-tools.sh

lint: lint-boards
lint-boards: $(BUILD)/clockwork
	$(Q)for b in $(BOARDS); do ( . bitstreams/$$b/board.conf; \
	    verilator --lint-only -Wall rtl/lint.vlt -y rtl -y bitstreams/$$b bitstreams/$$b/lint/*.v \
	        --top-module $$top bitstreams/$$b/$$top.v $$($(BUILD)/clockwork target $$target --params) ) \
	    || exit 1; done
