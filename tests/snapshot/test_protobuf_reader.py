"""The snapshot files our C writer produces decode with the official Python protobuf runtime.

Writes snapshots with the bench binary (bench/snapshot_bench.c, which saves through
og_snapshot_save and prints its counts) and compares those counts with what
read_with_protobuf.py finds. The binary: $OG_SNAPSHOT_BENCH, or built here with
`bazel [--output_base=$OG_BAZEL_OUTPUT_BASE] build -c opt //bench:snapshot_bench`.
Needs `pip install protobuf grpcio-tools` (or Debian's protoc).
"""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
READER = os.path.join(HERE, "read_with_protobuf.py")
COUNTS = re.compile(r"nodes (\d+) edges (\d+) types (\d+) strings (\d+)")


def _bazel(*args):
    cmd = ["bazel"]
    if os.environ.get("OG_BAZEL_OUTPUT_BASE"):
        cmd.append("--output_base=" + os.environ["OG_BAZEL_OUTPUT_BASE"])
    return subprocess.run(cmd + list(args), cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def bench():
    path = os.environ.get("OG_SNAPSHOT_BENCH")
    if not path:
        _bazel("build", "-c", "opt", "//bench:snapshot_bench")
        path = os.path.join(_bazel("info", "-c", "opt", "bazel-bin"), "bench", "snapshot_bench")
    assert os.access(path, os.X_OK), path
    return path


def _counts(text):
    m = COUNTS.search(text)
    assert m, text
    return tuple(int(x) for x in m.groups())


@pytest.mark.parametrize("nodes,chunk", [(0, 0), (1, 0), (3000, 0), (3000, 257)])
def test_official_runtime_reads_our_files(bench, tmp_path, nodes, chunk):
    path = str(tmp_path / "g.ogsnap")
    made = subprocess.run([bench, "--nodes", str(nodes), "--chunk", str(chunk), "--keep",
                           "--out", path], check=True, capture_output=True, text=True).stdout
    read = subprocess.run([sys.executable, READER, path], check=True, capture_output=True,
                          text=True).stdout
    assert _counts(read) == _counts(made)
    assert _counts(made)[0] == nodes
    if nodes == 3000:
        assert _counts(made)[1] > 3 * nodes  # the synthetic heap has ~3.5 edges per node
    records = int(re.search(r"records (\d+)", read).group(1))
    if chunk:  # many chunks: 2 + ceil(nodes / chunk) + ceil(edges / chunk) + strings + types
        assert records > 2 * (nodes // chunk)


def test_official_runtime_rejects_a_truncated_file(bench, tmp_path):
    path = str(tmp_path / "g.ogsnap")
    subprocess.run([bench, "--nodes", "50", "--keep", "--out", path], check=True,
                   capture_output=True)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:-3])
    r = subprocess.run([sys.executable, READER, path], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout
