"""Heap snapshots: objgraph.snapshot() / Snapshot.save() / objgraph.load() and the offline
queries, checked against the live heap and the live objgraph API."""
import gc
import io
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest


class Probe:
    pass


class Slotted:
    __slots__ = ("alpha", "beta")


class Leaky:
    pass


_leak_cache = {}
module_registry = {"unique_snapshot_key": 1234567891234, 42: b"forty-two"}
module_list = ["zeroth", "first-item-text"]


def _edges(snap, node):
    return [(n, kind, label) for n, kind, label in snap.referents(node)]


def _node_of(snap, obj):
    n = snap.find(id(obj))
    assert n is not None, "object of type %s not in the snapshot" % type(obj).__name__
    return n


# ---- capture -------------------------------------------------------------------------------


def test_tracked_counts_match_gc(og):
    keep = [Probe() for _ in range(123)]
    gc.collect()
    snap = og.snapshot()
    live = og.typestats()
    offline = snap.typestats(gc_only=True)
    assert offline["Probe"] == 123
    for name in ("module", "type", "function", "Probe"):
        assert offline[name] == live[name], name
    # everything else differs only by what the calls above allocated
    assert abs(sum(offline.values()) - sum(live.values())) < 200
    assert snap.count("Probe") == 123
    assert [n.type for n in snap.by_type("Probe")] == ["Probe"] * 123
    assert snap.count(__name__ + ".Probe") == 123
    assert {n.id for n in snap.by_type("Probe")} == {id(p) for p in keep}
    # untracked objects are nodes too: strings and ints outnumber what gc sees
    assert snap.typestats()["str"] > 1000 and "str" not in offline
    assert snap.node_count > sum(offline.values())
    assert snap.edge_count > 0


def test_capture_modes_agree(og):
    """The fast capture (no id map while building, where the heap can be numbered), the checked
    one, and the fast one forced onto its fallback by a planted repeated id see the same heap."""
    from objgraph import _core, _snapshot
    shared = "shared-%d" % id(module_registry)  # one str held twice: found again, not re-added
    holder = {"a": shared, "b": [shared, (shared, 7)], "c": Probe()}
    holder["c"].back = holder
    gc.collect()
    before = sys.getrefcount(shared)
    snaps = [_snapshot.Snapshot(_core.snapshot_capture(True, how)[0]) for how in (0, 1, 2)]
    # the fast capture's marks are put back whichever way it ends, the fallback's included
    assert sys.getrefcount(shared) == before
    assert len({_node_of(s, shared).refcount for s in snaps}) == 1
    with pytest.raises(ValueError, match="unknown mode 3"):
        _core.snapshot_capture(True, 3)

    def shape(snap, obj, depth=3):
        node = _node_of(snap, obj)
        seen, out, todo = {node.index}, [], [(node, 0)]
        while todo:
            n, d = todo.pop(0)
            for m, kind, label in snap.referents(n):
                out.append((n.type, n.label, kind, label, m.type, m.label, m.id))
                if d + 1 < depth and m.index not in seen and m.type != "type":
                    seen.add(m.index)
                    todo.append((m, d + 1))
        return out

    first = shape(snaps[0], holder)
    assert ("list", "2 items", "index", 0, "str", shared, id(shared)) in first
    for snap in snaps[1:]:
        assert shape(snap, holder) == first
    # each object is one node in every mode (the planted repeat was not kept)
    for snap in snaps:
        assert len([n for n in snap.by_type("str") if n.id == id(shared)]) == 1
        assert snap.find(id(holder["c"])).type == "Probe"
    counts = [s.node_count for s in snaps]
    assert max(counts) - min(counts) < 100, counts  # only the captures' own objects differ


