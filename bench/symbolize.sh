#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Symbolization throughput and peak memory: build/bench/symbolize (common/syms)
# against addr2line, eu-addr2line and llvm-symbolizer-14, each fed the same
# random addresses inside function ranges of Debian's libLLVM-14.so.1 and
# libc.so.6 through stdin, and each checked against the function ranges nm
# reports (a name is right if a symbol of that name, version stripped,
# contains the address: any alias at that address counts).
#
#   bench/symbolize.sh [SIZES...]      default: 1000 100000 1000000
#
# addr2line or eu-addr2line is skipped for a size when its projected time
# (its per-address time at the previous size) exceeds $LIMIT seconds (60).
# Needs: libllvm14 llvm-14 elfutils binutils time python3.
set -eu
cd "$(dirname "$0")/.."

SIZES=${*:-1000 100000 1000000}
LIMIT=${LIMIT:-60}
LIBS=${LIBS:-"/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1 /lib/x86_64-linux-gnu/libc.so.6"}
W=${W:-$(mktemp -d /tmp/cotrace-symbench.XXXXXX)}
SYMBOLIZE=build/bench/symbolize
LLVM_SYMBOLIZER=${LLVM_SYMBOLIZER:-llvm-symbolizer-14}

make --no-print-directory -f Makefile -f bench/symbolize.mk "$SYMBOLIZE" >/dev/null
for t in addr2line eu-addr2line "$LLVM_SYMBOLIZER" /usr/bin/time nm readelf python3; do
	command -v "$t" >/dev/null || { echo "symbolize.sh: $t is missing" >&2; exit 1; }
done

# Function ranges per nm: .dynsym (both libraries are stripped) plus the
# separate debug file's .symtab when one is installed under /usr/lib/debug
# (every tool reads it). N random addresses: a uniformly chosen .dynsym
# function with a size, a uniform offset inside it.
gen() { # LIB N OUT
	local id dbg
	nm -D --defined-only -S "$1" > "$W/nm.txt"
	: > "$W/nm-debug.txt"
	id=$(readelf -n "$1" | awk '/Build ID/ {print $3}')
	dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	if [ -n "$id" ] && [ -f "$dbg" ]; then
		nm --defined-only -S "$dbg" > "$W/nm-debug.txt"
	fi
	python3 - "$W/nm.txt" "$2" "$3" "$1" "$W/nm-debug.txt" <<'PY'
import random, subprocess, sys
nmf, n, out, lib, dbgf = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def read(path):
    syms = []
    for line in open(path):
        f = line.split()
        if len(f) == 4 and f[2] in "TtWwi":
            syms.append((int(f[0], 16), int(f[1], 16), f[3].split("@")[0]))
        elif len(f) == 3 and f[1] in "TtWwi":
            syms.append((int(f[0], 16), 0, f[2].split("@")[0]))
    return syms
dyn = read(nmf)
funcs = [s for s in dyn if s[1] > 0]
# Our CLI takes file offsets; the others take vaddrs: require them equal
# for the text segments so that every tool reads the very same input.
for l in subprocess.run(["readelf", "-lW", lib], capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if f and f[0] == "LOAD" and "E" in f[6:-1] and int(f[1], 16) != int(f[2], 16):
        sys.exit("%s: text offset != vaddr; not supported here" % lib)
rnd = random.Random(42)
with open(out, "w") as o:
    for _ in range(n):
        a, sz, _ = funcs[rnd.randrange(len(funcs))]
        o.write("0x%x\n" % (a + rnd.randrange(sz)))
with open(out + ".ranges", "w") as o:
    for a, sz, name in set(dyn + read(dbgf)):
        o.write("%x %x %s\n" % (a, sz, name))
PY
}

# Agreement in percent: OUT holds one name per address (every STRIDE-th
# line). A name is right if a symbol of that name contains the address, or
# sits at the start of a symbol that does (an alias, possibly of size 0).
check() { # ADDRS OUT STRIDE
	python3 - "$1" "$2" "$3" <<'PY'
import sys
addrs = [int(l, 16) for l in open(sys.argv[1])]
lines = open(sys.argv[2]).read().split("\n")
stride = int(sys.argv[3])
ranges, width = {}, {}
for l in open(sys.argv[1] + ".ranges"):
    a, sz, name = l.split()
    a, sz = int(a, 16), int(sz, 16)
    ranges.setdefault(name, []).append((a, sz))
    width[a] = max(width.get(a, 0), sz)
ok = 0
for i, a in enumerate(addrs):
    name = lines[i * stride].split("@")[0] if i * stride < len(lines) else ""
    if any(s <= a < s + max(z, width[s]) for s, z in ranges.get(name, ())):
        ok += 1
print("%.3f" % (100.0 * ok / len(addrs)))
PY
}

# run NAME STRIDE CMD... : prints "secs KB agreement"
run() {
	local name=$1 stride=$2
	shift 2
	/usr/bin/time -f '%e %M' -o "$W/time" "$@" < "$W/addrs" > "$W/out.$name" 2>"$W/err.$name" ||
		{ echo "fail"; return; }
	echo "$(cat "$W/time") $(check "$W/addrs" "$W/out.$name" "$stride")"
}

printf '%-16s %-14s %9s %9s %10s %9s %8s\n' library tool addresses seconds addr/s peakKB agree%
for lib in $LIBS; do
	declare -A per=()
	for n in $SIZES; do
		gen "$lib" "$n" "$W/addrs"
		for tool in cotrace addr2line eu-addr2line llvm-symbolizer; do
			# Only the slow peers are skipped; ours and llvm-symbolizer always run.
			if [ -n "${per[$tool]:-}" ] && [ "${tool%addr2line}" != "$tool" ] &&
			   python3 -c "import sys; sys.exit(0 if ${per[$tool]} * $n > $LIMIT else 1)"; then
				printf '%-16s %-14s %9s %9s\n' "$(basename "$lib")" $tool $n \
					"skipped (projected $(python3 -c "print('%.0f' % (${per[$tool]} * $n))") s)"
				continue
			fi
			case $tool in
			cotrace) r=$(run $tool 1 "$SYMBOLIZE" -e "$lib") ;;
			addr2line) r=$(run $tool 2 addr2line -f -e "$lib") ;;
			eu-addr2line) r=$(run $tool 2 eu-addr2line -f -e "$lib") ;;
			llvm-symbolizer) r=$(run $tool 2 "$LLVM_SYMBOLIZER" --obj="$lib" \
					   --no-demangle --no-inlines --output-style=GNU) ;;
			esac
			read -r secs kb agree <<<"$r"
			per[$tool]=$(python3 -c "print(max($secs, 0.01) / $n)")
			printf '%-16s %-14s %9s %9s %10s %9s %8s\n' "$(basename "$lib")" $tool $n \
				"$secs" "$(python3 -c "print('%.0f' % ($n / max($secs, 0.01)))")" "$kb" "$agree"
		done
	done
	unset per
done
[ -n "${KEEP:-}" ] || rm -rf "$W"
