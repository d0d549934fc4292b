#!/usr/bin/env python3
"""tools/rounds.py: the latency of read rounds in mounted instances, for
tools/bench's concurrency rows.

    rounds.py OUT STOP INSTANCE... [--probe INSTANCE FIRST LAST]

Until the file STOP exists, runs one round after the other, each in the
next INSTANCE (a tenant instance directory under the mount): list
metadata/Role (ls), read one of its objects whole (cat; a different one
each time), stat instance.conf, history/log and the tenant's tenant.conf
(stat).  Writes one line per round to OUT:

    START LATENCY INSTANCE-INDEX ok|error:WHAT [PROBE]

START in nanoseconds since the epoch (to compare with the shell's
$EPOCHREALTIME), LATENCY in nanoseconds (a monotonic clock).  With --probe, after each timed round (outside its time) it
looks at INSTANCE's state: whether the package records FIRST and LAST
(paths relative to INSTANCE) exist and the number on history/log's top
line, as PROBE = "first:0|1,last:0|1,top:N" (top:moving when the top
changed while the probe ran: it spans the commit and shows no one
state).  A reader that sees the state before an apply or after it sees
first and last both absent or both there, with the matching history
top; anything else is a part of it.
"""
import os
import sys
import time


def round_once(inst, k):
    """One round in instance directory inst; returns "ok" or "error:..."."""
    what = "ls"
    try:
        names = sorted(os.listdir(os.path.join(inst, "metadata", "Role")))
        what = "cat"
        if names:
            with open(os.path.join(inst, "metadata", "Role",
                                   names[k % len(names)]), "rb") as f:
                while f.read(1 << 16):
                    pass
        what = "stat"
        os.stat(os.path.join(inst, "instance.conf"))
        os.stat(os.path.join(inst, "history", "log"))
        os.stat(os.path.join(os.path.dirname(inst), "tenant.conf"))
    except OSError as e:
        return "error:%s:%s" % (what, e.errno)
    return "ok"


def probe(inst, first, last):
    def there(rel):
        try:
            os.stat(os.path.join(inst, rel))
            return 1
        except FileNotFoundError:
            return 0
        except OSError:
            return -1
    def history_top():
        try:
            with open(os.path.join(inst, "history", "log"), "rb") as f:
                return f.readline().split(b" ", 1)[0].decode() or "0"
        except OSError:
            return "?"
    # The probe is four requests, each seeing the last commit when it is
    # answered: if the apply commits between them, the probe spans both
    # states and judges neither (top "moving").
    top0 = history_top()
    a = there(first)
    b = there(last)
    top = history_top()
    return "first:%d,last:%d,top:%s" % (a, b, top if top == top0 else
                                         "moving")


def main(argv):
    args = argv[1:]
    pr = None
    if "--probe" in args:
        i = args.index("--probe")
        pr = args[i + 1:i + 4]
        del args[i:i + 4]
        if len(pr) != 3:
            sys.exit("rounds.py: --probe INSTANCE FIRST LAST")
    if len(args) < 3:
        sys.exit(__doc__)
    out, stop, insts = args[0], args[1], args[2:]
    k = 0
    with open(out, "w") as f:
        while not os.path.exists(stop):
            inst = insts[k % len(insts)]
            start = time.time_ns()
            t0 = time.perf_counter_ns()
            st = round_once(inst, k // len(insts))
            t1 = time.perf_counter_ns()
            line = "%d %d %d %s" % (start, t1 - t0, k % len(insts), st)
            if pr:
                line += " " + probe(*pr)
            f.write(line + "\n")
            f.flush()
            k += 1
            time.sleep(0.005)


if __name__ == "__main__":
    main(sys.argv)
