#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch Debian's stock kernel (the versioned package linux-image-amd64
# depends on) with apt and unpack it into a cache directory, once. Prints
# the unpacked directory (with boot/vmlinuz-* and lib/modules/*).
#   fetch-kernel.sh CACHE_DIR
set -euo pipefail
cache=${1:?usage: fetch-kernel.sh CACHE_DIR}
mkdir -p "$cache"
cd "$cache"

# The versioned package name, from the metapackage's Depends.
meta_dir=$(mktemp -d "$cache/meta.XXXXXX")
trap 'rm -rf "$meta_dir"' EXIT
chmod 755 "$meta_dir"
if ! (cd "$meta_dir" && timeout 120 apt-get download -qq linux-image-amd64 2>/dev/null); then
	# Offline: a kernel unpacked by an earlier run will do.
	old=$(ls -d "$cache"/linux-image-*/.complete 2>/dev/null | sort -V | tail -n1)
	[ -n "$old" ] || { echo "fetch-kernel: apt-get download linux-image-amd64 failed" >&2; exit 1; }
	echo "fetch-kernel: apt failed; using the cached $(dirname "$old")" >&2
	dirname "$old"
	exit 0
fi
pkg=$(dpkg-deb -f "$meta_dir"/linux-image-amd64_*.deb Depends |
	tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
[ -n "$pkg" ] || { echo "fetch-kernel: no linux-image-* in linux-image-amd64's Depends" >&2; exit 1; }

dir=$cache/$pkg
if [ ! -e "$dir/.complete" ]; then
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	(cd "$meta_dir" && timeout 300 apt-get download -qq "$pkg" 2>/dev/null) ||
		{ echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb -x "$meta_dir/${pkg}"_*.deb "$dir.tmp"
	mv "$dir.tmp" "$dir"
	touch "$dir/.complete"
fi
echo "$dir"
