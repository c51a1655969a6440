#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount on USDT probes: bcc and bpftrace forms, a provider-less name,
# a semaphore-guarded probe (enabled by attaching), and -l listings.
source "$(dirname "$0")/lib.sh"
N=7
HALF=$(((N + 1) / 2))	# tock fires for even i in 0..N-1

check "u:usdt:cotrace:tick -> $N"
fc_json --cmd "$T/usdt $N" "u:$T/usdt:cotrace:tick"
assert_eq "$(count_of cotrace:tick)" "$N" "tick"

check "usdt:usdt:cotrace:tock -> $HALF"
fc_json --cmd "$T/usdt $N" "usdt:$T/usdt:cotrace:tock"
assert_eq "$(count_of cotrace:tock)" "$HALF" "tock"

check "u:usdt:guarded (any provider) -> $N: attaching sets the semaphore"
fc_json --cmd "$T/usdt $N" "u:$T/usdt:guarded"
assert_eq "$(count_of cotrace:guarded)" "$N" "guarded"

check "all three at once, attached to a running process with -p"
fc_on_target "$OUT" "$T/usdt" "$N" --wait -- -p @PID@ "u:$T/usdt:cotrace:*"
assert_eq "$(count_of cotrace:tick)" "$N" "tick"
assert_eq "$(count_of cotrace:tock)" "$HALF" "tock"
assert_eq "$(count_of cotrace:guarded)" "$N" "guarded"

check "-l lists the 3 probes with their arguments"
fc_json -l "u:$T/usdt:*"
assert_eq "$(jq -rs '[.[] | select(.type == "site") | .probe] | sort | join(" ")' "$OUT")" \
	"usdt:$T/usdt:cotrace:guarded usdt:$T/usdt:cotrace:tick usdt:$T/usdt:cotrace:tock" "probes"
assert_eq "$(jq -rs '.[] | select(.type == "site" and (.probe | endswith(":tick"))) | .args' "$OUT")" \
	"-8@%rax -8@%rbx" "tick args"
out=$(timeout 30 "$FC" -l -v "u:$T/usdt:*" 2>/dev/null) || fail "funccount -l -v failed"
echo "$out" | grep -q "cotrace:tick.*-8@%rax -8@%rbx" || fail "-l -v: no tick args in: $out"
echo "  ok: -l -v shows '-8@%rax -8@%rbx' for tick"
assert_eq "$(echo "$out" | grep -c 'cotrace:')" 3 "-l -v lines"

check "cleanup"
assert_nothing_attached
echo PASS
