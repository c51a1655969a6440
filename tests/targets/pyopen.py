# SPDX-License-Identifier: GPL-2.0-only
# pyopen N M: opens /dev/null N times from open_a and M times from open_b
# (one openat() each), under <module> -> main; each through sorted()'s
# key callback (a Python frame entered from C) once more: open_a's last
# open is made by key_a, called by sorted() from open_a.
import sys


def key_a(x):
    open("/dev/null").close()
    return x


def open_a(n):
    for _ in range(n - 1):
        open("/dev/null").close()
    sorted([1], key=key_a)


def open_b(n):
    for _ in range(n):
        open("/dev/null").close()


def main(n, m):
    open_a(n)
    open_b(m)


main(int(sys.argv[1]), int(sys.argv[2]))
