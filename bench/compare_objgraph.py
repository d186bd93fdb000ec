#!/usr/bin/env python3
"""Compare this project's objgraph with upstream objgraph 3.6.2 on the leak-hunt workload.

    python3 bench/compare_objgraph.py [LEAKHUNT] [--objects N] [--no-pathological] [--memory-objects N]

LEAKHUNT defaults to ../shared/bench/leakhunt.py relative to the repository. Upstream runs in a venv
under /tmp (created once with pip: objgraph==3.6.2); ours runs with the current interpreter, from an
in-place build of this checkout if there is one (python setup.py build_ext --inplace), else the
installed package. Prints per step both timings, each above the gc.collect floor (for the steps that
call gc.collect() first), and the ratio; then the peak memory growth of get_new_ids, measured as
ru_maxrss growth in a separate process per implementation. Benchmark only: it gates nothing.

"Above the floor" subtracts leakhunt's one gc.collect() measured at the start; but later steps run
on a bigger heap (get_new_ids' sets, the pathological steps' 200k extra lists), where a collection
costs more than that floor, and the excess lands in the step. So leakhunt also runs through a shim
module (--module) that times the gc.collect() calls made inside each API call: "net" is a step's
time minus the time of its own collections. Ratios are given for both.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = "/tmp/objgraph-bench-venv-3.6.2"
FLOOR = "gc.collect (floor)"
# leakhunt steps whose objgraph call starts with a gc.collect()
COLLECTING = ("growth", "get_new_ids", "find_", "show_", "get_leaking_objects")
PATHOLOGICAL = ("find_ref_chain wide, absent", "find_backref_chain, fails")


def upstream_python():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    probe = [py, "-c", "import objgraph, sys; sys.exit(objgraph.__version__ != '3.6.2')"]
    if subprocess.call(probe, stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", "objgraph==3.6.2"])
    return py


def our_env():
    env = dict(os.environ)
    pkg = os.path.join(REPO, "bindings", "python")
    if glob.glob(os.path.join(pkg, "objgraph", "_core*.so")):
        env["PYTHONPATH"] = pkg + os.pathsep + env.get("PYTHONPATH", "")
    return env


SHIM = r"""
# leakhunt --module og_timed: objgraph with the gc.collect() time inside each API call recorded.
import atexit, functools, gc, json, os, time, types
import objgraph as _og
_real_collect = gc.collect
_state = {"depth": 0, "gc": 0.0}
_calls = []


def _timed_collect(*args, **kw):
    t = time.perf_counter()
    try:
        return _real_collect(*args, **kw)
    finally:
        _state["gc"] += time.perf_counter() - t


gc.collect = _timed_collect


def _wrap(name, fn):
    @functools.wraps(fn)
    def call(*args, **kw):
        outer = _state["depth"] == 0
        if outer:
            _state["gc"] = 0.0
        _state["depth"] += 1
        try:
            return fn(*args, **kw)
        finally:
            _state["depth"] -= 1
            if outer:
                _calls.append([name, _state["gc"]])
    return call


for _name in dir(_og):
    _value = getattr(_og, _name)
    if not _name.startswith("_") and isinstance(_value, types.FunctionType):
        _value = _wrap(_name, _value)
    globals().setdefault(_name, _value)
__file__ = _og.__file__


@atexit.register
def _dump():
    with open(os.environ["OG_TIMED_OUT"], "w") as f:
        json.dump(_calls, f)
"""


def run_leakhunt(python, env, leakhunt, objects, pathological):
    tmp = tempfile.mkdtemp(prefix="og-compare-")
    with open(os.path.join(tmp, "og_timed.py"), "w") as f:
        f.write(SHIM)
    out, calls_out = os.path.join(tmp, "steps.json"), os.path.join(tmp, "calls.json")
    env = dict(env, OG_TIMED_OUT=calls_out)
    env["PYTHONPATH"] = tmp + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [python, leakhunt, "--module", "og_timed", "--objects", str(objects), "--json", out]
    if pathological:
        cmd.append("--pathological")
    print("$", " ".join(cmd), flush=True)
    subprocess.check_call(cmd, env=env, cwd=tmp)
    with open(out) as f:
        steps = json.load(f)["steps"]
    with open(calls_out) as f:
        calls = [c for c in json.load(f) if c[0] != "is_proper_module"]  # leakhunt's own check
    # every step after the floor is exactly one API call, in order
    names = [n for n in steps if n != FLOOR]
    assert len(names) == len(calls), (names, calls)
    gc_time = dict((n, c[1]) for n, c in zip(names, calls))
    return steps, gc_time


MEMORY_SCRIPT = r"""
import gc, resource, sys
import objgraph
class Session:
    def __init__(self, i):
        self.d = {"i": [i]}
