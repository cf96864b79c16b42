#!/bin/sh
# One fuzz-smoke test: replays every input of the corpus (seeds and past crashers) and
# then fuzzes from it for RUNS inputs in all. New inputs and any crasher go to WORK-DIR,
# never into the source tree.
# Usage: smoke.sh TARGET CORPUS-DIR WORK-DIR RUNS
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
target=$1 corpus=$2 work=$3 runs=$4
# New inputs of an earlier run would change the path this one takes.
rm -rf "$work/new"
mkdir -p "$work/new"
# A crash in any input is a failure of this test; leaks count (LeakSanitizer is on).
# A fixed seed and a fixed number of runs, not a time, and no address-space
# randomisation (libFuzzer learns from compared values, pointers among them) nor corpus
# reloading (timed): every machine then tries the same inputs, so that CI fails for a
# change, never for a faster or slower machine's luck (tools/fuzz TARGET explores with
# random seeds for as long as asked).
set -- "$target" -seed="${FB_FUZZ_SEED:-1}" -runs="$runs" -reload=0 -timeout=10 \
  -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "$corpus"
if setarch -R true 2>/dev/null; then
  exec setarch -R "$@"
fi
echo "smoke.sh: setarch -R is refused here: this run's inputs depend on where things load"
exec "$@"
