"""Regenerate the objgraph-made goldens for tests/engine/emit_test.cc (run by hand, not by Bazel).

Needs upstream objgraph (3.6.2; `pip download objgraph==3.6.2 --no-deps`, unzip, put it on
PYTHONPATH). For each case it builds real Python objects, runs objgraph._show_graph with an
edge function that follows the case's edges, and writes
  <case>.graph  the graph as emit_test.cc rebuilds it (ids, type names, labels, flags, edges, options)
  <case>.dot    objgraph's exact output
so the test checks the engine's DOT against objgraph's own bytes.

.graph lines (labels hex-encoded, '-' for none):
  node <id> <type-hex> <flags> <label-hex>
  edge <src-id> <dst-id> <kind> <label-hex>|<index>|-
  opt <dir out|in> <max_depth> <too_many>
  starts|ignore|filter|cull|highlight <id>...
"""
import io
import os
import sys
import types

import objgraph

assert not hasattr(objgraph, "_core"), "needs upstream objgraph, not this project's"

MODULE, ANY_MODULE, HAS_DEL = 1 << 1, 1 << 9, 1 << 4
KIND = {"other": 0, "attr": 1, "dict_value": 3, "index": 4, "dict": 8}
HERE = os.path.dirname(os.path.abspath(__file__))


class TestObject:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


class Finalized(TestObject):
    def __del__(self):
        pass


def hexs(s):
    return s.encode("utf-8").hex() if s is not None else "-"


