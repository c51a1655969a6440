# SPDX-License-Identifier: GPL-2.0-only
# pylong: long_body(), a function whose line table is longer than the
# 512 bytes the BPF side copies, loops in its last lines (one line,
# marked HOT, after it prints "looping") until a line arrives on stdin;
# then the program prints the table's length and exits. A tracer's -p
# finds it alive.
import select
import sys


def long_body():
    v = 0
    v = v * 3 + 0 if v < 1000 else v - 0
    v = v * 3 + 1 if v < 1000 else v - 1
    v = v * 3 + 2 if v < 1000 else v - 2
    v = v * 3 + 3 if v < 1000 else v - 3
    v = v * 3 + 4 if v < 1000 else v - 4
    v = v * 3 + 5 if v < 1000 else v - 5
    v = v * 3 + 6 if v < 1000 else v - 6
    v = v * 3 + 7 if v < 1000 else v - 7
    v = v * 3 + 8 if v < 1000 else v - 8
    v = v * 3 + 9 if v < 1000 else v - 9
    v = v * 3 + 10 if v < 1000 else v - 10
    v = v * 3 + 11 if v < 1000 else v - 11
    v = v * 3 + 12 if v < 1000 else v - 12
    v = v * 3 + 13 if v < 1000 else v - 13
    v = v * 3 + 14 if v < 1000 else v - 14
    v = v * 3 + 15 if v < 1000 else v - 15
    v = v * 3 + 16 if v < 1000 else v - 16
    v = v * 3 + 17 if v < 1000 else v - 17
    v = v * 3 + 18 if v < 1000 else v - 18
    v = v * 3 + 19 if v < 1000 else v - 19
    v = v * 3 + 20 if v < 1000 else v - 20
    v = v * 3 + 21 if v < 1000 else v - 21
    v = v * 3 + 22 if v < 1000 else v - 22
    v = v * 3 + 23 if v < 1000 else v - 23
    v = v * 3 + 24 if v < 1000 else v - 24
    v = v * 3 + 25 if v < 1000 else v - 25
    v = v * 3 + 26 if v < 1000 else v - 26
    v = v * 3 + 27 if v < 1000 else v - 27
    v = v * 3 + 28 if v < 1000 else v - 28
    v = v * 3 + 29 if v < 1000 else v - 29
    v = v * 3 + 30 if v < 1000 else v - 30
    v = v * 3 + 31 if v < 1000 else v - 31
    v = v * 3 + 32 if v < 1000 else v - 32
    v = v * 3 + 33 if v < 1000 else v - 33
    v = v * 3 + 34 if v < 1000 else v - 34
    v = v * 3 + 35 if v < 1000 else v - 35
    v = v * 3 + 36 if v < 1000 else v - 36
    v = v * 3 + 37 if v < 1000 else v - 37
    v = v * 3 + 38 if v < 1000 else v - 38
    v = v * 3 + 39 if v < 1000 else v - 39
    print("looping", flush=True)
    while not select.select([sys.stdin], [], [], 0)[0]: v += 1  # HOT
    return v


long_body()
print(len(long_body.__code__.co_linetable), flush=True)
