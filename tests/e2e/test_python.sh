#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Python frames (CPython 3.11, Debian's python3.11) in the stacks of
# profile, syscount --stack, stackcount and uprobe-trace -U: each
# evaluation-loop frame replaced by the Python functions it ran, native
# frames in between kept; exact counts where the program's work is known,
# and profile's shares against the program's own sampler.
source "$(dirname "$0")/lib.sh"
PR=$ROOT/build/profile
SYS=$ROOT/build/syscount
SC=$ROOT/build/stackcount
UT=$ROOT/build/uprobe-trace
PY=/usr/bin/python3.11
TREE=$ROOT/tests/targets/pytree.py
OPEN=$ROOT/tests/targets/pyopen.py
[ -x "$PY" ] || fail "$PY missing: run make deps"
for b in "$PR" "$SYS" "$SC" "$UT"; do [ -x "$b" ] || fail "$b missing: run make"; done

# The frames of a folded line without the line numbers: "mod.func (f:N)" -> "mod.func".
strip_lines() { sed -E 's/ \([^;]*:[0-9]+\)//g'; }

check "profile -F 499: leaf samples carry <module>;main;a;b;leaf; shares agree with the program's own sampler"
timeout -s KILL 120 "$PR" -F 499 -f -v --cmd "$PY $TREE 8 $TMP/own" >"$TMP/p" 2>"$TMP/p.err" ||
	{ cat "$TMP/p.err"; fail "profile exited $?"; }
grep -q "^profile: python: CPython 3.11.* interpreter /usr/bin/python3.11: offsets from" "$TMP/p.err" ||
	{ cat "$TMP/p.err"; fail "-v did not name the interpreter"; }
strip_lines <"$TMP/p" >"$TMP/ps"
python3 - "$TMP/ps" "$TMP/own" <<'PYEOF' || fail "profile's Python stacks"
import sys
stacks = []
for line in open(sys.argv[1]):
    if ";" not in line:
        continue
    frames, n = line.rsplit(" ", 1)
    stacks.append((frames.split(";"), int(n)))
chain = ["<module>", "__main__.main", "__main__.a", "__main__.b", "__main__.leaf"]
def has_chain(fr):
    for i in range(len(fr) - len(chain) + 1):
        if fr[i:i + len(chain)] == chain:
            return True
    return False
# The helper thread's own samples are not the main thread's.
main = [(f, n) for f, n in stacks if "__main__.sampler" not in f]
leaf = sum(n for f, n in main if "__main__.leaf" in f)
lost = sum(n for f, n in main if "_PyEval_EvalFrameDefault" in f)
full = sum(n for f, n in main if has_chain(f))
total = sum(n for f, n in main)
print("  samples: %d of the main thread, %d in leaf, %d with the whole chain, %d with an "
      "evaluation-loop frame left" % (total, leaf, full, lost))
assert total >= 500, "too few samples"
assert leaf >= total * 0.8, "leaf should take most samples"
assert full >= 0.95 * (leaf + lost), "fewer than 95% of leaf samples carry the chain"
# Shares of the innermost Python function, profile against the program.
def innermost(fr):
    for x in reversed(fr):
        if x.startswith("__main__.") or x == "<module>" or x.startswith("json."):
            return x
    return None
prof = {}
for f, n in main:
    k = innermost(f)
    if k:
        prof[k] = prof.get(k, 0) + n
own, own_total = {}, 0
for line in open(sys.argv[2]):
    a, b = line.split()
    if a == "total":
        own_total = int(b)
    else:
        own[b] = int(a)
ptotal = sum(prof.values())
assert own_total >= 200 and ptotal >= 500, "too few samples to compare"
bad = []
for k in sorted(set(prof) | set(own)):
    p, o = 100.0 * prof.get(k, 0) / ptotal, 100.0 * own.get(k, 0) / own_total
    if p >= 1 or o >= 1:
        print("  %-40s profile %5.1f%%  program %5.1f%%" % (k, p, o))
    if abs(p - o) > 5:
        bad.append(k)
assert not bad, "shares differ by more than 5 points: %s" % bad
print("  ok: >= 95% of leaf samples carry the chain; shares within 5 points")
PYEOF

