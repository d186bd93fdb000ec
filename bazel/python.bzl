"""The python3 first on PATH: its headers as @local_python//:headers."""

def _local_python_impl(ctx):
    python = ctx.which("python3")
    if not python:
        fail("python3 not found on PATH")
    res = ctx.execute([python, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"])
    if res.return_code != 0:
        fail("cannot ask python3 for its include path: " + res.stderr)
    ctx.symlink(res.stdout.strip(), "include")
    ctx.file("BUILD", """
cc_library(
    name = "headers",
    hdrs = glob(["include/*.h", "include/cpython/*.h", "include/internal/*.h"], allow_empty = True),
    includes = ["include"],
    visibility = ["//visibility:public"],
)
""")

local_python = repository_rule(
    implementation = _local_python_impl,
    local = True,
    environ = ["PATH"],
)
