"""og_ctypes (bindings/ctypes) over libog.so: snapshots, type statistics and retainer chains from
pure Python. Run `python3 -m pytest tests/ffi` after `bazel build //engine/shared:libog.so`, or
`bazel test //tests/ffi:ctypes_test`."""

import collections
import ctypes
import os
import re
import sys

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(_HERE)), "bindings", "ctypes"))

import og_ctypes  # noqa: E402
from og_ctypes import MODULE, ROOT, GC_TRACKED, ANY_MODULE, OgError  # noqa: E402

LIBRARY = og_ctypes.find_library()
# Skipped only outside Bazel: under `bazel test` the library is in the runfiles, or it is a failure.
pytestmark = pytest.mark.skipif(
    LIBRARY is None and "TEST_SRCDIR" not in os.environ,
    reason="libog.so is not built: run `bazel build //engine/shared:libog.so` "
           "(found through $OG_LIBRARY or bazel-bin/engine/shared/libog.so)")

N_LEAKS = 5
MODULE_ID, MDICT_ID, REGISTRY_ID, LIST_ID, FRAME_ID = 100, 101, 102, 103, 1
LEAK_IDS = [200 + i for i in range(N_LEAKS)]
LDICT_IDS = [300 + i for i in range(N_LEAKS)]


def build_graph():
    """frame --reg--> Registry; module app -> __dict__ -> 'registry' -> Registry -> items ->
    list -> [Leak x5] -> __dict__."""
    b = og_ctypes.Builder(LIBRARY)
    module = b.add_node(MODULE_ID, "module", "module", size=88,
                        flags=GC_TRACKED | MODULE | ANY_MODULE, label="app")
    mdict = b.add_node(MDICT_ID, "dict", "builtins.dict", size=1184)
    registry = b.add_node(REGISTRY_ID, "Registry", "app.Registry", size=48)
    items = b.add_node(LIST_ID, "list", "builtins.list", size=120)
    b.add_edge(module, mdict, "dict", "__dict__")
    b.add_edge(mdict, registry, "dict_value", "'registry'")
    b.add_edge(registry, items, "attr", "items")
    for i in range(N_LEAKS):
        leak = b.add_node(LEAK_IDS[i], "Leak", "app.Leak", size=56)
        ldict = b.add_node(LDICT_IDS[i], "dict", "builtins.dict", size=104)
        b.add_edge(items, leak, "index", i)
        b.add_edge(leak, ldict, "dict", "__dict__")
    frame = b.add_node(FRAME_ID, "frame", "builtins.frame", size=400, flags=GC_TRACKED | ROOT,
                       label="main")
    b.add_edge(frame, registry, "local", "reg")
    return b.finish()


@pytest.fixture
def graph(tmp_path):
    """The graph above, saved through libog.so and loaded back from the snapshot."""
    path = str(tmp_path / "heap.ogsnap")
    with build_graph() as built:
        built.save(path)
    with og_ctypes.Graph.load(path, LIBRARY) as g:
        yield g


def test_library_is_the_engine():
    lib = og_ctypes.load_library(LIBRARY)
    assert re.fullmatch(rb"\d+\.\d+\.\d+", lib.og_version())


def test_snapshot_round_trip(graph):
    assert len(graph) == 4 + 2 * N_LEAKS + 1
    assert graph.edge_count == 3 + 2 * N_LEAKS + 1
    m = graph.node(graph.index_of(MODULE_ID))
    assert (m.id, m.type, m.long_type, m.size, m.label) == (MODULE_ID, "module", "module", 88, "app")
    assert m.flags & MODULE
    leak = graph.node(graph.index_of(LEAK_IDS[3]))
    assert (leak.type, leak.long_type, leak.label) == ("Leak", "app.Leak", None)


def test_most_common_types_by_count(graph):
    rows = graph.most_common_types(limit=3)
    assert rows == [("dict", 1 + N_LEAKS, 1184 + 104 * N_LEAKS), ("Leak", N_LEAKS, 56 * N_LEAKS),
                    ("module", 1, 88)]  # ties keep first-seen order
    assert graph.most_common_types(limit=1, long_names=True)[0].name == "builtins.dict"


