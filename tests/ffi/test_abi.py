"""The public API can be called from a foreign-function layer (libffi, ctypes, cffi) with no
compiled glue: read from the headers (engine/include/og/*.h), every OG_EXTERN function takes and
returns only scalars, enums and pointers (no struct or union by value, no varargs, no
platform-sized long), and every callback type takes a `void *` payload first.

`python3 -m pytest tests/ffi` or `bazel test //tests/ffi:abi_test`."""

import glob
import os
import re
import sys

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADERS = sorted(glob.glob(os.path.join(_ROOT, "engine", "include", "og", "*.h")))


def _source():
    text = "\n".join(open(h, encoding="utf-8").read() for h in HEADERS)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)  # preprocessor lines
    return text


SRC = _source()
# typedef struct X {...} X;  typedef struct X X;  (the same for unions)
AGGREGATES = set(re.findall(r"typedef\s+(?:struct|union)\s+\w*\s*(?:\{[^{}]*\})?\s*(\w+)\s*;", SRC))
ENUMS = set(re.findall(r"typedef\s+enum\s+\w*\s*\{[^{}]*\}\s*(\w+)\s*;", SRC))
DECLS = [" ".join(d.split()) for d in re.findall(r"\bOG_EXTERN\s+([^;{]*?\))\s*;", SRC)]
# Function pointer types: typedefs and struct members, "ret (*name)(params)".
FNPTRS = re.findall(r"\(\s*\*\s*(\w+)\s*\)\s*\(([^()]*)\)\s*;", SRC)
FORBIDDEN_SCALARS = {"long", "_Bool", "bool", "float", "double", "va_list"}


def _split_decl(decl):
    m = re.match(r"(.*?)\b(og_\w+)\s*\((.*)\)$", decl)
    assert m, decl
    ret, name, params = m.groups()
    params = [] if params.strip() in ("", "void") else [p.strip() for p in params.split(",")]
    return name, ret.strip(), params


def _problems(type_text):
    """What makes a parameter or return type unfit for a plain FFI call ([] when fine)."""
    if type_text == "...":
        return ["varargs"]
    if "*" in type_text or "[" in type_text:
        return []  # any pointer: an address-sized integer to the FFI layer
    words = [w for w in re.findall(r"\w+", type_text) if w not in ("const", "volatile", "struct",
                                                                   "union", "enum", "unsigned",
                                                                   "signed")]
    out = ["%s by value" % w for w in words if w in AGGREGATES]
    out += ["platform-dependent scalar %s" % w for w in words if w in FORBIDDEN_SCALARS]
    return out


def _param_type(param):
    """'const og_graph *g' -> 'const og_graph *'; 'size_t count' -> 'size_t'."""
    if param == "...":
        return param
    return re.sub(r"\b\w+\s*(\[[^\]]*\])?$", lambda m: m.group(1) or "", param).strip() or param


# Under Bazel the headers are runfiles: missing ones are a failure there, not a skip.
pytestmark = pytest.mark.skipif(not HEADERS and "TEST_SRCDIR" not in os.environ,
                                reason="engine/include/og/*.h not found")


def test_the_headers_were_parsed():
    assert len(DECLS) >= 100, "found only %d OG_EXTERN declarations" % len(DECLS)
    assert {"og_graph", "og_walker", "og_search_options", "og_stats_row"} <= AGGREGATES
    assert {"og_dir", "og_error", "og_edge_kind"} <= ENUMS
    assert {"og_node_pred_fn", "og_write_fn", "neighbors", "node_label"} <= {n for n, _ in FNPTRS}
    assert _problems(_param_type("og_walker w")) == ["og_walker by value"]
    assert _problems(_param_type("const og_walker *w")) == []
    assert _problems(_param_type("long n")) == ["platform-dependent scalar long"]


def test_no_aggregate_by_value_or_odd_scalars():
    bad = []
    for decl in DECLS:
        name, ret, params = _split_decl(decl)
        for where, t in [("returns", ret)] + [("param", _param_type(p)) for p in params]:
            bad += ["%s %s %r: %s" % (name, where, t, p) for p in _problems(t)]
    assert not bad, "\n".join(bad)


def test_callbacks_take_a_void_pointer_payload_first():
    bad = []
    for name, params in FNPTRS:
        first = params.split(",")[0].strip()
        if not re.match(r"void\s*\*\s*\w*$", first):
            bad.append("%s(%s): first parameter is not void *" % (name, params))
        for p in [q.strip() for q in params.split(",")]:
            bad += ["%s: %s" % (name, x) for x in _problems(_param_type(p))]
    assert not bad, "\n".join(bad)


def test_enums_passed_by_value_are_int_sized():
    """Enums in signatures are fine for an FFI (passed as a 32-bit int) as long as every
    enumerator fits in int; list them so a change is deliberate."""
    used = set()
    for decl in DECLS:
        _, ret, params = _split_decl(decl)
        for t in [ret] + [_param_type(p) for p in params]:
            if "*" not in t:
                used |= {w for w in re.findall(r"\w+", t) if w in ENUMS}
    assert used <= {"og_dir", "og_edge_kind", "og_stats_order", "og_idsets_column", "og_error"}, used
    for body in re.findall(r"typedef\s+enum\s+\w*\s*\{([^{}]*)\}", SRC):
        for value in re.findall(r"=\s*(-?\d+)\s*[,}\n]", body + "\n"):
            assert -2**31 <= int(value) < 2**31


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
