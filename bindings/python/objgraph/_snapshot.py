"""Heap snapshots: capture the whole object graph of this process, save it, load it later (here
or in another process, or with `objgraph-tool`) and ask it objgraph's questions offline.

    >>> snap = objgraph.snapshot()          # every gc-tracked object + what they reference
    >>> snap.save('before.ogsnap')
    >>> ... run the leaky code ...
    >>> after = objgraph.snapshot()
    >>> after.diff(objgraph.load('before.ogsnap')).show()

Nodes are the objects as they were at capture time: `SnapshotNode` records (index, id, type,
long_type, size, flags, refcount, label), never the objects themselves. The capture runs no
Python code (no __repr__, __eq__, __hash__, __sizeof__, __getattr__) and keeps no reference to
any object.
"""
import os
import sys
import time

from objgraph import _core

SnapshotNode = _core.SnapshotNode
SnapshotFormatError = _core.SnapshotFormatError

NODE_GC_TRACKED = _core.NODE_GC_TRACKED
NODE_MODULE = _core.NODE_MODULE
NODE_ANY_MODULE = _core.NODE_ANY_MODULE
NODE_FRAME = _core.NODE_FRAME
NODE_TYPE = _core.NODE_TYPE
NODE_FUNCTION = _core.NODE_FUNCTION
NODE_HAS_DEL = _core.NODE_HAS_DEL
NODE_CONTAINER = _core.NODE_CONTAINER
NODE_IMMORTAL = _core.NODE_IMMORTAL
NODE_WEAKREF = _core.NODE_WEAKREF  # a weak reference object (adapter flag)

_ORDER = {'first': 0, 'count': 1, 'size': 2}


def snapshot(dict_keys=True):
    """Capture every gc-tracked object and the objects they reference (str, int, float,
    bytes... which the collector does not track) into a :class:`Snapshot`.

    ``dict_keys``: also record dict -> key edges (values are always recorded, labelled by
    their key).
    """
    t0 = time.time_ns()
    graph, tracked, untracked = _core.snapshot_capture(bool(dict_keys))
    options = 'heap=gc+referents dict_keys=%d' % bool(dict_keys)
    header = {
        'runtime_name': 'CPython',
        'runtime_version': sys.version.split()[0],
        'pid': os.getpid(),
        'capture_time_unix_ns': t0,
        'capture_options': options,
        'metadata': {'python_implementation': sys.implementation.name,
                     'platform': sys.platform,
                     'executable': sys.executable or '',
                     'tracked_nodes': str(tracked),
                     'untracked_nodes': str(untracked)},
    }
    graph.header = header
    return Snapshot(graph)


def load(path):
    """Load a snapshot file written by :meth:`Snapshot.save` (or any writer of the format).

    Raises FileNotFoundError, OSError, or SnapshotFormatError (a ValueError) with the engine's
    message naming the fault for corrupt or truncated files.
    """
    return Snapshot(_core.snapshot_load(os.fspath(path)))


def _names(shortnames):
    return not shortnames


