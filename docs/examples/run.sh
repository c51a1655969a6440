#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make examples: docs/examples/run.sh TOOL...
# For every TOOL with a script docs/examples/TOOL_example.sh, run it and
# write its transcript to docs/examples/TOOL_example.txt. The scripts are
# data: prose (say), commands run in the foreground (run), and commands
# stopped with Ctrl-C after a workload ran in another shell (run_during).
# Each command runs from the top of the source tree with build/ first in
# PATH, stdout and stderr together, bounded by a timeout.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
T=build/tests/targets
export PATH=$ROOT/build:$PATH
if [ "$(id -u)" -ne 0 ]; then
	echo "make examples loads BPF programs: run it as root" >&2
	exit 1
fi
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

# say [TEXT]: a paragraph of prose (TEXT, or stdin when there is none),
# followed by a blank line.
say() {
	if [ $# -gt 0 ]; then printf '%s\n' "$*"; else cat; fi
	echo
}

# show CMD OUTFILE RC: the transcript of one command.
show() {
	printf '# %s\n' "$1"
	cat "$2"
	[ "$3" -eq 0 ] || printf '(exit status %d)\n' "$3"
	echo
}

# run CMD [AS]: run the shell command CMD (at most 60 s); the transcript
# shows AS (default CMD), e.g. CMD with a pipe left out or a remark added.
run() {
	local out rc=0
	out=$(mktemp)
	timeout -s INT 60 bash -c "$1" >"$out" 2>&1 </dev/null || rc=$?
	show "${2:-$1}" "$out" "$rc"
	rm -f "$out"
}

# run_during CMD WORKLOAD [AS]: start CMD, wait until it is tracing, run the
# shell command WORKLOAD (as if in another shell: not in the transcript),
# then press Ctrl-C (SIGINT) and show what CMD printed, then "^C".
run_during() {
	local out pid i rc=0
	out=$(mktemp)
	bash -c "exec $1" >"$out" 2>&1 </dev/null &
	pid=$!
	for ((i = 0; i < 600; i++)); do
		grep -q 'Tracing\|Sampling' "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	timeout -s KILL 60 bash -c "$2" >/dev/null 2>&1 </dev/null
	sleep 0.3
	kill -INT "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	echo '^C' >>"$out"
	show "${3:-$1}" "$out" "$rc"
	rm -f "$out"
}

[ $# -gt 0 ] || { echo "usage: $0 TOOL..." >&2; exit 2; }
status=0
for tool in "$@"; do
	spec=docs/examples/${tool}_example.sh
	txt=docs/examples/${tool}_example.txt
	if [ ! -f "$spec" ]; then
		echo "  SKIP     $txt (no $spec)" >&2
		continue
	fi
	printf '  EXAMPLE  %s\n' "$txt"
	if ! (
		echo "SPDX-License-Identifier: GPL-2.0-only"
		# shellcheck source=/dev/null
		. "$spec"
	) >"$txt.tmp"; then
		echo "$spec failed" >&2
		status=1
		rm -f "$txt.tmp"
		continue
	fi
	# One trailing blank line at most.
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$txt.tmp" >"$txt" && rm -f "$txt.tmp"
done
exit $status
