"""Build the drop-in `objgraph` package: the C engine (engine/src, with the snapshot codec) and
the CPython adapter (bindings/python/src) as one extension module, objgraph._core. The snapshot
codec needs protoc-c and libprotobuf-c (Debian: protobuf-c-compiler, libprotobuf-c-dev; see
scripts/setup.sh): the C code for proto/og/v1/snapshot.proto is generated into the build tree."""
import glob
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


def sources():
    engine = sorted(glob.glob(rel("engine", "src", "*.c")))
    adapter = sorted(glob.glob(rel("bindings", "python", "src", "*.c")))
    return engine + adapter


def headers():
    return sorted(glob.glob(rel("engine", "include", "og", "*.h"))
                  + glob.glob(rel("engine", "src", "*.h"))
                  + glob.glob(rel("bindings", "python", "src", "*.h"))
                  + [rel("proto", "og", "v1", "snapshot.proto")])


class build_ext_proto(build_ext):
    """build_ext that first runs protoc-c on the snapshot schema into the build directory."""

    def build_extensions(self):
        protoc = shutil.which("protoc-c")
        if not protoc:
            sys.exit("objgraph: protoc-c not found; install protobuf-c-compiler and "
                     "libprotobuf-c-dev (scripts/setup.sh)")
        gen = os.path.abspath(os.path.join(self.build_temp, "og-proto"))
        os.makedirs(gen, exist_ok=True)
        subprocess.check_call([protoc, "--proto_path=" + rel("proto"), "--c_out=" + gen,
                               rel("proto", "og", "v1", "snapshot.proto")])
        for ext in self.extensions:
            ext.sources.append(os.path.join(gen, "og", "v1", "snapshot.pb-c.c"))
            ext.include_dirs.append(gen)
        super().build_extensions()


extra_compile_args = []
extra_link_args = []
if sys.platform != "win32":
    # OG_EMBEDDED: the engine is compiled in and exports nothing, so the adapter's calls into it
    # bind directly; -flto lets the capture's hot loops inline its builder calls (~6% of a
    # snapshot's instructions). OBJGRAPH_NO_LTO=1 builds without, for toolchains that lack it.
    lto = [] if os.environ.get("OBJGRAPH_NO_LTO") else ["-flto"]
    extra_compile_args = ["-std=c11", "-fvisibility=hidden", "-Wall", "-Wno-unused-parameter",
                          "-D_POSIX_C_SOURCE=200809L", "-DOG_EMBEDDED", "-O3", "-pthread"] + lto
    extra_link_args = ["-pthread", "-O3"] + lto  # -pthread: the engine's helper threads

setup(
    package_dir={"objgraph": rel("bindings", "python", "objgraph")},
    packages=["objgraph"],
    ext_modules=[
        Extension(
            "objgraph._core",
            sources=sources(),
            depends=headers(),
            include_dirs=[rel("engine", "include"), rel("bindings", "python", "src")],
            libraries=["protobuf-c"],
            extra_compile_args=extra_compile_args,
            extra_link_args=extra_link_args,
        )
    ],
    cmdclass={"build_ext": build_ext_proto},
)
