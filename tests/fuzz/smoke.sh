#!/bin/sh
# One fuzz-smoke test: replays every input of the corpus (seeds and past crashers) and
# then fuzzes from it for $FB_FUZZ_SECONDS seconds (default 30). New inputs and any
# crasher go to WORK-DIR, never into the source tree.
# Usage: smoke.sh TARGET CORPUS-DIR WORK-DIR
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
target=$1 corpus=$2 work=$3
mkdir -p "$work/new"
# a crash in any input is a failure of this test; leaks count (LeakSanitizer is on).
# A fixed seed: CI's short run takes the same path on every run, so that it fails for
# a change, not for luck (tools/fuzz TARGET explores with random seeds).
exec "$target" -seed="${FB_FUZZ_SEED:-1}" -max_total_time="${FB_FUZZ_SECONDS:-30}" \
  -timeout=10 -rss_limit_mb=2560 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "$corpus"
