#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bcc's option letters mean what they mean in bcc (issue 15), with exact
# results on the programs of tests/targets:
#   funccount/stackcount -c CPU; stackcount -D SECS and -d (delimiter);
#   profile -d, -L TID, --cgroupmap, --mntnsmap; syscount -c PPID and its
#   "[HH:MM:SS]" header; uprobe-trace -C -f -A -K -S -u --uid -c CGROUP
#   -s -I; argdist -I; the command is --cmd everywhere (ulatency keeps -c).
# Every run is bounded by timeout; no assertion depends on timing.
source "$(dirname "$0")/lib.sh"

B=$ROOT/build
NCPU=$(nproc)

# run TOOL ARGS...: build/TOOL ARGS (bounded), stdout in $TMP/r.out, stderr
# in $TMP/r.err; fails unless it exits 0.
run() {
	local tool=$1 rc=0
	shift
	timeout -s KILL 60 "$B/$tool" "$@" >"$TMP/r.out" 2>"$TMP/r.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$TMP/r.err" >&2; fail "$tool $* exited $rc"; }
}

# ---- funccount, stackcount: -c CPU ----------------------------------------------
check "funccount -c CPU: calls pinned to CPU 0 are counted on CPU 0 only"
fc_json -c 0 --cmd "taskset -c 0 $T/calls 7 13" "$T/calls:foo"
assert_eq "$(count_of foo)" 7 "foo on CPU 0"
if [ "$NCPU" -ge 2 ]; then
	fc_json -c 1 --cmd "taskset -c 0 $T/calls 7 13" "$T/calls:foo"
	assert_eq "$(count_of foo)" 0 "foo on CPU 1"
fi
check "funccount -D: bcc's debug flag prints what -v prints"
run funccount -D -l c:malloc
grep -q '^kernel features:' "$TMP/r.err" || fail "funccount -D: no feature line"

check "stackcount -c CPU -D SECS: bcc's CPU and duration letters"
run stackcount -j -c 0 --cmd "taskset -c 0 $T/stacks 4" "$T/stacks:gamma"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$TMP/r.out")" 6 \
	"gamma hits on CPU 0"
if [ "$NCPU" -ge 2 ]; then
	run stackcount -j -c 1 --cmd "taskset -c 0 $T/stacks 4" "$T/stacks:gamma"
	assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add // 0' "$TMP/r.out")" \
		0 "gamma hits on CPU 1"
fi
run stackcount -D 0.5 c:malloc
echo "  ok: stackcount -D 0.5 ended by itself"

check "stackcount -d: a '--' line (folded: a '-' frame) between kernel and user stacks"
tp=t:syscalls:sys_enter_exit_group
run stackcount --cmd "$T/calls 1 1" "$tp"
! grep -qx '    --' "$TMP/r.out" || fail "a delimiter without -d: $(cat "$TMP/r.out")"
run stackcount -d --cmd "$T/calls 1 1" "$tp"
grep -qx '    --' "$TMP/r.out" || fail "no delimiter with -d: $(cat "$TMP/r.out")"
run stackcount -df --cmd "$T/calls 1 1" "$tp"
grep -q ';-;.*_\[k\] 1$' "$TMP/r.out" || fail "no '-' frame with -df: $(cat "$TMP/r.out")"
run stackcount -f --cmd "$T/calls 1 1" "$tp"
! grep -q ';-;' "$TMP/r.out" || fail "a '-' frame without -d: $(cat "$TMP/r.out")"
echo "  ok: delimiters only with -d"

# ---- profile ----------------------------------------------------------------------
check "profile -adf -p PID 2: bcc's documented line runs; '-' between user and kernel frames"
"$T/sysload" getppid 100000000 >/dev/null &
LOAD=$!
BG_PIDS+=("$LOAD")
run profile -adf -F 499 -p "$LOAD" 1
grep -q '^sysload;.*;-;.*_\[k\] [0-9]*$' "$TMP/r.out" ||
	fail "no delimited stack: $(head -5 "$TMP/r.out")"
