#!/usr/bin/env bash
# build-sim.sh TARGET OUT.so BUILD - the Verilated device (rtl/cw_device.v:
# link engine + core) for one target's parameters (from `clockwork target
# NAME --params`, i.e. targets/NAME.target), with the byte-stream harness
# rtl/sim/cw_simlink.cpp, linked as a shared library for the sim device.
# --assert: the RTL's assertions (docs/rtl.md, "Assertions and the watchdog")
# run in every simulation; a failing one aborts with its message. They cost
# little: docs/rtl.md gives the measurement.
set -eu
target=$1 out=$2 build=$3
top=cw_device
harness=rtl/sim/cw_simlink.cpp
root=$(pwd)
obj="$build/sim/obj-$top-$target"
mkdir -p "$obj"
params=$("$build/clockwork" target "$target" --params)
# a target with `serial 1` is the serial core (docs/serial.md, rtl/serial/)
core=""
if "$build/clockwork" target "$target" | grep -q '^serial *1$'; then
  core="-DCW_SERIAL_CORE -DCW_SERIAL_DIR=\"$root/rtl/serial\""
fi
# Verilator prints through the harness and never aborts (cw_simlink_vl.h,
# cw_simlink_error()): the library is loaded into a user's process; a
# run-time warning (a $readmem file it cannot open) fails the device too.
# CW_SIM_GATE: each op module's clock stops while it is idle (rtl/cw_core.v,
# "op clocks"): about twice the simulated cycles per second.
# CW_TABLE_DIR: the RTL's tables by absolute path, so the device computes
# the same from any working directory (synthesis reads rtl/tables/).
# Verilator's makefile compiles the model with -Os (OPT_FAST, OPT_GLOBAL),
# after our CFLAGS; -O2 runs the core about 5-10% faster (make bench).
# shellcheck disable=SC2086
verilator --cc --exe --build -j 2 --assert --trace-fst -Wall -Wno-fatal -O3 \
  --x-assign unique --x-initial unique \
  -DCW_SIM_GATE "-DCW_TABLE_DIR=\"$root/rtl/tables\"" $core \
  --top-module "$top" $params -y "$root/rtl" -y "$root/rtl/serial" "$root/rtl/lint.vlt" \
  "$root/rtl/$top.v" \
  "$root/$harness" --Mdir "$obj" -o "$root/$out.tmp" \
  -CFLAGS "-fPIC -O2 -std=c++17 -DCW_SIM_TARGET='\"$target\"' -I$root/rtl/sim \
           -include $root/rtl/sim/cw_simlink_vl.h -DVL_PRINTF=cw_simlink_vl_printf \
           -DVL_USER_STOP -DVL_USER_FATAL -DVL_USER_WARN" \
  -MAKEFLAGS "OPT_FAST=-O2 OPT_GLOBAL=-O2" \
  -LDFLAGS "-shared" >"$obj/build.log" 2>&1 \
  || { tail -n 40 "$obj/build.log" >&2; exit 1; }
mv "$root/$out.tmp" "$root/$out"