def test_untracked_referents_and_dict_labels(og):
    snap = og.snapshot()
    d = _node_of(snap, module_registry)
    assert d.type == "dict" and d.label == "2 items"
    edges = _edges(snap, d)
    values = {label: n for n, kind, label in edges if kind == "dict_value"}
    keys = [n for n, kind, label in edges if kind == "dict_key"]
    assert values["unique_snapshot_key"].type == "int"
    assert values["unique_snapshot_key"].label == "1234567891234"
    assert values["unique_snapshot_key"].flags & og._snapshot.NODE_GC_TRACKED == 0
    assert values["42"].type == "bytes" and values["42"].label == "b'forty-two'"
    assert sorted(k.label for k in keys) == ["42", "unique_snapshot_key"]
    # the module's dict labels its values with the global names
    mod = _node_of(snap, sys.modules[__name__])
    assert mod.label == __name__
    assert mod.flags & og._snapshot.NODE_MODULE
    mdict = [n for n, kind, label in _edges(snap, mod) if kind == "dict"]
    assert len(mdict) == 1
    by_label = {label: n for n, kind, label in _edges(snap, mdict[0]) if kind == "dict_value"}
    assert by_label["module_registry"].id == id(module_registry)
    assert by_label["module_list"].id == id(module_list)
    assert by_label["Probe"].type == "type" and by_label["Probe"].label == "Probe"


def test_list_indices_attributes_slots(og):
    obj = Probe()
    obj.first = ["a"]
    obj.second = {"x": 1}
    sl = Slotted()
    sl.alpha = ("t",)
    snap = og.snapshot()
    lst = _node_of(snap, module_list)
    assert [(n.label, kind, label) for n, kind, label in _edges(snap, lst)] == [
        ("zeroth", "index", 0), ("first-item-text", "index", 1)]
    attrs = {label: (n.id, kind) for n, kind, label in _edges(snap, _node_of(snap, obj))}
    if "__dict__" in attrs:  # < 3.11, or the instance's dict was materialized
        assert attrs["__dict__"][1] == "dict"
        attrs = {label: (n.id, kind)
                 for n, kind, label in _edges(snap, snap.find(id(obj.__dict__)))}
        assert attrs["first"] == (id(obj.first), "dict_value")
    else:  # inline values, named from the type's shared keys
        assert sys.version_info >= (3, 11)
        assert attrs["first"] == (id(obj.first), "attr")
        assert attrs["second"] == (id(obj.second), "attr")
    fresh = type("Fresh", (), {})()  # a class no other test touched
    fresh.first = obj.first
    snap = og.snapshot()
    fresh_attrs = {label: kind for _, kind, label in _edges(snap, _node_of(snap, fresh))}
    if sys.version_info >= (3, 11):
        assert fresh_attrs["first"] == "attr"
    kinds = {kind for n, kind, label in _edges(snap, _node_of(snap, obj))}
    assert "type" in kinds
    slot_edges = {label: n.id for n, kind, label in _edges(snap, _node_of(snap, sl))
                  if kind == "attr"}
    assert slot_edges == {"alpha": id(sl.alpha)}


def test_sizes_follow_sys_getsizeof(og):
    objs = [[1, 2, 3], {"a": 1, "b": 2}, "ascii text", "non-ascii \u00e9\u4e2d", 12,
            2 ** 100, b"bytes!", (1, "x"), {1, 2, 3}, 3.25, Probe(), frozenset([1])]
    holder = list(objs)
    snap = og.snapshot()
    for o in holder:
        assert _node_of(snap, o).size == sys.getsizeof(o), repr(o)
    # no type reads a size from a field it does not have (3.11 frames have no ob_size)
    for name, (n, size) in snap.typestats(sizes=True).items():
        assert 0 < size < n * (1 << 28), name


def test_labels_and_flags(og):
    def some_function():
        pass

    snap = og.snapshot()
    f = _node_of(snap, some_function)
    assert f.type == "function" and f.label.endswith("some_function")
    assert f.flags & og._snapshot.NODE_FUNCTION
    t = _node_of(snap, Probe)
    assert t.label == "Probe" and t.flags & og._snapshot.NODE_TYPE
    assert _node_of(snap, og).flags & og._snapshot.NODE_MODULE
    orphan = type(sys)("not_registered_module")
    snap = og.snapshot()
    n = _node_of(snap, orphan)
    assert n.flags & og._snapshot.NODE_ANY_MODULE and not n.flags & og._snapshot.NODE_MODULE
    assert n.refcount >= 1


