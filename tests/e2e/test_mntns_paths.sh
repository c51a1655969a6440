#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Paths of a process in another mount namespace (issue #6): the target runs
# chrooted in a private mount namespace whose /opt and /tmp exist only there.
# Symlinks planted in it point at host files; cotrace must resolve them
# inside the process's root, or refuse in one sentence, and never read or
# probe the host file. Tracing the process still gives exact counts.
source "$(dirname "$0")/ulatency_lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"
SC=$ROOT/build/stackcount
[ -x "$SC" ] || fail "$SC missing: run make"
[ -f "$T/libhostonly.so" ] || fail "$T/libhostonly.so missing: run make targets"
command -v unshare >/dev/null && command -v nsenter >/dev/null || fail "util-linux is needed"

R=$TMP/root	# the container's root
H=$TMP/host	# host-only files; inside the container this path has other files
mkdir -p "$R/usr" "$R/opt" "$R/tmp" "$R/etc" "$R/proc" "$H" || fail "mkdir"
ln -s usr/lib "$R/lib" && ln -s usr/lib64 "$R/lib64" && ln -s usr/bin "$R/bin" || fail "ln"
cp /etc/ld.so.cache "$R/etc/" || fail "cp ld.so.cache"
cp "$T/libhostonly.so" "$H/libhost.so" || fail "cp"
# A copy of the library on the host that no process maps: probing it counts 0.
cp "$T/libcotarget.so" "$H/libcotarget.so" || fail "cp"
chmod 755 "$H/libhost.so"

# Run in the new mount namespace, then chroot: /opt, /tmp and /proc are
# mounted only there. uselib finds libcotarget.so through its $ORIGIN rpath.
SETUP='
set -e
R=$1 H=$2 T=$3
mount --bind /usr "$R/usr"
mount -t tmpfs none "$R/opt"
mount -t tmpfs none "$R/tmp"
mount -t proc proc "$R/proc"
mkdir -p "$R/opt/bin" "$R/opt/evil" "$R/opt/inroot" "$R/opt/abs" "$R/opt/magic" \
	"$R/opt/pathdir" "$R$H"
cp "$T/uselib" "$T/libcotarget.so" "$T/usdt" "$R/opt/bin/"
ln -s "$H/libhost.so" "$R/opt/evil/libcotarget.so"		# to a host-only file
ln -s / "$R/opt/up"						# a directory to /
ln -s /opt/bin/libcotarget.so "$R/opt/inroot/libcotarget.so"	# absolute, inside
ln -s "/proc/1/root$H/libhost.so" "$R/opt/magic/libcotarget.so"	# a magic link
ln -s "$H/libhost.so" "$R/opt/pathdir/hostprog"			# found in $PATH
# Both ends exist: $H/libcotarget.so is the unmapped host copy on the
# host, and a symlink to the mapped library in the container.
ln -s /opt/bin/libcotarget.so "$R$H/libcotarget.so"
ln -s "$H/libcotarget.so" "$R/opt/abs/libcotarget.so"
exec env -i PATH=/opt/pathdir:/usr/bin "$(command -v chroot)" "$R" "/opt/bin/${5:-uselib}" "$4" --wait
'
N=6

# start_ct NAME [PROG]: start PROG (uselib) N --wait in the container;
# sets TARGET_PID/FD.
start_ct() {
	start_target "$1" unshare --mount --propagation private sh -c "$SETUP" sh "$R" "$H" "$T" "$N" \
		"${2:-}"
}

# start_tool OUTFILE TOOL ARGS...: TOOL ARGS in the background; wait until
# it is tracing. Sets TOOL_PID.
start_tool() {
	local out=$1
	shift
	: >"$out"
	: >"$out.err"
	"$@" >"$out" 2>"$out.err" &
	TOOL_PID=$!
	BG_PIDS+=("$TOOL_PID")
	OUR_PIDS+=("$TOOL_PID")
	wait_for_text "$out.err" "Tracing" 20 "$TOOL_PID"
}

# finish_tool OUTFILE: the target has exited: the -p tool stops by itself.
finish_tool() {
	kill -INT "$TOOL_PID" 2>/dev/null
	wait_exit "$TOOL_PID" 10
	[ "$WAIT_RC" -eq 0 ] || { cat "$1.err" >&2; fail "tool exited $WAIT_RC"; }
}

check "the target only exists in its namespace: /opt/bin/uselib is not on the host"
start_ct a
[ -e "$R/opt/bin/uselib" ] && fail "the container's /opt is visible on the host"
[ "$(stat -L -c %i "/proc/$TARGET_PID/root/opt/bin/uselib")" = "$(stat -L -c %i "/proc/$TARGET_PID/exe")" ] ||
	fail "the target is not the container's /opt/bin/uselib"
echo "  ok: pid $TARGET_PID runs /opt/bin/uselib of its own /opt"

check "funccount -l: a symlink that stays inside the root lists the container's library"
timeout -s KILL 30 "$FC" -l -p "$TARGET_PID" '/opt/inroot/libcotarget.so:cot_*' >"$TMP/l" 2>"$TMP/l.err" ||
	{ cat "$TMP/l.err"; fail "funccount -l exited $?"; }
assert_eq "$(sort "$TMP/l" | tr '\n' ' ')" \
	"uprobe:/opt/inroot/libcotarget.so:cot_add uprobe:/opt/inroot/libcotarget.so:cot_mul " \
	"listed sites"

