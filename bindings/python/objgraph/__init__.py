"""Find out what is in the Python heap and why it stays there.

A drop-in `objgraph` module whose heavy lifting (scans of the gc heap, graph walks, DOT
emission) runs in our C engine, objgraph._core. It offers:

- statistics by type: count, typestats, most_common_types, show_most_common_types,
  growth, show_growth, get_new_ids;
- object lookup: by_type, at, at_addrs, get_leaking_objects;
- reference chains and graphs: find_ref_chain, find_backref_chain, show_refs,
  show_backrefs, show_chain, is_proper_module;
- heap snapshots that can be saved and queried offline: snapshot, load, Snapshot.

API and behaviour compatible with objgraph by Marius Gedminas (MIT).
"""
# The MIT licence of objgraph, whose API and behaviour this module follows:
#
# Permission is hereby granted, free of charge, to any person obtaining a
# copy of this software and associated documentation files (the "Software"),
# to deal in the Software without restriction, including without limitation
# the rights to use, copy, modify, merge, publish, distribute, sublicense,
# and/or sell copies of the Software, and to permit persons to whom the
# Software is furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in
# all copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
# FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
# DEALINGS IN THE SOFTWARE.

import codecs
import collections
import gc
import inspect
import io
import itertools
import operator
import os
import re
import subprocess
import sys
import tempfile
import types
from io import StringIO

from objgraph import _core

__author__ = "Marius Gedminas (marius@gedmin.as)"
__copyright__ = "Copyright (c) 2008-2023 Marius Gedminas and contributors"
__license__ = "MIT"
__version__ = '3.6.2'
__date__ = '2024-10-10'


# Graphs are returned as graphviz.Source objects (drawn inline) only inside a
# notebook-like IPython shell. `graphviz` stays a module global whenever the
# package imports, even outside IPython.
IS_INTERACTIVE = False
try:  # pragma: nocover
    import graphviz
    _shell_class = get_ipython().__class__.__name__  # noqa: F821
except (ImportError, NameError):
    pass
else:  # pragma: nocover
    # terminal IPython and PyCharm's console are text-only shells
    IS_INTERACTIVE = 'TerminalInteractiveShell' not in _shell_class
    del _shell_class


def _isinstance(object, classinfo):
    """isinstance() by the real type: a mock's faked ``__class__`` is ignored."""
    return issubclass(type(object), classinfo)


# -- statistics ----------------------------------------------------------------

def count(typename, objects=None):
    """Return how many objects have the type `typename`.

    A dotted `typename` ('module.Class') is matched against full type names,
    otherwise only the class name counts. `objects` defaults to everything the
    gc tracks (ints, strs and other untracked objects are never seen).
    """
    try:
        return _core.by_type(typename, objects, True)
    finally:
        del objects  # no frame <-> list cycle if this frame outlives the call


def typestats(objects=None, shortnames=True, filter=None):
    """Return a dict {type name: number of objects} over `objects` (default:
    all gc-tracked objects), in order of first appearance.

    `shortnames=False` uses 'module.Class' names; with short names, classes
    of the same name from different modules share a row. Objects for which
    `filter(obj)` is false are skipped.
    """
    try:
        return _core.typestats(objects, not shortnames, filter or None)
    finally:
        del objects  # see count()


_by_count = operator.itemgetter(1)


def most_common_types(limit=10, objects=None, shortnames=True, filter=None):
    """Return [(type name, count), ...] from typestats(), largest count first
    (ties keep typestats order), at most `limit` rows (None or 0: all)."""
    ranked = sorted(typestats(objects, shortnames=shortnames, filter=filter).items(),
                    key=_by_count, reverse=True)
    return ranked[:limit] if limit else ranked


def _write_rows(file, line_format, rows):
    """Write each row with `line_format`, whose first field ('%-*s') gets the
    width of the longest name in column 0. Empty rows: ValueError."""
    width = max(len(row[0]) for row in rows)
    for row in rows:
        file.write(line_format % ((width,) + tuple(row)))


def show_most_common_types(limit=10, objects=None, shortnames=True, file=None,
                           filter=None):
    """Print most_common_types() as 'name count' lines to `file` (default: the
    current sys.stdout)."""
    out = sys.stdout if file is None else file
    rows = most_common_types(limit, objects, shortnames=shortnames, filter=filter)
    _write_rows(out, '%-*s %i\n', rows)