class Snapshot:
    """A captured or loaded heap graph. Node handles are :class:`SnapshotNode` records (or
    their ``index``); queries mirror objgraph's live API."""

    def __init__(self, graph):
        self._g = graph

    # ---- basics ------------------------------------------------------------------------------

    @property
    def node_count(self):
        return self._g.node_count

    @property
    def edge_count(self):
        return self._g.edge_count

    @property
    def header(self):
        """Header fields: runtime_name, runtime_version, pid, capture_time_unix_ns,
        capture_options, metadata (and, for loaded files, writer, counts, file_size)."""
        return dict(self._g.header or {})

    def __len__(self):
        return self._g.node_count

    def __repr__(self):
        h = self._g.header or {}
        return '<objgraph.Snapshot %s %s pid %s: %d nodes, %d edges>' % (
            h.get('runtime_name', '?'), h.get('runtime_version', '?'), h.get('pid', '?'),
            self._g.node_count, self._g.edge_count)

    def node(self, index):
        """The SnapshotNode at ``index``."""
        return self._g.node(index)

    def nodes(self, indices):
        return self._g.nodes(list(indices))

    def find(self, obj_id):
        """The node whose object had this id() at capture time, or None."""
        i = self._g.find(obj_id)
        return None if i is None else self._g.node(i)

    def referents(self, node):
        """[(SnapshotNode, kind, label)] in edge order: kind is 'attr', 'dict_value', 'index',
        ...; label the attribute name, the dict key's repr or the index."""
        return [(self._g.node(t), kind, label)
                for t, kind, label in self._g.out_edges(self._index(node))]

    def referrers(self, node):
        return self._g.nodes(self._g.in_edges(self._index(node)))

    def memory(self):
        """Bytes held by the graph in memory (og_graph_memory): nodes, edges, strings."""
        return self._g.memory()

    def _index(self, node):
        if isinstance(node, SnapshotNode):
            return node.index
        if isinstance(node, int):
            return node
        raise TypeError('expected a SnapshotNode or a node index, not %s'
                        % type(node).__name__)

    # ---- statistics --------------------------------------------------------------------------

    def typestats(self, shortnames=True, gc_only=False, sizes=False):
        """{type name: count} (or (count, total size) with ``sizes``) in first-seen order.
        ``gc_only``: only gc-tracked objects, i.e. what objgraph.typestats() counts live."""
        rows = self._g.stats(_names(shortnames), gc_only, _ORDER['first'], 0)
        if sizes:
            return {name: (n, size) for name, n, size in rows}
        return {name: n for name, n, size in rows}

    def most_common_types(self, limit=10, shortnames=True, gc_only=False, sizes=False,
                          by='count'):
        """[(name, count)] (or (name, count, size) with ``sizes``) by count (or ``by='size'``)
        descending; ``limit`` None or 0: every row."""
        rows = self._g.stats(_names(shortnames), gc_only, _ORDER[by], limit or 0)
        return rows if sizes else [(name, n) for name, n, size in rows]

    def show_most_common_types(self, limit=10, shortnames=True, gc_only=False, sizes=False,
                               by='count', file=None):
        """Print objgraph's table (``sizes``: with a total-bytes column)."""
        rows = self.most_common_types(limit, shortnames, gc_only, True, by)
        if file is None:
            file = sys.stdout
        width = max((len(name) for name, n, size in rows), default=0)
        for name, n, size in rows:
            if sizes:
                file.write('%-*s %i %i\n' % (width, name, n, size))
            else:
                file.write('%-*s %i\n' % (width, name, n))

    def count(self, typename, gc_only=False):
        return self._g.by_type(typename, gc_only, True)

    def by_type(self, typename, gc_only=False):
        """SnapshotNodes whose type matches (objgraph's rule: dotted names match long names)."""
        return self._g.nodes(self._g.by_type(typename, gc_only, False))

    def get_leaking_objects(self, gc_only=True):
        """Nodes no other node refers to (objgraph's get_leaking_objects; by default among the
        gc-tracked objects, as objgraph sees them)."""
        return self._g.nodes(self._g.leaking(gc_only))

    # ---- chains ------------------------------------------------------------------------------

    def _predicate(self, predicate):
        from objgraph import is_proper_module
        if predicate is None or predicate is is_proper_module:
            return NODE_MODULE  # evaluated in C
        if isinstance(predicate, int):
            return predicate
        return predicate

    def _ignore(self, extra_ignore):
        out = []
        for x in extra_ignore or ():
            if isinstance(x, SnapshotNode):
                out.append(x.index)
            else:
                i = self._g.find(x)  # ids, as objgraph's extra_ignore
                if i is not None:
                    out.append(i)
        return out

    def find_backref_chain(self, node, predicate=None, max_depth=20, extra_ignore=(),
                           weak=False):
        """[match, ..., node]: the shortest chain of referrers from a node satisfying
        ``predicate`` (a callable over SnapshotNode, an int flag mask, or objgraph's
        is_proper_module / None: a module in sys.modules) down to ``node``; [node] if none.
        Weak references are not followed (as gc.get_referrers) unless ``weak``."""
        chain = self._g.chain(self._index(node), True, max_depth, self._predicate(predicate),
                              self._ignore(extra_ignore), weak)
        chain.reverse()
        return self._g.nodes(chain)

    def find_ref_chain(self, node, predicate, max_depth=20, extra_ignore=(), weak=False):
        """[node, ..., match]: the shortest chain of referents from ``node``."""
        chain = self._g.chain(self._index(node), False, max_depth, self._predicate(predicate),
                              self._ignore(extra_ignore), weak)
        return self._g.nodes(chain)

    # ---- graphs ------------------------------------------------------------------------------

    def _show(self, nodes, backwards, max_depth, extra_ignore, filter, too_many, highlight,
              filename, output, shortnames, weak):
        if isinstance(nodes, (SnapshotNode, int)):
            nodes = [nodes]
        if filename and output:
            raise ValueError('Cannot specify both output and filename.')
        text, count = self._g.dot([self._index(n) for n in nodes], backwards, max_depth,
                                  too_many, self._ignore(extra_ignore), filter, highlight,
                                  not shortnames, weak)
        if output is not None:
            output.write(text)
            return None
        from objgraph import _present_graph
        import tempfile
        if filename and filename.endswith('.dot'):
            dot_filename = filename
        else:
            fd, dot_filename = tempfile.mkstemp(prefix='objgraph-', suffix='.dot')
            os.close(fd)
        with open(dot_filename, 'w', encoding='utf-8') as f:
            f.write(text)
        print("Graph written to %s (%d nodes)" % (dot_filename, count))
        _present_graph(dot_filename, filename)
        return None

    def show_backrefs(self, nodes, max_depth=3, extra_ignore=(), filter=None, too_many=10,
                      highlight=None, filename=None, output=None, shortnames=True, weak=False):
        """objgraph's show_backrefs over the snapshot (DOT via the engine, labels from the
        snapshot: type and structural label; stops at modules in sys.modules). ``filter`` and
        ``highlight`` take SnapshotNodes; weak references are drawn only with ``weak``."""
        return self._show(nodes, True, max_depth, extra_ignore, filter, too_many, highlight,
                          filename, output, shortnames, weak)

    def show_refs(self, nodes, max_depth=3, extra_ignore=(), filter=None, too_many=10,
                  highlight=None, filename=None, output=None, shortnames=True, weak=False):
        return self._show(nodes, False, max_depth, extra_ignore, filter, too_many, highlight,
                          filename, output, shortnames, weak)

    def show_chain(self, chain, filename=None, output=None, shortnames=True, weak=False):
        """Draw a chain from find_backref_chain (objgraph's show_chain)."""
        ids = {n.index for n in chain}
        return self.show_backrefs([chain[-1]], max_depth=len(chain) - 1,
                                  filter=lambda n: n.index in ids, filename=filename,
                                  output=output, shortnames=shortnames, weak=weak)

    def to_json(self, path=None):
        """The whole graph as node-link JSON (og_emit_json_graph): returned as str, or written
        to ``path``."""
        return self._g.json(None if path is None else os.fspath(path))

    # ---- files and diffs ---------------------------------------------------------------------

    def save(self, path, metadata=None):
        """Write the snapshot to ``path`` atomically (temporary file + rename)."""
        h = self._g.header or {}
        meta = dict(h.get('metadata') or {})
        meta.update(metadata or {})
        self._g.save(os.fspath(path), h.get('runtime_name', 'CPython'),
                     h.get('runtime_version', ''), int(h.get('pid', 0)),
                     int(h.get('capture_time_unix_ns', 0)), h.get('capture_options', ''),
                     {str(k): str(v) for k, v in meta.items()})

    def diff(self, older, shortnames=True):
        """Objects new in this snapshot and gone since ``older``, per type (og_diff_graphs:
        matched by id and type)."""
        rows, new, removed = self._g.diff(older._g, _names(shortnames))
        return SnapshotDiff(self, older, rows, new, removed)


