#!/usr/bin/env bash
# install-deps.sh - install the Debian packages clockwork needs, if missing.
# One list for `make demo`, `make test` and CI. As root it installs with
# apt-get (after one `apt-get update`); otherwise it names what to install.
set -eu

PACKAGES=(
  gcc make libc6-dev pkg-config   # the C build
  python3                         # scripts/gen_tables.py (the numerics tables)
  libcmocka-dev                   # unit tests
  cppcheck                        # make lint
  verilator g++ zlib1g-dev        # the RTL simulator, its harness, FST waveforms
  libusb-1.0-0-dev libftdi1-dev   # USB transports
  yosys                           # tests/cli/test_boards.sh (board shells)
)

missing=()
for p in "${PACKAGES[@]}"; do
  [[ "$p" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