def test_builtin_labels_and_sizes(og):
    # the exact str, int, tuple, list and dict nodes are labelled and sized on a path of their
    # own: the same text and sys.getsizeof as everything else gets
    ints = [0, 1, 9, 10, 99, 100, 1023, 1024, 12345, -1, -10, -12345, 2**31, -2**31, 2**62,
            2**63 - 1, -2**63, 10**18]
    holder = [v + 0 for v in ints] + [2**63, 2**70, True, "plain", "é-accented", "x" * 100,
                                      (), (1, 2), tuple(range(1500)), [], [1], {}, {"a": 1},
                                      list(range(1100)), 1.5]
    snap = og.snapshot()
    items = [n for n, kind, label in _edges(snap, _node_of(snap, holder))]
    assert [n.label for n in items[:len(ints)]] == [str(v) for v in ints]
    rest = [n.label for n in items[len(ints):]]
    assert rest == [None, None, "True", "plain", "é-accented", "x" * 64, "0 items", "2 items",
                    "1500 items", "0 items", "1 items", "0 items", "1 items", "1100 items", "1.5"]
    for n, obj in zip(items, holder):
        assert n.size == sys.getsizeof(obj), (n.type, n.label)


def test_refcounts_match_sys_getrefcount(og):
    # a tracked object reached by the walk, a list, and an untracked str: each node's refcount is
    # the object's, without the references the capture itself held (3.12+'s walk holds one)
    probe, text = Probe(), "refcount-probe-%d" % os.getpid()
    holder = [probe, text]
    snap = og.snapshot()
    now = [sys.getrefcount(probe) - 1, sys.getrefcount(holder) - 1, sys.getrefcount(text) - 1]
    seen = [_node_of(snap, obj).refcount for obj in (probe, holder, text)]
    assert seen == now


def test_shared_untracked_objects_one_node_counts_restored(og):
    # a mortal int and str held by several referrers: the capture keeps their node index in their
    # reference count while it runs, so each must come out as one node with every referrer's
    # edge, and with its true count both in the snapshot and back on the object afterwards
    big, text = 10 ** 30 + os.getpid(), "shared-probe-%d" % os.getpid()
    holders = [[big, text] for _ in range(5)] + [(big,), {"k": text}]
    before = [sys.getrefcount(big), sys.getrefcount(text)]
    for _ in range(2):
        snap = og.snapshot()
        assert [sys.getrefcount(big), sys.getrefcount(text)] == before
        for obj, count in zip((big, text), before):
            node = _node_of(snap, obj)
            assert node.refcount == count - 1  # getrefcount's own argument aside
            ids = {n.id for n in snap.referrers(node)}
            assert {id(h) for h in holders if obj in (h.values() if isinstance(h, dict) else h)} <= ids
        assert sum(1 for i in range(snap.node_count) if snap.node(i).id == id(big)) == 1
        del snap, node, obj


def test_sole_referents_marked_and_restored(og):
    # a str and an int held by one list only: marked while the capture runs (so that no borrowed
    # second meeting could add them twice) and put back to a count of 1
    holder = ["sole-%d" % os.getpid(), 10 ** 40 + os.getpid()]
    assert [sys.getrefcount(holder[i]) for i in range(2)] == [2, 2]
    snap = og.snapshot()
    assert [sys.getrefcount(holder[i]) for i in range(2)] == [2, 2]
    for obj in holder:
        node = _node_of(snap, obj)
        assert node.refcount == 1
        assert [n.id for n in snap.referrers(node)] == [id(holder)]
    del snap, node, obj


def test_frozen_objects_found_once(og):
    # gc.freeze() moves objects out of the generations the walk numbers: such an object met as a
    # referent must not pass for a numbered one, and must still come out as one node
    frozen = {"frozen-%d" % os.getpid(): 1}
    gc.freeze()
    try:
        holders = [[frozen] for _ in range(3)]
        count = sys.getrefcount(frozen)
        snap = og.snapshot()
        assert sys.getrefcount(frozen) == count
        node = _node_of(snap, frozen)
        assert node.refcount == count - 1
        assert {id(h) for h in holders} <= {n.id for n in snap.referrers(node)}
        assert sum(1 for i in range(snap.node_count) if snap.node(i).id == id(frozen)) == 1
        chain = og.find_backref_chain(frozen, lambda o: o is holders, max_depth=4)
        assert chain[0] is holders and chain[-1] is frozen
        del snap, node, chain
    finally:
        gc.unfreeze()
    gc.collect()