class SnapshotDiff:
    """Per type: new, removed and kept objects between two snapshots (``rows`` as tuples
    (name, n_new, n_removed, n_kept, size_new, size_removed, size_kept))."""

    def __init__(self, new, old, rows, new_idx, removed_idx):
        self.new_snapshot, self.old_snapshot = new, old
        self.rows = rows
        self._new, self._removed = new_idx, removed_idx

    def new_objects(self, typename=None):
        """SnapshotNodes (of the newer snapshot) that are new, optionally of one type."""
        nodes = self.new_snapshot._g.nodes(self._new)
        return [n for n in nodes if typename is None or typename in (n.type, n.long_type)]

    def removed_objects(self, typename=None):
        nodes = self.old_snapshot._g.nodes(self._removed)
        return [n for n in nodes if typename is None or typename in (n.type, n.long_type)]

    def growth(self, limit=10):
        """objgraph.growth()-like rows (name, count now, delta), delta > 0, largest first."""
        out = [(name, nn + kept, nn - nr) for name, nn, nr, kept, _, _, _ in self.rows
               if nn > nr]
        out.sort(key=lambda r: r[2], reverse=True)
        return out[:limit] if limit else out

    def show(self, limit=10, file=None):
        """Print an objgraph get_new_ids-style table: Old_ids Current_ids New_ids Count_Deltas
        (plus the bytes of the new objects), largest delta first."""
        if file is None:
            file = sys.stdout
        rows = [(name, nr + kept, nn + kept, nn, nn - nr, sn)
                for name, nn, nr, kept, sn, _, _ in self.rows if nn or nr]
        rows.sort(key=lambda r: (r[4], r[0]), reverse=True)
        if limit:
            rows = rows[:limit]
        if not rows:
            return
        width = max(len(r[0]) for r in rows)
        print('=' * (width + 65), file=file)
        print('%-*s%13s%13s%13s%13s%13s' % (width, 'Type', 'Old_ids', 'Current_ids', 'New_ids',
                                             'Count_Deltas', 'New_bytes'), file=file)
        print('=' * (width + 65), file=file)
        for name, old, cur, new, delta, size in rows:
            print('%-*s%13d%13d%+13d%+13d%13d' % (width, name, old, cur, new, delta, size),
                  file=file)
        print('=' * (width + 65), file=file)

    def __str__(self):
        from io import StringIO
        s = StringIO()
        self.show(limit=None, file=s)
        return s.getvalue()
