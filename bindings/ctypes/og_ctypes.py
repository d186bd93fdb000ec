"""og_ctypes: the objgraph engine (libog.so) from pure Python through ctypes, nothing compiled.

It opens heap snapshots (og_snapshot_load), answers type statistics (objgraph's
most_common_types / typestats, with sizes) and retainer-chain queries (objgraph's
find_backref_chain: the shortest chain from a module, a root, or any node a Python predicate
accepts, to a given object id), and can build and save small graphs (og_builder_*).

    import og_ctypes
    with og_ctypes.Graph.load("heap.ogsnap") as g:
        for row in g.most_common_types(limit=5):
            print(row.name, row.count, row.size)
        chain = g.chain_to(0x7f00dead0000)                     # from the nearest module
        chain = g.chain_to(0x7f00dead0000, lambda n: n.type == "Registry")

The library is found through $OG_LIBRARY, then libog.so next to this file, then Bazel's
runfiles, then bazel-bin/engine/shared/libog.so above this file (after
`bazel build //engine/shared:libog.so`). Only the stable og_* ABI is used: opaque handles,
integers, pointers, and callbacks taking a void *payload.
"""

import ctypes
import os
from collections import namedtuple

__all__ = [
    "OgError", "Graph", "Builder", "Node", "TypeStat", "Path", "load_library", "find_library",
    "MODULE", "ROOT", "GC_TRACKED", "HAS_DEL", "CONTAINER",
]

# ---- constants of the headers (og/errors.h, og/graph.h, og/select.h, og/stats.h) ---------------

OG_OK, OG_ERROR, OG_EINVALID, OG_ENOMEM, OG_ENOTFOUND = 0, -1, -2, -3, -4
OG_EUSER = -10
OG_STR_NONE = 0xFFFFFFFF
OG_ALL_NODES = ctypes.c_size_t(-1).value
OG_DIR_OUT, OG_DIR_IN = 0, 1
OG_SEARCH_OPTIONS_VERSION = 1
OG_WALKER_VERSION = 1
_STATS_ORDER = {"first_seen": 0, "count": 1, "size": 2}

GC_TRACKED, MODULE, ROOT, FRAME, HAS_DEL, CONTAINER = 1, 2, 4, 8, 16, 32
ANY_MODULE = 1 << 9

EDGE_KINDS = ("other", "attr", "dict_key", "dict_value", "index", "cell", "weak", "type", "dict",
              "element", "local", "globals")

# ---- ABI mirror: only the structs these functions take (all passed by pointer) -----------------

c_index = ctypes.c_uint32  # og_index, og_str, og_type


class _NodeInfo(ctypes.Structure):  # og_node_info
    _fields_ = [("id", ctypes.c_uint64), ("type", c_index), ("flags", ctypes.c_uint32),
                ("size", ctypes.c_uint64), ("refcount", ctypes.c_uint32), ("label", c_index)]


class _StatsRow(ctypes.Structure):  # og_stats_row
    _fields_ = [("name", ctypes.c_void_p), ("name_len", ctypes.c_size_t),
                ("count", ctypes.c_uint64), ("size", ctypes.c_uint64)]


class _Walker(ctypes.Structure):  # og_walker: filled by og_graph_walker, never called from here
    _fields_ = [("version", ctypes.c_uint), ("ctx", ctypes.c_void_p),
                ("neighbors", ctypes.c_void_p), ("node_count", ctypes.c_void_p)]


class _SearchOptions(ctypes.Structure):  # og_search_options
    _fields_ = [("version", ctypes.c_uint), ("dir", ctypes.c_int), ("max_depth", ctypes.c_uint32),
                ("ignore", ctypes.POINTER(c_index)), ("ignore_count", ctypes.c_size_t),
                ("ignore_fn", ctypes.c_void_p), ("ignore_payload", ctypes.c_void_p),
                ("alloc", ctypes.c_void_p)]


