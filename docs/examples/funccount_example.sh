# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/funccount_example.txt (make examples).
say "Demonstrations of funccount, the cotrace tool (real runs on Linux $(uname -r | cut -d- -f1))."
run "funccount -c '$T/calls 1000 250' '$T/calls:*'"
run "funccount -c '$T/cxx 100' 'uprobe:$T/cxx:cpp:\"shapes::*\"'"
run "funccount -c '$T/usdt 10' 'u:$T/usdt:cotrace:*'"
run "funccount -l -v 'u:$T/usdt:*'"
run "funccount -j -c '$T/calls 3 2' '$T/calls:foo' '$T/calls:bar'"
run "funccount -d 1 vfs_read"
