# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/stackcount_example.txt (make examples).
say "Demonstrations of stackcount, the cotrace tool (real runs on Linux $(uname -r | cut -d- -f1))."
run "stackcount -c '$T/stacks 12' '$T/stacks:gamma'"
run "stackcount -f -c '$T/stacks 12' '$T/stacks:gamma'"
run "stackcount -s -c '$T/cxx 3' '$T/cxx:shapes::scale'"
run "stackcount -K -c '$T/calls 1 1' 't:syscalls:sys_enter_exit_group'"