class _FlagsPred(ctypes.Structure):  # og_flags_pred
    _fields_ = [("graph", ctypes.c_void_p), ("mask", ctypes.c_uint32), ("value", ctypes.c_uint32)]


class _PathInfo(ctypes.Structure):  # og_path_info
    _fields_ = [("nodes", ctypes.POINTER(c_index)), ("length", ctypes.c_size_t),
                ("kinds", ctypes.POINTER(ctypes.c_uint8)), ("labels", ctypes.POINTER(ctypes.c_uint32))]


# og_node_pred_fn: int (*)(void *payload, og_index node)
NODE_PRED = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, c_index)

_P, _I, _U32, _U64, _SZ = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_size_t
_PP = ctypes.POINTER(ctypes.c_void_p)
_PSZ = ctypes.POINTER(ctypes.c_size_t)

# name: (restype, argtypes). Every int-returning function returns an og_error code.
_SIGNATURES = {
    "og_version": (ctypes.c_char_p, []),
    "og_error_last": (ctypes.c_char_p, []),
    "og_builder_new": (_I, [_PP, _P]),
    "og_builder_free": (None, [_P]),
    "og_builder_intern": (_I, [ctypes.POINTER(c_index), _P, ctypes.c_char_p, _SZ]),
    "og_builder_add_type": (_I, [ctypes.POINTER(c_index), _P, ctypes.c_char_p, _SZ, ctypes.c_char_p, _SZ]),
    "og_builder_add_node": (_I, [ctypes.POINTER(c_index), _P, _U64, c_index, _U64, _U32, _U32, c_index]),
    "og_builder_add_edge": (_I, [_P, c_index, c_index, _I, _U32]),
    "og_builder_finish": (_I, [_PP, _P]),
    "og_graph_free": (None, [_P]),
    "og_graph_node_count": (c_index, [_P]),
    "og_graph_edge_count": (_U64, [_P]),
    "og_graph_node": (_I, [ctypes.POINTER(_NodeInfo), _P, c_index]),
    "og_graph_find": (_I, [ctypes.POINTER(c_index), _P, _U64]),
    "og_graph_str": (_P, [_P, c_index, _PSZ]),
    "og_graph_type_name": (_P, [_P, c_index, _I, _PSZ]),
    "og_graph_walker": (_I, [ctypes.POINTER(_Walker), _P]),
    "og_snapshot_load": (_I, [_PP, ctypes.c_char_p, _P]),
    "og_snapshot_save": (_I, [_P, ctypes.c_char_p, _P]),
    "og_stats_compute": (_I, [_PP, _P, _P, _SZ, _I, _P, _P]),
    "og_stats_sort": (_I, [_P, _I, _SZ]),
    "og_stats_count": (_SZ, [_P]),
    "og_stats_row_get": (_I, [ctypes.POINTER(_StatsRow), _P, _SZ]),
    "og_stats_free": (None, [_P]),
    "og_indices_data": (ctypes.POINTER(c_index), [_P]),
    "og_indices_count": (_SZ, [_P]),
    "og_indices_free": (None, [_P]),
    "og_flags_pred_fn": (_I, [_P, c_index]),
    "og_search_chain": (_I, [_PP, ctypes.POINTER(_Walker), c_index, ctypes.POINTER(_SearchOptions), _P, _P]),
    "og_search_paths": (_I, [_PP, ctypes.POINTER(_Walker), c_index, _SZ, ctypes.POINTER(_SearchOptions), _P, _P]),
    "og_paths_count": (_SZ, [_P]),
    "og_paths_get": (_I, [ctypes.POINTER(_PathInfo), _P, _SZ]),
    "og_paths_free": (None, [_P]),
}


class OgError(Exception):
    """A failing og_* call: code is the og_error value, message og_error_last()."""

    def __init__(self, function, code, message):
        super().__init__("%s: %s (%d)" % (function, message, code))
        self.function, self.code, self.message = function, code, message


# ---- finding and loading the library ----------------------------------------------------------

_LIB_NAME = "libog.so"
_LIB_IN_REPO = os.path.join("engine", "shared", _LIB_NAME)


