"""Hostile objects, big and deep heaps, concurrent mutation, and reference leaks."""
import gc
import io
import sys
import threading
import time
from unittest import mock

import pytest


class Hostile:
    """Every dunder that user code could run raises."""
    def __repr__(self):
        raise RuntimeError("no repr")

    def __eq__(self, other):
        raise RuntimeError("no eq")

    def __hash__(self):
        raise RuntimeError("no hash")

    def __getattr__(self, name):
        raise RuntimeError("no getattr " + name)

    def __sizeof__(self):
        raise RuntimeError("no sizeof")


class HostileMeta(type):
    @property
    def __name__(cls):
        raise RuntimeError("no name")


def dot(fn, objs, **kw):
    out = io.StringIO()
    fn(objs, output=out, **kw)
    return out.getvalue()


def test_hostile_objects_everywhere(og):
    h = Hostile()
    holder = {"h": h, "l": [h]}
    assert og.count("Hostile") >= 1
    assert any(o is h for o in og.by_type("Hostile"))
    assert og.typestats([h, holder])["Hostile"] == 1
    assert og.at(id(h)) is h
    assert any(o is h for o in og.at_addrs({id(h)}))
    text = dot(og.show_refs, [holder])
    assert "(unrepresentable)" in text
    text = dot(og.show_backrefs, [h], max_depth=2)
    assert "(unrepresentable)" in text
    chain = og.find_backref_chain(h, og.is_proper_module)
    assert chain[-1] is h
    og.get_leaking_objects([h])
    og.get_new_ids(limit=0, _state={})
    og.show_growth(file=io.StringIO(), peak_stats={})


def test_mocks(og):
    m = mock.Mock(spec=list)
    mm = mock.MagicMock()
    text = dot(og.show_refs, [[m, mm]], max_depth=1)
    assert "<Mock" in text and "<MagicMock" in text
    assert og.count("Mock") >= 1 and og.count("MagicMock") >= 1
    dot(og.show_backrefs, [m], max_depth=2)


def test_extra_info_and_attrs_errors_propagate(og):
    with pytest.raises(ZeroDivisionError):
        dot(og.show_refs, [[1]], extra_info=lambda o: 1 / 0)
    with pytest.raises(AttributeError):
        dot(og.show_refs, [[1]], extra_node_attrs=lambda o: {"x": 1})  # objgraph: values are str
    with pytest.raises(ZeroDivisionError):
        dot(og.show_refs, [[1]], highlight=lambda o: 1 / 0)
    held = [1]
    keep = [held]
    with pytest.raises(ZeroDivisionError):
        dot(og.show_backrefs, [held], filter=lambda o: 1 / 0)
    del keep


def test_huge_structures(og):
    big = [[i] for i in range(300000)]
    assert og.count("list") >= 300000
    assert og.typestats(big)["list"] == 300000
    assert len(og.by_type("list", big)) == 300000
    t = time.perf_counter()
    assert og.find_ref_chain(big, lambda o: False, max_depth=1) == [big]
    assert time.perf_counter() - t < 30  # linear, not objgraph's quadratic queue
    text = dot(og.show_refs, [big], max_depth=1, too_many=3)
    assert "299997 more references" in text
    ids = {id(x) for x in big[:1000]}
    assert len(og.at_addrs(ids)) == 1000
    del big


def test_deep_structures(og):
    deep = []
    cur = deep
    for _ in range(100000):
        nxt = []
        cur.append(nxt)
        cur = nxt
    chain = og.find_ref_chain(deep, lambda o: o is cur, max_depth=200000)
    assert len(chain) == 100001 and chain[-1] is cur
    back = og.find_backref_chain(cur, lambda o: o is deep, max_depth=200000)
    assert len(back) == 100001 and back[0] is deep
    text = dot(og.show_refs, [deep], max_depth=50)
    assert text.count("[label=") == 51
    gc.collect()