def growth(limit=10, peak_stats={}, shortnames=True, filter=None):
    """Return [(type name, count, increase), ...] for the types whose count
    rose above its peak in `peak_stats`, largest increase first, at most
    `limit` rows (None or 0: all).

    Runs gc.collect() first. Every new peak is stored into `peak_stats`, also
    for rows beyond `limit`; the default dict is shared by all calls, so each
    call reports the growth since the previous one.
    """
    gc.collect()
    rows = []
    for name, now in typestats(shortnames=shortnames, filter=filter).items():
        peak = peak_stats.get(name, 0)
        if now > peak:
            peak_stats[name] = now
            rows.append((name, now, now - peak))
    rows.sort(key=operator.itemgetter(2), reverse=True)
    return rows[:limit] if limit else rows


def show_growth(limit=10, peak_stats=None, shortnames=True, file=None,
                filter=None):
    """Print growth() as 'name  count  +increase' lines to `file` (default:
    the current sys.stdout); nothing when no type grew. Without `peak_stats`
    the peaks are growth()'s shared ones."""
    if peak_stats is None:
        rows = growth(limit, shortnames=shortnames, filter=filter)
    else:
        rows = growth(limit, peak_stats, shortnames, filter)
    if rows:
        _write_rows(sys.stdout if file is None else file, '%-*s%9d %+9d\n', rows)


_NEW_IDS_COLUMNS = {'old': 1, 'current': 2, 'new': 3, 'deltas': 4}


def get_new_ids(skip_update=False, limit=10, sortby='deltas',
                shortnames=None, file=None, _state={}):
    """Return {type name: set of id()s} of the objects that appeared since
    the previous call, and print a table of old/current/new id counts.

    The same dict is returned (and refilled) on every call. `skip_update`:
    just return it. `limit`: rows printed (0: none, None: all). `sortby`:
    'old', 'current', 'new' or 'deltas', sorted descending. `shortnames`:
    None keeps the setting of the previous call (initially True). `_state`
    holds the ids between calls. Runs gc.collect() before scanning.
    """
    if not _state:
        _state.update(idsets=_core.IdSets(), new=collections.defaultdict(set),
                      shortnames=True)
    fresh = _state['new']
    if skip_update:
        return fresh
    if shortnames is None:
        shortnames = _state['shortnames']
    else:
        _state['shortnames'] = shortnames
    for ids in fresh.values():
        ids.clear()
    gc.collect()
    rows = _state['idsets'].update(not shortnames, fresh)
    present = {row[0] for row in rows}
    for gone in [name for name in fresh if name not in present]:
        del fresh[gone]
    rows.sort(key=operator.itemgetter(_NEW_IDS_COLUMNS[sortby], 0), reverse=True)
    if limit is not None:
        rows = rows[:limit]
    if rows:
        _print_new_ids_table(rows, file)
    return fresh


def _print_new_ids_table(rows, file):
    """get_new_ids()'s table: name column as wide as the longest printed name,
    then four 13-wide columns, framed by '=' rules."""
    width = max(len(row[0]) for row in rows)
    rule = '=' * (width + 4 * 13)
    titles = ('Old_ids', 'Current_ids', 'New_ids', 'Count_Deltas')
    print(rule, file=file)
    print('%-*s' % (width, 'Type') + ''.join('%13s' % t for t in titles), file=file)
    print(rule, file=file)
    for row in rows:
        print('%-*s%13d%13d%+13d%+13d' % ((width,) + tuple(row)), file=file)
    print(rule, file=file)


# -- finding objects -----------------------------------------------------------

def get_leaking_objects(objects=None):
    """Return the objects (default: all gc-tracked ones) that no gc-tracked
    object refers to: roots, or victims of refcounting bugs in C code.
    Runs gc.collect() first."""
    gc.collect()
    try:
        return _core.leaking(objects)
    finally:
        del objects  # see count()


def by_type(typename, objects=None):
    """Return the list of objects of type `typename` (matched as in count()),
    in gc order."""
    try:
        return _core.by_type(typename, objects, False)
    finally:
        del objects  # see count()


def at(addr):
    """Return the gc-tracked object whose id() is `addr`, or None."""
    if not isinstance(addr, int):
        return None
    return _core.at_addrs((addr,), True)


def at_addrs(address_set):
    """Return the gc-tracked objects whose id() is in `address_set` (any
    container supporting `in`), in gc order. Pairs with get_new_ids()."""
    plain = (_isinstance(address_set, (set, frozenset, dict, list, tuple, range))
             and all(type(a) is int for a in address_set))
    if plain:
        return _core.at_addrs(address_set, False)
    # other containers, or ones holding non-ints (which compare by their own
    # __eq__), are asked about every object
    return [o for o in gc.get_objects() if id(o) in address_set]