check "--no-python: the evaluation loop stays native"
timeout -s KILL 120 "$PR" -F 199 -f --no-python --cmd "$PY $TREE 1 $TMP/own2" >"$TMP/n" 2>"$TMP/n.err" ||
	{ cat "$TMP/n.err"; fail "profile --no-python exited $?"; }
assert_eq "$(grep -c '__main__\.' "$TMP/n")" 0 "lines with Python frames"
assert_ge "$(grep -c '_PyEval_EvalFrameDefault' "$TMP/n")" 1 "lines with _PyEval_EvalFrameDefault"

check "syscount --stack: the Python functions that made the openat() calls, exact counts"
timeout -s KILL 60 "$SYS" --stack --syscall openat -f -T 0 --cmd "$PY $OPEN 5 3" >"$TMP/s" 2>"$TMP/s.err" ||
	{ cat "$TMP/s.err"; fail "syscount exited $?"; }
strip_lines <"$TMP/s" >"$TMP/ss"
count() { grep -E "$1" "$TMP/ss" | awk '{n += $NF} END {print n + 0}'; }
M="PyEval_EvalCode;<module>;__main__\.main"
assert_eq "$(grep -v key_a "$TMP/ss" | grep -E ";$M;__main__\.open_a;" | awk '{n += $NF} END {print n + 0}')" 4 \
	"openat() in open_a itself"
assert_eq "$(count ";$M;__main__\.open_a;.*builtin_sorted.*;__main__\.key_a;")" 1 \
	"openat() in key_a, called back by sorted() from open_a"
assert_eq "$(count ";$M;__main__\.open_b;")" 3 "openat() in open_b"
assert_eq "$(count "__main__\.open_[ab]")" 8 "openat() under open_a or open_b"

check "stackcount on a tracepoint and uprobe-trace -U: the same functions"
timeout -s KILL 60 "$SC" -f --cmd "$PY $OPEN 4 2" t:syscalls:sys_enter_openat >"$TMP/c" 2>"$TMP/c.err" ||
	{ cat "$TMP/c.err"; fail "stackcount exited $?"; }
strip_lines <"$TMP/c" >"$TMP/ss"
assert_eq "$(count ";$M;__main__\.open_a;")" 4 "stackcount: open_a (key_a's included)"
assert_eq "$(count ";$M;__main__\.open_b;")" 2 "stackcount: open_b"
timeout -s KILL 60 "$UT" -U -j --cmd "$PY $OPEN 4 2" t:syscalls:sys_enter_openat >"$TMP/u" 2>"$TMP/u.err" ||
	{ cat "$TMP/u.err"; fail "uprobe-trace exited $?"; }
assert_eq "$(grep '^{' "$TMP/u" | jq -r 'select(.type == "event") | .user_stack | map(sub(" \\(.*\\)$"; "")) |
	select(index(["__main__.key_a"]) != null and index(["__main__.open_a"]) != null) | length' | wc -l)" 1 \
	"uprobe-trace: events through key_a and open_a"
assert_eq "$(grep '^{' "$TMP/u" | jq -r 'select(.type == "event") | .user_stack | map(sub(" \\(.*\\)$"; "")) |
	select(index(["__main__.open_b", "__main__.main", "<module>"]) != null) | length' | wc -l)" 2 \
	"uprobe-trace: events with open_b;main;<module>"

check "threads, a generator, map()'s C callback, coroutines: each thread's own Python frames, exact counts"
THREADS=$ROOT/tests/targets/pythreads.py
timeout -s KILL 60 "$SYS" --stack --syscall openat -f -T 0 --cmd "$PY $THREADS 5" >"$TMP/t" \
	2>"$TMP/t.err" || { cat "$TMP/t.err"; fail "syscount exited $?"; }
strip_lines <"$TMP/t" >"$TMP/ss"
R="start_thread;.*threading\.Thread\._bootstrap;threading\.Thread\._bootstrap_inner;threading\.Thread\.run;"
assert_eq "$(count "$R.*__main__\.worker_one;__main__\.opener;")" 5 "thread 1: worker_one;opener"
assert_eq "$(count "$R.*__main__\.worker_two;__main__\.drain;.*builtin_sum.*;gen_iternext[^;]*;__main__\.gen_files;")" \
	10 "thread 2: worker_two;drain;sum();the generator gen_files"
