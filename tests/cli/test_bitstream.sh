#!/usr/bin/env bash
# test_bitstream.sh CLOCKWORK - scripts/bitstream.sh's own logic, in seconds,
# with stand-ins for yosys, nextpnr and the packer (the real place and route
# takes half an hour: `make bitstream`). In a copy of the tree:
#  - a build writes the bitstream and report.md (parameters, the digest of
#    scripts/board-sources.sh, tool versions, Fmax, tokens/s), for an ECP5
#    and an iCE40 board;
#  - a second build of the same sources reuses the netlist, and a changed
#    table or included header is synthesized again;
#  - timing not met, or a design that does not fit, fails with one clear
#    line and leaves the committed bitstream and report as they were, with
#    no temporary file behind.
#  - nextpnr runs with board.conf's seed (the committed bitstream's), or SEED.
# Prints "N passed, N failed".
set -u
cw=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# --- the tree, and the stand-in tools
tree=$tmp/tree
mkdir -p "$tree/build" "$tmp/bin"
cp -r rtl scripts bitstreams "$tree/"
ln -s "$cw" "$tree/build/clockwork"
models=$(scripts/find-models.sh 2>/dev/null || true)

# yosys: -V prints a version; a run writes the netlist and the statistics the
# script names, and counts itself in $tmp/synth.count
cat >"$tmp/bin/yosys" <<'EOF'
#!/usr/bin/env bash
case $1 in -V|--version) echo "Yosys 0.99 (stand-in)"; exit 0 ;; esac
while [ $# -gt 0 ]; do case $1 in -p) script=$2; shift ;; -l) log=$2; shift ;; esac; shift; done
json=$(echo "$script" | sed -n 's/.*-json \([^;]*\);.*/\1/p')
stat=$(echo "$script" | sed -n 's/.*tee -o \([^ ]*\) stat.*/\1/p')
echo '{"modules": {}}' >"$json"; echo "stand-in statistics" >"$stat"; echo "synthesized" >"$log"
echo x >>"$FAKE_DIR/synth.count"
EOF
# nextpnr: FAKE_FMAX sets the Fmax it reports; FAKE_FULL=1 fails as nextpnr
# does when a cell type runs out
cat >"$tmp/bin/nextpnr" <<'EOF'
#!/usr/bin/env bash
[ "$1" = --version ] && { echo "nextpnr (stand-in)"; exit 0; }
while [ $# -gt 0 ]; do
  case $1 in --report) rep=$2; shift ;; --log) log=$2; shift ;; --textcfg|--asc) cfg=$2; shift ;;
             --freq) freq=$2; shift ;; --seed) echo "$2" >"$FAKE_DIR/seed"; shift ;; esac; shift
done
if [ "${FAKE_FULL:-0}" = 1 ]; then
  printf 'Info: Device utilisation:\nInfo: \t          TRELLIS_IO:      19/    365     5%%\n' >"$log"
  printf 'Info: \t              DP16KD:     209/    208   100%%\n\nERROR: Unable to place cell x\n' >>"$log"
  exit 1
fi
echo "routed" >"$log"; echo "config" >"$cfg"
cat >"$rep" <<JSON
{"utilization": {"DP16KD": {"used": 207, "available": 208}, "TRELLIS_COMB": {"used": 100, "available": 83640},
                 "ICESTORM_LC": {"used": 50, "available": 5280}},
 "fmax": {"clk": {"achieved": ${FAKE_FMAX:-30}, "constraint": $freq}}}
JSON
EOF
# the packer: the bitstream is the configuration's bytes plus a marker
cat >"$tmp/bin/pack" <<'EOF'
#!/usr/bin/env bash
[ "$1" = --compress ] && shift
{ cat "$1"; echo "packed ${FAKE_MARK:-1}"; } >"$2"
EOF
chmod +x "$tmp/bin/"*
run() { # BOARD [VAR=VALUE...]: bitstream.sh in the tree with the stand-ins
  local b=$1; shift
  (cd "$tree" && env FAKE_DIR="$tmp" YOSYS="$tmp/bin/yosys" NEXTPNR="$tmp/bin/nextpnr" \
     PACK="$tmp/bin/pack" CLOCKWORK_MODELS="$models" "$@" bash scripts/bitstream.sh "$b" build 2>&1)
}
synths() { [ -f "$tmp/synth.count" ] && wc -l <"$tmp/synth.count" || echo 0; }
digest() { (cd "$tree" && scripts/board-sources.sh "$1" | sha256sum | cut -d' ' -f1); }