def test_most_common_types_matches_a_count_in_python(graph):
    nodes = [graph.node(i) for i in range(len(graph))]
    count = collections.Counter(n.type for n in nodes)
    size = collections.Counter()
    for n in nodes:
        size[n.type] += n.size
    rows = graph.most_common_types(limit=None)
    assert {r.name: (r.count, r.size) for r in rows} == {t: (count[t], size[t]) for t in count}
    assert [r.count for r in rows] == sorted((r.count for r in rows), reverse=True)
    by_size = graph.most_common_types(limit=0, by="size")
    assert [r.name for r in by_size] == ["dict", "frame", "Leak", "list", "module", "Registry"]


def test_typestats_first_seen_order(graph):
    assert list(graph.typestats().items()) == [
        ("module", 1), ("dict", 1 + N_LEAKS), ("Registry", 1), ("list", 1), ("Leak", N_LEAKS),
        ("frame", 1)]


def test_chain_from_the_nearest_module(graph):
    target = LDICT_IDS[4]
    assert graph.chain_to(target) == [MODULE_ID, MDICT_ID, REGISTRY_ID, LIST_ID, LEAK_IDS[4], target]


def test_chain_from_a_root_is_shorter(graph):
    target = LDICT_IDS[0]
    assert graph.chain_to(target, roots=ROOT) == [FRAME_ID, REGISTRY_ID, LIST_ID, LEAK_IDS[0], target]


def test_chain_with_a_python_predicate(graph):
    seen = []

    def is_registry(node):
        seen.append(node)
        return node.type == "Registry"

    target = LDICT_IDS[2]
    assert graph.chain_to(target, is_registry) == [REGISTRY_ID, LIST_ID, LEAK_IDS[2], target]
    assert seen[0].id == target  # the start is tested first
    assert [n.id for n in seen] == [target, LEAK_IDS[2], LIST_ID, REGISTRY_ID]
    assert all(isinstance(n, og_ctypes.Node) for n in seen)


def test_chain_not_found_is_just_the_target(graph):
    target = LDICT_IDS[1]
    assert graph.chain_to(target, lambda n: False) == [target]
    assert graph.chain_to(target, max_depth=2) == [target]  # the module is 5 steps away
    assert graph.chain_to(target, max_depth=5) == [MODULE_ID, MDICT_ID, REGISTRY_ID, LIST_ID,
                                                   LEAK_IDS[1], target]


def test_predicate_exception_propagates(graph):
    calls = []

    def boom(node):
        calls.append(node.id)
        if len(calls) == 2:
            raise ValueError("predicate failed on %d" % node.id)
        return False

    with pytest.raises(ValueError, match="predicate failed on %d" % LEAK_IDS[0]):
        graph.chain_to(LDICT_IDS[0], boom)
    assert len(calls) == 2  # the search stopped at the exception


def test_retainer_paths(graph):
    target = LDICT_IDS[3]
    (path,) = graph.retainer_paths(target, k=3)  # one module, one simple path from it
    assert path.ids == [MODULE_ID, MDICT_ID, REGISTRY_ID, LIST_ID, LEAK_IDS[3], target]
    assert path.kinds == ["dict", "dict_value", "attr", "index", "dict"]
    assert path.labels == ["__dict__", "'registry'", "items", 3, "__dict__"]
    both = graph.retainer_paths(target, k=5, predicate=lambda n: n.flags & (MODULE | ROOT))
    assert [p.ids[0] for p in both] == [FRAME_ID, MODULE_ID]  # shortest first
    assert both[0].kinds[0] == "local" and both[0].labels[0] == "reg"
    assert graph.retainer_paths(target, predicate=lambda n: False) == []


def test_errors(graph, tmp_path):
    missing = str(tmp_path / "missing.ogsnap")
    with pytest.raises(OgError) as e:
        og_ctypes.Graph.load(missing, LIBRARY)
    assert e.value.code == og_ctypes.OG_ENOTFOUND and missing in e.value.message
    garbage = tmp_path / "garbage.ogsnap"
    garbage.write_bytes(b"OGSNAP1\n\xff\xff\xff\xff\xff\xff")
    with pytest.raises(OgError) as e:
        og_ctypes.Graph.load(str(garbage), LIBRARY)
    assert e.value.code == -6  # OG_EMALFORMED
    with pytest.raises(KeyError):
        graph.index_of(999999)
    with pytest.raises(OgError) as e:
        graph.node(len(graph))
    assert e.value.code == og_ctypes.OG_EINVALID
    graph.close()
    with pytest.raises(ValueError):
        len(graph)


