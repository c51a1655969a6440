#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Every tool run without privilege (as nobody, no capabilities; then with
# only one of CAP_BPF and CAP_PERFMON): exactly one sentence on stderr
# naming what is missing, nothing on stdout, exit 1, and no BPF program,
# link, perf event or tracefs probe created (checked with strace: not one
# successful bpf() load/attach, perf_event_open() or write to tracefs).
source "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed"
command -v strace >/dev/null || fail "strace is needed"
id nobody >/dev/null 2>&1 || fail "user nobody is needed"
NOGROUP=$(id -gn nobody)

# One valid command per tool (every tool of build/tools.list must have
# one), so the privilege check is what stops it. Words split on spaces.
declare -A CMD=(
	[argdist]="-d 1 -C p:$T/calls:foo():int:arg1"
	[funccount]="-d 1 $T/calls:func_*"
	[stackcount]="-D 1 $T/calls:func_a"
	[uprobe-trace]="-d 1 $T/calls:func_a"
	[ulatency]="-d 1 $T/calls:func_a"
	[syscount]="-d 1"
	[profile]="1"
	[proclife]="-d 1"
)

# run_as CAPS TOOL: run TOOL's command as nobody with ambient CAPS
# ("" for none) under strace; $TMP/out, $TMP/err, $TMP/trace, $rc.
run_as() {
	local caps=$1 tool=$2 inh=-all amb=()
	if [ -n "$caps" ]; then
		inh="-all,+$caps"
		amb=(--ambient-caps="-all,+$caps")
	fi
	rc=0
	# shellcheck disable=SC2086
	# LeakSanitizer cannot run under ptrace (SANITIZE=1 builds).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	timeout -s KILL 30 strace -f -qq -o "$TMP/trace" -e trace=bpf,perf_event_open,openat \
		setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups --inh-caps="$inh" \
		"${amb[@]}" "$ROOT/build/$tool" ${CMD[$tool]} >"$TMP/out" 2>"$TMP/err" || rc=$?
}

# nothing_created WHAT: no successful load, attach, perf event or tracefs write.
nothing_created() {
	local bad
	bad=$(grep -E 'bpf\(BPF_(PROG_LOAD|LINK_CREATE|RAW_TRACEPOINT_OPEN|MAP_CREATE|BTF_LOAD).*= [0-9]+$|perf_event_open\(.*= [0-9]+$|openat\(.*(uprobe_events|kprobe_events).*O_(WRONLY|RDWR).*= [0-9]+$' \
		"$TMP/trace" || true)
	[ -z "$bad" ] || fail "$1 created something: $bad"
	echo "  ok: $1 created no program, link, map, perf event or tracefs probe"
}

for tool in "${ALL_TOOLS[@]}"; do
	[ -n "${CMD[$tool]:-}" ] || fail "no command for $tool in $0: add one to CMD"
	[ -x "$ROOT/build/$tool" ] || fail "$ROOT/build/$tool missing: run make"
	for caps in "" bpf perfmon; do
		case $caps in
		"") missing="CAP_BPF, CAP_PERFMON" ;;
		bpf) missing="CAP_PERFMON" ;;
		perfmon) missing="CAP_BPF" ;;
		esac
		check "$tool as nobody with capabilities '${caps:-none}'"
		run_as "$caps" "$tool"
		assert_eq "$rc" 1 "$tool exit code"
		assert_eq "$(wc -c <"$TMP/out")" 0 "$tool bytes on stdout"
		assert_eq "$(cat "$TMP/err")" \
			"$tool: this tool needs root, or CAP_BPF and CAP_PERFMON (missing: $missing)" \
			"$tool message"
		nothing_created "$tool"
	done
done
echo "PASS"