# ---- hostile objects -----------------------------------------------------------------------

calls = []


class Hostile:
    def __repr__(self):
        calls.append("repr")
        raise RuntimeError("repr")

    def __getattr__(self, name):
        calls.append("getattr " + name)
        raise RuntimeError("getattr")

    def __getattribute__(self, name):
        if name != "__dict__" and name != "__class__":
            calls.append("getattribute " + name)
        return object.__getattribute__(self, name)

    def __eq__(self, other):
        calls.append("eq")
        raise RuntimeError("eq")

    def __hash__(self):
        calls.append("hash")
        return 7

    def __sizeof__(self):
        calls.append("sizeof")
        raise RuntimeError("sizeof")

    def __del__(self):
        pass


class HostileStr(str):
    def __repr__(self):
        calls.append("str repr")
        raise RuntimeError

    def __hash__(self):
        calls.append("str hash")
        return 1


def test_hostile_objects_run_no_code(og):
    h = Hostile()
    h.payload = [1]
    d = {}
    d[h] = "value"  # hashes once now
    d[HostileStr("key")] = h
    holder = [h, d, HostileStr("text")]
    del calls[:]
    snap = og.snapshot()
    assert calls == []
    n = _node_of(snap, h)
    assert n.type == "Hostile" and n.flags & og._snapshot.NODE_HAS_DEL
    labels = sorted(str(label) for _, kind, label in _edges(snap, _node_of(snap, d))
                    if kind == "dict_value")
    assert labels == ["Hostile", "HostileStr"]  # non-builtin keys: their type name
    assert _node_of(snap, holder[2]).label == "text"
    out = io.StringIO()
    snap.show_backrefs([n], output=out)
    snap.show_refs([n], output=out)
    snap.to_json()
    assert calls == []


def test_mutating_thread_during_capture(og):
    stop = threading.Event()
    shared = [[] for _ in range(50)]

    def mutate():
        i = 0
        while not stop.is_set():
            lst = shared[i % 50]
            lst.append([i] * 5)
            if len(lst) > 20:
                del lst[:10]
            i += 1

    t = threading.Thread(target=mutate)
    t.start()
    try:
        for _ in range(5):
            snap = og.snapshot()
            assert snap.count("list") > 50
            assert snap.find(id(shared)) is not None
    finally:
        stop.set()
        t.join(10)
    assert not t.is_alive()


def test_no_reference_leaks(og):
    probe = Probe()
    text = "probe-text-%d" % id(probe)
    gc.collect()  # garbage instances of Probe (from other tests) would drop its refcount
    before = (sys.getrefcount(probe), sys.getrefcount(text), sys.getrefcount(Probe))
    for _ in range(4):
        snap = og.snapshot()
        assert snap.find(id(probe)) is not None
        del snap
    gc.collect()
    assert (sys.getrefcount(probe), sys.getrefcount(text), sys.getrefcount(Probe)) == before
    # the snapshot refers to nothing: no new referrer of the probe appears
    assert [r for r in gc.get_referrers(probe) if r is not sys._getframe()] == []


# ---- save / load ---------------------------------------------------------------------------


def _leak():
    _leak_cache["k"] = [Leaky(), Leaky()]


