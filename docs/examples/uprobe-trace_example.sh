# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/uprobe-trace_example.txt (make examples).
# The commands run in the targets' directory, as ./tracee.
cd "$T" || exit 1
say "Demonstrations of uprobe-trace, the cotrace version of bcc's trace."
say "Exit codes of a command and of the children it forks (--cmd follows children):"
run "uprobe-trace --cmd './tracee codes 3 7 42' 'p:c:exit \"%s exited with code %d\", \$comm, arg1'"
say "Arguments and return values, with a filter evaluated in BPF:"
run "uprobe-trace --cmd './tracee label hello 4' 'p:./tracee:label \"%s %d\", arg1, arg2' 'r:./tracee:label (retval > 2) \"returned %d\", retval'"
say "The kernel's uprobe_events syntax, at a raw file offset, with timestamps:"
off=$(printf '0x%x' "$(nm tracee | awk '$3 == "label" { print "0x" $1 }')")
run "uprobe-trace -t --cmd './tracee label xyz 2' 'p:mygrp/myevent ./tracee:$off +0(%di):string n=%si:s32 \$comm'"
say "USDT probe arguments, in JSON:"
run "uprobe-trace -j --cmd './usdt 2' 'u:./usdt:cotrace:tick \"i=%d n=%d\", arg1, arg2'"
say "A tracepoint's fields:"
run "uprobe-trace --cmd './tracee codes 1' 't:sched:sched_process_exit \"%s pid %d prio %d\", args->comm, args->pid, args->prio'"
say "A storm with a one-page ring buffer: what did not fit is counted, never silently lost:"
run "uprobe-trace -b 1 --cmd './tracee storm 100000' 'p:./tracee:tick \"%ld\", arg1' > /dev/null"
say "A Go function: argN are Go's registers (-v says which), and return probes are refused:"
run "uprobe-trace -v --cmd './goprog 3' 'p:./goprog:main.alpha \"%d %d %d\", arg1, arg2, arg3'"
run "uprobe-trace --cmd ./goprog 'r:./goprog:main.rec \"%d\", retval'"
say "bcc trace's options: -C (CPU), -f (message filter), -A (aggregate), -K (kernel stack):"
run "uprobe-trace -C -f 42 --cmd './tracee codes 3 7 42' 'p:c:exit \"%s exited with code %d\", \$comm, arg1'"
run "uprobe-trace -A --cmd './tracee alloc 16 16 32 16' 'p:./tracee:alloc \"size=%d\", arg1'"
run "uprobe-trace -K --cmd './tracee codes 1' 't:sched:sched_process_exit \"%s\", args->comm'"
say "Bad input is one sentence and exit status 2:"
run "uprobe-trace 'p:./tracee:label \"%d\", retval'"
run "uprobe-trace 'p:./tracee:label \"%d %d\", arg1'"
