# SPDX-License-Identifier: GPL-2.0-only
# pyload SECS: a pure-Python CPU loop for SECS seconds (the interpreter,
# Debian's python3, has no frame pointers). Prints "ready" once looping.
import sys
import time


def inner(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def middle(n):
    return inner(n) + inner(n // 2)


def outer(secs):
    end = time.monotonic() + secs
    middle(10)
    print("ready", flush=True)
    while time.monotonic() < end:
        middle(5000)


outer(float(sys.argv[1]))
