#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run every test: unit tests (cmocka binaries given as $1), static-link
# checks (not with SANITIZE=1), fuzz corpus replays (build/fuzz/fuzz_*),
# then end-to-end scripts tests/e2e/test_*.sh (as root).
# Prints one closing line "N passed, N failed" and exits non-zero on failure.
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
failed=()

run() {
	local name=$1; shift
	local log
	log=$(mktemp)
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'PASS %s\n' "$name"
	else
		fail=$((fail + 1))
		failed+=("$name")
		printf 'FAIL %s\n' "$name"
		sed 's/^/    /' "$log" | tail -n 40
	fi
	rm -f "$log"
}

for t in $1; do
	run "unit/$(basename "$t")" "$t"
done

# SANITIZE=1 links dynamically (static ASan is unsupported): no static check.
if [ "${SANITIZE:-}" = 1 ]; then
	echo "SANITIZE=1: static-link checks skipped" >&2
else
	for b in build/*; do
		[ -f "$b" ] && [ -x "$b" ] || continue
		run "static/$(basename "$b")" tests/check-static.sh "$b"
	done
fi

# Replay each fuzz harness's corpus (seeds and regression inputs) once.
for h in build/fuzz/fuzz_*; do
	[ -f "$h" ] && [ -x "$h" ] || continue
	run "fuzz/$(basename "$h")" tests/fuzz/replay.sh "$h"
done

if [ "$(id -u)" -ne 0 ]; then
	echo "end-to-end tests need root: skipped" >&2
else
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		run "e2e/$(basename "$t" .sh)" bash "$t"
	done
fi

echo
[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
