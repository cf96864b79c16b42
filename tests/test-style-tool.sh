#!/bin/sh
# faceblit-style on the bundled style: prints 68 landmarks, never overwrites a file the
# user has unless --force, and warms the cache so that a second build is a cache hit.
# Usage: test-style-tool.sh FACEBLIT_STYLE SOURCE_DATA_DIR
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
tool=$1
style=$2/default-style.png
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..4"

fail () { echo "not ok $1 - $2"; status=1; }
status=0

n=$("$tool" "$style" 2>/dev/null | grep -cE '^[0-9.+-]+ [0-9.+-]+$')
[ "$n" = 68 ] && echo "ok 1 - prints 68 landmarks" || fail 1 "printed $n landmark lines"

echo "mine" > "$tmp/user.lm.txt"
if "$tool" --save-landmarks "$tmp/user.lm.txt" "$style" >/dev/null 2>"$tmp/err" \
    || [ "$(cat "$tmp/user.lm.txt")" != mine ] || ! grep -q -- --force "$tmp/err"; then
  fail 2 "an existing file was overwritten, or the refusal did not mention --force"
else
  echo "ok 2 - refuses to overwrite an existing file"
fi

if "$tool" --force --save-landmarks "$tmp/user.lm.txt" "$style" >/dev/null 2>&1 \
    && [ "$(grep -cE '^[0-9.+-]+ [0-9.+-]+$' "$tmp/user.lm.txt")" = 68 ]; then
  echo "ok 3 - --force overwrites"
else
  fail 3 "--force did not write 68 landmarks"
fi

export FACEBLIT_CACHE_DIR="$tmp/cache"
"$tool" --warm-cache "$style" >/dev/null 2>"$tmp/cold"
"$tool" --warm-cache "$style" >/dev/null 2>"$tmp/warm"
if grep -q "now stored" "$tmp/cold" && grep -q "were already in" "$tmp/warm"; then
  echo "ok 4 - --warm-cache fills the cache"
else
  fail 4 "--warm-cache: cold said '$(cat "$tmp/cold")', warm said '$(cat "$tmp/warm")'"
fi
exit $status