keep = [Session(i) for i in range(%d // 3)]
gc.collect()
def maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
before = maxrss()
objgraph.get_new_ids(limit=0)              # baseline scan: every object is new
first = maxrss() - before
more = [Session(i) for i in range(1000)]
before = maxrss()
objgraph.get_new_ids(limit=0)              # the call a leak hunt repeats: diff against the last
print(objgraph.__file__, len(gc.get_objects()), first, maxrss() - before)
"""


def peak_memory(python, env, objects):
    out = subprocess.check_output([python, "-c", MEMORY_SCRIPT % objects], env=env,
                                  cwd=tempfile.gettempdir(), text=True)
    path, nobjs, first, kib = out.split()
    return path, int(nobjs), int(first), int(kib)


def above(name, t, floor):
    return max(t - floor, 0.0) if name.startswith(COLLECTING) else t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("leakhunt", nargs="?",
                    default=os.path.join(REPO, "..", "shared", "bench", "leakhunt.py"))
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--no-pathological", action="store_true")
    ap.add_argument("--memory-objects", type=int, default=1000000)
    args = ap.parse_args()
    leakhunt = os.path.abspath(args.leakhunt)
    up_py = upstream_python()
    ours, ours_gc = run_leakhunt(sys.executable, our_env(), leakhunt, args.objects,
                                 not args.no_pathological)
    theirs, theirs_gc = run_leakhunt(up_py, dict(os.environ, PYTHONPATH=""), leakhunt,
                                     args.objects, not args.no_pathological)
    f_up, f_us = theirs[FLOOR], ours[FLOOR]
    print()
    print("seconds; -fl: above leakhunt's gc.collect floor; -net: minus the step's own collections")
    print("%-28s %8s %8s %10s %10s %7s %10s %10s %7s" % (
        "step", "objgraph", "ours", "objgraph-fl", "ours-fl", "ratio", "objgr-net", "ours-net",
        "ratio"))
    tot = [0.0, 0.0, 0.0, 0.0]
    worst = None
    for name in theirs:
        up, us = theirs[name], ours.get(name, float("nan"))
        if name == FLOOR:
            print("%-28s %8.4f %8.4f" % (name, up, us))
            continue
        a_up, a_us = above(name, up, f_up), above(name, us, f_us)
        n_up, n_us = max(up - theirs_gc[name], 0.0), max(us - ours_gc[name], 0.0)
        for k, v in enumerate((a_up, a_us, n_up, n_us)):
            tot[k] += v
        r_fl = a_up / a_us if a_us > 0 else float("inf")
        r_net = n_up / n_us if n_us > 0 else float("inf")
        target = 50 if name in PATHOLOGICAL else 5
        mark = "" if max(r_fl, r_net) >= target else "  < %dx" % target
        if worst is None or r_net < worst[1]:
            worst = (name, r_net)
        print("%-28s %8.4f %8.4f %10.4f %10.4f %6.1fx %10.4f %10.4f %6.1fx%s" % (
            name, up, us, a_up, a_us, r_fl, n_up, n_us, r_net, mark))
    r_fl = tot[0] / tot[1] if tot[1] else float("inf")
    r_net = tot[2] / tot[3] if tot[3] else float("inf")
    print("%-28s %8s %8s %10.4f %10.4f %6.1fx %10.4f %10.4f %6.1fx%s" % (
        "total", "", "", tot[0], tot[1], r_fl, tot[2], tot[3], r_net,
        "" if max(r_fl, r_net) >= 20 else "  < 20x"))
    print("slowest net ratio: %s %.1fx" % worst)
    print()
    us_path, us_n, us_first, us_kib = peak_memory(sys.executable, our_env(), args.memory_objects)
    up_path, up_n, up_first, up_kib = peak_memory(up_py, dict(os.environ, PYTHONPATH=""),
                                                  args.memory_objects)
    print("get_new_ids peak RSS growth (ru_maxrss), ~%d gc objects:" % us_n)
    print("  %-9s %14s %14s" % ("", "baseline call", "next call"))
    print("  %-9s %10.1f MiB %10.1f MiB  (%s)" % ("objgraph", up_first / 1024.0, up_kib / 1024.0,
                                                   up_path))
    print("  %-9s %10.1f MiB %10.1f MiB  (%s)" % ("ours", us_first / 1024.0, us_kib / 1024.0,
                                                   us_path))
    share = us_kib / float(up_kib) if up_kib else float("nan")
    print("  next call: ours / objgraph = %.3f%s" % (share, "" if share <= 0.2 else "  > 1/5"))
    print("  (the baseline call returns every id as new: both build those Python int sets)")


if __name__ == "__main__":
    main()
