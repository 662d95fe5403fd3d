#!/usr/bin/env bash
# build-sim.sh TARGET OUT.so BUILD - the Verilated cw_core for one target's
# parameters (from `clockwork target NAME --params`, i.e. targets/NAME.target),
# with rtl/sim/cw_sim.cpp, as a shared library for the sim device.
set -eu
target=$1 out=$2 build=$3
root=$(pwd)
obj="$build/sim/obj-$target"
mkdir -p "$obj"
params=$("$build/clockwork" target "$target" --params)
# shellcheck disable=SC2086
verilator --cc --build -j 2 --trace-fst -Wall -Wno-fatal -O3 --x-assign unique --x-initial unique \
  --top-module cw_core $params -y "$root/rtl" "$root/rtl/lint.vlt" "$root/rtl/cw_core.v" \
  --Mdir "$obj" -CFLAGS "-fPIC -O2" >"$obj/build.log" 2>&1 \
  || { tail -n 40 "$obj/build.log" >&2; exit 1; }
inc=$(verilator --getenv VERILATOR_ROOT)/include
g++ -shared -fPIC -O2 -std=c++17 -o "$out.tmp" -DCW_SIM_TARGET="\"$target\"" \
  -I"$obj" -I"$inc" -I"$inc/vltstd" -I"$root/rtl/sim" "$root/rtl/sim/cw_sim.cpp" \
  "$obj/Vcw_core__ALL.a" "$obj/libverilated.a" -lz -lpthread
mv "$out.tmp" "$out"
