# SPDX-License-Identifier: GPL-2.0-only
# pytree SECS OUT: a known Python call tree, <module> -> main -> a -> b ->
# leaf, where leaf does CPU work in Python (a loop) and in json.dumps (C
# and Python), for SECS seconds. A helper thread samples the main
# thread's stack with sys._current_frames() every 1 ms and writes, at
# exit, to OUT one line per innermost function, "COUNT module.qualname",
# then "total COUNT": the program's own view of where its time went.
import json
import sys
import threading
import time

DATA = {"k%d" % i: [i, str(i), {"x": i * 0.5}] for i in range(40)}


def leaf():
    s = 0
    for i in range(1500):
        s += i * i
    return s + len(json.dumps(DATA))


def b():
    return leaf()


def a():
    return b()


def sampler(main_id, stop, counts):
    while not stop.is_set():
        time.sleep(0.001)
        f = sys._current_frames().get(main_id)
        if f is None:
            continue
        # As the tools name it: a module's own code has no function, so no module.
        q = f.f_code.co_qualname
        key = q if q == "<module>" else "%s.%s" % (f.f_globals.get("__name__"), q)
        counts[key] = counts.get(key, 0) + 1


def main(secs, out):
    # The sampler waits for the GIL: a shorter switch interval (5 ms by
    # default) lets it sample more often, for shares known to a point.
    sys.setswitchinterval(0.0005)
    stop = threading.Event()
    counts = {}
    t = threading.Thread(target=sampler, args=(threading.get_ident(), stop, counts))
    t.start()
    end = time.monotonic() + secs
    while time.monotonic() < end:
        a()
    stop.set()
    t.join()
    with open(out, "w") as f:
        for k, v in sorted(counts.items()):
            f.write("%d %s\n" % (v, k))
        f.write("total %d\n" % sum(counts.values()))


main(float(sys.argv[1]), sys.argv[2])
