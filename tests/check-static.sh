#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A tool must be one static file a user can copy to any host.
set -eu
file "$1" | grep -q 'statically linked' || { echo "$1: not statically linked"; exit 1; }
ldd "$1" 2>&1 | grep -q 'not a dynamic executable' || { echo "$1: ldd finds dependencies"; exit 1; }
