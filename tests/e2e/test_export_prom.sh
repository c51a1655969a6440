#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# --prom read by the real consumers: promtool check metrics passes on the
# file of every tool that writes one, with the exact counts of known
# workloads; a real node_exporter (textfile collector) serves funccount's
# counts at /metrics as they grow over several intervals, and a real
# Prometheus scraping it returns them through its query API. Every wait is
# bounded; no timing is asserted.
source "$(dirname "$0")/lib.sh"
for b in promtool prometheus prometheus-node-exporter; do
	command -v "$b" >/dev/null || fail "$b is needed: make deps"
done
[ -x "$T/distee" ] && [ -x "$T/closer" ] || fail "targets missing: run make targets"

# check_metrics FILE: promtool's parse and lint pass, with nothing to say.
check_metrics() {
	local out rc=0
	out=$(timeout -s KILL 30 promtool check metrics <"$1" 2>&1) || rc=$?
	[ "$rc" -eq 0 ] && [ -z "$out" ] || { cat "$1"; fail "promtool check metrics on $1: $out"; }
	echo "  ok: promtool check metrics ($(grep -vc '^#' "$1") samples)"
}

# value FILE SERIES: the value of the line that starts with SERIES and a space
# (through the environment: awk -v would take the backslashes of SERIES).
value() {
	SERIES=$2 awk 'index($0, ENVIRON["SERIES"] " ") == 1 { print $NF }' "$1"
}

# assert_value FILE SERIES EXPECTED
assert_value() {
	assert_eq "$(value "$1" "$2")" "$3" "$2"
}

# run TOOL ARGS...: build/TOOL ARGS, bounded, stdin from a line "go"; must exit 0.
run() {
	local tool=$1 rc=0
	shift
	echo go | timeout -s KILL 60 "$ROOT/build/$tool" "$@" >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$TMP/run.err"; fail "$tool $* exited $rc"; }
}

CALLS=$T/calls
check "funccount --prom: calls 10 20, exact counts"
run funccount --prom "$TMP/fc.prom" --cmd "$CALLS 10 20" "$CALLS:foo" "$CALLS:bar"
check_metrics "$TMP/fc.prom"
assert_value "$TMP/fc.prom" "cotrace_funccount_calls_total{function=\"foo\",binary=\"$CALLS\"}" 10
assert_value "$TMP/fc.prom" "cotrace_funccount_calls_total{function=\"bar\",binary=\"$CALLS\"}" 20

check "funccount -P --prom: a pid label"
run funccount -P --prom "$TMP/fcp.prom" --cmd "$CALLS 3 5" "$CALLS:foo"
check_metrics "$TMP/fcp.prom"
assert_eq "$(grep -c "^cotrace_funccount_calls_total{pid=\"[0-9]*\",function=\"foo\",binary=\"$CALLS\"} 3\$" \
	"$TMP/fcp.prom")" 1 "foo's line with a pid"

check "syscount --prom -L: counts and seconds per syscall"
run syscount -L --prom "$TMP/sy.prom" --cmd "$CALLS 3 3"
check_metrics "$TMP/sy.prom"
assert_value "$TMP/sy.prom" 'cotrace_syscount_syscalls_total{syscall="execve"}' 1
grep -Eq '^cotrace_syscount_syscall_seconds_total\{syscall="execve"\} [0-9.]+$' "$TMP/sy.prom" ||
	{ cat "$TMP/sy.prom"; fail "no seconds of execve"; }
echo "  ok: seconds of execve"

check "syscount -e EBADF --prom: failed close() calls of closer 4 3, all exported whatever -T 1 prints"
run syscount -e EBADF -T 1 --prom "$TMP/sye.prom" --cmd "$T/closer 4 3"
check_metrics "$TMP/sye.prom"
assert_value "$TMP/sye.prom" 'cotrace_syscount_failed_syscalls_total{syscall="close",errno="EBADF"}' 7

check "syscount -P --prom: pid and comm labels"
run syscount -P --prom "$TMP/syp.prom" --cmd "$CALLS 1 1"
check_metrics "$TMP/syp.prom"
# The comm is the one of the process's first syscall: before exec, the tool's own.
grep -Eq '^cotrace_syscount_syscalls_total\{pid="[0-9]+",comm="[^"]+"\} [0-9]+$' "$TMP/syp.prom" ||
	{ cat "$TMP/syp.prom"; fail "no pid, comm series"; }
echo "  ok: pid and comm"

check "ulatency --prom: one histogram per function, counts of calls 3 5"
run ulatency -u --prom "$TMP/ul.prom" -c "$CALLS 3 5" "$CALLS:foo" "$CALLS:bar"
check_metrics "$TMP/ul.prom"
assert_value "$TMP/ul.prom" \
	"cotrace_ulatency_call_duration_seconds_count{function=\"foo\",binary=\"$CALLS\"}" 3
assert_value "$TMP/ul.prom" \
	"cotrace_ulatency_call_duration_seconds_bucket{function=\"bar\",binary=\"$CALLS\",le=\"+Inf\"}" 5

check "argdist --prom: values counted with their labels escaped, a histogram"
D=$T/distee
run argdist --prom "$TMP/ad.prom" --cmd "$D words a 'b\"q' a ccc" \
	-C "p:$D:word(const char *w):char *:w" -H "r:$D:word():int:\$retval"