check "refused, in one sentence, and no host symbol anywhere: 4 tools x 4 planted paths"
n=0
for spec in /opt/evil/libcotarget.so "/opt/up$H/libhost.so" /opt/magic/libcotarget.so hostprog; do
	for tool in funccount ulatency uprobe-trace stackcount "funccount -l"; do
		rc=0
		# shellcheck disable=SC2086 # "funccount -l" is two words
		timeout -s KILL 30 "$ROOT/build/"$tool -p "$TARGET_PID" "$spec:host_only_secret" \
			>"$TMP/r" 2>"$TMP/r.err" || rc=$?
		[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || { cat "$TMP/r.err"; fail "$tool $spec: exit $rc"; }
		[ "$(wc -l <"$TMP/r.err")" -eq 1 ] || { cat "$TMP/r.err"; fail "$tool $spec: not one line"; }
		grep -q "host_only_secret" "$TMP/r" && fail "$tool $spec listed the host file"
		grep -qE "cannot find '[^']+' for process|cannot resolve '[^']+' inside the root" "$TMP/r.err" ||
			{ cat "$TMP/r.err"; fail "$tool $spec: unexpected message"; }
		n=$((n + 1))
	done
done
echo "  $(cat "$TMP/r.err")"
assert_eq "$n" 20 "refused runs"
release_target "$TARGET_PID" "$TARGET_FD"

check "funccount -p: exact counts through the maps and through in-root symlinks"
fc_on_target "$OUT" unshare --mount --propagation private sh -c "$SETUP" sh "$R" "$H" "$T" "$N" \
	-- -p @PID@ "libcotarget:cot_*"
assert_eq "$(count_of cot_add)" "$N" "cot_add (library found in the maps)"
assert_eq "$(count_of cot_mul)" "$((2 * N))" "cot_mul (library found in the maps)"
# /opt/abs/libcotarget.so -> $H/libcotarget.so: on the host, an unmapped
# copy; in the container, the mapped library. Counting N proves that the
# kernel probed the container's file, not the host's.
fc_on_target "$OUT" unshare --mount --propagation private sh -c "$SETUP" sh "$R" "$H" "$T" "$N" \
	-- -p @PID@ "/opt/abs/libcotarget.so:cot_add" "/opt/inroot/libcotarget.so:cot_mul"
assert_eq "$(count_of cot_add)" "$N" "cot_add via /opt/abs (absolute symlink, both ends exist)"
assert_eq "$(count_of cot_mul)" "$((2 * N))" "cot_mul via /opt/inroot"

check "ulatency, uprobe-trace, stackcount -p through /opt/abs: exact counts"
start_ct b
start_tool "$TMP/ul" "$UL" --json -p "$TARGET_PID" /opt/abs/libcotarget.so:cot_add
release_target "$TARGET_PID" "$TARGET_FD"
finish_tool "$TMP/ul"
assert_eq "$(hist_count cot_add "$TMP/ul")" "$N" "ulatency calls of cot_add"
start_ct c
start_tool "$TMP/ut" "$UT" --json -p "$TARGET_PID" 'p:/opt/abs/libcotarget.so:cot_mul "%d", arg2'
release_target "$TARGET_PID" "$TARGET_FD"
finish_tool "$TMP/ut"
assert_eq "$(messages "$TMP/ut" | grep -cx 1)" "$((2 * N))" "uprobe-trace events of cot_mul"
start_ct d
start_tool "$TMP/sc" "$SC" --json -U -p "$TARGET_PID" /opt/abs/libcotarget.so:cot_add
release_target "$TARGET_PID" "$TARGET_FD"
finish_tool "$TMP/sc"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$TMP/sc")" "$N" \
	"stackcount hits of cot_add"

check "USDT in the container's binary, through the root and through an absolute symlink"
start_ct u usdt
ln_cmd="ln -s /opt/bin/usdt '$R/opt/inroot/usdt'"
nsenter -t "$TARGET_PID" -m sh -c "$ln_cmd" || fail "ln"
start_fc "$OUT" -p "$TARGET_PID" "u:/opt/bin/usdt:cotrace:tick" "u:/opt/inroot/usdt:cotrace:guarded"
release_target "$TARGET_PID" "$TARGET_FD"
stop_fc INT
assert_eq "$(count_of cotrace:tick)" "$N" "cotrace:tick"
assert_eq "$(count_of cotrace:guarded)" "$N" "cotrace:guarded (its semaphore set through the symlink)"

check "the mapped library's directory over-mounted with a symlink to the host: the mapping wins"
start_ct e
nsenter -t "$TARGET_PID" -m sh -c "mount -t tmpfs none '$R/opt/bin' &&
	ln -s '$H/libhost.so' '$R/opt/bin/libcotarget.so'" || fail "over-mount"
timeout -s KILL 30 "$FC" -l -p "$TARGET_PID" 'libcotarget:*' >"$TMP/l" 2>"$TMP/l.err" ||
	{ cat "$TMP/l.err"; fail "funccount -l exited $?"; }
grep -q host_only_secret "$TMP/l" && fail "listed the host file"
assert_eq "$(sed 's/.*://' "$TMP/l" | grep '^cot_' | sort | tr '\n' ' ')" "cot_add cot_mul " \
	"listed functions (of the mapping)"
start_fc "$OUT" -p "$TARGET_PID" "libcotarget:cot_*"
release_target "$TARGET_PID" "$TARGET_FD"
stop_fc INT
assert_eq "$(count_of cot_add)" "$N" "cot_add"
assert_eq "$(count_of cot_mul)" "$((2 * N))" "cot_mul"

check "cleanup"
assert_nothing_attached
echo PASS
