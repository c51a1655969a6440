# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the benches that run bcc's tools (bench/bcc.sh,
# bench/syscount.sh): finds them and makes them able to run here.
#
# bcc_tool NAME: the path of bcc's NAME (Debian's NAME-bpfcc, or
# /usr/share/bcc/tools/NAME), or nothing.
bcc_tool() {
	command -v "$1-bpfcc" 2>/dev/null || ls "/usr/share/bcc/tools/$1" 2>/dev/null || true
}

# bcc compiles its C with the running kernel's headers, from
# /lib/modules/$(uname -r)/build. A kernel built without a headers package
# (as the project's 6.18 one) has none: point bcc (BCC_KERNEL_SOURCE) at
# Debian's (apt-get install linux-headers-amd64), whose two halves (the
# -common tree and the -amd64 generated files) are merged into one tree of
# symlinks under $1. Their structures are Linux 6.1's, which is enough for
# what the benches make bcc do: uprobes, tracepoints and perf events.
# Returns 1, saying why, when bcc cannot compile here.
bcc_headers() {
	local dir=$1 amd64 common
	[ -d "/lib/modules/$(uname -r)/build" ] && return 0
	[ -n "${BCC_KERNEL_SOURCE:-}" ] && return 0
	amd64=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1)
	common=${amd64%-amd64}-common
	if [ -z "$amd64" ] || [ ! -d "$common" ]; then
		echo "bcc: no kernel headers for $(uname -r) (apt-get install linux-headers-amd64)" >&2
		return 1
	fi
	if [ ! -e "$dir/.complete" ]; then
		rm -rf "$dir"
		mkdir -p "$dir" && cp -as "$common/." "$dir/" && cp -asf "$amd64/." "$dir/" &&
			touch "$dir/.complete" || return 1
	fi
	export BCC_KERNEL_SOURCE=$dir
}

# bcc_stop PID: SIGINT (Ctrl-C), then SIGKILL if still there after 20 s;
# reaps PID. Start bcc's tools with bcc_start so that SIGINT reaches them.
bcc_stop() {
	local i
	kill -INT "$1" 2>/dev/null
	for ((i = 0; i < 2000; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.01
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# bcc_start LOG CMD...: CMD in the background, stdout and stderr in LOG,
# BG_PID its pid. bash starts a script's background jobs with SIGINT
# ignored, and bcc's Python tools keep it so (Python installs its Ctrl-C
# handler only when SIGINT is not ignored at start): SIGINT then never
# stops them, and a bench that waits for them hangs for ever. env
# --default-signal restores it. Python's output is unbuffered, so that a
# "Tracing" line is seen when it is printed.
bcc_start() {
	local log=$1
	shift
	PYTHONUNBUFFERED=1 env --default-signal=INT "$@" >"$log" 2>&1 &
	BG_PID=$!
}

# wait_ready LOG PID SECS: until LOG shows that the tool is tracing
# (cotrace: "Hit Ctrl-C"; bcc: "Tracing", trace's header, argdist -v's
# "open uprobes"), PID exits, or SECS pass. Returns 1 unless ready.
wait_ready() {
	local i
	for ((i = 0; i < $3 * 100; i++)); do
		grep -qE 'Hit Ctrl-C|^Tracing|^PID +TID|^open uprobes|attached' "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}