check_metrics "$TMP/ad.prom"
P="p:$D:word(const char *w):char *:w"
assert_value "$TMP/ad.prom" "cotrace_argdist_values_total{probe=\"$P\",w=\"a\"}" 2
assert_value "$TMP/ad.prom" "cotrace_argdist_values_total{probe=\"$P\",w=\"b\\\"q\"}" 1
assert_value "$TMP/ad.prom" "cotrace_argdist_values_count{probe=\"r:$D:word():int:\$retval\"}" 4

check "proclife -e --prom: lifetimes and exits of a command name"
cp "$CALLS" "$TMP/plife" || fail "cp"
start_tool "$TMP/pl.out" proclife -e -c plife --prom "$TMP/pl.prom"
for i in 1 2 3; do "$TMP/plife" 1 1 || fail "plife exited $?"; done
"$TMP/plife" 2>/dev/null && fail "plife without arguments exited 0"
kill -INT "$TOOL_PID"
wait_exit "$TOOL_PID" 20
assert_eq "$WAIT_RC" 0 "exit status of proclife"
check_metrics "$TMP/pl.prom"
assert_value "$TMP/pl.prom" 'cotrace_proclife_lifetime_seconds_count{comm="plife"}' 4
assert_value "$TMP/pl.prom" 'cotrace_proclife_exits_total{comm="plife",exit="0"}' 3
assert_value "$TMP/pl.prom" 'cotrace_proclife_exits_total{comm="plife",exit="2"}' 1

# ---- node_exporter and Prometheus ----------------------------------------------------

# free_port: a TCP port free on the loopback now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# http_get URL [QUERY]: the body (QUERY url-encoded as ?query=), or nothing.
http_get() {
	python3 - "$@" <<'PY' 2>/dev/null
import sys, urllib.parse, urllib.request
url = sys.argv[1]
if len(sys.argv) > 2:
    url += '?' + urllib.parse.urlencode({'query': sys.argv[2]})
try:
    print(urllib.request.urlopen(url, timeout=5).read().decode())
except Exception:
    pass
PY
}

# wait_metric URL SERIES VALUE SECS: poll node_exporter's URL until SERIES has VALUE.
wait_metric() {
	local i got
	for ((i = 0; i < $4 * 5; i++)); do
		http_get "$1" >"$TMP/metrics"
		got=$(value "$TMP/metrics" "$2")
		[ "$got" = "$3" ] && { echo "  ok: node_exporter serves $2 $3"; return 0; }
		sleep 0.2
	done
	fail "node_exporter did not serve $2 $3 within $4 s (last: '$got')"
}

check "node_exporter serves funccount's counts as they grow over intervals"
TF=$TMP/textfile
mkdir -p "$TF"
start_tool "$TMP/fci.json" funccount -j -i 0.3 --prom "$TF/funccount.prom" "$CALLS:foo" "$CALLS:bar"
FC_BG=$TOOL_PID
NE_PORT=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TF" >"$TMP/ne.log" 2>&1 &
NE_PID=$!
BG_PIDS+=("$NE_PID")
URL=http://127.0.0.1:$NE_PORT/metrics
# node_exporter sorts the labels.
FOO="cotrace_funccount_calls_total{binary=\"$CALLS\",function=\"foo\"}"
BAR="cotrace_funccount_calls_total{binary=\"$CALLS\",function=\"bar\"}"
for k in 1 2 3; do
	"$CALLS" 10 20 || fail "calls exited $?"
	wait_metric "$URL" "$FOO" $((10 * k)) 20
	assert_value "$TMP/metrics" "$BAR" $((20 * k))
done
grep -q '^node_textfile_scrape_error 0$' "$TMP/metrics" || fail "node_exporter had a scrape error"

check "Prometheus scraping node_exporter returns them through its query API"
PR_PORT=$(free_port)
cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: cotrace
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
YML
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/prometheus" \
	--web.listen-address="127.0.0.1:$PR_PORT" >"$TMP/prometheus.log" 2>&1 &
PR_PID=$!
BG_PIDS+=("$PR_PID")
API=http://127.0.0.1:$PR_PORT/api/v1/query
for ((i = 0; i < 150; i++)); do
	got=$(http_get "$API" "cotrace_funccount_calls_total{function=\"foo\"}" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	[ "$got" = 30 ] && break
	sleep 0.2
done
[ "$got" = 30 ] || { tail -5 "$TMP/prometheus.log"; fail "Prometheus did not return foo's 30 calls (last: '$got')"; }
echo "  ok: Prometheus returns foo = 30"
got=$(http_get "$API" "sum(cotrace_funccount_calls_total{binary=\"$CALLS\"})" |
	jq -r '.data.result[0].value[1] // empty')
assert_eq "$got" 90 "sum of foo and bar in Prometheus"
kill "$PR_PID" "$NE_PID"
wait_exit "$PR_PID" 20
wait_exit "$NE_PID" 10

check "funccount printed each interval's calls, and exported the totals"
kill -INT "$FC_BG"
wait_exit "$FC_BG" 20
assert_eq "$WAIT_RC" 0 "exit status of funccount"
assert_eq "$(count_of foo "$TMP/fci.json")" 30 "foo's calls printed over the intervals"
assert_eq "$(jq -s '[.[] | select(.type == "count" and .func == "foo") | .count] | max' \
	"$TMP/fci.json")" 10 "the most foo's calls printed in one interval"
assert_value "$TF/funccount.prom" "cotrace_funccount_calls_total{function=\"foo\",binary=\"$CALLS\"}" 30
assert_eq "$(find "$TF" -name '.*' -type f | wc -l)" 0 "temporary files left in the directory"

check "nothing left attached"
assert_no_progs "$(progs_re funccount syscount ulatency argdist proclife)"
echo PASS