def is_proper_module(obj):
    """True if `obj` is a module registered in sys.modules under its name,
    i.e. a reasonable root for a chain of references."""
    return inspect.ismodule(obj) and obj is sys.modules.get(getattr(obj, '__name__', None))


# -- chains and graphs ---------------------------------------------------------

def find_ref_chain(obj, predicate, max_depth=20, extra_ignore=()):
    """Return a shortest chain [obj, ..., match] following references out of
    `obj` to the first object for which `predicate` is true, within
    `max_depth` steps, skipping the ids in `extra_ignore`; [obj] if none."""
    return _find_chain(obj, predicate, gc.get_referents, max_depth, extra_ignore)[::-1]


def find_backref_chain(obj, predicate, max_depth=20, extra_ignore=()):
    """Return a shortest chain [match, ..., obj] of referrers leading to `obj`
    from an object for which `predicate` is true (is_proper_module is the
    usual one); [obj] if none within `max_depth` steps."""
    return _find_chain(obj, predicate, gc.get_referrers, max_depth, extra_ignore)


def _graph_function(name, forward, doc):
    """Build show_refs (forward: follow references) or show_backrefs (follow
    referrers, stop at proper modules). Both call _show_graph directly, which
    ignores its caller's frame."""
    def show(objs, max_depth=3, extra_ignore=(), filter=None, too_many=10,
             highlight=None, filename=None, extra_info=None,
             refcounts=False, shortnames=True, output=None,
             extra_node_attrs=None):
        if forward:
            edges, cull_func = gc.get_referents, None
        else:
            edges, cull_func = gc.get_referrers, is_proper_module
        return _show_graph(objs, edges, forward, max_depth, extra_ignore,
                           filter, too_many, highlight, filename, extra_info,
                           refcounts, shortnames, output, cull_func,
                           extra_node_attrs)
    show.__name__ = show.__qualname__ = name
    show.__doc__ = doc + '\n' + _GRAPH_PARAMETERS
    return show


_GRAPH_PARAMETERS = """
    `objs` is one object or a list/tuple of start objects (wrap a single list
    or tuple in a new list). The walk goes `max_depth` steps and expands at
    most `too_many` neighbours per object. Left out: objects whose id is in
    `extra_ignore` and those for which `filter(obj)` is false. Drawn in blue:
    objects for which `highlight(obj)` is true. Node labels show the type
    ('module.Class' with `shortnames=False`), a short repr, the reference
    count with `refcounts=True`, and str(extra_info(obj)) if given;
    `extra_node_attrs(obj)` returns a dict of extra graphviz node attributes.

    Output: `output`, a file object, receives the DOT text; or `filename`
    (.dot is written as is, any other extension is rendered by graphviz's
    `dot`); otherwise the graph is returned inline under IPython/Jupyter, or
    written to a temporary .dot file shown with xdot (or rendered to .png).
    `output` and `filename` together raise ValueError.
    """

show_refs = _graph_function(
    'show_refs', True,
    "Draw the objects that `objs` refer to, directly or indirectly.")

show_backrefs = _graph_function(
    'show_backrefs', False,
    "Draw the objects that refer to `objs`, directly or indirectly; modules\n"
    "    in sys.modules are drawn but not expanded.")


def show_chain(*chains, **kw):
    """Draw one or more chains from find_backref_chain() / find_ref_chain().

    `backrefs` (default True) walks referrers from each chain's last object,
    False walks references from its first; only chain members are drawn.
    Other keywords are passed on to show_backrefs() / show_refs().
    """
    backrefs = kw.pop('backrefs', True)
    chains = [chain for chain in chains if chain]
    members = list(itertools.chain.from_iterable(chains))
    member_ids = set(map(id, members))

    def in_chains(obj):
        return id(obj) in member_ids
    # lets _show_graph walk referrers among the members only (no heap scan)
    in_chains._og_members = members
    depth = max(map(len, chains)) - 1
    if backrefs:
        show_backrefs([chain[-1] for chain in chains], max_depth=depth,
                      filter=in_chains, **kw)
    else:
        show_refs([chain[0] for chain in chains], max_depth=depth,
                  filter=in_chains, **kw)


# -- walking (in objgraph._core) -----------------------------------------------

