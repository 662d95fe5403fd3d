#!/usr/bin/env bash
# test_soak.sh CLOCKWORK - the short soak of `make test`: about 1200
# tokens (three clients taking turns over a Unix socket, byte faults both
# ways, cancels and resets mid-run; tests/soak/soak.c), bounded at 20 s.
# `make soak` runs the long one. Prints the soak's "N passed, N failed".
set -u
build=${CW_BUILD:-$(dirname "$1")}
exec "$build/soak/soak" --tokens 1200 --steps 100 --seconds 20 --clients 3 --runs 4 --seed 1
