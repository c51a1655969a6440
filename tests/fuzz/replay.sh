#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Replay the committed corpus of one harness once, without fuzzing:
# every seed and every regression input (a crash once found, now fixed)
# must run clean under ASan+UBSan. replay.sh build/fuzz/NAME
set -eu
cd "$(dirname "$0")/../.."
h=$1
name=$(basename "$h")
corpus=tests/fuzz/corpus/$name
[ -x "$h" ] || { echo "$h missing: run make fuzz-bins"; exit 1; }
[ -d "$corpus" ] || { echo "$corpus missing"; exit 1; }
n=$(find "$corpus" -type f | wc -l)
[ "$n" -gt 0 ] || { echo "$corpus is empty"; exit 1; }
# -runs=0: read and execute every input of the corpus, then stop.
"$h" -runs=0 -timeout=10 -rss_limit_mb=2048 "$corpus"
echo "$name: $n inputs replayed"
