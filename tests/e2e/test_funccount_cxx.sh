#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount on C++: wildcards over demangled names, the bpftrace cpp: form
# matching every overload, and mangled names; counts are exact.
source "$(dirname "$0")/lib.sh"
N=4

check "cxx:shapes::*::area -> Circle $N, Square $((2 * N)), names demangled"
fc_json --cmd "$T/cxx $N" "$T/cxx:shapes::*::area"
assert_eq "$(count_of "shapes::Circle::area() const")" "$N" "Circle::area"
assert_eq "$(count_of "shapes::Square::area() const")" "$((2 * N))" "Square::area"
assert_eq "$(summary_of sites)" 2 "sites"

check "uprobe:cxx:cpp:\"shapes::scale\" matches both overloads"
fc_json --cmd "$T/cxx $N" "uprobe:$T/cxx:cpp:\"shapes::scale\""
assert_eq "$(count_of "shapes::scale(int)")" "$N" "scale(int)"
assert_eq "$(count_of "shapes::scale(double)")" "$((3 * N))" "scale(double)"
assert_eq "$(summary_of sites)" 2 "sites"

check "mangled cxx:_ZN6shapes5scaleEi -> scale(int) only"
fc_json --cmd "$T/cxx $N" "$T/cxx:_ZN6shapes5scaleEi"
assert_eq "$(count_of "shapes::scale(int)")" "$N" "scale(int)"
assert_eq "$(summary_of sites)" 1 "sites"

check "cleanup"
assert_nothing_attached
echo PASS
