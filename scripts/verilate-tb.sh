#!/usr/bin/env bash
# verilate-tb.sh TB.cpp OUT BUILD - build a Verilator testbench.
# The testbench's header names its top module and parameters:
#   // top: cw_op_matvec
#   // params: -GLANES=8 -GK=8        (optional)
#   // sources: rtl/extra.v          (optional; rtl/ is searched anyway)
# A top in tests/rtl/NAME.v (a test-only wrapper) wins over rtl/NAME.v.
# It links build/libclockwork.a, so it can call the hls/ kernels.
# CW_TB_SANITIZE (set by mk/sanitize.mk under SANITIZE=1): the sanitizers the
# library was built with, added at link time (the library's code is checked;
# the Verilated model is not instrumented, which would only slow it down).
# The testbench is linked to OUT.tmp, then renamed: Verilator's makefile does
# not know the library, so an old OUT would count as up to date after a
# change in the library alone, and the testbench would run the old C code.
set -eu
tb=$1 out=$2 build=$3
name=$(basename "$tb" .cpp)
top=$(sed -n 's|^// top: *\(.*\)$|\1|p' "$tb" | head -n 1)
params=$(sed -n 's|^// params: *\(.*\)$|\1|p' "$tb" | head -n 1)
sources=$(sed -n 's|^// sources: *\(.*\)$|\1|p' "$tb" | head -n 1)
[ -n "$top" ] || { echo "$tb: no '// top:' line" >&2; exit 1; }
root=$(pwd)
topfile="rtl/$top.v"
[ -f "rtl/serial/$top.v" ] && topfile="rtl/serial/$top.v" # the serial core (docs/serial.md)
[ -f "tests/rtl/$top.v" ] && topfile="tests/rtl/$top.v"   # test-only wrappers
mdir="$build/rtl/obj/$name"
mkdir -p "$mdir" "$(dirname "$out")"
# shellcheck disable=SC2086
verilator --cc --exe --build -j 2 --assert --trace-fst -Wall -Wno-fatal \
  --top-module "$top" $params -y "$root/rtl" -y "$root/rtl/serial" "$root/rtl/lint.vlt" $sources \
  "$root/$topfile" "$root/$tb" \
  --Mdir "$mdir" -o "$root/$out.tmp" \
  -CFLAGS "-O1 -std=c++17 -I$root/include -I$root/hls -I$root/host -I$root/tests/rtl" \
  -LDFLAGS "${CW_TB_SANITIZE:-} $root/$build/libclockwork.a -lm -lpthread" >"$mdir/build.log" 2>&1 \
  || { tail -n 40 "$mdir/build.log" >&2; exit 1; }
mv "$root/$out.tmp" "$root/$out"
grep -E "%Warning" "$mdir/build.log" | head -n 20 >&2 || true
