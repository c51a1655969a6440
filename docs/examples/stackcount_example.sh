# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/stackcount_example.txt (make examples).
say "Demonstrations of stackcount, the cotrace tool (real runs on Linux $(uname -r | cut -d- -f1))."
run "stackcount --cmd '$T/stacks 12' '$T/stacks:gamma'"
run "stackcount -f --cmd '$T/stacks 12' '$T/stacks:gamma'"
run "stackcount -s --cmd '$T/cxx 3' '$T/cxx:shapes::scale'"
run "stackcount -K --cmd '$T/calls 1 1' 't:syscalls:sys_enter_exit_group'"
run "stackcount -d --cmd '$T/calls 1 1' 't:syscalls:sys_enter_exit_group'"
run "stackcount -P -df --cmd '$T/calls 1 1' 't:syscalls:sys_enter_exit_group'"
