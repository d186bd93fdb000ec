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
        lto = self.lto_works()
        for ext in self.extensions:
            ext.sources.append(os.path.join(gen, "og", "v1", "snapshot.pb-c.c"))
            ext.include_dirs.append(gen)
            if not lto:
                ext.extra_compile_args = [a for a in ext.extra_compile_args if a != "-flto"]
                ext.extra_link_args = [a for a in ext.extra_link_args if a != "-flto"]
        super().build_extensions()

    def lto_works(self):
        """Whether this compiler builds and links a shared object with -flto (toolchains without
        the linker plugin do not): else the extension is built without."""
        if not any("-flto" in ext.extra_compile_args for ext in self.extensions):
            return False
        probe = os.path.abspath(os.path.join(self.build_temp, "lto-probe"))
        os.makedirs(probe, exist_ok=True)
        src = os.path.join(probe, "probe.c")
        with open(src, "w") as f:
            f.write("int og_lto_probe(int x) { return x + 1; }\n")
        try:
            objs = self.compiler.compile([src], output_dir=probe, extra_postargs=["-flto", "-fPIC"])
            self.compiler.link_shared_object(objs, os.path.join(probe, "probe.so"),
                                             extra_postargs=["-flto"])
            return True
        except Exception:  # CompileError, LinkError: no LTO here
            print("objgraph: building without -flto (this toolchain cannot link with it)")
            return False


extra_compile_args = []
extra_link_args = []
if sys.platform != "win32":
    # OG_EMBEDDED: the engine is compiled in and exports nothing, so the adapter's calls into it
    # bind directly; -flto lets the capture's hot loops inline its builder calls (~6% of a
    # snapshot's instructions). Toolchains that cannot link with it build without (lto_works);
    # OBJGRAPH_NO_LTO=1 asks for that.
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