def _edge_mode(edge_func, forward=False):
    """How the engine walks: a captured referrer graph (backwards), tp_traverse, or a
    Python callable (any direction)."""
    if edge_func is gc.get_referrers and not forward:
        return _core.MODE_REFERRERS
    if edge_func is gc.get_referents:
        return _core.MODE_REFERENTS
    return _core.MODE_CUSTOM


_DEPTH_CAP = 2 ** 62


def _depth_arg(value):
    """A depth or breadth limit as the engine's integer: objgraph only compares
    it with `<`, so floats work; NaN and negatives mean 0, huge values the cap."""
    if _isinstance(value, int):
        return value
    if value != value or value < 0:
        return 0
    return int(value) if value < _DEPTH_CAP else _DEPTH_CAP


def _ignored_ids(extra_ignore, *containers, frame_locals=False):
    """The ids a walk skips: those in `extra_ignore`, that container itself,
    `containers`, the returned set, and the frames of the walking function
    (our caller) and of its caller (with their locals if `frame_locals`)."""
    ignore = set(extra_ignore)
    ignore.add(id(ignore))
    ignore.update(id(c) for c in (extra_ignore,) + containers)
    for depth in (1, 2):
        frame = sys._getframe(depth)
        ignore.add(id(frame))
        if frame_locals:
            ignore.add(id(frame.f_locals))
    return ignore


def _find_chain(obj, predicate, edge_func, max_depth=20, extra_ignore=()):
    """Breadth-first search from `obj` along `edge_func(node)` for an object
    satisfying `predicate` (checked as nodes are dequeued, `obj` first).
    Returns [match, ..., obj], or [obj] if nothing matches within `max_depth`."""
    ignore = _ignored_ids(extra_ignore)
    gc.collect()
    chain = _core.find_chain(obj, predicate, edge_func, _edge_mode(edge_func),
                             _depth_arg(max_depth), ignore)
    chain.reverse()
    return chain


def _show_graph(objs, edge_func, swap_source_target,
                max_depth=3, extra_ignore=(), filter=None, too_many=10,
                highlight=None, filename=None, extra_info=None,
                refcounts=False, shortnames=True, output=None,
                cull_func=None, extra_node_attrs=None):
    """Walk breadth-first from `objs` along `edge_func(node)` and write the
    graph as DOT (see show_refs for the options). Edges point from a node to
    its neighbours when `swap_source_target` is true, else the other way.
    Nodes for which `cull_func(node)` is true are not expanded."""
    if not _isinstance(objs, (list, tuple)):
        objs = [objs]
    if filename and output:
        raise ValueError('Cannot specify both output and filename.')
    sink, dot_filename, inline = _open_dot_sink(filename, output)
    ignore = _ignored_ids(extra_ignore, objs, frame_locals=True)
    mode = _edge_mode(edge_func, swap_source_target)
    members = getattr(filter, '_og_members', None)
    if mode == _core.MODE_REFERRERS and members is not None:
        # show_chain: referrers among the chain members, which is all its filter keeps
        mode, edge_func, filter = _core.MODE_MEMBERS, members, None
    gc.collect()
    text, nodes = _core.show_graph(
        objs, edge_func, mode,
        bool(swap_source_target), _depth_arg(max_depth),
        _depth_arg(too_many), ignore, filter or None, cull_func,
        *_presentation(extra_info, refcounts, shortnames, extra_node_attrs,
                       highlight))
    sink.write(text)
    if output:
        return None
    if inline:
        return graphviz.Source(sink.getvalue())
    sink.close()  # ours to close: not the caller's `output`
    print("Graph written to %s (%d nodes)" % (dot_filename, nodes))
    _present_graph(dot_filename, filename)
    return None


def _open_dot_sink(filename, output):
    """Where _show_graph writes: (file, path of the .dot file or None, inline?).
    A temporary .dot file (objgraph-*.dot in tempfile's directory) is kept."""
    if output:
        return output, None, False
    if filename and filename.endswith('.dot'):
        return codecs.open(filename, 'w', encoding='utf-8'), filename, False
    if IS_INTERACTIVE and not filename:
        return StringIO(), None, True
    fd, path = tempfile.mkstemp(prefix='objgraph-', suffix='.dot', text=True)
    return io.open(fd, 'w', encoding='utf-8'), path, False