class Case:
    def __init__(self, name, direction="out", max_depth=3, too_many=10):
        self.name, self.dir, self.max_depth, self.too_many = name, direction, max_depth, too_many
        self.objs, self.edges = [], []  # edges: (src, dst, kind, label)
        self.starts, self.ignore, self.filter, self.cull, self.highlight = [], [], None, [], []

    def add(self, obj):
        self.objs.append(obj)
        return obj

    def edge(self, a, b, kind="other", label=None):
        self.edges.append((a, b, kind, label))

    def flags(self, o):
        f = 0
        if isinstance(o, types.ModuleType):
            f |= ANY_MODULE | MODULE
        if hasattr(getattr(o, "__class__", None), "__del__"):
            f |= HAS_DEL
        return f

    def neighbours(self, o):
        if self.dir == "out":
            return [b for a, b, _, _ in self.edges if a is o]
        # og's reverse CSR: each referrer once, in node index order
        srcs = {id(a) for a, b, _, _ in self.edges if b is o}
        return [x for x in self.objs if id(x) in srcs]

    def write(self):
        lines = []
        for o in self.objs:
            lines.append("node %d %s %d %s" % (id(o), hexs(type(o).__name__), self.flags(o),
                                                hexs(objgraph._safe_repr(o))))
        for a, b, kind, label in self.edges:
            lab = "-" if label is None else (str(label) if kind == "index" else hexs(label))
            lines.append("edge %d %d %d %s" % (id(a), id(b), KIND[kind], lab))
        lines.append("opt %s %d %d" % (self.dir, self.max_depth, self.too_many))
        for key in ("starts", "ignore", "cull", "highlight"):
            lines.append(" ".join([key] + [str(id(o)) for o in getattr(self, key)]))
        if self.filter is not None:
            lines.append(" ".join(["filter"] + [str(id(o)) for o in self.filter]))
        ids = lambda objs: {id(o) for o in objs}
        keep, cull, hl = ids(self.filter or []), ids(self.cull), ids(self.highlight)
        out = io.StringIO()
        objgraph._show_graph(
            self.starts, self.neighbours, self.dir == "out", max_depth=self.max_depth,
            extra_ignore=[id(o) for o in self.ignore], too_many=self.too_many, output=out,
            filter=(lambda o: id(o) in keep) if self.filter is not None else None,
            highlight=(lambda o: id(o) in hl) if self.highlight else None,
            cull_func=(lambda o: id(o) in cull) if self.cull else None)
        with open(os.path.join(HERE, self.name + ".graph"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(HERE, self.name + ".dot"), "w", encoding="utf-8") as f:
            f.write(out.getvalue())


def cases():
    keep = []  # objects must stay alive so ids stay unique
    c = Case("chain", "in")  # upstream test_simple_chain: A's referrer B
    a, b = c.add(TestObject("TestObject(A)")), c.add(TestObject("TestObject(B)"))
    c.edge(b, a)
    c.starts = [a]
    yield c

    c = Case("cull", "in")  # upstream test_cull_func: A <- B <- C, cull at B
    a, b, cc = (c.add(TestObject("TestObject(%s)" % n)) for n in "ABC")
    c.edge(b, a)
    c.edge(cc, b)
    c.starts, c.cull = [a], [b]
    yield c

    c = Case("refs_list7", "out", too_many=5)  # references.txt: 6 nodes
    lst = c.add(list(range(1000, 1007)))
    for x in lst:  # objgraph draws list elements unlabelled; the IR's index kind would add "[i]"
        c.edge(lst, c.add(x))
    c.starts = [lst]
    yield c

    c = Case("backrefs_moo", "in", max_depth=1, too_many=5)  # references.txt: 6 nodes
    moo = c.add("moo")
    for i in range(42):
        c.edge(c.add([moo]), moo)
    c.starts = [moo]
    yield c

    c = Case("deep", "out", max_depth=3, too_many=2)
    root = c.add(Finalized("root"))
    mod = c.add(types.ModuleType("mymod"))
    mid = c.add(TestObject("mid"))
    leaf = c.add(Finalized("leaf"))
    extra = [c.add(TestObject("x%d" % i)) for i in range(3)]
    c.edge(root, mod)
    c.edge(root, mod)  # a duplicate reference: drawn twice, counted twice
    c.edge(root, mid)
    c.edge(mod, mid)
    c.edge(mid, leaf)
    for x in extra:
        c.edge(mid, x)
    c.edge(leaf, root)
    c.starts, c.highlight = [root, root], [mid]  # duplicate starts
    yield c

    c = Case("deep_in", "in", max_depth=4, too_many=3)
    nodes = [c.add(TestObject("n%d" % i)) for i in range(8)]
    for i in range(1, 8):
        c.edge(nodes[i], nodes[(i - 1) // 2])
    c.edge(nodes[7], nodes[0])
    c.starts, c.highlight, c.cull = [nodes[0]], [nodes[0], nodes[4]], [nodes[2]]
    yield c

    c = Case("quoting", "out")
    hub = c.add(TestObject("hub"))
    reprs = ['say "hi"', "back\\slash", "two\nlines", "nul\x00byte", "tab\tand\rcr",
             "x" * 39 + "\\tail", "ünïcødé ключ", "'quoted'"]
    for r in reprs:
        c.edge(hub, c.add(TestObject(r)))
    c.starts = [hub]
    yield c

    c = Case("dict_labels", "out")
    holder = c.add(TestObject("holder"))
    targets = [c.add(TestObject("t%d" % i)) for i in range(5)]
    holder.__dict__  # materialised
    d = c.add(holder.__dict__)
    d.update({"foo": targets[0], "a b": targets[1], 42: targets[2], "ключ": targets[3],
              "_x9": targets[4]})
    c.edge(holder, d, "dict")
    c.edge(d, targets[0], "dict_value", "foo")
    c.edge(d, targets[1], "dict_value", "'a b'")
    c.edge(d, targets[2], "dict_value", "int\n42")
    c.edge(d, targets[3], "dict_value", "'ключ'")
    c.edge(d, targets[4], "dict_value", "'_x9'")
    c.starts = [holder]
    keep.append(holder)
    yield c

    c = Case("filter_ignore", "out", too_many=2)
    objs = [c.add(TestObject("f%d" % i)) for i in range(7)]
    for i in range(1, 7):
        c.edge(objs[0], objs[i])
    c.edge(objs[1], objs[0])
    c.starts, c.ignore, c.filter = [objs[0]], [objs[2]], [objs[1], objs[2], objs[4], objs[5],
                                                         objs[6]]
    yield c


if __name__ == "__main__":
    for case in cases():
        case.write()
        print("wrote", case.name)