assert_eq "$(count ";$M;.*map_next[^;]*;.*__main__\.opener_cb;")" 3 "main: map() calling back opener_cb"
assert_eq "$(count ";$M;asyncio\.runners\.run;.*asyncio\.events\.Handle\._run;.*task_step_impl;PyIter_Send;__main__\.co_main;PyIter_Send;__main__\.co_open;")" \
	4 "main: asyncio.run(), a task resuming coroutines co_main and co_open"

check "a C program that dlopen()s libpython3.11 after it started: embedded Python frames"
[ -x "$T/pyembed" ] || fail "$T/pyembed missing: run make targets"
timeout -s KILL 60 "$SYS" --stack --syscall openat -f -T 0 -v --cmd "$T/pyembed 4" >"$TMP/e" \
	2>"$TMP/e.err" || { cat "$TMP/e.err"; fail "syscount exited $?"; }
grep -q "^syscount: python: CPython 3.11.* interpreter .*/libpython3.11.so.1.0: offsets from" \
	"$TMP/e.err" || { cat "$TMP/e.err"; fail "-v did not name libpython"; }
strip_lines <"$TMP/e" >"$TMP/ss"
assert_eq "$(count ";main;run_embedded;PyRun_SimpleStringFlags;.*PyEval_EvalCode;[^;]*;<module>;__main__\.emb_f;")" 4 \
	"openat() in emb_f, run by run_embedded"

check "offsets from the table of known builds when no DWARF is read"
COTRACE_TEST_PY_NO_DWARF=1 timeout -s KILL 60 "$SYS" --stack --syscall openat -f -v -T 0 \
	--cmd "$PY $OPEN 2 1" >"$TMP/k" 2>"$TMP/k.err" || { cat "$TMP/k.err"; fail "syscount exited $?"; }
grep -q "interpreter /usr/bin/python3.11: offsets from known build: Debian 12" "$TMP/k.err" ||
	{ grep python "$TMP/k.err"; echo "  (not a known build: skipped)"; }
strip_lines <"$TMP/k" >"$TMP/ss"
if grep -q "offsets from known build" "$TMP/k.err"; then
	assert_eq "$(count ";$M;__main__\.open_b;")" 1 "open_b with the table's offsets"
fi

check "200 Python frames deep: the innermost kept, the stack marked cut"
printf 'import sys\ndef r(n):\n    if n == 0:\n        return open("/dev/null").close()\n    return r(n - 1)\nr(200)\n' >"$TMP/deep.py"
timeout -s KILL 60 "$SYS" --stack --syscall openat -f -T 0 --cmd "$PY $TMP/deep.py" >"$TMP/d" 2>"$TMP/d.err" ||
	{ cat "$TMP/d.err"; fail "syscount exited $?"; }
strip_lines <"$TMP/d" >"$TMP/ss"
assert_eq "$(grep -c '__main__\.r;' "$TMP/ss")" 1 "stacks through r"
assert_eq "$(grep '__main__\.r;' "$TMP/ss" | grep -cE '^python3.11-[0-9]+;\[truncated\];(__main__\.r;)+.*_io_open')" 1 \
	"the stack: [truncated], then r's frames down to open()"

check "a line table longer than the BPF side copies: the line from the process, while it lives (-p)"
LONG=$ROOT/tests/targets/pylong.py
HOT=$(grep -n '# HOT$' "$LONG" | cut -d: -f1)
mkfifo "$TMP/long.fifo" || fail "mkfifo"
exec {LFD}<>"$TMP/long.fifo"
"$PY" "$LONG" <"$TMP/long.fifo" >"$TMP/long.out" 2>&1 &
LPID=$!
BG_PIDS+=("$LPID")
wait_for_text "$TMP/long.out" looping 30 "$LPID"
timeout -s KILL 60 "$PR" -F 199 -f -d 1 -p "$LPID" >"$TMP/l" 2>"$TMP/l.err" ||
	{ cat "$TMP/l.err"; fail "profile exited $?"; }
