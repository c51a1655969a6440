# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/stackcount_example.txt (make examples).
say "Demonstrations of stackcount, the cotrace tool (real runs on Linux $(uname -r | cut -d- -f1))."
run "stackcount --cmd '$T/stacks 12' '$T/stacks:gamma'"
run "stackcount -f --cmd '$T/stacks 12' '$T/stacks:gamma'"
say "User stacks are walked from call-frame information (--unwind auto, the
default): libc's start frames keep no frame pointer, yet the walk reaches
_start. With --unwind fp the kernel's frame-pointer walk stops early:"
run "stackcount -f --unwind fp --cmd '$T/stacks 12' '$T/stacks:gamma'"
say "A program built without frame pointers, and a syscall wrapper's caller
(close_a, close_b) at libc's close(), which keeps no frame either:"
run "stackcount -f --cmd '$T/stacks_nofp 12' '$T/stacks_nofp:gamma'"
run "echo go | stackcount -f --cmd '$T/closer_nofp 7 3' c:close"
say "-v says which walk is used and what the unwind tables cost:"
run "stackcount -v -f --cmd '$T/unwinder signal 2' c:close"
run "stackcount -s --cmd '$T/cxx 3' '$T/cxx:shapes::scale'"
run "stackcount -K --cmd '$T/calls 1 1' 't:syscalls:sys_enter_exit_group'"
run "stackcount -d --cmd '$T/calls 1 1' 't:syscalls:sys_enter_exit_group'"
run "stackcount -P -df --cmd '$T/calls 1 1' 't:syscalls:sys_enter_exit_group'"
