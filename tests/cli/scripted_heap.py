"""Scripted heaps captured by the objgraph package, for python_capture_test.py.

    python3 scripted_heap.py readme OUT.pb       objgraph README's leak (computate_something)
    python3 scripted_heap.py growth N OLD.pb NEW.pb
                                                  OLD, then N Widget objects, 4 big Ballast
                                                  lists and a suspended generator kept alive,
                                                  then NEW
    python3 scripted_heap.py orphan OUT.pb       an object kept alive by a leaked reference count

Each mode runs in a fresh interpreter (this script as __main__), saves the snapshot(s) with
objgraph.snapshot().save() and prints the ids of the interesting objects as one JSON object on
stdout. Only ints (ids) are kept after capture, so no extra references reach the objects.
"""
import ctypes
import json
import os
import sys

import objgraph


class MyBigFatObject(object):
    pass


def computate_something(_cache={}):
    # objgraph's README: the cache dict (a default argument) keeps the objects alive.
    _cache[42] = dict(foo=MyBigFatObject(),
                      bar=MyBigFatObject())
    # a very explicit and easy-to-find "leak" but oh well
    x = MyBigFatObject()  # this one doesn't leak
    del x


class Widget(object):
    pass


class Ballast(list):
    """Few objects, many bytes: first by size, far down by count."""


class Orphan(object):
    pass


def paused():
    yield 1


BALLAST_COUNT = 4
BALLAST_LEN = 200000


def readme(out):
    computate_something()
    cache = computate_something.__defaults__[0]
    main = sys.modules[__name__]
    ids = {"module": id(main), "module_dict": id(main.__dict__),
           "function": id(computate_something), "defaults": id(computate_something.__defaults__),
           "cache": id(cache), "inner": id(cache[42]), "foo": id(cache[42]["foo"]),
           "bar": id(cache[42]["bar"]), "class": id(MyBigFatObject),
           "keys": [id(k) for k in cache] + [id(k) for k in cache[42]]}
    del cache, main
    objgraph.snapshot().save(out)
    return ids


def growth(n, old, new):
    objgraph.snapshot().save(old)
    globals()["widgets"] = [Widget() for _ in range(int(n))]
    globals()["ballast"] = [Ballast([None] * BALLAST_LEN) for _ in range(BALLAST_COUNT)]
    globals()["generator"] = paused()
    next(generator)  # suspended, as a generator in a context manager would be
    ids = {"generator": id(generator), "generator_getsizeof": sys.getsizeof(generator),
           "widgets": [id(w) for w in widgets], "widget_getsizeof": sys.getsizeof(widgets[0]),
           "ballast": [id(b) for b in ballast],
           "ballast_getsizeof": [sys.getsizeof(b) for b in ballast]}
    objgraph.snapshot().save(new)
    return ids


def orphan(out):
    o = Orphan()
    # A C extension's missing Py_DECREF, simulated: one reference nobody holds.
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(o))
    ids = {"orphan": id(o)}
    del o
    objgraph.snapshot().save(out)
    return ids


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    result = {"readme": readme, "growth": growth, "orphan": orphan}[mode](*args)
    result.update(pid=os.getpid(), module_name=__name__, version=sys.version.split()[0])
    print(json.dumps(result))
