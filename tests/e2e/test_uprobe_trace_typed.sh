#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uprobe-trace speaks bcc trace's language: members through typed
# pointers (DWARF of the target, libc's debug file, the kernel's BTF),
# signatures, casts, arithmetic, %U and %K; every value exact.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

[ -x "$T/typed" ] || fail "$T/typed missing: run make targets"
V="p:$T/typed:visit"

check "members, nested structs, arrays and bit-fields through a DWARF-typed parameter"
ut_json --cmd "$T/typed recs 3" \
	"$V \"%s id=%ld x=%d y=%d tag=%s flags=%u delta=%d arr=%d,%d\", r->name, r->id, r->pos.x, r->pos.y, r->tag, r->flags, r->delta, r->arr[0], r->arr[3]"
assert_eq "$(messages | tr '\n' '|')" \
	"rec1 id=1 x=10 y=-1 tag=t1 flags=1 delta=-1 arr=1,4|rec2 id=2 x=20 y=-2 tag=t2 flags=2 delta=-2 arr=2,8|rec3 id=3 x=30 y=-3 tag=t3 flags=3 delta=-3 arr=3,12|" \
	"fields"
ut_json --cmd "$T/typed recs 3" \
	"$V \"color=%d word=%x byte0=%d next=%s\", r->color, r->word, r->bytes[0], r->next->name"
assert_eq "$(messages | tr '\n' '|')" \
	"color=1 word=1020304 byte0=4 next=rec2|color=2 word=2040608 byte0=8 next=rec3|color=-3 word=306090c byte0=12 next=|" \
	"enum, union, pointer chain (NULL at the end)"
assert_eq "$(jq -s '[.[] | select(.type == "event") | .args[0]]' -c "$OUT")" "[1,2,-3]" "JSON values"

check "bcc's signature names the arguments, with their types"
ut_json --cmd "$T/typed recs 4" "$V(struct rec *q, int d) \"%s d=%d\", q->name, d"
assert_eq "$(messages | tr '\n' '|')" "rec1 d=0|rec2 d=1|rec3 d=2|rec4 d=3|" "signature"

check "casts: (struct rec *)arg1, (int)retval < 0"
ut_json --cmd "$T/typed recs 4" "$V \"%d\", ((struct rec *)arg1)->arr[3]" \
	"r:$T/typed:visit ((int)retval < 0) \"ret=%d\", retval"
assert_eq "$(messages | grep -v ret= | tr '\n' ' ')" "4 8 12 16 " "cast pointer"
assert_eq "$(messages | grep ret= | tr '\n' ' ')" "ret=-2 ret=-1 " "cast in a filter"

check "arithmetic in arguments and filters"
ut_json --cmd "$T/typed recs 4" \
	"$V (r->delta < -1 && !STRCMP(\"rec3\", r->name)) \"%ld %ld %d\", r->id * 100 + r->pos.x / 10, (r->pos.y - 1) % 3, (r->flags << 4) | 1"
assert_eq "$(messages | tr '\n' '|')" "202 0 33|404 -2 65|" "computed values, C's signed / and %"

check "\$task through the kernel's BTF; %K"
ut_json --cmd "$T/typed recs 1" "$V \"%s %d %K\", \$task->comm, \$task->tgid == \$pid, \$task"
assert_eq "$(messages | cut -d' ' -f1,2)" "typed 1" "\$task->comm, \$task->tgid"
assert_eq "$(messages | cut -d' ' -f3 | grep -c '^0xffff[0-9a-f]*$')" 1 \
	"%K of an address no symbol covers: the address"
ut_json --cmd "$T/typed recs 1" "$V \"%K\", \$task->restart_block.fn"
name=$(messages | sed 's/+0x0$//')
grep -qE " [tT] $name\$" /proc/kallsyms || fail "%K printed '$(messages)', not a kernel function"
echo "  ok: %K = $(messages)"

check "a tracepoint's pointer field, typed from the kernel's BTF"
ut_json --cmd "$T/typed sleep 1234 5678" \
	't:syscalls:sys_enter_clock_nanosleep "%ld.%09ld", args->rqtp->tv_sec, args->rqtp->tv_nsec'
assert_eq "$(messages | tr '\n' ' ')" "0.000001234 0.000005678 " "args->rqtp->tv_nsec"

check "%U names user functions, as bcc: func+0xOFF [module]"
start_target typed "$T/typed" --wait --hold recs 2
bg_start "$TMP/u.json" "Hit Ctrl-C" "$UT" --json -p "$TARGET_PID" "$V \"%U|%U\", r->cb, ctx->ip"
echo go >&"$TARGET_FD"
for i in $(seq 100); do
	[ "$(grep -c '"type":"event"' "$BG_OUT")" -ge 2 ] && break
	sleep 0.05
done
release_target "$TARGET_PID" "$TARGET_FD"
wait_exit "$BG_PID" 20
assert_eq "$WAIT_RC" 0 "exit status (the process ended)"
assert_eq "$(messages "$BG_OUT" | sort -u)" "callback+0x0 [typed]|visit+0x0 [typed]" "%U"

check "libc's types from its debug file (libc6-dbg)"
dbg=/usr/lib/debug/.build-id/$(readelf -n "$(ldd "$T/typed" | awk '/libc.so/ {print $3}')" |
	awk '/Build ID/ {print substr($3, 1, 2) "/" substr($3, 3)}').debug
if [ -r "$dbg" ]; then
	ut_json --cmd "$T/typed sleep 1000 20000 300000" \
		'p:c:nanosleep(struct timespec *req) "%ld.%09ld", req->tv_sec, req->tv_nsec'
	assert_eq "$(messages | tr '\n' ' ')" "0.000001000 0.000020000 0.000300000 " \
		"signature typed from libc's debug file"
	ut_json --cmd "$T/typed sleep 5000" 'p:c:nanosleep "%ld", ((struct timespec *)arg1)->tv_nsec'
	assert_eq "$(messages)" 5000 "cast to a struct of libc's debug file"
else
	echo "  skip: no debug file for libc ($dbg): apt-get install libc6-dbg"
fi

check "text output is bcc's layout"
timeout 60 "$UT" --cmd "$T/typed recs 1" "$V(struct rec *r) \"%s\", r->tag" >"$OUT" 2>"$OUT.err" ||
	fail "text run"
assert_eq "$(sed -n 2p "$OUT" | awk '{print $3, $4, $5}')" "typed visit t1" "line"

check "errors: one sentence, exit 2"
rc=0
timeout 60 "$UT" --cmd "$T/typed recs 1" "$V \"%d\", r->nope" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 2 "exit code"
assert_eq "$(cat "$OUT.err")" "uprobe-trace: 'struct rec' has no member 'nope', in 'r->nope'" "message"
rc=0
timeout 60 "$UT" --cmd "$T/typed recs 1" "$V \"%d\", arg1->id" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 2 "exit code"
grep -q "needs a typed pointer" "$OUT.err" || fail "stderr: $(cat "$OUT.err")"
rc=0
timeout 60 "$UT" "u:$T/usdt:tick(long i) \"%d\", i" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 2 "exit code of a USDT signature"
grep -q "take no signature" "$OUT.err" || fail "stderr: $(cat "$OUT.err")"

check "cleanup"
assert_no_trace_progs
echo PASS
