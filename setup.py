"""Build the drop-in `objgraph` package: the C engine (engine/src, minus the snapshot codec)
and the CPython adapter (bindings/python/src) as one extension module, objgraph._core."""
import glob
import os
import sys

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


def sources():
    engine = sorted(p for p in glob.glob(rel("engine", "src", "*.c"))
                    if not os.path.basename(p).startswith("snapshot"))
    adapter = sorted(glob.glob(rel("bindings", "python", "src", "*.c")))
    return engine + adapter


def headers():
    return sorted(glob.glob(rel("engine", "include", "og", "*.h"))
                  + glob.glob(rel("engine", "src", "*.h"))
                  + glob.glob(rel("bindings", "python", "src", "*.h")))


extra_compile_args = []
if sys.platform != "win32":
    extra_compile_args = ["-std=c11", "-fvisibility=hidden", "-Wall", "-Wno-unused-parameter",
                          "-D_POSIX_C_SOURCE=200809L", "-O2"]

setup(
    package_dir={"objgraph": rel("bindings", "python", "objgraph")},
    packages=["objgraph"],
    ext_modules=[
        Extension(
            "objgraph._core",
            sources=sources(),
            depends=headers(),
            include_dirs=[rel("engine", "include"), rel("bindings", "python", "src")],
            extra_compile_args=extra_compile_args,
        )
    ],
)
