"""pytest setup: import our objgraph (an in-place build of this checkout first, else the installed
package; OG_TEST_INSTALLED=1 forces the installed one) and, when available, upstream objgraph 3.6.2 as `upstream` for byte-for-byte comparisons
(from the sdist run_upstream.sh caches; OG_UPSTREAM_CACHE overrides the cache directory)."""
import glob
import importlib.util
import os
import sys
import tarfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = os.path.join(ROOT, "bindings", "python")
if not os.environ.get("OG_TEST_INSTALLED") and glob.glob(os.path.join(PKG, "objgraph", "_core*.so")):
    sys.path.insert(0, PKG)

CACHE = os.environ.get("OG_UPSTREAM_CACHE", "/tmp/objgraph-upstream-cache")


def _load_upstream():
    sdist = os.path.join(CACHE, "objgraph-3.6.2.tar.gz")
    target = os.path.join(CACHE, "upstream_objgraph.py")
    if not os.path.exists(target):
        if not os.path.exists(sdist):
            return None
        with tarfile.open(sdist) as tf:
            member = tf.extractfile("objgraph-3.6.2/objgraph.py")
            with open(target, "wb") as f:
                f.write(member.read())
    spec = importlib.util.spec_from_file_location("upstream_objgraph", target)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_UPSTREAM = _load_upstream()


@pytest.fixture
def upstream():
    if _UPSTREAM is None:
        pytest.skip("upstream objgraph 3.6.2 sdist not cached (run tests/python/run_upstream.sh)")
    return _UPSTREAM


@pytest.fixture
def og():
    import objgraph
    assert hasattr(objgraph, "_core"), objgraph.__file__
    return objgraph


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in a temp dir with tempfile writing there too (as upstream's doctests do)."""
    import tempfile
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path
