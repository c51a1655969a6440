#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Man pages true to --help: for every tool (tools/NAME.c, as the Makefile
# finds them) docs/man/NAME.8 exists, has bcc's sections, renders with
# groff -ww (and man -l) without a warning, and its OPTIONS section names
# every option NAME --help shows, and no option --help does not show.
# Needs no root, no BPF: only the built binaries.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
fails=0
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

SECTIONS=(NAME SYNOPSIS DESCRIPTION REQUIREMENTS OPTIONS EXAMPLES FIELDS OVERHEAD SOURCE "SEE ALSO")

# help_options BIN: the -x and --long options of the Options: section of --help.
help_options() {
	"$1" --help | awk '/^Options:/ { on = 1; next } on && /^[^ ]/ { on = 0 }
		on && /^ +-/ { for (i = 1; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w ~ /^--?[A-Za-z0-9][-A-Za-z0-9]*$/) print w; else break } }' | sort -u
}

# render PAGE: plain text, one very long line per paragraph, no hyphenation,
# so an option is never split across lines.
render() {
	groff -man -Tascii -rLL=2000n -rHY=0 -P-cbou "$1" 2>/dev/null
}

# man_options PAGE: the options tagged at the start of an OPTIONS entry
# (".TP" tags: "-p, --pid PID"), up to the first word that is neither an
# option nor an argument name.
man_options() {
	render "$1" | awk '/^[A-Z]/ { on = ($0 == "OPTIONS"); next }
		on && /^       -/ { for (i = 1; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w ~ /^--?[A-Za-z0-9][-A-Za-z0-9]*$/) print w
			else if (w !~ /^[A-Z[]/) break } }' | sort -u
}

tools=()
for src in tools/*.c; do
	n=$(basename "$src" .c)
	tools+=("${n//_/-}")
done
for page in docs/man/*.8; do
	n=$(basename "$page" .8)
	[ -f "tools/${n//-/_}.c" ] || bad "$page: no tool $n (tools/${n//-/_}.c)"
done

for t in "${tools[@]}"; do
	page=docs/man/$t.8
	bin=build/$t
	echo "check: $t"
	[ -x "$bin" ] || { bad "$bin missing: run make"; continue; }
	[ -f "$page" ] || { bad "$page missing"; continue; }

	warn=$(groff -ww -z -man "$page" 2>&1)
	[ -z "$warn" ] || bad "$page: groff -ww warns: $warn"
	if command -v man >/dev/null; then
		warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$warn" ] || bad "$page: man -l warns: $warn"
	fi
	head -n 1 "$page" | grep -q 'SPDX-License-Identifier' || bad "$page: no SPDX line"
	grep -q "^\.TH $t 8 " "$page" || bad "$page: .TH is not '$t 8'"

	heads=$(render "$page" | grep -E '^[A-Z][A-Z ]+$')
	for s in "${SECTIONS[@]}"; do
		grep -qx "$s" <<<"$heads" || bad "$page: no $s section"
	done

	hopts=$(help_options "$bin")
	[ -n "$hopts" ] || { bad "$t --help: no options found"; continue; }
	mopts=$(man_options "$page")
	missing=$(comm -23 <(echo "$hopts") <(echo "$mopts") | tr '\n' ' ')
	extra=$(comm -13 <(echo "$hopts") <(echo "$mopts") | tr '\n' ' ')
	[ -z "$missing" ] || bad "$page: OPTIONS lacks $missing(shown by $t --help)"
	[ -z "$extra" ] || bad "$page: OPTIONS has $extra(not in $t --help)"
	[ -n "$missing$extra" ] || echo "  ok: $(wc -w <<<"$hopts") options, as in --help"
done
[ "$fails" -eq 0 ] || { echo "$fails problem(s)" >&2; exit 1; }
echo "ok: ${#tools[@]} man pages"
