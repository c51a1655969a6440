#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# syscount --stack: distinct user stacks of close() in one comm, symbolized,
# with exact counts per call chain; folded output.
source "$(dirname "$0")/syscount_lib.sh"

# run_closer OUTFILE A B ARGS...: closer A B --hold, traced by syscount
# ARGS; syscount reports while closer is still alive (it holds until its
# second line), so its maps are there to read.
run_closer() {
	local out=$1 a=$2 b=$3 name=closer$RANDOM
	shift 3
	start_target "$name" "$T/closer" "$a" "$b" --hold
	local pid=$TARGET_PID fd=$TARGET_FD
	start_sc "$out" "$@"
	echo go >&"$fd"
	wait_for_text "$TMP/$name.out" done 10 "$pid"
	stop_sc
	release_target "$pid" "$fd"
}

# chain_count FUNC: the counts of close() stacks whose frames include FUNC
# (one number per distinct stack).
chain_count() {
	jq -r --arg f "$1" 'select(.type == "stack" and .syscall == "close"
		and (.user | index($f))) | .count' "$OUT"
}

check "--stack --syscall close --comm closer: path_a 7 times, path_b 3 times"
run_closer "$OUT" 7 3 --json --stack --syscall close --comm closer
assert_eq "$(chain_count path_a)" 7 "close() stacks through path_a"
assert_eq "$(chain_count path_b)" 3 "close() stacks through path_b"
assert_eq "$(jq -r 'select(.type == "stack" and (.user | index("path_a"))) | .user | index("main") > index("path_a")' "$OUT")" \
	true "main is outside path_a"
assert_eq "$(jq -r 'select(.type == "stack") | .comm' "$OUT" | sort -u)" closer "comm of every stack"
assert_eq "$(jq -s '[.[] | select(.type == "summary")][0].lost_user_stacks' "$OUT")" 0 "lost user stacks"

check "--comm closer alone: the close() chains among the other syscalls"
run_closer "$OUT" 4 9 --json --stack --comm closer
assert_eq "$(chain_count path_a)" 4 "close() stacks through path_a"
assert_eq "$(chain_count path_b)" 9 "close() stacks through path_b"

check "-f: folded lines"
run_closer "$TMP/folded" 5 2 -f --stack --syscall close --comm closer
grep -E '^closer-[0-9]+;(.*;)?main;path_a(;.*)? 5$' "$TMP/folded" ||
	{ cat "$TMP/folded"; fail "no folded path_a line with 5"; }
grep -E '^closer-[0-9]+;(.*;)?main;path_b(;.*)? 2$' "$TMP/folded" ||
	{ cat "$TMP/folded"; fail "no folded path_b line with 2"; }
echo "  ok: folded"

check "text: the syscall, the frames, comm [pid] and the count"
run_closer "$TMP/text" 6 1 --stack --syscall close --comm closer
grep -q '^  path_a$' "$TMP/text" || { cat "$TMP/text"; fail "no path_a frame in text"; }
echo "  ok: text"

check "cleanup"
assert_sc_detached
echo PASS
