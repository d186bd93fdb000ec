"""Entry point of the Bazel py_test targets: run pytest on the test files given as arguments,
found next to this file (in the runfiles tree)."""
import os
import sys

import pytest

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    files = [os.path.join(here, a) for a in sys.argv[1:]]
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", here] + files))
