#!/usr/bin/env bash
# test_boards.sh CLOCKWORK - the board folders (bitstreams/BOARD/), fast:
#  - each top level lints (verilator -Wall) with its target's parameters,
#    against the stand-ins of the vendor PLL in bitstreams/BOARD/lint/;
#  - each board shell (top, PLL, reset, UART, status LEDs) synthesizes for
#    its family with yosys, the core (cw_device) kept as a black box (the
#    core's own synthesis is `make synth`; place and route is
#    `make bitstream`): the PLL primitive is there, no latches, no
#    unmapped memories;
#  - every top-level port has a pin in the constraint file and every pin
#    in the file is a port;
#  - a committed bitstream has its report.md, made for the target's present
#    parameters and configuration hash and from the present RTL (the
#    digest of scripts/board-sources.sh); else it is stale: rebuild it;
#  - `make bitstream` and `make flash` refuse bad input with one clear line.
# Prints "N passed, N failed".
set -u
cw=$1
build=${CW_BUILD:-$(dirname "$cw")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

for board in bitstreams/*/; do
  board=$(basename "$board")
  conf=bitstreams/$board/board.conf
  [ -f "$conf" ] || continue
  # shellcheck disable=SC1090
  ( . "$conf"; echo "$target $family $top $constraints $output" ) >"$tmp/conf"
  read -r target family top constraints output <"$tmp/conf"
  dir=bitstreams/$board
  params=$("$cw" target "$target" --params)
  # --- a committed bitstream matches the target
  if [ -f "$dir/$output" ]; then
    if [ -f "$dir/report.md" ] && grep -qF -- "parameters: \`$params\`" "$dir/report.md"; then ok
    else bad "$board: $dir/$output was not built for the present target parameters ($params): run make bitstream BOARD=$board"; fi
    sources=$(scripts/board-sources.sh "$board" | sha256sum | cut -d' ' -f1)
    if grep -qF -- "sources: \`$sources\`" "$dir/report.md" 2>/dev/null; then ok
    else bad "$board: $dir/$output was built from other sources than the present RTL (digest $sources, scripts/board-sources.sh): run make bitstream BOARD=$board"; fi
  fi
  # --- lint (a top with CLK_MHZ at the target's clock, as scripts/bitstream.sh builds it)
  lint_params=$params
  if grep -q "CLK_MHZ" "$dir/$top.v"; then
    lint_params="$params -GCLK_MHZ=$("$cw" target "$target" | awk '$1 == "clock_mhz" { print $2 }')"
  fi
  # shellcheck disable=SC2086
  if verilator --lint-only -Wall rtl/lint.vlt -y rtl -y "$dir" "$dir"/lint/*.v \
      --top-module "$top" "$dir/$top.v" $lint_params >"$tmp/lint.log" 2>&1; then ok
  else bad "$board: lint: $(head -n 5 "$tmp/lint.log")"; fi
  # --- the board shell synthesizes (core as a black box)
  case $family in
    ecp5) pll=EHXPLLL ;;
    ice40) pll=SB_PLL40_PAD ;;
  esac
  shell_files="$dir/$top.v $(ls "$dir"/*.v | grep -v "/$top.v$" | tr '\n' ' ')"
  shell_files="$shell_files rtl/cw_uart_device.v rtl/cw_phy_uart.v rtl/cw_sync_fifo.v rtl/cw_reset_sync.v rtl/cw_board_status.v"
  if yosys -q -l "$tmp/yosys.log" -p "read_verilog -sv -lib rtl/cw_device.v; \
      read_verilog -sv $shell_files; hierarchy -top $top; synth_$family -top $top; \
      tee -o $tmp/stat.txt stat; write_json $tmp/top.json" >/dev/null 2>&1; then ok
  else bad "$board: synth_$family: $(grep -E 'ERROR' "$tmp/yosys.log" | head -n 3)"; continue; fi
  grep -q "$pll" "$tmp/stat.txt" && ok || bad "$board: no $pll in the synthesized shell"
  grep -q "cw_device" "$tmp/stat.txt" && ok || bad "$board: the core is missing from the shell"
  if grep -qE '\$(dlatch|_DLATCH)|\$mem(_v2)?\b' "$tmp/stat.txt"; then
    bad "$board: latches or unmapped memories in the shell"
  else ok; fi
  # --- ports against the constraint file
  python3 - "$tmp/top.json" "$top" "$dir/$constraints" >"$tmp/pins.log" 2>&1 <<'EOF'
import json, re, sys
design = json.load(open(sys.argv[1]))
ports = set()
for name, p in design["modules"][sys.argv[2]]["ports"].items():
    bits = p["bits"]
    ports.update([name] if len(bits) == 1 else [f"{name}[{i}]" for i in range(len(bits))])
pins = set()
for line in open(sys.argv[3]):
    line = line.split("#")[0]
    m = re.search(r'LOCATE\s+COMP\s+"([^"]+)"', line) or re.search(r'set_io\s+(?:-\S+\s+)*(\S+)\s+\S+', line)
    if m:
        pins.add(m.group(1))
missing, extra = sorted(ports - pins), sorted(pins - ports)
if missing or extra:
    print("ports without a pin:", missing, "pins without a port:", extra)
    sys.exit(1)
EOF
  [ $? -eq 0 ] && ok || bad "$board: $(cat "$tmp/pins.log")"
done

# --- iCE40 has no LUT RAM: the synthesis script puts a memory the RTL asks
# to have in LUT RAM (cw_ram STYLE "distributed") into block RAM there
script=$(scripts/yosys-script.sh ice40 cw_ram '-GDEPTH=128 -GWIDTH=32 -GLANE=32 -GAW=7 -GSTYLE="distributed"' \
         rtl/cw_ram.v "$tmp/ram-stat.txt")
if yosys -q -l "$tmp/ram.log" -p "$script" >/dev/null 2>&1 && grep -q SB_RAM40_4K "$tmp/ram-stat.txt"; then ok
else bad "ice40: a distributed cw_ram: $(grep -E 'ERROR' "$tmp/ram.log" | head -n 2)"; fi

# --- bad input to the board commands
out=$(scripts/bitstream.sh no-such-board "$build" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "no board 'no-such-board'" && ok || bad "bitstream, unknown board: $out"
out=$(scripts/flash.sh no-such-board 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "no board 'no-such-board'" && ok || bad "flash, unknown board: $out"
mkdir -p "$tmp/fake"
# (the committed ULX3S bitstream exists, so a missing one is named with BIT)
out=$(BIT=$tmp/none.bit scripts/flash.sh ulx3s-85f 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "none.bit does not exist" && ok \
  || bad "flash without a bitstream: $out"
touch "$tmp/some.bit"
out=$(BIT=$tmp/some.bit OPENFPGALOADER=$tmp/fake/none scripts/flash.sh ulx3s-85f 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "openFPGALoader is not installed" && ok \
  || bad "flash without a loader: $out"
# a loader that finds no board, and one that is denied the device
printf '#!/bin/sh\necho "unable to open ftdi device: -3 (device not found)"; exit 1\n' >"$tmp/fake/nobrd"
printf '#!/bin/sh\necho "LIBUSB_ERROR_ACCESS"; exit 1\n' >"$tmp/fake/noperm"
chmod +x "$tmp/fake/nobrd" "$tmp/fake/noperm"
head -c 64 /dev/urandom >"$tmp/fake.bit"   # a stand-in bitstream: the loaders above never read it
for b in ulx3s-85f icebreaker; do
  out=$(BIT=$tmp/fake.bit OPENFPGALOADER=$tmp/fake/nobrd scripts/flash.sh "$b" 2>&1); rc=$?
  [ $rc -ne 0 ] && echo "$out" | grep -q "no $b found" && ok || bad "flash, no board: $out"
  out=$(BIT=$tmp/fake.bit OPENFPGALOADER=$tmp/fake/noperm scripts/flash.sh "$b" 1 2>&1); rc=$?
  [ $rc -ne 0 ] && echo "$out" | grep -q "99-clockwork.rules" && ok || bad "flash, no permission: $out"
  out=$(BIT=$tmp/fake.bit OPENFPGALOADER=$tmp/fake/noperm scripts/flash.sh "$b" 2 2>&1); rc=$?
  [ $rc -ne 0 ] && echo "$out" | grep -q "FLASH=2" && ok || bad "flash, FLASH=2: $out"
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
