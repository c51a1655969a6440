#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# profile: a process spinning in hot_loop() dominates its samples; the
# SVG parses and its counts add up; folded output round-trips; bad input.
source "$(dirname "$0")/lib.sh"
PR=$ROOT/build/profile
[ -x "$PR" ] || fail "$PR missing: run make"

check "profile --cmd spin: hot_loop on top of at least 90% of the samples"
timeout -s KILL 60 "$PR" -F 99 -f --svg "$TMP/p.svg" --cmd "$T/spin 2" >"$TMP/f" 2>"$TMP/f.err" ||
	{ cat "$TMP/f.err"; fail "profile exited $?"; }
total=$(awk '{n += $NF} END {print n + 0}' "$TMP/f")
hot=$(awk '$1 ~ /;hot_loop$/ {n += $NF} END {print n + 0}' "$TMP/f")
echo "  samples: $total, with hot_loop on top: $hot"
# 2 s at 99 Hz is about 198 samples; ask only for a sane floor.
assert_ge "$total" 50 "samples"
[ $((hot * 100)) -ge $((total * 90)) ] || { cat "$TMP/f"; fail "hot_loop on top of $hot of $total samples"; }
echo "  ok: hot_loop >= 90%"
# The CFI walk (the default) reaches _start through libc's frameless frames.
grep -q '^spin;_start;__libc_start_main;__libc_start_call_main;main;hot_loop [0-9]*$' "$TMP/f" ||
	{ cat "$TMP/f"; fail "no spin;_start;...;main;hot_loop line"; }
echo "  ok: spin;_start;__libc_start_main;__libc_start_call_main;main;hot_loop"

check "the SVG is XML; the root frame counts all samples; children never exceed parents"
command -v python3 >/dev/null || fail "python3 is needed to parse the SVG"
python3 - "$TMP/p.svg" "$total" <<'PY' || fail "SVG check failed"
import sys, re
import xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
frames = []
for g in root.iter(ns + 'g'):
    title = g.find(ns + 'title').text
    rect = g.find(ns + 'rect')
    frames.append((title, int(rect.get('data-samples')), float(rect.get('x')),
                   float(rect.get('y')), float(rect.get('width'))))
all_ = [f for f in frames if f[0].startswith('all (')]
assert len(all_) == 1, 'one root frame'
assert all_[0][1] == int(sys.argv[2]), f'root {all_[0][1]} != {sys.argv[2]}'
for t, n, *_ in frames:
    m = re.search(r'\((\d+) samples', t)
    assert m and int(m.group(1)) == n, t
# Frames one level up (smaller y) sum to at most their parent's count.
levels = {}
for t, n, x, y, w in frames:
    levels.setdefault(y, 0)
    levels[y] += n
ys = sorted(levels, reverse=True)
for a, b in zip(ys, ys[1:]):
    assert levels[b] <= levels[a], 'a level holds more than the one below'
print('  ok: %d frames, root = %s samples' % (len(frames), sys.argv[2]))
PY

check "folded output round-trips: the sum of its counts equals the samples reported"
timeout -s KILL 60 "$PR" -F 99 -j --cmd "$T/spin 1" >"$TMP/j" 2>"$TMP/j.err" ||
	fail "profile -j exited $?"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$TMP/j")" \
	"$(jq -rs '[.[] | select(.type == "summary")][0].samples' "$TMP/j")" "stack counts vs samples"

check "-p of a process that exits mid-profile ends cleanly"
"$T/spin" 1 &
sp=$!
BG_PIDS+=("$sp")
rc=0
timeout -s KILL 30 "$PR" -f -p "$sp" 20 >"$TMP/pp" 2>"$TMP/pp.err" || rc=$?
assert_eq "$rc" 0 "exit code after the process exited"
grep -q ';hot_loop ' "$TMP/pp" || { cat "$TMP/pp"; fail "no hot_loop samples for -p"; }
echo "  ok: samples collected before the exit"

check "bad input: one sentence, exit 2"
for args in "-F 0" "-p 999999" "-C 4096" "-U -K" "abc"; do
	rc=0
	# shellcheck disable=SC2086
	timeout -s KILL 20 "$PR" $args >"$TMP/e" 2>"$TMP/e.err" || rc=$?
	assert_eq "$rc" 2 "exit code of profile $args"
	assert_eq "$(wc -l <"$TMP/e.err" | tr -d ' ')" 1 "stderr lines of profile $args"
done
