#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: count the functions of a bundled workload with funccount.
set -eu
cd "$(dirname "$0")/.."
T=build/tests/targets
if [ "$(id -u)" -ne 0 ]; then
	echo "make demo loads BPF programs: run it as root (sudo make demo)" >&2
	exit 1
fi
echo "# funccount --cmd '$T/calls 1000 250' '$T/calls:*'"
build/funccount --cmd "$T/calls 1000 250" "$T/calls:*"
echo
echo "# funccount --cmd '$T/cxx 100' '$T/cxx:shapes::*'"
build/funccount --cmd "$T/cxx 100" "$T/cxx:shapes::*"
echo
echo "# funccount -d 2 'c:str*'   (every process on the host, 2 seconds)"
build/funccount -d 2 'c:str*'