echo "  ok: $(grep -c ';-;' "$TMP/r.out") delimited stacks"
run profile -f -F 499 -p "$LOAD" 1
! grep -q ';-;' "$TMP/r.out" || fail "a '-' frame without -d"

check "profile -L TID: only that thread"
"$T/spin" 60 &
SPIN=$!
BG_PIDS+=("$SPIN")
run profile -P -j -F 499 -L "$SPIN" 1
assert_eq "$(jq -r 'select(.type == "stack") | "\(.pid) \(.comm)"' "$TMP/r.out" | sort -u)" \
	"$SPIN spin" "threads sampled with -L $SPIN"
run profile -P -j -F 499 -L "$LOAD" 1
assert_eq "$(jq -r 'select(.type == "stack") | "\(.pid) \(.comm)"' "$TMP/r.out" | sort -u)" \
	"$LOAD sysload" "threads sampled with -L $LOAD"

# bcc's special_filtering.md: a pinned hash map of u64 ids; only the keys matter.
check "profile --cgroupmap, --mntnsmap: pinned maps of ids, as bcc's"
FS=$TMP/bpffs
mkdir "$FS" && mount -t bpf bpf "$FS" || fail "cannot mount a BPF file system"
BG_UMOUNT=$FS
trap 'umount "$BG_UMOUNT" 2>/dev/null; _cleanup' EXIT
# u64 KEY as bpftool's little-endian bytes.
le64() { printf '%016x' "$1" | sed 's/../& /g' | awk '{ for (i = NF; i > 0; i--) printf "0x%s ", $i }'; }
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$cg2" ] || fail "no cgroup2 mount"
cgid=$(stat -c %i "$cg2$(sed -n 's/^0:://p' "/proc/$SPIN/cgroup")")
mntid=$(stat -L -c %i "/proc/$SPIN/ns/mnt")
for m in cg mnt other; do
	bpftool map create "$FS/$m" type hash key 8 value 8 entries 8 name "cot_$m" ||
		fail "bpftool map create"
done
# shellcheck disable=SC2046
bpftool map update pinned "$FS/cg" key $(le64 "$cgid") value $(le64 1) || fail "map update"
# shellcheck disable=SC2046
bpftool map update pinned "$FS/mnt" key $(le64 "$mntid") value $(le64 1) || fail "map update"
# shellcheck disable=SC2046
bpftool map update pinned "$FS/other" key $(le64 12345) value $(le64 1) || fail "map update"
run profile -j -F 499 -p "$SPIN" --cgroupmap "$FS/cg" 0.5
assert_ge "$(jq -rs '[.[] | select(.type == "stack") | .count] | add // 0' "$TMP/r.out")" 1 \
	"samples of its cgroup"
run profile -j -F 499 -p "$SPIN" --mntnsmap "$FS/mnt" 0.5
assert_ge "$(jq -rs '[.[] | select(.type == "stack") | .count] | add // 0' "$TMP/r.out")" 1 \
	"samples of its mount namespace"
for opt in --cgroupmap --mntnsmap; do
	run profile -j -F 499 -p "$SPIN" "$opt" "$FS/other" 0.5
	assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add // 0' "$TMP/r.out")" 0 \
		"samples with $opt of another id"
done
rc=0
"$B/profile" --cgroupmap "$FS/none" 1 >/dev/null 2>"$TMP/e" || rc=$?
assert_eq "$rc" 2 "--cgroupmap of a missing map: exit status"
grep -qF "cannot open the pinned BPF map '$FS/none'" "$TMP/e" || fail "$(cat "$TMP/e")"
kill "$SPIN" "$LOAD" 2>/dev/null

