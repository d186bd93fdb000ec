"""End-to-end tests of objgraph-tool on snapshots captured by the objgraph Python package from
scripted heaps (scripted_heap.py, run in fresh interpreters), complementing cli_test.py's
C-made snapshots.

Run by `bazel test //tests/cli:python_capture_test`. Outside Bazel: OBJGRAPH_TOOL=...
MAKE_SNAPSHOT=... PYTHONPATH=<dir holding the objgraph package> python3 tests/cli/python_capture_test.py.
Nothing here counts builtin types exactly (they differ between CPython versions); the scripted
classes and objects are counted and followed exactly.
"""
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET


def _reexec_with_asan_runtime():
    """Under `bazel test --config=asan` objgraph/_core.so needs libasan, which must be loaded
    before anything else: run again with it preloaded, as tests/ffi/test_ctypes.py does.
    CPython's own leaks are not ours: LSan is off for the Python processes, while
    objgraph-tool's runs keep it (cli_test.ENV replaces LSAN_OPTIONS)."""
    if os.environ.get("OG_CLI_ASAN_PRELOADED"):
        return
    spec = importlib.util.find_spec("objgraph")
    cores = glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "_core*.so"))
    if not cores:
        return
    with open(cores[0], "rb") as f:
        if b"libasan.so" not in f.read():
            return
    import ctypes.util
    env = dict(os.environ, OG_CLI_ASAN_PRELOADED="1",
               LD_PRELOAD=ctypes.util.find_library("asan") or "libasan.so",
               LSAN_OPTIONS="detect_leaks=0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


if __name__ == "__main__":
    _reexec_with_asan_runtime()

import objgraph  # noqa: E402 (after the re-exec: loading it may need libasan first)
import cli_test  # noqa: E402 (not `from`: unittest.main would run CliTest's tests here too)

run = cli_test.run

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "scripted_heap.py")
SVG = "{http://www.w3.org/2000/svg}"
WIDGETS = 137  # growth mode: Widget objects created between the two snapshots
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def scripted(*args):
    """Run scripted_heap.py in a fresh interpreter that imports the same objgraph as we do."""
    pkg_root = os.path.dirname(os.path.dirname(os.path.abspath(objgraph.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [pkg_root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    p = subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, env=env,
                       timeout=300)
    if p.returncode != 0:
        raise AssertionError("scripted_heap.py %s: exit %d\n%s" % (
            " ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return json.loads(p.stdout)


def ok(*args):
    return run(*args, check_rc=0).stdout.decode()


def table(text):
    """Rows of a stats/leaks/diff table: (name, [numbers as ints]) per line, until a blank."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            break
        fields = line.split()
        rows.append((fields[0], [int(f) for f in fields[1:]]))
    return rows


def svg_titles(path):
    """The node titles (o<id>) of a Graphviz SVG file."""
    root = ET.parse(path).getroot()
    return [g.find(SVG + "title").text for g in root.iter(SVG + "g") if g.get("class") == "node"]


def titles(*ids):
    return sorted("o%d" % i for i in ids)


class PythonCaptureTest(unittest.TestCase):
    # cli_test's temp directories: one for the class (removed at the end), one per test.
    tearDownClass = cli_test.CliTest.__dict__["tearDownClass"]
    setUp, out = cli_test.CliTest.setUp, cli_test.CliTest.out

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        t = cls.tmp
        cls.readme_pb, cls.old_pb, cls.new_pb, cls.orphan_pb = (
            os.path.join(t, n) for n in ("readme.pb", "old.pb", "new.pb", "orphan.pb"))
        cls.readme = scripted("readme", cls.readme_pb)
        cls.growth = scripted("growth", str(WIDGETS), cls.old_pb, cls.new_pb)
        cls.orphan = scripted("orphan", cls.orphan_pb)
        cls.chain_ids = [cls.readme[k] for k in ("module", "module_dict", "function", "defaults",
                                                 "cache", "inner", "foo")]

    # ---- info and json ---------------------------------------------------------------------

    def info(self, path):
        text = ok("info", path)
        fields = dict(re.findall(r"(?m)^(\w+): +(.*)$", text))
        return text, fields

    def test_info_header(self):
        text, f = self.info(self.readme_pb)
        self.assertEqual(f["runtime"], "CPython " + self.readme["version"])
        self.assertEqual(f["pid"], str(self.readme["pid"]))
        self.assertIn("heap=gc+referents dict_keys=1", f["options"])
        self.assertIn("python_implementation = cpython", text)
        snap = objgraph.load(self.readme_pb)
        self.assertEqual(int(f["nodes"]), snap.node_count)
        self.assertEqual(int(f["edges"]), snap.edge_count)

    def test_json_counts_match_info(self):
        for path in (self.readme_pb, self.new_pb, self.orphan_pb):
            _, f = self.info(path)
            data = json.loads(run("json", path, check_rc=0).stdout)
            edges = data.get("edges", data.get("links"))
            self.assertEqual(len(data["nodes"]), int(f["nodes"]), path)
            self.assertEqual(len(edges), int(f["edges"]), path)
        # Written to a file, the same document; the scripted objects are in it with their types.
        out = self.out("all.json")
        ok("json", self.readme_pb, "-o", out)
        with open(out) as fh:
            data = json.load(fh)
        by_id = {n["id"]: n for n in data["nodes"]}
        self.assertEqual(by_id[self.readme["foo"]]["type"], "MyBigFatObject")
        self.assertEqual(by_id[self.readme["foo"]]["long_type"],
                         self.readme["module_name"] + ".MyBigFatObject")
        self.assertEqual(by_id[self.readme["function"]]["type"], "function")
        self.assertEqual(by_id[self.readme["module"]]["type"], "module")

    def test_json_chain(self):
        data = json.loads(run("json", self.readme_pb, "--id", self.readme["foo"], "--chain",
                              check_rc=0).stdout)
        self.assertEqual(sorted(n["id"] for n in data["nodes"]), sorted(self.chain_ids))

    # ---- chain: objgraph's README leak -----------------------------------------------------

    def expected_chain(self, leaf, key):
        r = self.readme
        return [
            r"chain 1 of 1: 6 references",
            r"  %#x module %s" % (r["module"], re.escape(r["module_name"])),
            r"    \.__dict__ -> %#x dict \d+ items" % r["module_dict"],
            r"    \[computate_something\] -> %#x function computate_something" % r["function"],
            r"    \.__defaults__ -> %#x tuple 1 items" % r["defaults"],
            r"    \[0\] -> %#x dict 1 items" % r["cache"],
            r"    \[42\] -> %#x dict 2 items" % r["inner"],
            r"    \[%s\] -> %#x MyBigFatObject" % (key, leaf),
        ]

    def assertLinesMatch(self, text, patterns):
        lines = text.splitlines()
        self.assertEqual(len(lines), len(patterns), text)
        for line, pattern in zip(lines, patterns):
            self.assertRegex(line, "^%s$" % pattern)

    def assertChain(self, text, leaf, key):
        self.assertLinesMatch(text, self.expected_chain(leaf, key))

    def test_chain_readme_leak(self):
        for key in ("foo", "bar"):
            leaf = self.readme[key]
            self.assertChain(ok("chain", self.readme_pb, "--id", leaf), leaf, key)
            self.assertChain(ok("chain", self.readme_pb, "--id", hex(leaf)), leaf, key)
        p = run("chain", self.readme_pb, "--type", "MyBigFatObject", check_rc=0)
        self.assertIn(b"2 objects of type 'MyBigFatObject'", p.stderr)
        first = int(re.search(rb"showing the first \((0x[0-9a-f]+)\)", p.stderr).group(1), 16)
        self.assertIn(first, (self.readme["foo"], self.readme["bar"]))
        # The chain to the function from its module: 2 references.
        text = ok("chain", self.readme_pb, "--id", self.readme["function"])
        self.assertTrue(text.startswith("chain 1 of 1: 2 references\n"), text)

    def test_chain_to_type(self):
        # From the function (objgraph's find_backref_chain with a type predicate).
        text = ok("chain", self.readme_pb, "--id", self.readme["foo"], "--to-type", "function")
        self.assertLinesMatch(text, [
            "chain 1 of 1: 4 references",
            "  %#x function computate_something" % self.readme["function"],
        ] + self.expected_chain(self.readme["foo"], "foo")[4:])

    def test_render_chain_svg(self):
        svg = self.out("chain.svg")
        p = run("render", self.readme_pb, "--id", self.readme["foo"], "--chain", "-o", svg,
                check_rc=0)
        self.assertIn(b"(7 nodes)", p.stdout)
        self.assertEqual(sorted(svg_titles(svg)), titles(*self.chain_ids))
        with open(svg) as f:
            text = f.read()
        for label in ("__dict__", "computate_something", "__defaults__", "[0]", "42", "foo"):
            self.assertIn(">%s</text>" % label, text)
        # The DOT text: the leaked object in red, the module green.
        dot = ok("render", self.readme_pb, "--id", self.readme["foo"], "--chain", "-o", "-")
        self.assertIn("  o%d[fontcolor=red];" % self.readme["foo"], dot)
        self.assertIn('  o%d[label="module\\n%s"];' % (self.readme["module"],
                                                       self.readme["module_name"]), dot)
        self.assertIn('  o%d -> o%d [label="__defaults__",weight=10];' % (
            self.readme["function"], self.readme["defaults"]), dot)

    # ---- render ----------------------------------------------------------------------------

    def test_render_type_png(self):
        png = self.out("fat.png")
        p = run("render", self.readme_pb, "--type", "MyBigFatObject", "-o", png, check_rc=0)
        # Back references, depth 3: both objects, their dict, the cache, the defaults tuple.
        self.assertIn(b"(5 nodes)", p.stdout)
        with open(png, "rb") as f:
            self.assertEqual(f.read(len(PNG_MAGIC)), PNG_MAGIC)
        data = json.loads(run("json", self.readme_pb, "--type", "MyBigFatObject",
                              check_rc=0).stdout)
        r = self.readme
        self.assertEqual(sorted(n["id"] for n in data["nodes"]),
                         sorted([r["foo"], r["bar"], r["inner"], r["cache"], r["defaults"]]))
        # objgraph's dotted-name rule, with the script's module name.
        p = run("render", self.readme_pb, "--type", r["module_name"] + ".MyBigFatObject",
                "-o", self.out("dotted.png"), check_rc=0)
        self.assertIn(b"(5 nodes)", p.stdout)

    def test_render_refs_svg(self):
        r = self.readme
        svg = self.out("refs.svg")
        p = run("render", self.readme_pb, "--id", r["cache"], "--refs", "-o", svg, check_rc=0)
        # Depth 3 from the cache: its key 42 and value, that dict's keys and the two objects,
        # their class (whose referents are past the depth).
        want = titles(r["cache"], r["inner"], r["foo"], r["bar"], r["class"], *r["keys"])
        self.assertEqual(sorted(svg_titles(svg)), want)
        self.assertIn(b"(%d nodes)" % len(want), p.stdout)

    # ---- diff and stats --------------------------------------------------------------------

    def test_diff_growth(self):
        text = ok("diff", self.old_pb, self.new_pb, "--limit", "0")
        growth, _, rest = text.partition("\n\n")
        rows = dict(table(growth))
        self.assertEqual(rows["Widget"], [WIDGETS, WIDGETS])
        self.assertEqual(rows["Ballast"], [4, 4])
        # The new objects: all of the script's, with their sizes as captured.
        self.assertRegex(rest.splitlines()[0], r"^New objects: \d+ \(only in .*new\.pb\)")
        new = dict(table("\n".join(rest.splitlines()[1:])))
        snap = objgraph.load(self.new_pb)
        for name, ids in (("Widget", self.growth["widgets"]), ("Ballast", self.growth["ballast"])):
            sizes = [snap.find(i).size for i in ids]
            self.assertEqual(new[name], [len(ids), sum(sizes)], name)
        self.assertEqual(snap.find(self.growth["ballast"][0]).size,
                         self.growth["ballast_getsizeof"][0])
        # Nothing grew the other way round.
        back = dict(table(ok("diff", self.new_pb, self.old_pb, "--limit", "0")))
        self.assertNotIn("Widget", back)
        self.assertNotIn("Ballast", back)
        # --long-names: grouped by the script's module.
        rows = dict(table(ok("diff", self.old_pb, self.new_pb, "--limit", "0", "--long-names")))
        self.assertEqual(rows[self.readme["module_name"] + ".Widget"], [WIDGETS, WIDGETS])

    def stats(self, *args):
        rows = table(ok("stats", self.new_pb, "--limit", "0", *args))
        for name, nums in rows:
            self.assertEqual(len(nums), 2, name)
        return rows

    def test_stats_counts(self):
        rows = self.stats()
        counts = dict(rows)
        self.assertEqual(counts["Widget"][0], WIDGETS)
        self.assertEqual(counts["Ballast"][0], 4)
        self.assertEqual([n for _, (n, _) in rows], sorted((n for _, (n, _) in rows),
                                                          reverse=True))
        self.assertEqual(len(rows), len(set(counts)))
        # Every captured node is counted once.
        self.assertEqual(sum(n for _, (n, _) in rows), objgraph.load(self.new_pb).node_count)
        snap = objgraph.load(self.new_pb)
        self.assertEqual(counts["Widget"][1],
                         sum(snap.find(i).size for i in self.growth["widgets"]))
        # A Widget's size is sys.getsizeof's give or take a pre-header (versions differ there).
        self.assertLessEqual(abs(counts["Widget"][1] // WIDGETS
                                 - self.growth["widget_getsizeof"]), 16)
        top10 = [name for name, _ in table(ok("stats", self.new_pb))]
        self.assertEqual(len(top10), 10)
        self.assertNotIn("Ballast", top10)
        long_rows = dict(table(ok("stats", self.new_pb, "--limit", "0", "--long-names")))
        self.assertEqual(long_rows[self.readme["module_name"] + ".Widget"][0], WIDGETS)

    def test_stats_sort_size(self):
        rows = self.stats("--sort", "size")
        sizes = [s for _, (_, s) in rows]
        self.assertEqual(sizes, sorted(sizes, reverse=True))
        self.assertEqual(sorted(rows), sorted(self.stats()))  # the same rows, reordered
        # 4 lists of 200000 slots (6.4 MB) outweigh any builtin type's total in a bare
        # interpreter. (Not asserted first: see test_sizes_plausible.)
        top = [name for name, _ in table(ok("stats", self.new_pb, "--sort", "size",
                                             "--limit", "3"))]
        self.assertIn("Ballast", top)
        self.assertEqual(dict(rows)["Ballast"], [4, sum(self.growth["ballast_getsizeof"])])

    def test_sizes_plausible(self):
        snap = objgraph.load(self.new_pb)
        self.assertLessEqual(abs(snap.find(self.growth["generator"]).size
                                 - self.growth["generator_getsizeof"]), 16)
        # No single object of a bare interpreter is near 1 GiB.
        for name, (count, size) in self.stats("--sort", "size"):
            self.assertLess(size, count << 30, name)

    # ---- leaks -----------------------------------------------------------------------------

    def test_leaks(self):
        text = ok("leaks", self.orphan_pb, "--limit", "0")
        rows = table(text)
        self.assertEqual(text.count("\n"), len(rows))
        for name, nums in rows:
            self.assertEqual(len(nums), 1, name)
            self.assertGreater(nums[0], 0, name)
        counts = dict((name, nums[0]) for name, nums in rows)
        # The object kept alive only by a leaked reference count, as a C bug would leave it.
        self.assertEqual(counts["Orphan"], 1)
        self.assertEqual([c for _, (c,) in rows], sorted((c for _, (c,) in rows), reverse=True))
        # The same table computed here: gc-tracked nodes that no node refers to, weak references
        # aside (they keep nothing alive).
        snap = objgraph.load(self.orphan_pb)

        def held(i):
            return any(t.index == i and kind != "weak"
                       for r in snap.referrers(i) for t, kind, _ in snap.referents(r))

        mine = {}
        for i in range(snap.node_count):
            node = snap.node(i)
            if node.flags & objgraph._snapshot.NODE_GC_TRACKED and not held(i):
                mine[node.type] = mine.get(node.type, 0) + 1
        self.assertEqual(counts, mine)
        long_counts = dict(table(ok("leaks", self.orphan_pb, "--limit", "0", "--long-names")))
        self.assertEqual(long_counts[self.orphan["module_name"] + ".Orphan"], [1])
        # It has no chain from a module; the README's leaked objects are no leaks.
        p = run("chain", self.orphan_pb, "--id", self.orphan["orphan"], check_rc=1)
        self.assertIn(b"no chain", p.stderr)
        self.assertNotIn("MyBigFatObject", ok("leaks", self.readme_pb, "--limit", "0"))


if __name__ == "__main__":
    unittest.main()
