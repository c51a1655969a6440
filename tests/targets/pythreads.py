# SPDX-License-Identifier: GPL-2.0-only
# pythreads N: two threads and a generator, each opening /dev/null a known
# number of times (one openat() each):
#   thread "t1": worker_one -> opener, N times
#   thread "t2": worker_two -> drain -> a generator gen_files, 2N times
#   main: main -> map() calling back opener_cb (a C callback), 3 times
#   main: main -> asyncio.run() of the coroutine co_main, awaiting
#         co_open 4 times
import asyncio
import sys
import threading


def opener():
    open("/dev/null").close()


def worker_one(n):
    for _ in range(n):
        opener()


def gen_files(n):
    for _ in range(n):
        open("/dev/null").close()
        yield 1


def drain(n):
    return sum(gen_files(n))


def worker_two(n):
    drain(n)


def opener_cb(x):
    open("/dev/null").close()
    return x


async def co_open():
    await asyncio.sleep(0)
    open("/dev/null").close()


async def co_main():
    for _ in range(4):
        await co_open()


def main(n):
    t1 = threading.Thread(target=worker_one, args=(n,))
    t2 = threading.Thread(target=worker_two, args=(2 * n,))
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    list(map(opener_cb, range(3)))
    asyncio.run(co_main())


main(int(sys.argv[1]))