def test_save_load_round_trip(og, tmp_path):
    _leak()
    snap = og.snapshot()
    path = tmp_path / "heap.ogsnap"
    snap.save(path, metadata={"test": "round trip"})
    back = og.load(path)
    assert (back.node_count, back.edge_count) == (snap.node_count, snap.edge_count)
    assert back.most_common_types(limit=None, sizes=True) == \
        snap.most_common_types(limit=None, sizes=True)
    assert back.typestats(gc_only=True) == snap.typestats(gc_only=True)
    h = back.header
    assert h["runtime_name"] == "CPython"
    assert h["runtime_version"] == sys.version.split()[0]
    assert h["pid"] == os.getpid()
    assert h["capture_time_unix_ns"] > 0 and "dict_keys=1" in h["capture_options"]
    assert h["metadata"]["test"] == "round trip"
    assert h["node_count"] == snap.node_count and h["file_size"] == path.stat().st_size
    leak = snap.find(id(_leak_cache["k"][0]))
    chain = [n.id for n in snap.find_backref_chain(leak)]
    assert [n.id for n in back.find_backref_chain(back.find(leak.id))] == chain
    assert back.node(3) == snap.node(3)
    assert back.referents(leak) == snap.referents(leak)
    # saving a loaded snapshot keeps the header
    back.save(tmp_path / "again.ogsnap")
    assert og.load(tmp_path / "again.ogsnap").header["pid"] == os.getpid()


def test_chain_offline_equals_live(og):
    _leak()
    target = _leak_cache["k"][1]
    live = og.find_backref_chain(target, og.is_proper_module)
    snap = og.snapshot()
    offline = snap.find_backref_chain(snap.find(id(target)), og.is_proper_module)
    assert [n.type for n in offline] == [type(o).__name__ for o in live]
    assert [n.id for n in offline] == [id(o) for o in live]
    assert offline[0].label == __name__
    # any predicate over node fields, and forward chains
    by_pred = snap.find_backref_chain(snap.find(id(target)),
                                      lambda n: n.type == "dict" and n.label == "1 items")
    assert by_pred[0].id == id(_leak_cache) and by_pred[-1].id == id(target)
    fwd = snap.find_ref_chain(offline[0], lambda n: n.id == id(target))
    assert [n.id for n in fwd] == [n.id for n in offline]


def test_diff_shows_leaked_objects(og, tmp_path):
    _leak_cache.clear()
    gc.collect()
    before = og.snapshot()
    before.save(tmp_path / "before.ogsnap")
    _leak()
    after = og.snapshot()
    diff = after.diff(og.load(tmp_path / "before.ogsnap"))
    rows = {r[0]: r for r in diff.rows}
    assert rows["Leaky"][1:4] == (2, 0, 0)
    assert {n.id for n in diff.new_objects("Leaky")} == {id(x) for x in _leak_cache["k"]}
    assert ("Leaky", 2, 2) in diff.growth(limit=None)
    out = io.StringIO()
    diff.show(limit=None, file=out)
    text = out.getvalue()
    assert "Old_ids" in text and "Count_Deltas" in text
    line = [ln for ln in text.splitlines() if ln.startswith("Leaky ")][0]
    assert line.split()[1:5] == ["0", "2", "+2", "+2"]
    _leak_cache.clear()


def test_weakly_held_leak_is_leaking(og):
    # an object kept alive only by a reference no object holds (as a C extension's leak is), with
    # a weak reference to it: the weakref keeps nothing alive, so the object is leaking
    import ctypes
    import weakref
    obj = Probe()
    ref = weakref.ref(obj)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))
    oid = id(obj)
    del obj
    try:
        snap = og.snapshot()
        assert oid in [n.id for n in snap.get_leaking_objects()]
    finally:
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(ref()))


def test_leaking_objects_have_no_referrers(og):
    snap = og.snapshot()
    leaking = snap.get_leaking_objects()
    assert leaking
    for n in leaking[:50]:
        assert snap.referrers(n) == []
        assert n.flags & og._snapshot.NODE_GC_TRACKED


# ---- outputs -------------------------------------------------------------------------------


def test_json_export(og, tmp_path):
    _leak()
    snap = og.snapshot()
    data = json.loads(snap.to_json())
    assert len(data["nodes"]) == snap.node_count and len(data["edges"]) == snap.edge_count
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id[id(_leak_cache["k"][0])]["type"] == "Leaky"
    snap.to_json(tmp_path / "g.json")
    with open(tmp_path / "g.json") as f:
        assert json.load(f) == data
    nx = pytest.importorskip("networkx")
    try:
        g = nx.node_link_graph(data, edges="edges")
    except TypeError:
        g = nx.node_link_graph(data, link="edges")
    assert g.number_of_nodes() == snap.node_count


