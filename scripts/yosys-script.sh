#!/usr/bin/env bash
# yosys-script.sh FAMILY TOP PARAMS FILES STAT [JSON] - print the yosys
# script that synthesizes TOP from FILES for FAMILY (ecp5 or ice40) with
# PARAMS (Verilator's -GNAME=VALUE list, as `clockwork target NAME --params`
# prints it), writes the statistics to STAT and the netlist to JSON.
# scripts/synth.sh (the core) and scripts/bitstream.sh (a board) use it.
#
# iCE40 (the UP5K of the iCEBreaker: with -dsp and -spram) has no LUT RAM:
# there the RTL's requests for it (cw_ram's STYLE
# "distributed", which ECP5 builds use for small memories) are dropped
# before synthesis (requests for SPRAM, "huge", stay), so yosys places those memories in block RAM (after
# `hierarchy`, which may rename the top to its parameterized name: `rename
# -top` gives it back its own).
set -eu
family=${1:?usage: yosys-script.sh FAMILY TOP PARAMS FILES STAT [JSON]}
top=$2 params=$3 files=$4 stat=$5 json=${6:-}
chparam=""
for p in $params; do kv=${p#-G}; chparam="$chparam -set ${kv%%=*} ${kv#*=}"; done
pre="" opt=""
[ "$family" = ice40 ] && pre=" hierarchy -top $top; rename -top $top; setattr -unset ram_style a:ram_style=distributed;"
# the UP5K's multipliers (SB_MAC16) and single-port RAMs (SB_SPRAM256KA)
[ "$family" = ice40 ] && opt=" -dsp -spram"
echo "read_verilog -sv $files; chparam$chparam $top;$pre synth_$family -top $top$opt${json:+ -json $json}; tee -o $stat stat"
