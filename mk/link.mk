# link.mk - the RTL link (rtl/cw_link_*.v, rtl/cw_device.v, rtl/cw_phy_*.v):
#
#   make sim         build/sim/libcwsimlink-TARGET.so (top Makefile's SIM_LIBS):
#                    the Verilated cw_device driven through its link byte
#                    streams (rtl/sim/cw_simlink.h); the `sim` device uses it
#   make lint-link   verilator --lint-only -Wall of cw_device for every target
#                    and of each PHY with a few parameter sets (part of `make lint`)
#   make synth-link  yosys synth_ecp5 of cw_device with small parameters
#
# The testbenches tests/rtl/tb_link.cpp and tb_phy_*.cpp are picked up by the
# top Makefile.

.PHONY: lint-link synth-link

LINK_PHY_LINT := \
	"cw_phy_uart -GCLKS_PER_BIT=4" "cw_phy_uart -GCLKS_PER_BIT=434 -GRX_DEPTH=64" \
	"cw_phy_ft245 -GDEPTH=16" "cw_phy_ft245 -GDEPTH=512" \
	"cw_phy_axis -GDATA_BYTES=1" "cw_phy_axis -GDATA_BYTES=4" "cw_phy_axis -GDATA_BYTES=8" \
	"cw_async_fifo -GWIDTH=8 -GDEPTH=16" "cw_sync_fifo -GWIDTH=8 -GDEPTH=4"

lint: lint-link
lint-link: $(BUILD)/clockwork
	$(Q)for t in $(TARGETS:targets/%.target=%); do \
	    verilator --lint-only -Wall rtl/lint.vlt -y rtl --top-module cw_device rtl/cw_device.v \
	        $$($(BUILD)/clockwork target $$t --params) || exit 1; done
	$(Q)for m in $(LINK_PHY_LINT); do set -- $$m; \
	    verilator --lint-only -Wall rtl/lint.vlt -y rtl --top-module $$1 rtl/$$1.v $$2 $$3 \
	        || exit 1; done

synth-link:
	@mkdir -p $(BUILD)/synth
	$(Q)yosys -l $(BUILD)/synth/link-ecp5.log -q -p "read_verilog -sv $(wildcard rtl/*.v); chparam -set LANES 2 -set K 2 \
	    -set WBITS 8 -set PROG_DEPTH 256 -set WGT_LINES 1024 -set SCL_DEPTH 256 \
	    -set CST_DEPTH 256 -set ACT_DEPTH 512 -set KV_DEPTH 8192 -set MAX_CTX 128 cw_device; \
	    synth_ecp5 -top cw_device; tee -o $(BUILD)/synth/link-ecp5.txt stat" >/dev/null
	$(Q)sed -n '/Number of cells/,$$p' $(BUILD)/synth/link-ecp5.txt | head -n 40
	$(Q)! grep -qE '\$$(dlatch|_DLATCH)|\$$mem(_v2)?\b' $(BUILD)/synth/link-ecp5.txt

# testbenches that include another's body
$(BUILD)/rtl/bin/tb_phy_axis_b1: tests/rtl/tb_phy_axis.cpp
