"""End-to-end tests of objgraph-tool on scripted snapshots (made by make_snapshot).

Run by `bazel test //tests/cli:cli_test`. Outside Bazel: OBJGRAPH_TOOL=... MAKE_SNAPSHOT=...
python3 tests/cli/cli_test.py. UPDATE_GOLDEN=1 rewrites tests/cli/golden/ (run it from the
source tree, then review the diff).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def _runfile(env, rel):
    if os.environ.get(env):
        return os.environ[env]
    for base in (os.environ.get("TEST_SRCDIR", ""), os.getcwd()):
        for cand in (os.path.join(base, "objgraph", rel), os.path.join(base, rel)):
            if os.path.exists(cand):
                return cand
    raise RuntimeError("cannot find %s (set %s)" % (rel, env))


TOOL = _runfile("OBJGRAPH_TOOL", "tools/objgraph-tool")
MAKE = _runfile("MAKE_SNAPSHOT", "tests/cli/make_snapshot")
GOLDEN = os.path.join(HERE, "golden")
# Under --config=asan: Graphviz's and fontconfig's own leaks are not ours.
# The slow unwinder sees through Graphviz's frames (no frame pointers) to the suppressed caller.
ENV = dict(os.environ, LSAN_OPTIONS="suppressions=%s:print_suppressions=0"
           % os.path.join(HERE, "lsan.supp"),
           ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":fast_unwind_on_malloc=0")

# Ids in the scripted heap (make_snapshot.c: 0x1000 + 0x10 * creation order).
APP = "0x1000"
CACHE = "0x1030"
LEAKY0 = "0x1070"
NODE_A = "0x1130"


def run(*args, check_rc=None):
    p = subprocess.run([TOOL] + [str(a) for a in args], capture_output=True, env=ENV)
    if check_rc is not None and p.returncode != check_rc:
        raise AssertionError("%s: exit %d, wanted %d\nstdout: %s\nstderr: %s" % (
            " ".join(map(str, args)), p.returncode, check_rc, p.stdout[:2000], p.stderr))
    return p


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.snap = {}
        for mode in ("small", "grown", "fanout"):
            path = os.path.join(cls.tmp, mode + ".pb")
            subprocess.run([MAKE, mode, path], check=True)
            cls.snap[mode] = path
        cls.small, cls.grown, cls.fanout = cls.snap["small"], cls.snap["grown"], cls.snap["fanout"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=self.tmp)

    def out(self, name):
        return os.path.join(self.dir, name)

    def assertNothingWritten(self, path):
        """No output and no temp file left beside it."""
        self.assertFalse(os.path.exists(path), path)
        leftovers = [f for f in os.listdir(os.path.dirname(path)) if ".tmp." in f]
        self.assertEqual(leftovers, [])

    # ---- golden text ---------------------------------------------------------------------------

    def golden(self, name, *args):
        # Snapshots are passed by a relative name so the output does not depend on the temp dir.
        p = subprocess.run([TOOL] + list(args), capture_output=True, cwd=self.tmp, env=ENV)
        self.assertEqual(p.returncode, 0, p.stderr)
        # The writer line carries the engine's version: not part of what is checked.
        text = re.sub(r"(?m)^(writer: +).*$", r"\1(engine)", p.stdout.decode())
        path = os.path.join(GOLDEN, name)
        if os.environ.get("UPDATE_GOLDEN"):
            with open(path, "w") as f:
                f.write(text)
        with open(path) as f:
            self.assertEqual(text, f.read(), name)
        return p

    def test_info(self):
        self.golden("info.txt", "info", "small.pb")

    def test_stats(self):
        self.golden("stats.txt", "stats", "small.pb")

    def test_stats_by_size_long_names(self):
        self.golden("stats_size_long.txt", "stats", "small.pb", "--sort", "size", "--long-names",
                    "--limit", "3")

    def test_leaks(self):
        self.golden("leaks.txt", "leaks", "small.pb")

    def test_diff(self):
        self.golden("diff.txt", "diff", "small.pb", "grown.pb")

    def test_chain(self):
        p = self.golden("chain.txt", "chain", "small.pb", "--type", "Leaky")
        self.assertIn(b"4 objects of type 'Leaky'", p.stderr)

    def test_chain_k_paths_to_type(self):
        self.golden("chain_paths.txt", "chain", "grown.pb", "--id", LEAKY0, "--paths", "3",
                    "--to-type", "dict")

    def test_chain_escapes_and_unicode(self):
        self.golden("chain_odd.txt", "chain", "grown.pb", "--type", "Ключ")

    def test_chain_root_is_target(self):
        p = run("chain", self.small, "--id", APP, check_rc=0)
        self.assertEqual(p.stdout.decode(), "chain 1 of 1: 0 references\n  0x1000 module app\n")

    def test_chain_not_found(self):
        p = run("chain", self.small, "--id", NODE_A, check_rc=1)
        self.assertIn(b"small.pb: no chain", p.stderr)
        self.assertEqual(p.stdout, b"")

    # ---- render --------------------------------------------------------------------------------

    def render_svg(self, *args):
        svg = self.out("g.svg")
        p = run("render", self.small, "-o", svg, *args, check_rc=0)
        root = ET.parse(svg).getroot()
        nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
        return p, nodes

    def test_render_svg_backrefs(self):
        p, nodes = self.render_svg("--type", "Leaky")
        # 4 Leaky, their 4 dicts, the list, the app dict, the app module, the function.
        self.assertEqual(len(nodes), 12)
        self.assertIn(b"(12 nodes)", p.stdout)
        titles = {n.find("{http://www.w3.org/2000/svg}title").text for n in nodes}
        self.assertIn("o%d" % int(APP, 16), titles)
        # objgraph's dotted-name rule: a dotted type name is matched against the long name.
        p2, nodes2 = self.render_svg("--type", "app.Leaky")
        self.assertEqual(len(nodes2), 12)
        run("render", self.small, "--type", "builtins.Leaky", "-o", self.out("x.svg"), check_rc=1)

    def test_render_svg_refs_with_del_marker(self):
        p, nodes = self.render_svg("--id", APP, "--refs", "--max-depth", "2")
        # module, dict, type, list, function, Closer + the Closer's __del__ marker node.
        self.assertEqual(len(nodes), 7)
        self.assertIn(b"(6 nodes)", p.stdout)

    def test_render_filter_type(self):
        p, nodes = self.render_svg("--id", CACHE, "--refs", "--filter-type", "Leaky")
        self.assertEqual(len(nodes), 5)  # the list and its 4 Leaky objects

    def test_render_too_many(self):
        dot = run("render", self.small, "--id", CACHE, "--refs", "--too-many", "2", "-o", "-",
                  check_rc=0).stdout.decode()
        self.assertIn('[label="2 more references"', dot)

    def test_render_chain(self):
        # objgraph's show_chain(find_backref_chain(obj, is_proper_module)): module app, its dict,
        # the cache list and the object, drawn as deep as the chain, chain members only.
        p = run("render", self.small, "--id", LEAKY0, "--chain", "-o", "-", check_rc=0)
        dot = p.stdout.decode()
        self.assertEqual(dot.count("[label="), 4 + 3)  # 4 node labels + 3 labelled edges
        self.assertIn("  o%d -> o%d [label=\"__dict__\",weight=10];" % (0x1000, 0x1010), dot)
        self.assertIn('[fillcolor="0,0,1"]', dot)  # depth 0 of max_depth 3
        self.assertIn('[fillcolor="0.3,1,0.3"]', dot)  # the module, depth 3: green
        # refs from the chain's root instead (show_chain(backrefs=False)).
        p = run("render", self.small, "--id", LEAKY0, "--chain", "--refs", "-o", "-", check_rc=0)
        self.assertIn("  o%d[fontcolor=red];" % 0x1000, p.stdout.decode())
        _, nodes = self.render_svg("--id", LEAKY0, "--chain")
        self.assertEqual(len(nodes), 4)
        p = run("render", self.small, "--id", NODE_A, "--chain", "-o", self.out("x.svg"),
                check_rc=1)
        self.assertIn(b"no chain", p.stderr)
        self.assertNothingWritten(self.out("x.svg"))

    def test_render_png_pdf(self):
        for ext, magic in (("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-")):
            path = self.out("g." + ext)
            run("render", self.small, "--id", LEAKY0, "-o", path, check_rc=0)
            with open(path, "rb") as f:
                self.assertEqual(f.read(len(magic)), magic, ext)

    def test_render_dot_stdout_matches_file(self):
        p = run("render", self.small, "--id", LEAKY0, "-o", "-", check_rc=0)
        self.assertTrue(p.stdout.startswith(b"digraph ObjectGraph {\n"), p.stdout[:100])
        self.assertTrue(p.stdout.endswith(b"}\n"))
        path = self.out("g.dot")
        run("render", self.small, "--id", LEAKY0, "-o", path, check_rc=0)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), p.stdout)
        self.assertIn(b'[label="module\\napp"]', p.stdout)
        self.assertIn(b'[fillcolor="0.3,1,0.3"]', p.stdout)  # modules are green
        self.assertIn(b'[label="cache",weight=2]', p.stdout)

    def test_render_format_option(self):
        p = run("render", self.small, "--id", LEAKY0, "--format", "svg", "-o", "-", check_rc=0)
        ET.fromstring(p.stdout)

    def test_render_json(self):
        path = self.out("g.json")
        run("render", self.small, "--id", LEAKY0, "-o", path, check_rc=0)
        with open(path) as f:
            data = json.load(f)
        self.assertEqual(len(data["nodes"]), 6)
        self.assertEqual(data["graph"]["direction"], "backreferences")

    def test_render_too_big_refused(self):
        path = self.out("fan.svg")
        p = run("render", self.fanout, "--id", "0x1000", "--refs", "--too-many", "6000", "-o",
                path, check_rc=1)
        err = p.stderr.decode()
        self.assertIn("fanout.pb", err)
        self.assertIn("5001 nodes", err)
        for hint in ("--max-depth", "--too-many", "--filter-type", "--force"):
            self.assertIn(hint, err)
        self.assertNothingWritten(path)
        # The default too_many keeps it small; --force or a higher --max-nodes allow it.
        run("render", self.fanout, "--id", "0x1000", "--refs", "-o", self.out("ok.dot"), check_rc=0)
        p = run("render", self.fanout, "--id", "0x1000", "--refs", "--too-many", "6000", "--force",
                "-o", self.out("all.dot"), check_rc=0)
        self.assertIn(b"(5001 nodes)", p.stdout)
        run("render", self.fanout, "--id", "0x1000", "--refs", "--too-many", "6000",
            "--max-nodes", "5001", "-o", self.out("all2.dot"), check_rc=0)

    # ---- json ----------------------------------------------------------------------------------

    def test_json_chain(self):
        p = run("json", self.small, "--id", LEAKY0, "--chain", check_rc=0)
        data = json.loads(p.stdout)
        self.assertEqual(sorted(n["id"] for n in data["nodes"]), [0x1000, 0x1010, 0x1030, 0x1070])
        run("json", self.small, "--chain", check_rc=2)

    def test_json_whole_graph(self):
        p = run("json", self.small, check_rc=0)
        data = json.loads(p.stdout)
        edges = data.get("edges", data.get("links"))
        self.assertEqual(len(data["nodes"]), 23)
        self.assertEqual(len(edges), 32)
        self.assertEqual(data["nodes"][0]["type"], "module")

    def test_json_selection_to_file(self):
        path = self.out("sub.json")
        run("json", self.small, "--id", APP, "--refs", "--max-depth", "1", "-o", path, check_rc=0)
        with open(path) as f:
            data = json.load(f)
        self.assertEqual(len(data["nodes"]), 2)  # the module and its __dict__

    # ---- help and usage ------------------------------------------------------------------------

    def test_help(self):
        p = run("--help", check_rc=0)
        self.assertIn(b"Usage: objgraph-tool", p.stdout)
        for cmd in ("render", "stats", "diff", "chain", "leaks", "json", "info"):
            self.assertIn(cmd.encode(), p.stdout)
            p2 = run(cmd, "--help", check_rc=0)
            self.assertTrue(p2.stdout.startswith(b"Usage: objgraph-tool " + cmd.encode()), cmd)
        run(check_rc=2)

    def test_usage_errors(self):
        cases = [
            ("frobnicate",),
            ("stats",),
            ("stats", self.small, "--bogus"),
            ("stats", self.small, "--limit"),
            ("stats", self.small, "--limit", "ten"),
            ("stats", self.small, "--sort", "name"),
            ("stats", self.small, "extra.pb"),
            ("diff", self.small),
            ("render", self.small, "--id", LEAKY0),            # no -o
            ("render", self.small, "-o", self.out("x.svg")),    # nothing chosen
            ("render", self.small, "--id", "zz", "-o", self.out("x.svg")),
            ("render", self.small, "--id", LEAKY0, "-o", self.out("x.bmp")),
            ("render", self.small, "--id", LEAKY0, "--format", "gif", "-o", "-"),
            ("chain", self.small),
            ("chain", self.small, "--id", LEAKY0, "--paths", "0"),
            ("info", self.small, "--limit", "3"),
            ("render", self.small, "--id", LEAKY0, "--to-type", "dict", "-o", "-"),
            ("render", self.small, "--id", LEAKY0, "--chain", "--filter-type", "dict", "-o", "-"),
        ]
        for args in cases:
            p = run(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(b"objgraph-tool", p.stderr)
            self.assertEqual(p.stdout, b"", args)
        self.assertEqual(os.listdir(self.dir), [])

    # ---- bad input -----------------------------------------------------------------------------

    def bad_inputs(self):
        d = self.dir
        with open(self.small, "rb") as f:
            good = f.read()
        files = {
            "missing": os.path.join(d, "missing.pb"),
            "empty": os.path.join(d, "empty.pb"),
            "truncated": os.path.join(d, "truncated.pb"),
            "random": os.path.join(d, "random.pb"),
            "directory": os.path.join(d, "adir.pb"),
        }
        open(files["empty"], "wb").close()
        with open(files["truncated"], "wb") as f:
            f.write(good[: len(good) // 2])
        with open(files["random"], "wb") as f:
            f.write(bytes((i * 7919 + 13) % 256 for i in range(4096)))
        os.mkdir(files["directory"])
        return files

    def test_bad_snapshots(self):
        files = self.bad_inputs()
        out = self.out("out.svg")
        for kind, path in files.items():
            for args in (("stats", path), ("leaks", path), ("info", path), ("json", path),
                         ("chain", path, "--id", APP), ("diff", self.small, path),
                         ("diff", path, self.small), ("render", path, "--id", APP, "-o", out)):
                if kind == "truncated" and args[0] == "info":
                    continue  # info reads only the header, which survives the cut
                p = run(*args)
                self.assertEqual(p.returncode, 1, (kind, args, p.stderr))
                self.assertIn(os.path.basename(path).encode(), p.stderr, (kind, args))
                self.assertTrue(p.stderr.startswith(b"objgraph-tool " + args[0].encode() + b": "))
                self.assertEqual(p.stdout, b"", (kind, args))
            self.assertNothingWritten(out)

    def test_bad_snapshot_messages(self):
        files = self.bad_inputs()
        expect = {"missing": b"No such file", "empty": b"too short", "truncated": b"truncated",
                  "random": b"not an objgraph snapshot", "directory": b"directory"}
        for kind, path in files.items():
            self.assertIn(expect[kind], run("stats", path, check_rc=1).stderr, kind)

    def test_unknown_id_and_type(self):
        out = self.out("x.svg")
        p = run("render", self.small, "--id", "0x9999", "-o", out, check_rc=1)
        self.assertIn(b"small.pb: no object with id 0x9999", p.stderr)
        p = run("render", self.small, "--type", "Nope", "-o", out, check_rc=1)
        self.assertIn(b"small.pb: no objects of type 'Nope'", p.stderr)
        p = run("chain", self.small, "--id", "12345", check_rc=1)
        self.assertIn(b"no object with id 0x3039", p.stderr)
        run("json", self.small, "--type", "Nope", "-o", out, check_rc=1)
        self.assertNothingWritten(out)

    def test_unwritable_output(self):
        p = run("render", self.small, "--id", LEAKY0, "-o", "/nonexistent-dir/x.svg", check_rc=1)
        self.assertIn(b"/nonexistent-dir/x.svg", p.stderr)
        # The output path is a directory: the rename fails, the directory and dir stay as they were.
        target = self.out("isadir.svg")
        os.mkdir(target)
        p = run("render", self.small, "--id", LEAKY0, "-o", target, check_rc=1)
        self.assertIn(target.encode(), p.stderr)
        self.assertTrue(os.path.isdir(target))
        self.assertEqual(sorted(os.listdir(self.dir)), ["isadir.svg"])
        p = run("json", self.small, "-o", target, check_rc=1)
        self.assertEqual(sorted(os.listdir(self.dir)), ["isadir.svg"])

    def test_special_outputs(self):
        # A device is written in place, never replaced by a regular file.
        run("json", self.small, "-o", os.devnull, check_rc=0)
        self.assertFalse(os.path.isfile(os.devnull))
        # A symlink keeps pointing at its target, which gets the data.
        link = self.out("link.json")
        os.symlink("target.json", link)
        run("json", self.small, "-o", link, check_rc=0)
        self.assertTrue(os.path.islink(link))
        with open(self.out("target.json")) as f:
            json.load(f)
        # A full stdout or output device is an error (exit 1), not a silent truncation.
        if os.path.exists("/dev/full"):
            with open("/dev/full", "w") as full:
                p = subprocess.run([TOOL, "stats", self.small], stdout=full,
                                   stderr=subprocess.PIPE, env=ENV)
            self.assertEqual(p.returncode, 1)
            self.assertIn(b"stdout", p.stderr)
            p = run("render", self.small, "--id", LEAKY0, "--format", "svg", "-o", "/dev/full",
                    check_rc=1)
            self.assertIn(b"/dev/full", p.stderr)

    def test_failed_render_keeps_previous_output(self):
        out = self.out("keep.svg")
        with open(out, "w") as f:
            f.write("previous")
        run("render", self.small, "--id", "0x9999", "-o", out, check_rc=1)
        run("render", self.fanout, "--id", "0x1000", "--refs", "--too-many", "6000", "-o", out,
            check_rc=1)
        with open(out) as f:
            self.assertEqual(f.read(), "previous")
        self.assertEqual(os.listdir(self.dir), ["keep.svg"])
        run("render", self.small, "--id", LEAKY0, "-o", out, check_rc=0)
        ET.parse(out)
        self.assertEqual(oct(os.stat(out).st_mode & 0o077), oct(0o666 & ~_umask() & 0o077))


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


if __name__ == "__main__":
    unittest.main()
