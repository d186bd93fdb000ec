"""Compiler flags shared by every C target of the project."""

OG_COPTS = [
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-D_POSIX_C_SOURCE=200809L",
]

OG_CXXOPTS = [
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
]

# The engine's libraries in `-c opt` builds: -O3, as setup.py builds the Python package. GCC's -O2
# vectorizes only loops that need no scalar remainder, which leaves the snapshot decoder's column
# loops scalar (its chunks decode 1.6x slower at -O2 with AVX-512, bench/snapwire_bench.c).
OG_ENGINE_OPT = select({
    "//bazel:opt": ["-O3"],
    "//conditions:default": [],
})
