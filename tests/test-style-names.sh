#!/bin/sh
# faceblit-style and the bundled styles: --list names each with a description, a bundled
# name works as STYLE, and an unknown name is an error that lists the names.
# Usage: test-style-names.sh FACEBLIT_STYLE
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
tool=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..3"

fail () { echo "not ok $1 - $2"; status=1; }
status=0

"$tool" --list >"$tmp/list" 2>/dev/null
names=$(awk '{print $1}' "$tmp/list")
described=$(awk 'NF >= 3' "$tmp/list" | wc -l)
if [ "$(echo "$names" | wc -l)" -ge 6 ] && [ "$described" = "$(echo "$names" | wc -l)" ]; then
  echo "ok 1 - --list names $(echo $names | wc -w) styles, each with a description"
else
  fail 1 "--list printed: $(cat "$tmp/list")"
fi

bad=""
for name in $names; do
  n=$("$tool" "$name" 2>/dev/null | grep -cE '^[0-9.+-]+ [0-9.+-]+$')
  [ "$n" = 68 ] || bad="$bad $name($n)"
done
[ -z "$bad" ] && echo "ok 2 - every bundled name gives 68 landmarks" \
  || fail 2 "these names did not give 68 landmarks:$bad"

if "$tool" crayon >/dev/null 2>"$tmp/err"; then
  fail 3 "an unknown name succeeded"
else
  missing=""
  for name in $names; do
    grep -q "$name" "$tmp/err" || missing="$missing $name"
  done
  [ -z "$missing" ] && grep -q "'crayon'" "$tmp/err" \
    && echo "ok 3 - an unknown name is an error that lists the names" \
    || fail 3 "the error '$(cat "$tmp/err")' does not list:$missing"
fi
exit $status
