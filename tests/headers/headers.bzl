"""Every public header of the engine compiles on its own, as C11 and as C++17.

header_test finds the headers (engine/include/og/*.h) in a cc_library's CcInfo, so a new header
is covered without editing anything. Per header and language it writes a translation unit that
includes only that header (twice, to exercise the include guard) and compiles it with the C
toolchain's compiler (-fsyntax-only); a failure fails the build of the test with the compiler's
message. The test itself then lists what was checked.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//engine/shared:api.bzl", "og_public_headers")

_LANGS = {
    "c": ["-x", "c", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"],
    "cc": ["-x", "c++", "-std=c++17", "-Wall", "-Wextra", "-Werror"],
}

def _header_test_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    hdrs = og_public_headers(ctx.attr.lib)
    if not hdrs:
        fail("%s has no engine/include/og/*.h headers" % ctx.attr.lib.label)
    stamps = []
    checked = []
    for h in hdrs:
        include_root = h.dirname[:-len("/og")]  # .../engine/include
        for lang, flags in _LANGS.items():
            base = "%s/%s.%s" % (ctx.label.name, h.basename, lang)
            tu = ctx.actions.declare_file(base)
            ctx.actions.write(tu, '#include "og/%s"\n#include "og/%s"\n' % (h.basename, h.basename))
            stamp = ctx.actions.declare_file(base + ".ok")
            args = flags + ["-fsyntax-only", "-I", include_root, tu.path]
            ctx.actions.run_shell(
                inputs = depset([tu] + hdrs, transitive = [cc_toolchain.all_files]),
                outputs = [stamp],
                command = '"$@" && touch %s' % stamp.path,
                arguments = [cc_toolchain.compiler_executable] + args,
                mnemonic = "OgHeaderCheck",
                progress_message = "Compiling %s alone as %s" % (h.short_path, "C11" if lang == "c" else "C++17"),
            )
            stamps.append(stamp)
            checked.append("%s as %s" % (h.short_path, " ".join(flags[1:])))
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        script,
        "#!/bin/sh\n# Built only if every header compiled on its own.\ncat <<'EOF'\n" +
        "\n".join(checked) + "\nEOF\necho '%d headers x 2 languages compile on their own'\n" % len(hdrs),
        is_executable = True,
    )
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = stamps))]

header_test = rule(
    implementation = _header_test_impl,
    test = True,
    attrs = {
        "lib": attr.label(mandatory = True, providers = [CcInfo]),
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)