# ---- syscount ---------------------------------------------------------------------
check "syscount -c PPID: only the children of PPID"
mkfifo "$TMP/parent.fifo" || fail "mkfifo"
exec {PFD}<>"$TMP/parent.fifo"
bash -c "read -r _; '$T/sysload' getppid 77 >/dev/null" <"$TMP/parent.fifo" &
PARENT=$!
BG_PIDS+=("$PARENT")
wait_reading_stdin "$PARENT" 10
: >"$TMP/sc.err"
"$B/syscount" -j -c "$PARENT" --syscall getppid >"$TMP/sc" 2>"$TMP/sc.err" &
SCP=$!
BG_PIDS+=("$SCP")
OUR_PIDS+=("$SCP")
wait_for_text "$TMP/sc.err" "Tracing" 20 "$SCP"
"$T/sysload" getppid 5 >/dev/null	# a child of this shell: not counted
echo go >&"$PFD"
wait_exit "$PARENT" 20
kill -INT "$SCP"
wait_exit "$SCP" 10
assert_eq "$WAIT_RC" 0 "syscount exit status"
assert_eq "$(jq -rs '[.[] | select(.type == "count" and .syscall == "getppid") | .count] | add' \
	"$TMP/sc")" 77 "getppid calls of PPID's children"

check "syscount -i: bcc's interval header [HH:MM:SS]"
run syscount -i 0.2 -d 0.5
grep -Eqx '\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]' "$TMP/r.out" || fail "no [HH:MM:SS]: $(cat "$TMP/r.out")"
echo "  ok: $(grep -Ecx '\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]' "$TMP/r.out") headers"

# ---- uprobe-trace -----------------------------------------------------------------
UT=$B/uprobe-trace
P_FOO="$T/calls:foo \"foo %d\", arg1"
check "uprobe-trace -C: a CPU column, as bcc's"
run uprobe-trace -C --cmd "$T/calls 2 1" "$P_FOO"
assert_eq "$(head -1 "$TMP/r.out" | awk '{print $1, $2}')" "CPU PID" "header"
assert_eq "$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ && $1 < '"$NCPU"'' "$TMP/r.out" | wc -l)" 2 \
	"events with a CPU"

check "uprobe-trace -f: only messages containing the text"
run uprobe-trace -j -f bar --cmd "$T/calls 3 2" "$P_FOO" "$T/calls:bar \"bar\""
assert_eq "$(jq -r 'select(.type == "event") | .message' "$TMP/r.out" | sort | uniq -c |
	awk '{print $1, $2}' | tr '\n' ' ')" "2 bar " "events left by -f bar"

check "uprobe-trace -A: each distinct event once, with its count"
run uprobe-trace -A --cmd "$T/calls 3 2" "$P_FOO" "$T/calls:bar \"bar\""
assert_eq "$(grep -c -- '-->COUNT' "$TMP/r.out")" 2 "distinct events"
grep -A1 'foo 10$' "$TMP/r.out" | grep -qx -- '-->COUNT 3' || fail "foo: $(cat "$TMP/r.out")"
grep -A1 ' bar$' "$TMP/r.out" | grep -qx -- '-->COUNT 2' || fail "bar: $(cat "$TMP/r.out")"
echo "  ok: foo 3, bar 2"
run uprobe-trace -A -M 4 --cmd "$T/calls 3 2" "$P_FOO" "$T/calls:bar \"bar\""
assert_eq "$(grep -- '-->COUNT' "$TMP/r.out" | awk '{s += $2} END {print s}')" 4 \
	"events counted up to -M 4"

check "uprobe-trace -K: kernel stacks of a tracepoint"
run uprobe-trace -j -K --cmd "$T/calls 1 1" 't:syscalls:sys_enter_exit_group "%d", args->error_code'
assert_ge "$(jq -r 'select(.type == "event") | .kernel_stack | length' "$TMP/r.out")" 2 \
	"kernel frames"
jq -r 'select(.type == "event") | .kernel_stack[]' "$TMP/r.out" | grep -q '^do_syscall_64' ||
	fail "no do_syscall_64 frame: $(cat "$TMP/r.out")"

