#!/bin/sh
# faceblit-style on the bundled style: prints 68 landmarks, never overwrites a file the
# user has unless --force, warms the cache so that a second build is a cache hit, and
# fits the landmarks in a --face-box as detection does in the box it found.
# Usage: test-style-tool.sh FACEBLIT_STYLE SOURCE_DATA_DIR
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
tool=$1
style=$2/default-style.png
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..7"

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

# What the element does: the model of the build, else the one that test-dlib finds.
model=${FB_DLIB_MODEL:-/usr/share/dlib/shape_predictor_68_face_landmarks.dat}
if [ ! -f "$model" ]; then
  for n in 5 6; do echo "ok $n # SKIP dlib's model $model is missing (libdlib-data)"; done
else
  "$tool" --model "$model" --detect "$style" >"$tmp/detected" 2>"$tmp/detect-err"
  box=$(sed -n 's/.*found the face in the box \([0-9,-]*\) .*/\1/p' "$tmp/detect-err")
  if [ -n "$box" ] && "$tool" --model "$model" --face-box "$box" "$style" \
      >"$tmp/boxed" 2>"$tmp/box-err" && [ -s "$tmp/detected" ] \
      && cmp -s "$tmp/detected" "$tmp/boxed"; then
    echo "ok 5 - --face-box $box (the detected box) gives the detected landmarks"
  else
    fail 5 "--face-box '$box': $(cat "$tmp/detect-err" "$tmp/box-err")"
  fi
  "$tool" --model "$model" --face-box 2000,10,300,300 "$style" >/dev/null 2>"$tmp/err"
  code=$?
  if [ $code = 1 ] && grep -q "lies outside the .* image" "$tmp/err"; then
    echo "ok 6 - a --face-box outside the image is an error: $(cat "$tmp/err")"
  else
    fail 6 "a --face-box outside the image: exit $code, '$(cat "$tmp/err")'"
  fi
fi

bad=0
for box in 1,2,3 1,2,3,4,5 a,b,c,d 10,10,1,50 10.5,10,100,100; do
  "$tool" --face-box "$box" "$style" >/dev/null 2>"$tmp/err"
  code=$?
  [ $code = 2 ] && grep -q "X,Y,W,H" "$tmp/err" || { bad=1; echo "# --face-box $box: exit $code"; }
done
"$tool" --face-box 10,10,100,100 --landmarks "$2/default-style.lm.txt" "$style" \
  >/dev/null 2>&1
[ $? = 2 ] || bad=1
[ $bad = 0 ] && echo "ok 7 - malformed --face-box values and --face-box with --landmarks are refused" \
  || fail 7 "a malformed --face-box or --face-box with --landmarks was not refused (exit 2)"
exit $status