def _presentation(extra_info, refcounts, shortnames, extra_node_attrs,
                  highlight):
    """The per-node and per-edge callbacks the engine's DOT emitter asks, in
    objgraph's order: label (repr, extra_info), extra attributes, module,
    highlight, __del__; then edge labels."""
    def label(obj):
        return _obj_label_text(obj, extra_info, refcounts, shortnames)

    def attrs(obj):
        return _obj_attrs(obj, extra_node_attrs)

    def flags(obj):
        bits = 1 if inspect.ismodule(obj) else 0
        if highlight and highlight(obj):
            bits |= 4
        if hasattr(getattr(obj, '__class__', None), '__del__'):
            bits |= 2
        return bits

    edges_seen = collections.Counter()

    def edge(source, target):
        if _isinstance(source, dict):
            # objgraph issue #49: the n-th edge from a dict to the same value
            # is labelled with the n-th key holding it, not always the first.
            pair = (id(source), id(target))
            nth = edges_seen[pair]
            edges_seen[pair] = nth + 1
            if nth:
                return _dict_edge_label(source, target, shortnames, nth)
        return _edge_label(source, target, shortnames)

    return label, attrs, flags, edge


def _present_graph(dot_filename, filename=None):
    """Act on a written .dot file: nothing if it is `filename`; else render it
    to `filename` with graphviz's `dot` (format from the extension); without a
    `filename`, open it in xdot, or failing that render it to a .png beside it.
    Reports on stdout."""
    if filename == dot_filename:
        return
    if not filename and _program_in_path('xdot'):
        print("Spawning graph viewer (xdot)")
        subprocess.Popen(['xdot', dot_filename], close_fds=True)
        return
    if not _program_in_path('dot'):
        if filename:
            print("Image renderer (dot) not found, not doing anything else")
        else:
            print("Graph viewer (xdot) and image renderer (dot) not found,"
                  " not doing anything else")
        return
    if not filename:
        print("Graph viewer (xdot) not found, generating a png instead")
        filename = dot_filename[:-4] + '.png'
    image_format = os.path.splitext(filename)[1][1:]
    command = ['dot', '-T' + image_format, '-o' + filename, dot_filename]
    renderer = subprocess.Popen(command, close_fds=False)
    renderer.wait()
    if renderer.returncode != 0:
        print('dot failed (exit code %d) while executing "%s"'
              % (renderer.returncode, ' '.join(command)))
    else:
        print("Image generated as %s" % filename)


def _program_in_path(program):
    """True if a file named `program` (or `program`.exe) is in a $PATH
    directory; the execute bit is not checked."""
    for folder in os.environ.get('PATH', os.defpath).split(os.pathsep):
        candidate = os.path.join(folder, program)
        if os.path.isfile(candidate) or os.path.isfile(candidate + '.exe'):
            return True
    return False


# -- node and edge text ----------------------------------------------------------

def _obj_node_id(obj):
    """The DOT node name of `obj`: 'o' and its id()."""
    return 'o' + str(id(obj)).replace('-', '_')


def _obj_attrs(obj, extra_node_attrs):
    """Extra node attributes ', name="value", ...' from extra_node_attrs(obj)
    (sorted by name, None values dropped); '' without the callback."""
    if extra_node_attrs is None:
        return ''
    pairs = sorted(extra_node_attrs(obj).items())
    return ', ' + ', '.join('%s="%s"' % (key, _quote(value))
                            for key, value in pairs if value is not None)


def _obj_label(obj, extra_info=None, refcounts=False, shortnames=True):
    """The quoted DOT label of `obj`."""
    return _quote(_obj_label_text(obj, extra_info, refcounts, shortnames, 1))


def _obj_label_text(obj, extra_info=None, refcounts=False, shortnames=True,
                    _extra_refs=0):
    """Label lines: type name (and ' [refcount]'), short repr, extra_info(obj).

    The refcount leaves out the references held by the labelling call chain
    (4 of them, plus `_extra_refs` more frames); the engine calls this
    function through one closure, as objgraph's walker did."""
    head = _short_typename(obj) if shortnames else _long_typename(obj)
    if refcounts:
        head += ' [%d]' % (sys.getrefcount(obj) - 4 - _extra_refs)
    lines = [head, _safe_repr(obj)]
    if extra_info:
        lines.append(str(extra_info(obj)))
    return '\n'.join(lines)


_DOT_ESCAPES = (('\\', '\\\\'), ('"', '\\"'), ('\n', '\\n'), ('\0', '\\\\0'))


def _quote(s):
    """Escape a string for a double-quoted DOT attribute."""
    for raw, escaped in _DOT_ESCAPES:
        s = s.replace(raw, escaped)
    return s