check "uprobe-trace --uid: only that user's processes"
run uprobe-trace -j --uid 0 --cmd "$T/calls 2 1" "$P_FOO"
assert_eq "$(grep -c '"type":"event"' "$TMP/r.out")" 2 "uid 0 events"
run uprobe-trace -j --uid 4242 --cmd "$T/calls 2 1" "$P_FOO"
assert_eq "$(grep -c '"type":"event"' "$TMP/r.out")" 0 "uid 4242 events"

check "uprobe-trace -c CGROUP: tasks of that cgroup and its descendants"
here=$cg2$(sed -n 's/^0:://p' /proc/self/cgroup)
run uprobe-trace -j -c "$here" --cmd "$T/calls 2 1" "$P_FOO"
assert_eq "$(grep -c '"type":"event"' "$TMP/r.out")" 2 "events in our cgroup"
CG=$cg2/cotrace-e2e-$$
mkdir "$CG" || fail "cannot make a cgroup"
run uprobe-trace -j -c "$CG" --cmd "$T/calls 2 1" "$P_FOO"
rmdir "$CG"
assert_eq "$(grep -c '"type":"event"' "$TMP/r.out")" 0 "events in an empty cgroup"
rc=0
"$UT" -c "$TMP" --cmd "$T/calls 1 1" "$P_FOO" >/dev/null 2>"$TMP/e" || rc=$?
assert_eq "$rc" 2 "-c of a directory that is no cgroup: exit status"

check "uprobe-trace -S: its own events only with -S"
for s in "" -S; do
	: >"$TMP/self.err"
	# Not under timeout: its pid is the tracer's (-d and wait_exit bound it).
	# shellcheck disable=SC2086
	"$UT" -j $s -d 0.6 't:syscalls:sys_enter_poll' >"$TMP/self" 2>"$TMP/self.err" &
	me=$!
	BG_PIDS+=("$me")
	OUR_PIDS+=("$me")
	wait_exit "$me" 20
	assert_eq "$WAIT_RC" 0 "uprobe-trace $s exit status"
	n=$(jq -r --argjson me "$me" 'select(.type == "event" and .pid == $me) | .pid' "$TMP/self" |
		wc -l)
	if [ -z "$s" ]; then
		assert_eq "$n" 0 "own events without -S"
	else
		assert_ge "$n" 1 "own events with -S"
	fi
done

check "uprobe-trace -u: the time as seconds since the epoch"
run uprobe-trace -u --cmd "$T/calls 1 1" "$P_FOO"
t=$(awk 'NR == 2 { print int($1) }' "$TMP/r.out")
now=$(date +%s)
[ "$t" -gt $((now - 120)) ] && [ "$t" -le $((now + 1)) ] || fail "-u time $t, now $now"
echo "  ok: $t"

check "uprobe-trace -s FILES checked, -I said not needed, -B accepted"
run uprobe-trace -s "$T/calls,/bin/sh" -B -I linux/fs.h --cmd "$T/calls 1 1" "$P_FOO"
assert_eq "$(grep -c 'foo 10' "$TMP/r.out")" 1 "events"
grep -qF "uprobe-trace: -I linux/fs.h is not needed: types come from debug information" \
	"$TMP/r.err" || fail "no -I note: $(cat "$TMP/r.err")"
rc=0
"$UT" -s /nonexistent/lib.so "$P_FOO" >/dev/null 2>"$TMP/e" || rc=$?
assert_eq "$rc" 2 "-s of a missing file: exit status"
run argdist -I linux/fs.h -C "p:$T/calls:foo(int n):int:n" --cmd "$T/calls 1 1"
grep -qF "argdist: -I linux/fs.h is not needed" "$TMP/r.err" || fail "argdist: $(cat "$TMP/r.err")"

check "cleanup"
assert_nothing_attached
echo PASS
