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
