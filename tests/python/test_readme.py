"""The README's walk-through (objgraph's quick start and memory-leak example), as a user runs it."""
import io
import random
import re

import pytest


class MyBigFatObject(object):
    pass


def computate_something(_cache={}):
    _cache[42] = dict(foo=MyBigFatObject(), bar=MyBigFatObject())
    # a very explicit and easy-to-find "leak" but oh well
    x = MyBigFatObject()  # this one doesn't leak  # noqa: F841


GRAPH_WRITTEN = re.compile(r"^Graph written to (\S+\.dot) \((\d+) nodes\)$")


def test_quick_start(og, in_tmp, capsys):
    x = []
    y = [x, [x], dict(x=x)]
    og.show_refs([y], filename="sample-graph.png")
    lines = capsys.readouterr().out.splitlines()
    m = GRAPH_WRITTEN.match(lines[0])
    assert m and int(m.group(2)) == 4
    if og._program_in_path("dot"):
        assert lines[1:] == ["Image generated as sample-graph.png"]
        assert (in_tmp / "sample-graph.png").stat().st_size > 0
    og.show_backrefs([x], filename="sample-backref-graph.png")
    lines = capsys.readouterr().out.splitlines()
    assert GRAPH_WRITTEN.match(lines[0])
    out = io.StringIO()
    og.show_refs([y], output=out)
    assert out.getvalue().startswith("digraph ObjectGraph {\n")
    assert capsys.readouterr().out == ""


def test_memory_leak_example(og, in_tmp, capsys):
    og.show_most_common_types()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    width = max(len(l.split()[0]) for l in lines)
    assert all(re.match(r"^\S+ +\d+$", l) and l.index(l.split()[1]) == width + 1 for l in lines)
    og.show_growth(limit=3)
    assert len(capsys.readouterr().out.splitlines()) == 3
    computate_something()
    og.show_growth()
    out = capsys.readouterr().out
    assert re.search(r"^MyBigFatObject +2 +\+2$", out, re.M), out
    chain = og.find_backref_chain(random.choice(og.by_type("MyBigFatObject")),
                                  og.is_proper_module)
    assert og.is_proper_module(chain[0]) and type(chain[-1]) is MyBigFatObject
    og.show_chain(chain, filename="chain.png")
    lines = capsys.readouterr().out.splitlines()
    m = GRAPH_WRITTEN.match(lines[0])
    assert m and int(m.group(2)) == len(chain)


def test_reference_counting_bugs_example(og, in_tmp, capsys):
    roots = og.get_leaking_objects()
    assert len(roots) > 0
    og.show_most_common_types(objects=roots)
    assert 1 <= len(capsys.readouterr().out.splitlines()) <= 10
    og.show_refs(roots[:3], refcounts=True, filename="roots.png")
    lines = capsys.readouterr().out.splitlines()
    assert GRAPH_WRITTEN.match(lines[0])
