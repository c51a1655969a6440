#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The design's C++ address book: AddressBook::AddContact(const std::string
# &name, const std::string &email, int age) listed by name and type from
# DWARF, traced as strings by name, and its string sizes summed by argdist;
# the same with the DWARF in a .gnu_debuglink file; names refused with one
# sentence when there is no DWARF.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"
source "$(dirname "$0")/argdist_lib.sh"

F=AddressBook::AddContact
for B in addressbook addressbook_stripped; do
	AB=$T/$B
	check "$B: uprobe-trace -l -v lists the parameters by name and type"
	"$UT" -l -v "$AB:$F" >"$OUT" 2>"$OUT.err" || fail "uprobe-trace -l -v"
	assert_eq "$(sed -n 2,5p "$OUT" | tr '\n' '|')" \
		"    AddressBook *const this|    const std::string &name|    const std::string &email|    int age|" \
		"parameters"
	assert_eq "$(sed -n 1p "$OUT" | cut -d'(' -f1)" "uprobe:$AB:$F" "probe line"

	check "$B: uprobe-trace prints the strings by name"
	ut_json --cmd "$AB" "p:$AB:$F \"%s <%s> %d\", name, email, age"
	assert_eq "$(messages | tr '\n' '|')" \
		"Ada Lovelace <ada@example.org> 36|Alan Turing <alan@example.org> 41|Grace Hopper <grace@example.org> 85|Ken Thompson <ken@example.org> 41|" \
		"contacts"

	check "$B: argdist sums the string sizes (std::string length at offset 8)"
	ad_json --cmd "$AB" -H "p:$AB:$F():u64:*(name+8)" -H "p:$AB:$F():u64:*(email+8)#email"
	assert_eq "$(jq -s -c '[.[] | select(.type == "hist") | .sum]' "$OUT")" "[47,63]" \
		"sums of name and email sizes"
	assert_eq "$(buckets)" "8-15:6 16-31:2" "histogram of the sizes"
	ad_json --cmd "$AB" -C "p:$AB:$F():int:age"
	assert_eq "$(counts age)" "36=1 41=2 85=1" "ages"
	ad_json --cmd "$AB" -C "p:$AB:$F():std::string,int:name,age:age == 41"
	assert_eq "$(counts name)" "Alan Turing=1 Ken Thompson=1" "names of age 41"
done

check "no DWARF: names are refused with one sentence, exit 2"
AB=$T/addressbook_nodwarf
rc=0
"$UT" --cmd "$AB" "p:$AB:$F \"%d\", age" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 2 "uprobe-trace exit code"
assert_eq "$(grep -c 'unknown name .age.*has no debug information (DWARF)' "$OUT.err")" 1 "uprobe-trace message"
rc=0
"$AD" --cmd "$AB" -C "p:$AB:$F():int:age" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 2 "argdist exit code"
assert_eq "$(wc -l <"$OUT.err")" 1 "one line"
assert_eq "$(grep -c 'unknown name .age.*has no debug information (DWARF)' "$OUT.err")" 1 "argdist message"
check "no DWARF: arg registers still work"
ad_json --cmd "$AB" -C "p:$AB:$F(void *this, char *name, char *email, int age):int:age"
assert_eq "$(counts age)" "36=1 41=2 85=1" "ages from the signature"

check "cleanup"
assert_no_trace_progs
assert_no_argdist_progs
echo PASS