def _get_obj_type(obj):
    """The real type of `obj` (never its ``__class__``)."""
    return type(obj)


def _short_typename(obj):
    """The type's bare name, e.g. 'dict'."""
    return _get_obj_type(obj).__name__


def _long_typename(obj):
    """'module.name' of the type, or just the name if it has no module."""
    cls = _get_obj_type(obj)
    name = cls.__name__
    module = getattr(cls, '__module__', None)
    return '%s.%s' % (module, name) if module else name


def _safe_repr(obj):
    """_short_repr(obj), or '(unrepresentable)' if that raises."""
    try:
        return _short_repr(obj)
    except Exception:
        return '(unrepresentable)'


def _name_or_repr(value):
    """value.__name__ if that is a str, else the first 40 characters of its repr."""
    try:
        name = value.__name__
    except AttributeError:
        return repr(value)[:40]
    return name if _isinstance(name, str) else repr(value)[:40]


_NAMED_KINDS = (type, types.ModuleType, types.BuiltinMethodType, types.BuiltinFunctionType)


def _short_repr(obj):
    """A one-line description for a node label: a name for classes, modules,
    functions and methods, file:line for lambdas and frames, 'N items' for
    tuples, lists, dicts and sets, else the repr cut to 40 characters."""
    if _isinstance(obj, _NAMED_KINDS):
        return _name_or_repr(obj)
    if _isinstance(obj, types.MethodType):
        name = _name_or_repr(obj.__func__)
        return name + ' (bound)' if obj.__self__ else name
    if _isinstance(obj, types.FunctionType) and obj.__name__ == '<lambda>':
        code = obj.__code__
        return 'lambda: %s:%s' % (os.path.basename(code.co_filename), code.co_firstlineno)
    if _isinstance(obj, types.FrameType):
        return '%s:%s' % (obj.f_code.co_filename, obj.f_lineno)
    if _isinstance(obj, (tuple, list, dict, set)):
        return '%d items' % len(obj)
    return repr(obj)[:40]


def _gradient(start_color, end_color, depth, max_depth):
    """The colour `depth`/`max_depth` of the way from start_color to end_color
    (HSV triples, interpolated linearly); start_color if max_depth is 0."""
    if max_depth == 0:
        return start_color
    f = float(depth) / max_depth
    return tuple(a * (1 - f) + b * f for a, b in zip(start_color, end_color))


def _weighted(label, weight):
    """Edge attributes with a label and a layout weight."""
    return ' [label="%s",weight=%d]' % (label, weight)


def _edge_label(source, target, shortnames=True):
    """The DOT attributes of the edge source -> target: a label naming the
    attribute, frame slot or dict key that holds `target`, or ''."""
    if _isinstance(target, dict) and target is getattr(source, '__dict__', None):
        return _weighted('__dict__', 10)
    if _isinstance(source, types.FrameType):
        if target is source.f_locals:  # pragma: nocover (not since Python 3.7)
            return _weighted('f_locals', 10)
        if target is source.f_globals:
            return _weighted('f_globals', 10)
    if _isinstance(source, types.MethodType):
        if target is source.__self__:
            return _weighted('__self__', 10)
        if target is source.__func__:
            return _weighted('__func__', 10)
    if _isinstance(source, types.FunctionType):
        # first attribute in dir() order that holds the target
        for attr in dir(source):
            if target is getattr(source, attr):
                return _weighted(_quote(attr), 10)
    if _isinstance(source, dict):
        return _dict_edge_label(source, target, shortnames, 0)
    return ''


def _dict_edge_label(source, target, shortnames, nth):
    """The label of the edge from dict `source` to `target` through the nth
    (from 0) key holding it: the key itself if it is an identifier, else its
    type and repr; '' if there is no such key."""
    holders = (key for key, value in source.items() if value is target)
    for key in itertools.islice(holders, nth, nth + 1):
        if _isinstance(key, str) and _is_identifier(key):
            return _weighted(_quote(key), 2)
        typename = _short_typename(key) if shortnames else _long_typename(key)
        return ' [label="%s"]' % _quote(typename + '\n' + _safe_repr(key))
    return ''


_is_identifier = re.compile(r'[A-Za-z_]\w*$', re.ASCII).match


# Heap snapshots (objgraph/_snapshot.py): capture, save, load and query offline.
from objgraph._snapshot import (  # noqa: E402
    Snapshot, SnapshotDiff, SnapshotFormatError, SnapshotNode, load, snapshot)