def find_library():
    """Path of libog.so (see the module doc for the order), or None when it is nowhere."""
    env = os.environ.get("OG_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, _LIB_NAME)]
    for var in ("RUNFILES_DIR", "TEST_SRCDIR"):
        if os.environ.get(var):
            candidates.append(os.path.join(os.environ[var], "objgraph", _LIB_IN_REPO))
    d = here
    while True:
        candidates.append(os.path.join(d, "bazel-bin", _LIB_IN_REPO))
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for c in candidates:
        if os.path.isfile(c):
            return c
    return None


_loaded = {}


def load_library(path=None):
    """The ctypes.CDLL of libog.so with every signature this module uses declared (cached)."""
    path = path or find_library()
    if path is None:
        raise OSError("libog.so not found: set OG_LIBRARY, or run "
                      "`bazel build //engine/shared:libog.so`")
    path = os.path.abspath(path)
    if path not in _loaded:
        lib = ctypes.CDLL(path)
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        _loaded[path] = lib
    return _loaded[path]


def _check(lib, name, code):
    if code < 0:
        raise OgError(name, code, lib.og_error_last().decode("utf-8", "replace"))
    return code


def _call(lib, name, *args):
    return _check(lib, name, getattr(lib, name)(*args))


def _text(ptr, length):
    return ctypes.string_at(ptr, length).decode("utf-8", "replace") if ptr else None


# ---- public API ---------------------------------------------------------------------------------

Node = namedtuple("Node", "index id type long_type flags size refcount label")
Node.__doc__ = "One node of a Graph: type names are str, label is a str or None."
TypeStat = namedtuple("TypeStat", "name count size")
Path = namedtuple("Path", "ids kinds labels")
Path.__doc__ = "A retainer path in reference order: ids[0] a root ... ids[-1] the target."


class Graph:
    """An immutable heap graph owned by libog.so (og_graph*), loaded or built. Close it (or use
    it as a context manager) to release the memory at once; otherwise it goes with the object."""

    def __init__(self, handle, lib):
        self._lib, self._g = lib, ctypes.c_void_p(handle)

    @classmethod
    def load(cls, path, library=None):
        """og_snapshot_load: OgError (code OG_ENOTFOUND, OG_EMALFORMED...) on failure."""
        lib = load_library(library)
        g = ctypes.c_void_p()
        _call(lib, "og_snapshot_load", ctypes.byref(g), os.fsencode(path), None)
        return cls(g.value, lib)

    def save(self, path):
        """og_snapshot_save: atomic write of the snapshot."""
        _call(self._lib, "og_snapshot_save", self._handle(), os.fsencode(path), None)

    def close(self):
        if self._g.value:
            self._lib.og_graph_free(self._g)
            self._g = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_g", None) is not None:
            self.close()

    def _handle(self):
        if not self._g.value:
            raise ValueError("the graph is closed")
        return self._g

    # -- nodes

    def __len__(self):
        return self._lib.og_graph_node_count(self._handle())

    @property
    def edge_count(self):
        return self._lib.og_graph_edge_count(self._handle())

    def index_of(self, node_id):
        """The dense index of the node with this id; KeyError when absent."""
        out = c_index()
        code = self._lib.og_graph_find(ctypes.byref(out), self._handle(), node_id)
        if code == OG_ENOTFOUND:
            raise KeyError(node_id)
        _check(self._lib, "og_graph_find", code)
        return out.value

    def node(self, index):
        """Everything about the node at index (og_graph_node)."""
        info = _NodeInfo()
        _call(self._lib, "og_graph_node", ctypes.byref(info), self._handle(), index)
        return Node(index, info.id, self._type_name(info.type, 0), self._type_name(info.type, 1),
                    info.flags, info.size, info.refcount,
                    None if info.label == OG_STR_NONE else self._str(info.label))

    def _type_name(self, t, long_form):
        n = ctypes.c_size_t()
        return _text(self._lib.og_graph_type_name(self._g, t, long_form, ctypes.byref(n)), n.value)

    def _str(self, s):
        n = ctypes.c_size_t()
        return _text(self._lib.og_graph_str(self._g, s, ctypes.byref(n)), n.value)

    # -- statistics

    def most_common_types(self, limit=10, long_names=False, by="count"):
        """objgraph's most_common_types with sizes: [TypeStat(name, count, size)] sorted by count
        (or by="size") descending, ties in first-seen order; limit 0 or None keeps every row."""
        return self._stats(long_names, _STATS_ORDER[by], limit or 0)

    def typestats(self, long_names=False):
        """objgraph's typestats: {type name: count} over every node, in first-seen order."""
        return {r.name: r.count for r in self._stats(long_names, _STATS_ORDER["first_seen"], 0)}

    def _stats(self, long_names, order, limit):
        lib, s = self._lib, ctypes.c_void_p()
        _call(lib, "og_stats_compute", ctypes.byref(s), self._handle(), None, OG_ALL_NODES,
              1 if long_names else 0, None, None)
        try:
            _call(lib, "og_stats_sort", s, order, limit)
            row, rows = _StatsRow(), []
            for i in range(lib.og_stats_count(s)):
                _call(lib, "og_stats_row_get", ctypes.byref(row), s, i)
                rows.append(TypeStat(_text(row.name, row.name_len), row.count, row.size))
            return rows
        finally:
            lib.og_stats_free(s)

    # -- retainer chains

    def chain_to(self, target_id, predicate=None, roots=MODULE, max_depth=20):
        """objgraph's find_backref_chain over the snapshot: the shortest chain of node ids from a
        node accepted by the predicate to target_id, in reference order (the accepted node first,
        target_id last), or [target_id] when none is within max_depth referrer steps.

        Without predicate, nodes whose flags contain every bit of `roots` are accepted (default
        MODULE; ROOT for the adapter's roots), tested in C with no Python call per node. A
        predicate receives a Node and returns a truth value; it is a ctypes callback, and an
        exception it raises stops the search and propagates."""
        out = self._search("og_search_chain", target_id, predicate, roots, max_depth)
        try:
            return [self.node(i).id for i in reversed(self._indices(out))]
        finally:
            self._lib.og_indices_free(out)

    def retainer_paths(self, target_id, k=3, predicate=None, roots=MODULE, max_depth=20):
        """Up to k distinct shortest retainer paths from accepted roots (as in chain_to) to
        target_id, shortest first (og_search_paths): [Path(ids, kinds, labels)], where kinds and
        labels describe edge j from ids[j] to ids[j+1] (labels are attribute names, dict keys or
        indices, None when absent). [] when no root reaches the target."""
        out = self._search("og_search_paths", target_id, predicate, roots, max_depth, k)
        try:
            paths, info = [], _PathInfo()
            for i in range(self._lib.og_paths_count(out)):
                _call(self._lib, "og_paths_get", ctypes.byref(info), out, i)
                ids = [self.node(info.nodes[j]).id for j in range(info.length)]
                kinds = [_edge_kind(info.kinds[j]) for j in range(info.length - 1)]
                labels = [self._edge_label(info.kinds[j], info.labels[j]) for j in range(info.length - 1)]
                paths.append(Path(ids, kinds, labels))
            return paths
        finally:
            self._lib.og_paths_free(out)

    def _search(self, function, target_id, predicate, roots, max_depth, *k):
        """og_search_chain / og_search_paths (k) along referrers from target_id: the result handle."""
        start = self.index_of(target_id)
        walker = self._walker()
        opts = _SearchOptions(version=OG_SEARCH_OPTIONS_VERSION, dir=OG_DIR_IN, max_depth=max_depth)
        out = ctypes.c_void_p()
        with _Predicate(self, predicate, roots) as (fn, payload, pending):
            code = getattr(self._lib, function)(ctypes.byref(out), ctypes.byref(walker), start, *k,
                                                ctypes.byref(opts), fn, payload)
            if pending:
                raise pending[0]
            _check(self._lib, function, code)
        return out

    def _edge_label(self, kind, label):
        if label == OG_STR_NONE:
            return None
        return label if _edge_kind(kind) == "index" else self._str(label)

    def _walker(self):
        walker = _Walker()
        _call(self._lib, "og_graph_walker", ctypes.byref(walker), self._handle())
        return walker

    def _indices(self, handle):
        n = self._lib.og_indices_count(handle)
        data = self._lib.og_indices_data(handle)
        return [data[i] for i in range(n)]


def _edge_kind(kind):
    return EDGE_KINDS[kind] if kind < len(EDGE_KINDS) else "kind%d" % kind


class _Predicate:
    """The og_node_pred_fn and payload for a search: og_flags_pred_fn in C for a flag test, or a
    ctypes callback around a Python predicate. Yields (fn, payload, pending) where pending
    receives an exception the predicate raised (the callback then returns OG_EUSER)."""

    def __init__(self, graph, predicate, roots):
        self.graph, self.predicate, self.roots = graph, predicate, roots
        self.pending = []

    def __enter__(self):
        lib = self.graph._lib
        if self.predicate is None:
            self._flags = _FlagsPred(self.graph._handle().value, self.roots, self.roots)
            fn = ctypes.cast(lib.og_flags_pred_fn, ctypes.c_void_p)
            return fn, ctypes.cast(ctypes.byref(self._flags), ctypes.c_void_p), self.pending

        def call(payload, index):
            if self.pending:
                return OG_EUSER
            try:
                return 1 if self.predicate(self.graph.node(index)) else 0
            except BaseException as e:  # noqa: B036 - re-raised by the caller after the search
                self.pending.append(e)
                return OG_EUSER

        self._callback = NODE_PRED(call)  # kept alive until the search returns
        return ctypes.cast(self._callback, ctypes.c_void_p), None, self.pending

    def __exit__(self, *exc):
        self._callback = self._flags = None


class Builder:
    """og_builder_*: a graph built node by node from Python (for tests and small tools)."""

    def __init__(self, library=None):
        self._lib = load_library(library)
        self._b = ctypes.c_void_p()
        _call(self._lib, "og_builder_new", ctypes.byref(self._b), None)
        self._types = {}

    def __del__(self):
        if getattr(self, "_b", None) is not None and self._b.value:
            self._lib.og_builder_free(self._b)
            self._b = ctypes.c_void_p()

    def _type(self, short_name, long_name):
        key = (short_name, long_name or short_name)
        if key not in self._types:
            out, s, l = c_index(), key[0].encode(), key[1].encode()
            _call(self._lib, "og_builder_add_type", ctypes.byref(out), self._b, s, len(s), l, len(l))
            self._types[key] = out.value
        return self._types[key]

    def _intern(self, text):
        if text is None:
            return OG_STR_NONE
        out, raw = c_index(), text.encode()
        _call(self._lib, "og_builder_intern", ctypes.byref(out), self._b, raw, len(raw))
        return out.value

    def add_node(self, node_id, type_name, long_type=None, size=0, flags=GC_TRACKED, refcount=1,
                 label=None):
        """Append a node; returns its dense index."""
        out = c_index()
        _call(self._lib, "og_builder_add_node", ctypes.byref(out), self._b, node_id,
              self._type(type_name, long_type), size, flags, refcount, self._intern(label))
        return out.value

    def add_edge(self, source, target, kind="other", label=None):
        """Edge between two indices; label is a name (str) or, for kind "index", an int."""
        k = EDGE_KINDS.index(kind)
        lab = label if isinstance(label, int) else self._intern(label)
        _call(self._lib, "og_builder_add_edge", self._b, source, target, k, lab)

    def finish(self):
        """Seal into a Graph; the builder is left empty."""
        g = ctypes.c_void_p()
        _call(self._lib, "og_builder_finish", ctypes.byref(g), self._b)
        self._types = {}
        return Graph(g.value, self._lib)