echo go >&"$LFD"
wait_exit "$LPID" 10
assert_ge "$(tail -n 1 "$TMP/long.out")" 513 "bytes of long_body's line table"
grep -o '__main__\.long_body ([^;]*' "$TMP/l" | sort | uniq -c
assert_ge "$(grep -c "__main__\.long_body ($LONG:$HOT)" "$TMP/l")" 1 "stacks with long_body at its HOT line"
assert_eq "$(grep '__main__\.long_body (' "$TMP/l" | grep -vc "__main__\.long_body ($LONG:$HOT)")" 0 \
	"stacks with long_body at another line"

check "code objects of exited processes make room: 6 runs through a table of 100 entries"
# Each run of pyopen names some 40 code objects; the table holds 100
# (COTRACE_TEST_PY_CODES): without the entries of exited processes freed,
# the later runs' functions would be lost. The runs are 1.1 s apart, so
# that the sweep of exited processes (at most once a second, at a new
# process's note) runs between them. A python3.11 alive at the start has
# its table built then, so the first run's stacks are whole too.
mkfifo "$TMP/held.fifo" "$TMP/runs.fifo" || fail "mkfifo"
exec {HFD}<>"$TMP/held.fifo" {RFD}<>"$TMP/runs.fifo"
"$PY" -c 'import sys; sys.stdin.readline()' <"$TMP/held.fifo" &
BG_PIDS+=("$!")
wait_reading_stdin "$!" 10
bash -c 'read -r _; for i in 1 2 3 4 5 6; do "$0" "$1" 1 1 || exit 1; sleep 1.1; done' \
	"$PY" "$OPEN" <"$TMP/runs.fifo" &
RUNS=$!
BG_PIDS+=("$RUNS")
COTRACE_TEST_PY_CODES=100 bg_start "$TMP/g" "Hit Ctrl-C" "$SYS" --stack --syscall openat -j -T 0 \
	--ppid "$RUNS"
echo go >&"$RFD"
wait_exit "$RUNS" 60
[ "$WAIT_RC" -eq 0 ] || fail "the runs failed ($WAIT_RC)"
bg_stop "$BG_PID" "$TMP/g"
echo go >&"$HFD"
tail -n 1 "$TMP/g"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | select(any(.user[]; startswith("__main__.open_b ")))
	| .count] | add' "$TMP/g")" 6 "openat() in open_b, one a run"
assert_eq "$(summary_of python_lost_codes "$TMP/g")" 0 "python_lost_codes"

check "an interpreter that cannot be read: said once, its stacks stay native"
# Debian's python3.11 with one byte of its build-id changed: no debug
# file has that id and the table of known builds does not list it.
python3 - "$PY" "$TMP/python3.11-unknown" <<'PYEOF' || fail "cannot make the copy"
import sys, subprocess
d = bytearray(open(sys.argv[1], "rb").read())
out = subprocess.run(["readelf", "-n", sys.argv[1]], capture_output=True, text=True).stdout
bid = bytes.fromhex(out.split("Build ID:")[1].split()[0])
i = d.find(bid)
assert i > 0
d[i] ^= 0xff
open(sys.argv[2], "wb").write(d)
PYEOF
chmod +x "$TMP/python3.11-unknown"
timeout -s KILL 60 "$SYS" --stack --syscall openat -f -T 0 --cmd "$TMP/python3.11-unknown $OPEN 2 1" \
	>"$TMP/x" 2>"$TMP/x.err" || { cat "$TMP/x.err"; fail "syscount exited $?"; }
cat "$TMP/x.err"
assert_eq "$(grep -c "^syscount: python: cannot read the interpreter $TMP/python3.11-unknown (no debug information (install its -dbg package) and not a known build): its stacks stay native\$" "$TMP/x.err")" 1 \
	"the sentence, once"
assert_eq "$(grep -c '__main__\.' "$TMP/x")" 0 "stacks with Python frames"
assert_ge "$(grep -c '_PyEval_EvalFrameDefault' "$TMP/x")" 1 "stacks with _PyEval_EvalFrameDefault"

check "nothing of ours stays loaded"
assert_no_progs "$(progs_re profile syscount stackcount uprobe-trace)"
