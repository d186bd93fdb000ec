"""Cost of driving libog.so from Python through ctypes (bindings/ctypes/og_ctypes.py).

    bazel build -c opt //engine/shared:libog.so
    OG_LIBRARY=$(bazel info -c opt bazel-bin)/engine/shared/libog.so python3 bench/ctypes_bench.py [N]

Builds a graph of N nodes (default 200000) node by node through ctypes (module -> list -> N
objects, each with a __dict__, plus a linked chain), saves and reloads the snapshot, then times
most_common_types and the retainer chain to the deepest node: with the flag predicate evaluated in
C and with a Python predicate called back through a CFUNCTYPE per dequeued node. Prints times; no
assertions on them.
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "bindings", "ctypes"))
import og_ctypes  # noqa: E402


def timed(label, fn, *args, **kw):
    t = time.perf_counter()
    result = fn(*args, **kw)
    dt = time.perf_counter() - t
    print("%-44s %9.1f ms" % (label, dt * 1e3))
    return result, dt


def build(n):
    b = og_ctypes.Builder()
    module = b.add_node(1, "module", size=88, flags=og_ctypes.GC_TRACKED | og_ctypes.MODULE, label="m")
    items = b.add_node(2, "list", "builtins.list", size=8 * n)
    b.add_edge(module, items, "attr", "items")
    prev = items
    next_id = 3
    for i in range(n // 2):
        obj = b.add_node(next_id, "Obj", "app.Obj", size=48)
        d = b.add_node(next_id + 1, "dict", "builtins.dict", size=104)
        next_id += 2
        b.add_edge(items, obj, "index", i)
        b.add_edge(obj, d, "dict", "__dict__")
        b.add_edge(prev, obj, "attr", "next")  # a long chain: the deepest node is far away
        prev = obj
    return b.finish(), next_id - 2  # the last Obj


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    print("libog.so:", og_ctypes.find_library())
    (graph, deepest), _ = timed("build %d nodes via ctypes (2 calls/node)" % n, build, n)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.ogsnap")
        timed("og_snapshot_save", graph.save, path)
        graph.close()
        print("snapshot: %.1f MB" % (os.path.getsize(path) / 1e6))
        g, _ = timed("Graph.load (og_snapshot_load)", og_ctypes.Graph.load, path)
    with g:
        rows, _ = timed("most_common_types(10)", g.most_common_types, 10)
        print("   ", rows[:3])
        chain, _ = timed("chain_to(dict of last Obj) from a module", g.chain_to, deepest + 1)
        print("    chain length %d" % len(chain))
        # No root anywhere: both searches visit every ancestor of the target (about n/2 nodes).
        _, t_c = timed("full backward BFS, flag predicate in C", g.chain_to, deepest + 1,
                       roots=og_ctypes.ROOT, max_depth=n)
        calls = [0]

        def never(node):
            calls[0] += 1
            return False

        _, t_py = timed("same, Python predicate (CFUNCTYPE)", g.chain_to, deepest + 1, never,
                        max_depth=n)
        print("    %d Python predicate calls, %.2f us per call (incl. building a Node)" %
              (calls[0], (t_py - t_c) / max(calls[0], 1) * 1e6))

if __name__ == "__main__":
    main()
