#!/usr/bin/env python3
"""Rewrite a snapshot's node and edge chunks in another encoding protobuf allows, for seeds that
take the reader's protobuf-c path for chunks (the engine's own decoder takes only the canonical one),
or that give the engine's decoder varints of every length.

    fuzz/recode_chunks.py unpacked|reversed|stretched IN OUT

unpacked: every packed column written as one field per value; reversed: the chunk's fields in
reverse order; stretched: every varint of a packed column written in 1 to 10 bytes (its minimal
length or more, turning with its position), which the engine's decoder still takes. The trailer's
record count stays, its CRC-32 is recomputed. Standard library only.
"""
import sys
import zlib

MAGIC = b"OGSNAP1\n"
NODES, EDGES, TRAILER = 4, 5, 15


def varint(b, i):
    x = s = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7F) << s
        s += 7
        if not c & 0x80:
            return x, i


def put_varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def put_stretched(v, length):
    """v as a varint of exactly max(length, its minimal length) bytes."""
    raw = bytearray(put_varint(v))
    while len(raw) < length:
        raw[-1] |= 0x80
        raw.append(0)
    return bytes(raw)


def fields(msg):
    """(number, wire type, raw value bytes) of each field of msg."""
    i, out = 0, []
    while i < len(msg):
        key, j = varint(msg, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            _, k = varint(msg, j)
        elif wt == 2:
            n, k = varint(msg, j)
            k += n
        elif wt == 5:
            k = j + 4
        else:
            k = j + 8
        out.append((num, wt, msg[j:k]))
        i = k
    return out


def encode(fs):
    return b"".join(put_varint(num << 3 | wt) + raw for num, wt, raw in fs)


def recode(chunk, how):
    fs = fields(chunk)
    if how == "reversed":
        return encode(fs[::-1])
    out = []
    for num, wt, raw in fs:
        if wt != 2:
            out.append((num, wt, raw))
            continue
        n, i = varint(raw, 0)
        col = bytearray()
        while i < len(raw):
            v, j = varint(raw, i)
            if how == "stretched":
                col += put_stretched(v, (len(col) + j) % 10 + 1)
            else:
                out.append((num, 0, raw[i:j]))
            i = j
        if how == "stretched":
            out.append((num, 2, put_varint(len(col)) + bytes(col)))
    return encode(out)


def main():
    how, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    assert data.startswith(MAGIC), "not a snapshot"
    out, i = bytearray(MAGIC), len(MAGIC)
    while i < len(data):
        n, j = varint(data, i)
        body = data[j:j + n]
        i = j + n
        (num, wt, raw), = fields(body)
        if num in (NODES, EDGES):
            _, k = varint(raw, 0)
            chunk = recode(raw[k:], how)
            body = put_varint(num << 3 | 2) + put_varint(len(chunk)) + chunk
        elif num == TRAILER:
            _, k = varint(raw, 0)
            t = [f for f in fields(raw[k:]) if f[0] != 6]
            t.append((6, 5, (zlib.crc32(bytes(out)) & 0xFFFFFFFF).to_bytes(4, "little")))
            inner = encode(t)
            body = put_varint(num << 3 | 2) + put_varint(len(inner)) + inner
        out += put_varint(len(body)) + body
    open(dst, "wb").write(bytes(out))


if __name__ == "__main__":
    main()
