#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make install into a temporary DESTDIR, twice (plain, and as a distribution
# would with PREFIX=/usr and SUFFIX=-cotrace): every tool of the Makefile's
# TOOLS is installed with its man page and bash completion, each installed
# binary runs --help (exit 0, ends in EXAMPLES) and --version (the build's
# version), each completion registers for the installed name; then
# make uninstall leaves no file behind.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
TMP=$(mktemp -d /tmp/cotrace-install.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

tools=$(make -s --no-print-directory -f - print-tools <<'EOF'
include Makefile
print-tools:
	@echo $(TOOLS)
EOF
) || fail "cannot read TOOLS from the Makefile"
[ -n "$tools" ] || fail "no tools in the Makefile"

# check_install DESTDIR BINDIR MANDIR COMPLDIR SUFFIX
check_install() {
	local d=$1 bindir=$2 mandir=$3 compdir=$4 sfx=$5 t bin out version
	# make install has just rewritten it if git describe changed.
	version=$(sed -n 's/^#define COTRACE_VERSION "\(.*\)"$/\1/p' build/version.h)
	[ -n "$version" ] || fail "build/version.h has no version"
	for t in $tools; do
		bin=$d$bindir/$t$sfx
		[ -x "$bin" ] || fail "$bin not installed"
		cmp -s "$bin" "build/$t" || fail "$bin differs from build/$t"
		out=$("$bin" --help) || fail "$bin --help exited $?"
		grep -q "^Usage: $t " <<<"$out" || fail "$bin --help: no Usage line"
		grep -q '^Examples:' <<<"$out" || fail "$bin --help: no Examples"
		out=$("$bin" --version) || fail "$bin --version exited $?"
		[ "$out" = "$t (cotrace) $version" ] || fail "$bin --version: '$out', expected '$t (cotrace) $version'"
		[ -f "$d$mandir/man8/$t$sfx.8" ] || fail "$d$mandir/man8/$t$sfx.8 not installed"
		[ -f "$d$compdir/$t$sfx" ] || fail "$d$compdir/$t$sfx not installed"
		bash -n "$d$compdir/$t$sfx" || fail "$d$compdir/$t$sfx: bash syntax error"
		# The completion registers for the installed name and offers --help.
		out=$(bash -c '. "$1" && complete -p "$2" && COMP_WORDS=("$2" --he) COMP_CWORD=1 &&
			"_cotrace_${3//-/_}" && echo "${COMPREPLY[*]}"' _ "$d$compdir/$t$sfx" "$t$sfx" "$t") ||
			fail "$d$compdir/$t$sfx does not load"
		grep -q -- "-F _cotrace_${t//-/_} $t$sfx\$" <<<"$out" || fail "$t$sfx: not registered: $out"
		grep -qx -- '--help' <<<"$(tail -n 1 <<<"$out")" || fail "$t$sfx: --he does not complete to --help"
	done
	echo "  ok: $(wc -w <<<"$tools") tools installed under $d, --help and --version run"
}

echo "check: make install DESTDIR=... (defaults)"
make -s --no-print-directory install DESTDIR="$TMP/a" >"$TMP/log" 2>&1 || { cat "$TMP/log"; fail "make install"; }
check_install "$TMP/a" /usr/local/sbin /usr/local/share/man /usr/local/share/bash-completion/completions ""
make -s --no-print-directory uninstall DESTDIR="$TMP/a" >"$TMP/log" 2>&1 || { cat "$TMP/log"; fail "make uninstall"; }
left=$(find "$TMP/a" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "  ok: make uninstall removed every file"

echo "check: make install PREFIX=/usr BINDIR=/usr/bin MANDIR=... SUFFIX=-cotrace"
make -s --no-print-directory install DESTDIR="$TMP/b" PREFIX=/usr BINDIR=/usr/bin \
	MANDIR=/usr/share/man SUFFIX=-cotrace >"$TMP/log" 2>&1 || { cat "$TMP/log"; fail "make install"; }
check_install "$TMP/b" /usr/bin /usr/share/man /usr/share/bash-completion/completions -cotrace
[ -z "$(find "$TMP/b/usr/local" 2>/dev/null)" ] || fail "PREFIX=/usr still installed into /usr/local"
make -s --no-print-directory uninstall DESTDIR="$TMP/b" PREFIX=/usr BINDIR=/usr/bin \
	MANDIR=/usr/share/man SUFFIX=-cotrace >"$TMP/log" 2>&1 || { cat "$TMP/log"; fail "make uninstall"; }
left=$(find "$TMP/b" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "  ok: make uninstall removed every file"
