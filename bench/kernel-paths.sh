#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Kernel functions through trampolines vs kprobes, side by side, on the
# stock 6.1 kernel: tests/vm/run.sh 'bash bench/kernel-paths.sh' (after make targets).
B=$PWD/build; T=$B/tests/targets; N=20000
t() { local s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
for r in 1 2; do
  base=$(t $T/opener $N /etc/hostname)
  fe=$(t $B/funccount --cmd "$T/opener $N /etc/hostname" do_sys_openat2)
  kp=$(t $B/funccount --attach=single --cmd "$T/opener $N /etc/hostname" do_sys_openat2)
  lf=$(t $B/ulatency -c "$T/opener $N /etc/hostname" do_sys_openat2)
  lk=$(t $B/ulatency --attach=single -c "$T/opener $N /etc/hostname" do_sys_openat2)
  echo "run $r ms: bare=$base funccount fentry=$fe kprobe=$kp ulatency fentry+fexit=$lf kprobe+kretprobe=$lk"
done
