# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/profile_example.txt (make examples).
say "Demonstrations of profile, the cotrace tool (real runs on Linux $(uname -r | cut -d- -f1))."
run "profile -F 99 --cmd '$T/spin 2'"
say "Debian's python3 has no frame pointers: the CFI walk (the default) still
gives whole stacks, down to _start, for every sample, and in place of the
interpreter's evaluation loop (_PyEval_EvalFrameDefault) the Python functions
it was running, module.qualname (file:LINE):"
run "profile -U -f -F 99 --cmd '/usr/bin/python3 tests/targets/pyload.py 2' | sort -k1,1 | awk '{print \$NF \"\t\" \$0}' | sort -n | cut -f2- | tail -n 3" \
    "profile -U -f -F 99 --cmd '/usr/bin/python3 tests/targets/pyload.py 2' | (the 3 busiest stacks)"
svg=$(mktemp --suffix=.svg)
run "profile -f -F 99 --svg $svg --cmd '$T/spin 2'" "profile -f -F 99 --svg cpu.svg --cmd '$T/spin 2'"
rm -f "$svg"
run "profile -U -f -F 99 --no-python --cmd '/usr/bin/python3 tests/targets/pyload.py 2' | sort -t' ' -k2 -n | tail -n 1" \
    "profile -U -f -F 99 --no-python --cmd '/usr/bin/python3 tests/targets/pyload.py 2' | sort -t' ' -k2 -n | tail -n 1     (the interpreter's own frames)"
run "profile -f 2 | sort -t' ' -k2 -n | tail -n 10" \
    "profile -f 2     (the whole machine, two seconds; the 10 busiest stacks)"
run "profile -adf --cmd '$T/sysload getppid 300000' | sort -t' ' -k2 -n | tail -n 3" \
    "profile -adf --cmd '$T/sysload getppid 300000'     (the 3 busiest stacks, '-' between user and kernel)"
