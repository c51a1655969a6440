#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount on bad input: each case prints one sentence on stderr starting
# "funccount:", exits with the documented code (2 usage error, 1 runtime
# failure), never crashes (exit < 128) or hangs, and leaves nothing attached.
source "$(dirname "$0")/lib.sh"
failures=0

# expect CODE ARGS...: run funccount ARGS and check its exit code and stderr.
expect() {
	local want=$1 rc=0 lines
	shift
	timeout -s KILL 20 "$FC" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
	lines=$(wc -l <"$TMP/err")
	echo "check: funccount $* -> exit $want, one line"
	if [ "$rc" -ne "$want" ] || [ "$lines" -ne 1 ] || ! grep -q '^funccount: ' "$TMP/err"; then
		echo "  FAIL: exit $rc, $lines lines on stderr:" >&2
		sed 's/^/    | /' "$TMP/err" >&2
		[ "$rc" -lt 128 ] || echo "  (killed by signal $((rc - 128)))" >&2
		failures=$((failures + 1))
		return
	fi
	echo "  ok: exit $rc: $(cat "$TMP/err")"
}

# Usage errors: exit 2.
expect 2 'p:'					# bad spec
expect 2 'x:y:z'				# unknown probe type
expect 2 'u:'					# bad USDT spec
expect 2 /nonexistent/file:foo			# missing file
expect 2 "$T/notelf:foo"			# not an ELF file
expect 2 "$T/truncated:foo"			# truncated ELF
expect 2 "$T/calls:nosuchfunc"			# no match
expect 2 "u:$T/usdt:cotrace:nosuch"		# no USDT match
expect 2 t:nosuch:event				# no tracepoint match
expect 2 -r "$T/calls:("			# bad regular expression
expect 2 nosuchlib_cotrace:foo			# unknown library
expect 2 -p 999999999 c:malloc			# nonexistent pid
expect 2 -p abc c:malloc			# bad pid
expect 2					# no pattern
expect 2 -i 0 c:malloc				# bad -i
expect 2 -i abc c:malloc
expect 2 -d -1 c:malloc				# bad -d
expect 2 -d x c:malloc
expect 2 --attach=bogus c:malloc
expect 2 --bogus-option c:malloc		# unknown option
expect 2 --cmd '' c:malloc				# empty command
expect 2 --cmd /nonexistent/cotrace-cmd c:malloc	# --cmd command does not exist

# Runtime failure: this kernel has no kprobes and no BPF trampolines.
expect 1 vfs_read
expect 1 p::vfs_read

check "nothing left attached after the error cases"
assert_nothing_attached
[ "$failures" -eq 0 ] || fail "$failures error case(s) misbehaved"
echo PASS