def test_collector_lists_intact_after_numbering(og):
    """Referrer graphs and snapshots number objects in their gc headers while they run; after
    each, the collector must find every cycle and list every object as before."""
    class Node:
        pass

    def make_cycles(n):
        for _ in range(n):
            a, b = Node(), Node()
            a.other, b.other = b, a

    keep = [Node() for _ in range(50)]
    operations = [
        lambda: og.snapshot(),
        lambda: og.find_backref_chain(keep[0], og.is_proper_module),
        lambda: og.show_backrefs(keep[:2], output=io.StringIO()),
        lambda: og.get_leaking_objects(),
    ]
    for op in operations:
        op()
        make_cycles(100)  # the collector must walk and unlink through every header again
        assert gc.collect() >= 200  # the 200 Nodes (3.11+ keep their attributes inline)
        ids = {id(o) for o in gc.get_objects()}
        assert all(id(k) in ids for k in keep)


def test_thread_mutating_during_capture(og):
    stop = threading.Event()
    shared = {"l": [], "d": {}}

    def mutate():
        i = 0
        while not stop.is_set():
            shared["l"].append([i])
            shared["d"][i % 1000] = {"v": [i]}
            if len(shared["l"]) > 5000:
                del shared["l"][:2500]
            i += 1

    th = threading.Thread(target=mutate)
    th.start()
    deadline = time.monotonic() + 3
    rounds = 0
    try:
        while time.monotonic() < deadline:
            og.typestats()
            og.count("list")
            og.by_type("dict")
            og.get_new_ids(limit=0, _state={})
            og.get_leaking_objects()
            og.find_backref_chain(shared["l"], og.is_proper_module)
            dot(og.show_backrefs, [shared["d"]], max_depth=2)
            dot(og.show_refs, [shared], max_depth=3)
            rounds += 1
    finally:
        stop.set()
        th.join()
    assert rounds > 0


def _refleak_probe(og, probes, fn, n=8):
    fn()
    gc.collect()
    before = [sys.getrefcount(p) for p in probes]
    for _ in range(n):
        fn()
    gc.collect()
    after = [sys.getrefcount(p) for p in probes]
    return [a - b for a, b in zip(after, before)]


def test_no_reference_leaks(og):
    probe = [object()]
    keeper = {"probe": probe}
    sink = io.StringIO()
    calls = [
        lambda: og.count("list"),
        lambda: og.count("list", [probe]),
        lambda: og.typestats(),
        lambda: og.typestats([probe], filter=lambda o: True),
        lambda: og.typestats(filter=lambda o: o is probe),
        lambda: og.by_type("list"),
        lambda: og.at(id(probe)),
        lambda: og.at_addrs({id(probe)}),
        lambda: og.get_leaking_objects(),
        lambda: og.get_leaking_objects([probe]),
        lambda: og.get_new_ids(limit=0, _state={}),
        lambda: og.growth(peak_stats={}),
        lambda: og.find_backref_chain(probe, og.is_proper_module),
        lambda: og.find_ref_chain(keeper, lambda o: o is probe),
        lambda: og.show_refs([keeper], output=sink),
        lambda: og.show_backrefs([probe], output=sink, extra_info=repr, refcounts=True),
        lambda: og._show_graph([probe], lambda o: [keeper], True, output=sink),
    ]
    for i, fn in enumerate(calls):
        assert _refleak_probe(og, [probe, keeper, probe[0]], fn) == [0, 0, 0], i


@pytest.mark.skipif(not hasattr(sys, "gettotalrefcount"), reason="needs a debug build")
def test_total_refcount_stable(og):  # pragma: no cover - debug interpreters only
    x = [[1]]
    for _ in range(3):
        og.show_backrefs([x], output=io.StringIO())
    before = sys.gettotalrefcount()
    for _ in range(20):
        og.show_backrefs([x], output=io.StringIO())
        og.typestats()
    assert sys.gettotalrefcount() - before < 50


def test_no_new_referrers_with_gc_disabled(og):
    x = type("Lonely", (), {})()
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_referrers(x))
        og.count("Lonely")
        og.typestats()
        og.by_type("Lonely")
        og.at(id(x))
        og.find_backref_chain(x, og.is_proper_module)
        og.show_backrefs([x], output=io.StringIO())
        og.show_refs([x], output=io.StringIO())
        og.get_new_ids(limit=0, _state={})
        assert len(gc.get_referrers(x)) == before
    finally:
        gc.enable()
