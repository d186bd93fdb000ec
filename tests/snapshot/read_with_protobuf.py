#!/usr/bin/env python3
"""Decode an objgraph snapshot with the OFFICIAL Python protobuf runtime (not our C code).

    python3 tests/snapshot/read_with_protobuf.py FILE [--json]

Generates Python code from proto/og/v1/snapshot.proto at run time (grpcio-tools' bundled protoc,
or `protoc` on PATH), walks the framing documented in that file (magic, varint-length-prefixed
Record messages), checks record order, chunk positions, column lengths, totals against the
header and trailer, and the trailer's CRC-32 (zlib), then prints the counts it found:
    nodes N edges E types T strings S records R
Exit status 1 with a message on any violation.
"""
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO_DIR = os.path.join(ROOT, "proto")
PROTO = os.path.join("og", "v1", "snapshot.proto")
MAGIC = b"OGSNAP1\n"
ORDER = ["header", "strings", "types", "nodes", "edges", "trailer"]


def generate(outdir):
    """Write og/v1/snapshot_pb2.py under outdir with protoc."""
    args = ["--proto_path=" + PROTO_DIR, "--python_out=" + outdir, PROTO]
    try:
        from grpc_tools import protoc  # noqa: WPS433 (optional dependency)
        import grpc_tools
        include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        if protoc.main(["protoc", "--proto_path=" + include] + args) != 0:
            raise SystemExit("grpc_tools.protoc failed on " + PROTO)
    except ImportError:
        exe = shutil.which("protoc")
        if not exe:
            raise SystemExit("need grpcio-tools (pip install grpcio-tools) or protoc on PATH")
        subprocess.run([exe] + args, check=True)


def load_module():
    outdir = tempfile.mkdtemp(prefix="og_pb2_")
    generate(outdir)
    sys.path.insert(0, outdir)
    return importlib.import_module("og.v1.snapshot_pb2")


def varint(data, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(data):
            raise ValueError("file ends inside a record length")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
        if shift >= 35:
            raise ValueError("record length varint longer than 5 bytes")


def read(path, pb):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError("missing magic")
    pos, phase, records = 8, -1, []
    counts = {"strings": 0, "types": 0, "nodes": 0, "edges": 0}
    header = trailer = None
    degree_sum = 0
    while trailer is None:
        start = pos
        length, pos = varint(data, pos)
        if length > len(data) - pos:
            raise ValueError("record at byte %d: length %d beyond the end" % (start, length))
        rec = pb.Record.FromString(data[pos:pos + length])
        pos += length
        case = rec.WhichOneof("body")
        if case is None or ORDER.index(case) < phase or (case == "header") != (phase == -1):
            raise ValueError("record %d at byte %d: unexpected %s" % (len(records) + 1, start, case))
        phase = ORDER.index(case)
        body = getattr(rec, case)
        if case == "header":
            header = body
        elif case == "trailer":
            trailer = body
            if trailer.crc32 != zlib.crc32(data[:start]):
                raise ValueError("CRC-32 mismatch")
            if trailer.record_count != len(records):
                raise ValueError("trailer record_count %d, found %d" % (trailer.record_count, len(records)))
        else:
            n = {"strings": lambda c: len(c.length), "types": lambda c: len(c.short_name),
                 "nodes": lambda c: c.count, "edges": lambda c: c.count}[case](body)
            if body.first != counts[case]:
                raise ValueError("%s chunk starts at %d, expected %d" % (case, body.first, counts[case]))
            if case == "strings" and sum(body.length) != len(body.data):
                raise ValueError("string lengths disagree with the data")
            if case == "nodes":
                for col in ("id_delta", "type"):
                    if len(getattr(body, col)) != n:
                        raise ValueError("node column %s has the wrong length" % col)
                degree_sum += sum(body.out_degree)
            if case == "edges" and (len(body.target_delta) != n or len(body.kind) != n):
                raise ValueError("edge columns have the wrong length")
            counts[case] += n
        records.append(case)
    if pos != len(data):
        raise ValueError("%d bytes after the trailer" % (len(data) - pos))
    for name, key in (("node_count", "nodes"), ("edge_count", "edges"),
                      ("type_count", "types"), ("string_count", "strings")):
        if getattr(header, name) != counts[key] or getattr(trailer, name) != counts[key]:
            raise ValueError("%s: header %d, trailer %d, chunks %d" % (
                name, getattr(header, name), getattr(trailer, name), counts[key]))
    if degree_sum != counts["edges"]:
        raise ValueError("out-degrees sum to %d, %d edges" % (degree_sum, counts["edges"]))
    counts["records"] = len(records)
    counts["format_version"] = header.format_version
    counts["runtime_name"] = header.runtime_name
    return counts


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        c = read(argv[1], load_module())
    except (ValueError, OSError) as e:
        print("%s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    if "--json" in argv:
        print(json.dumps(c, sort_keys=True))
    else:
        print("nodes %(nodes)d edges %(edges)d types %(types)d strings %(strings)d records %(records)d" % c)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
