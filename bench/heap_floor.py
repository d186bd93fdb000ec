#!/usr/bin/env python3
"""Lower bounds on leakhunt's heap: what the cheapest possible pass costs, whoever implements it.

    python3 bench/heap_floor.py [--objects N] [--repeat R]

Builds bench/heap_floor.c (a throwaway extension, with the adapter's gc-list walk) in a temporary
directory, builds leakhunt.py's heap, and times, best of R:
  walk            visit every gc-tracked object (gc headers only)
  referrers pass  one gc.get_referrers(x) scan without its list: each referent compared with x
  raw pass        traverse everything, storing each referent pointer (unresolved)
  touch pass      traverse everything, reading each referent's type and refcount
  capture pass    the data a snapshot writes (IR-wide node and edge records, str label bytes, into
                  fresh memory), with no lookup, hashing, interning or CSR
and the size of the objects get_new_ids()'s first call must return (a set of int ids per type
name, every gc object's id in one of them), which bounds its peak memory growth from below.
Used to tell which of objgraph's timings a faster implementation can divide by a given factor:
a backward search that objgraph answers with k get_referrers scans cannot, in general, be done
in less than one pass here. Benchmark only: nothing here asserts a time.
"""
import argparse
import gc
import importlib.util
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
from snapshot_python import best, build, registry  # noqa: E402  leakhunt's heap, best of R


def build_ext(tmp):
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext as _build_ext
    ext = Extension("_heap_floor",
                    sources=[os.path.join(REPO, "bench", "heap_floor.c"),
                             os.path.join(REPO, "bindings", "python", "src", "heap_gc.c")],
                    extra_compile_args=["-O2"])
    dist = Distribution({"name": "heap_floor", "ext_modules": [ext]})
    cmd = _build_ext(dist)
    cmd.build_lib = tmp
    cmd.build_temp = os.path.join(tmp, "build")
    cmd.ensure_finalized()
    cmd.run()
    path = cmd.get_ext_fullpath("_heap_floor")
    spec = importlib.util.spec_from_file_location("_heap_floor", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def new_ids_result_bytes():
    """Bytes held by {type name: set of ids} over every gc object: the sets and the ints."""
    by_type = {}
    for o in gc.get_objects():
        by_type.setdefault(type(o).__name__, set()).add(id(o))
    total = sum(sys.getsizeof(s) + sum(sys.getsizeof(i) for i in s) for s in by_type.values())
    return total, sum(len(s) for s in by_type.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        floor = build_ext(tmp)
    build(args.objects)
    gc.collect()
    gc.disable()
    target = registry[0][0]
    t_walk, (nobj, _, _, _) = best(floor.walk, args.repeat)
    t_ref, (_, nref, _, _) = best(lambda: floor.referrers_pass(target), args.repeat)
    t_get, _ = best(lambda: gc.get_referrers(target), args.repeat)
    t_raw, _ = best(lambda: floor.raw_pass(nref + 1024), args.repeat)
    t_touch, _ = best(floor.touch_pass, args.repeat)
    t_cap, (cn, ce, full) = best(lambda: floor.capture_pass(4 * nobj, 6 * nobj), args.repeat)
    assert not full, "capture_pass: arrays too small"
    objs = gc.get_objects()
    t_base, _ = best(lambda: gc.get_referents(*objs), args.repeat)
    del objs
    t_collect, _ = best(gc.collect, args.repeat)
    print("python %s; %d gc objects, %d references" % (sys.version.split()[0], nobj, nref))
    rows = [("walk (gc headers)", t_walk), ("referrers pass (compare only)", t_ref),
            ("gc.get_referrers(x)", t_get), ("raw pass (store referents)", t_raw),
            ("touch pass (read each referent)", t_touch),
            ("capture pass (%d nodes, %d edges)" % (cn, ce), t_cap),
            ("gc.get_referents(*gc.get_objects())", t_base), ("gc.collect()", t_collect)]
    for name, t in rows:
        print("%-34s %8.2f ms" % (name, t * 1e3))
    size, count = new_ids_result_bytes()
    print("%-34s %8.1f MiB (%d ids, %.1f bytes each)" % (
        "get_new_ids first result", size / 2**20, count, size / count))
    gc.enable()


if __name__ == "__main__":
    main()
