#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount 'c:*': every libc function at once, system-wide. Thousands of
# sites attach and detach, sites the kernel cannot probe are skipped by
# name, other processes keep computing correct results while probed, and
# nothing is left behind.
source "$(dirname "$0")/lib.sh"

# printf-heavy work through libc (awk's printf, sort's collation, seq's
# formatting); its output hash is the reference.
workload() {
	set -o pipefail
	seq -f '%.0f' 1 3000 |
		awk '{ printf "%d %x %e %s\n", ($1 * 7919) % 10007, $1, $1 / 3, "w" $1 }' |
		sort -k1,1n -k2,2 | sha256sum
}

check "reference output of a printf/sort workload, before attaching"
ref=$(workload)
[ -n "$ref" ] || fail "workload produced nothing"
echo "  reference: $ref"

check "c:* attaches to all of libc"
start_fc "$OUT" 'c:*'
check "the workload computes the same output while every libc function is probed"
rc=0
got=$(workload 2>"$TMP/workload.err") || rc=$?
[ "$rc" -eq 0 ] || fail "workload exited $rc while probed: $(cat "$TMP/workload.err")"
assert_eq "$got" "$ref" "workload output hash"
stop_fc INT

check "summary: at least 2000 sites, skipped sites named"
sites=$(summary_of sites)
assert_ge "$sites" 2000 "sites"
skipped=$(summary_of skipped)
items=$(jq -rs '[.[] | select(.type == "skipped") | .items[]] | length' "$OUT")
assert_eq "$items" "$skipped" "skipped names in JSON vs summary count"
for name in $(jq -rs '.[] | select(.type == "skipped") | .items[]' "$OUT"); do
	grep -q "skipped $name " "$OUT.err" || fail "skipped site $name not named on stderr"
done
echo "  ok: each of the $skipped skipped sites is named on stderr"
assert_ge "$(jq -s '[.[] | select(.type == "count")] | length' "$OUT")" 1 "count records"

check "nothing left attached after c:*"
assert_nothing_attached

check "c:malloc with -c 'calls 1 1 --wait' counts at least one malloc"
# Without --wait, calls never touches stdio and glibc's start-up makes no
# malloc() call at all; reading the line from stdin allocates its buffer.
echo go | timeout -s KILL 60 "$FC" --json --cmd "$T/calls 1 1 --wait" c:malloc >"$OUT" 2>"$OUT.err" ||
	fail "funccount --cmd 'calls 1 1 --wait' c:malloc failed: $(cat "$OUT.err")"
# The exact number of mallocs a libc program makes is not ours to know.
assert_ge "$(count_of malloc)" 1 "malloc"

check "cleanup"
assert_nothing_attached
echo PASS
