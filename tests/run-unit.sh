#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the unit-test binaries given as arguments.
set -u
cd "$(dirname "$0")/.."
rc=0
for t in "$@"; do "$t" || rc=1; done
exit $rc
