# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/funccount_example.txt (make examples).
say "Demonstrations of funccount, the cotrace tool (real runs on Linux $(uname -r | cut -d- -f1))."
run "funccount --cmd '$T/calls 1000 250' '$T/calls:*'"
run "funccount --cmd '$T/cxx 100' 'uprobe:$T/cxx:cpp:\"shapes::*\"'"
run "funccount --cmd '$T/usdt 10' 'u:$T/usdt:cotrace:*'"
run "funccount -l -v 'u:$T/usdt:*'"
run "funccount -j --cmd '$T/calls 3 2' '$T/calls:foo' '$T/calls:bar'"
say "Regular expressions (-r) match from the start of the name, as bcc's:"
run "funccount -l -r 'c:(write|read)$'"
say "bcc's -c is a CPU: libc malloc() calls on CPU 0 for a second:"
run "funccount -c 0 -d 1 c:malloc"
run "funccount -d 1 vfs_read"
