#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The places that must name every tool and cannot be generated from the
# build do: for each tool of build/tools.list (the Makefile's TOOLS), a row
# of README's Tools table, a line of debian/control's description, an
# example script and transcript in docs/examples/, a run in the valgrind
# script and a test in the VM smoke suite's list; and none of them names a
# tool that does not exist. build/tools.list itself must match tools/*.c.
# Needs no root, no BPF: only make.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
fails=0
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "  ok: $*"; }

[ -s build/tools.list ] || { echo "FAIL: build/tools.list missing: run make" >&2; exit 1; }
mapfile -t tools <build/tools.list

# The list is the build's: one tool per tools/NAME.c ('_' becomes '-').
want=$(for f in tools/*.c; do n=${f#tools/}; n=${n%.c}; echo "${n//_/-}"; done | sort)
[ "$want" = "$(sort build/tools.list)" ] ||
	bad "build/tools.list is stale: $(tr '\n' ' ' <build/tools.list)vs tools/*.c: $(tr '\n' ' ' <<<"$want")(run make)"

# is_tool NAME: NAME is in build/tools.list.
is_tool() {
	local t
	for t in "${tools[@]}"; do [ "$t" = "$1" ] && return 0; done
	return 1
}

# The rows of README's "## Tools" table: "| name | does | example |".
readme=$(awk '/^## / { on = ($0 == "## Tools"); next }
	on && /^\| [a-z]/ { split($0, f, "|"); gsub(/ /, "", f[2]); if (f[2] != "tool") print f[2] }' README.md)
# debian/control's description: "  - name: what it does".
control=$(sed -n 's/^  - \([a-z][a-z-]*\): .*/\1/p' debian/control)
# The smoke suite's test list (tests=(...)), one test name a line.
smoke=$(awk '/^tests=\(/ { on = 1 } on { print } on && /\)/ { exit }' tests/vm/smoke.sh |
	tr -d '()' | sed 's/^tests=//' | tr ' \t' '\n\n' | sed '/^$/d')
# The valgrind script's runs: the patterns of run_tool's case.
valgrind=$(awk '/^run_tool\(\)/ { on = 1 } on && /^\t[a-z][a-z-]*\)/ { sub(/^\t/, ""); sub(/\).*/, ""); print }
	on && /^}/ { exit }' tests/valgrind/run.sh)

f0=$fails
for t in "${tools[@]}"; do
	grep -qxF -- "$t" <<<"$readme" || bad "README.md: no row for $t in the Tools table"
	grep -qxF -- "$t" <<<"$control" || bad "debian/control: no '  - $t: ...' line in the description"
	[ -f "docs/examples/${t}_example.sh" ] && [ -f "docs/examples/${t}_example.txt" ] ||
		bad "docs/examples: no ${t}_example.sh and ${t}_example.txt"
	grep -qxF -- "$t" <<<"$valgrind" || bad "tests/valgrind/run.sh: no run for $t in run_tool"
	# A smoke test is named after its tool: test_TOOL or test_TOOL_*.
	grep -qE "^${t//-/_}(_|\$)" <<<"$smoke" || bad "tests/vm/smoke.sh: no test of $t in tests=()"
done
[ "$fails" -eq "$f0" ] && ok "${#tools[@]} tools in README, debian/control, docs/examples, valgrind and smoke lists"

# And nothing names a tool that is gone.
f0=$fails
for t in $readme; do is_tool "$t" || bad "README.md: a row for $t, which is not a tool"; done
for t in $control; do is_tool "$t" || bad "debian/control: $t is not a tool"; done
for t in $valgrind; do is_tool "$t" || bad "tests/valgrind/run.sh: a run for $t, which is not a tool"; done
for f in docs/examples/*_example.sh; do
	t=${f#docs/examples/}
	t=${t%_example.sh}
	is_tool "$t" || bad "$f: $t is not a tool"
done
[ "$fails" -eq "$f0" ] && ok "no list names a tool that does not exist"

[ "$fails" -eq 0 ] || { echo "$fails failures"; exit 1; }
echo PASS