def test_a_larger_graph(tmp_path):
    """20k nodes: the flag predicate runs in C; the Python one is called per dequeued node."""
    b = og_ctypes.Builder(LIBRARY)
    n = 20000
    b.add_node(1, "module", size=88, flags=GC_TRACKED | MODULE, label="m")
    for i in range(1, n):
        b.add_node(1 + i, "int" if i % 3 else "str", size=28)
        b.add_edge(i - 1, i, "attr" if i % 2 else "other", "next" if i % 2 else None)
    path = str(tmp_path / "big.ogsnap")
    with b.finish() as g:
        g.save(path)
    with og_ctypes.Graph.load(path, LIBRARY) as g:
        assert len(g) == n and g.edge_count == n - 1
        assert g.most_common_types(limit=2) == [("int", 13333, 13333 * 28), ("str", 6666, 6666 * 28)]
        chain = g.chain_to(n, max_depth=n)
        assert chain == list(range(1, n + 1))
        calls = []
        assert g.chain_to(n, lambda node: calls.append(1) or node.id == n - 10) == list(range(n - 10, n + 1))
        assert len(calls) == 11


def _layout_dump():
    """Path of the layout_dump helper (Bazel runfiles, or bazel-bin), or None."""
    root = os.path.dirname(os.path.dirname(_HERE))
    for base in (os.environ.get("TEST_SRCDIR", "") + "/objgraph", os.path.join(root, "bazel-bin")):
        path = os.path.join(base, "tests", "ffi", "layout_dump")
        if os.path.isfile(path):
            return path
    return None


def test_struct_layouts_match_the_headers():
    """og_ctypes' Structures have the sizes and offsets the C compiler gives the headers."""
    import subprocess
    dump = _layout_dump()
    if dump is None:
        if "TEST_SRCDIR" in os.environ:
            pytest.fail("layout_dump missing from the runfiles")
        pytest.skip("run `bazel build //tests/ffi:layout_dump` to compare struct layouts")
    mirrors = {"og_node_info": og_ctypes._NodeInfo, "og_stats_row": og_ctypes._StatsRow,
               "og_walker": og_ctypes._Walker, "og_search_options": og_ctypes._SearchOptions,
               "og_flags_pred": og_ctypes._FlagsPred, "og_path_info": og_ctypes._PathInfo}
    checked = 0
    for line in subprocess.run([dump], check=True, capture_output=True, text=True).stdout.splitlines():
        what, value = line.rsplit(" ", 1)
        if what == "OG_SEARCH_OPTIONS_VERSION":
            assert int(value) == og_ctypes.OG_SEARCH_OPTIONS_VERSION
        elif what == "OG_WALKER_VERSION":
            assert int(value) == og_ctypes.OG_WALKER_VERSION
        elif what.endswith(" size"):
            name = what[:-len(" size")]
            assert ctypes.sizeof(mirrors[name]) == int(value), name
        else:
            struct, field = what.split(".")
            assert getattr(mirrors[struct], field).offset == int(value), what
        checked += 1
    assert checked == 37


def _reexec_with_asan_runtime():
    """Under `bazel test --config=asan` libog.so needs libasan, which must be loaded before
    anything else: run the test again with it preloaded (Python's own leaks are not ours)."""
    if not LIBRARY or os.environ.get("OG_CTYPES_ASAN_PRELOADED"):
        return
    with open(LIBRARY, "rb") as f:
        if b"libasan.so" not in f.read():
            return
    import ctypes.util
    env = dict(os.environ, OG_CTYPES_ASAN_PRELOADED="1",
               LD_PRELOAD=ctypes.util.find_library("asan") or "libasan.so",
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


if __name__ == "__main__":  # bazel test //tests/ffi:ctypes_test
    _reexec_with_asan_runtime()
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