def test_dot_output_renders(og, tmp_path):
    _leak()
    snap = og.snapshot()
    leak = snap.find(id(_leak_cache["k"][0]))
    out = io.StringIO()
    snap.show_backrefs([leak], output=out, max_depth=4)
    text = out.getvalue()
    assert text.startswith("digraph ObjectGraph {")
    assert 'o%d[label="Leaky"];' % leak.id in text
    assert '[label="_leak_cache",weight=2]' in text  # module dict -> cache, by key
    out = io.StringIO()
    snap.show_chain(snap.find_backref_chain(leak), output=out)
    assert "Leaky" in out.getvalue()
    if not shutil.which("dot"):
        pytest.skip("graphviz dot not installed")
    png = tmp_path / "refs.png"
    snap.show_refs([snap.find(id(_leak_cache))], filename=str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- errors ---------------------------------------------------------------------------------


def test_bad_files_raise_clear_errors(og, tmp_path):
    snap = og.snapshot()
    path = tmp_path / "full.ogsnap"
    snap.save(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.ogsnap"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(og.SnapshotFormatError) as e:
        og.load(cut)
    assert isinstance(e.value, ValueError)
    assert "cut.ogsnap" in str(e.value) and str(e.value)
    junk = tmp_path / "junk.ogsnap"
    junk.write_bytes(b"not a snapshot at all")
    with pytest.raises(ValueError):
        og.load(junk)
    with pytest.raises(FileNotFoundError):
        og.load(tmp_path / "missing.ogsnap")
    with pytest.raises(OSError):
        snap.save(tmp_path / "no-such-dir" / "x.ogsnap")
    with pytest.raises(IndexError):
        snap.node(snap.node_count)


# ---- objgraph-tool reads our files ------------------------------------------------------------


def _tool():
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for cand in (os.environ.get("OBJGRAPH_TOOL"), shutil.which("objgraph-tool"),
                 os.path.join(here, "bazel-bin", "tools", "objgraph-tool")):
        if cand and os.access(cand, os.X_OK):
            return cand
    pytest.skip("objgraph-tool not built (bazel build //tools:objgraph-tool)")


def test_objgraph_tool_reads_snapshots(og, tmp_path):
    tool = _tool()
    _leak()
    snap = og.snapshot()
    path = str(tmp_path / "heap.ogsnap")
    snap.save(path)

    def run(*args):
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")  # a sanitized build's Graphviz
        r = subprocess.run([tool] + list(args), capture_output=True, text=True, timeout=120,
                           env=env)
        assert r.returncode == 0, r.stderr
        return r.stdout

    info = run("info", path)
    assert "CPython" in info and str(snap.node_count) in info
    stats = run("stats", path, "--limit", "5")
    top = snap.most_common_types(limit=1)[0]
    assert top[0] in stats and str(top[1]) in stats
    chain = run("chain", path, "--id", str(id(_leak_cache["k"][0])))
    assert "Leaky" in chain and __name__ in chain
    svg = str(tmp_path / "chain.svg")
    run("render", path, "--id", str(id(_leak_cache["k"][0])), "-o", svg)
    with open(svg) as f:
        assert "<svg" in f.read()


def _frame_with_locals():
    local_marker = ["frame-local"]
    try:
        raise ValueError("for a traceback")
    except ValueError as e:
        return e.__traceback__.tb_frame, local_marker


def test_frame_locals_named(og):
    frame, marker = _frame_with_locals()
    snap = og.snapshot()
    f = _node_of(snap, frame)
    assert f.type == "frame" and f.flags & og._snapshot.NODE_FRAME
    line = frame.f_lineno
    path = __file__.rstrip("c")
    assert f.label == "%s:%d" % (path, line) or (
        f.label.startswith("...") and f.label.endswith(os.path.basename(path) + ":%d" % line))
    if sys.version_info >= (3, 11):
        assert f.size == sys.getsizeof(frame)
    edges = {label: (n.id, kind) for n, kind, label in _edges(snap, f)}
    assert id(marker) in [n.id for n, kind, label in _edges(snap, f)]
    if sys.version_info >= (3, 11):  # a finished frame owning its locals: named
        assert edges["local_marker"] == (id(marker), "local")


class Referent:
    pass


def test_weak_references_not_followed_by_default(og):
    import weakref
    target = Referent()
    holder = {"weak": weakref.ref(target)}  # the only path through a weakref
    strong = [target]
    snap = og.snapshot()
    t = _node_of(snap, target)
    w = _node_of(snap, holder["weak"])
    assert w.flags & og._snapshot.NODE_WEAKREF
    assert (t.id, "weak") in [(n.id, kind) for n, kind, _ in snap.referents(w)]
    # like gc.get_referrers: the weakref is no referrer, the list is
    chain = snap.find_backref_chain(t, lambda n: n.id in (id(holder), id(strong)))
    assert chain[0].id == id(strong)
    chain = snap.find_backref_chain(t, lambda n: n.id == id(holder), weak=True)
    assert [n.id for n in chain] == [id(holder), id(holder["weak"]), id(target)]
    assert snap.find_backref_chain(t, lambda n: n.id == id(holder)) == [t]
    out = io.StringIO()
    snap.show_backrefs([t], max_depth=1, output=out)
    assert "o%d " % w.id not in out.getvalue() and "o%d[" % w.id not in out.getvalue()
    out = io.StringIO()
    snap.show_backrefs([t], max_depth=1, output=out, weak=True)
    assert "o%d -> o%d" % (w.id, t.id) in out.getvalue()


def test_instance_edges_follow_tp_traverse(og):
    """Instances of plain classes are read without calling their tp_traverse (3.11-3.13): their
    edges must be what it visits, in its order, whatever state their attributes are in."""
    class Plain:
        pass

    class Sub(Plain):  # not straight under object: the general path, checked alike
        pass

    fresh = Plain()
    fresh.a, fresh.b, fresh.c = [1], {"k": 2}, "text"
    holed = Plain()
    holed.a, holed.b = [3], [4]
    del holed.a  # a hole in the inline values
    seen = Plain()
    seen.a = [5]
    seen.__dict__  # the dict made from the values (3.13 keeps both)
    many = Plain()
    for i in range(40):  # past what the shared keys hold
        setattr(many, "f%d" % i, [i])
    empty = Plain()
    replaced = Plain()
    replaced.__dict__ = {"z": [6]}
    sub = Sub()
    sub.a = [7]
    objs = [fresh, holed, seen, many, empty, replaced, sub]
    snap = og.snapshot()
    for name, obj in zip(["fresh", "holed", "seen", "many", "empty", "replaced", "sub"], objs):
        got = [(n.id, kind, label) for n, kind, label in _edges(snap, _node_of(snap, obj))]
        assert [e[0] for e in got] == [id(r) for r in gc.get_referents(obj)], name
        assert got[-1][:2] == (id(type(obj)), "type"), name
        for target, kind, label in got[:-1]:
            if kind == "attr":
                assert target == id(getattr(obj, label)), (name, label)
            else:
                assert (kind, label, target) == ("dict", "__dict__", id(obj.__dict__)), name


def test_key_reprs_and_odd_attribute_names(og):
    obj = type("Odd", (), {})()
    setattr(obj, "a b", ["attr"])
    d = {"a b": ["key"], "x\ny": 1, 2.5: 2, None: 3, True: 4, b"k\x00": 5, (1, 2): 6, -7: 7}
    snap = og.snapshot()
    labels = {label for _, kind, label in _edges(snap, _node_of(snap, d)) if kind == "dict_value"}
    assert labels == {"'a b'", "'x\\ny'", "2.5", "None", "True", "b'k\\x00'", "tuple", "-7"}
    names = {label for _, kind, label in _edges(snap, _node_of(snap, obj))}
    if "__dict__" not in names:  # inline values (3.11+): the name as written
        assert "a b" in names
    out = io.StringIO()
    snap.show_refs([_node_of(snap, d)], max_depth=1, output=out)
    assert '[label="str\\n\'a b\'"]' in out.getvalue()  # objgraph's "<type>\n<repr>" look