for b in ulx3s-85f icebreaker; do
  # shellcheck disable=SC1090
  output=$(. "bitstreams/$b/board.conf"; echo "$output")
  target=$(. "bitstreams/$b/board.conf"; echo "$target")
  dir=$tree/bitstreams/$b
  rm -f "$dir/$output" "$dir/report.md" "$tmp/synth.count"

  # --- a build: the bitstream and its report
  out=$(run "$b"); rc=$?
  [ $rc -eq 0 ] && [ -f "$dir/$output" ] && grep -q "packed 1" "$dir/$output" && ok \
    || bad "$b: build: rc $rc, $out"
  rep=$dir/report.md
  for want in "parameters: \`$("$cw" target "$target" --params)\`" "sources: \`$(digest "$b")\`" \
              "Yosys 0.99 (stand-in)" "nextpnr (stand-in)" "| 30.00 |" "| yes |" "; synthesized)."; do
    grep -qF -- "$want" "$rep" 2>/dev/null && ok || bad "$b: report.md lacks '$want'"
  done
  if [ -n "$models" ] && [ "$b" = ulx3s-85f ]; then
    grep -q "stories260K.bin: mean over positions 0..199: [0-9]* cycles per token" "$rep" && ok \
      || bad "$b: report.md has no tokens/s line: $(grep stories "$rep")"
  fi

  # nextpnr's seed: board.conf's (the committed bitstream's), else 1; SEED overrides
  conf_seed=$(. "bitstreams/$b/board.conf"; echo "${seed:-1}")
  [ "$(cat "$tmp/seed")" = "$conf_seed" ] && grep -qF "nextpnr seed $conf_seed)" "$rep" && ok \
    || bad "$b: nextpnr ran with seed $(cat "$tmp/seed"), board.conf says $conf_seed"

  # --- the same sources: the netlist is reused; a changed table is not
  out=$(run "$b" FAKE_MARK=2); rc=$?
  [ $rc -eq 0 ] && echo "$out" | grep -q "synthesis reused" && [ "$(synths)" -eq 1 ] && ok \
    || bad "$b: a rebuild of the same sources synthesized again: $out"
  out=$(run "$b" SEED=7); rc=$?
  [ $rc -eq 0 ] && [ "$(cat "$tmp/seed")" = 7 ] && grep -qF "nextpnr seed 7)" "$rep" && ok \
    || bad "$b: SEED=7 ran nextpnr with seed $(cat "$tmp/seed"): $out"
  for f in rtl/tables/$(ls rtl/tables | head -n 1) rtl/cw_op_ports.vh; do
    cp "$tree/$f" "$tmp/saved"; echo "" >>"$tree/$f"
    before=$(synths)
    out=$(run "$b"); rc=$?
    [ $rc -eq 0 ] && [ "$(synths)" -eq $((before + 1)) ] && grep -qF "sources: \`$(digest "$b")\`" "$rep" \
      && ok || bad "$b: a change to $f did not synthesize again: $out"
    cp "$tmp/saved" "$tree/$f"
  done

  # --- failures keep the committed files
  cp "$dir/$output" "$tmp/bit.saved"; cp "$rep" "$tmp/rep.saved"
  out=$(run "$b" FAKE_FMAX=12.5 FAKE_MARK=3); rc=$?
  [ $rc -ne 0 ] && echo "$out" | grep -q "timing not met" && ok || bad "$b: missed timing: rc $rc, $out"
  out=$(run "$b" FAKE_FULL=1 FAKE_MARK=4); rc=$?
  [ $rc -ne 0 ] && echo "$out" | grep -q "the design needs 209 DP16KD, the chip has 208" && ok \
    || bad "$b: a design that does not fit: rc $rc, $out"
  cmp -s "$dir/$output" "$tmp/bit.saved" && cmp -s "$rep" "$tmp/rep.saved" && ok \
    || bad "$b: a failed build replaced the committed bitstream or report"
  leftover=$(ls -A "$dir" | grep -E '\.tmp$' || true)
  [ -z "$leftover" ] && ok || bad "$b: temporary files left: $leftover"
done
cd "$root" || exit 1

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
