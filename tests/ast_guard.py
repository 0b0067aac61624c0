"""A pytest plugin (pytest.ini: -p tests.ast_guard): one thread at a time turns source into an AST on CPython 3.11.0–3.11.7.

Those versions keep a process-wide depth counter while converting between C and Python ASTs, so two threads
doing it at once (pytest formatting a failure with ast.parse while a Streamlit script thread runs magic.py's
ast.parse and compiles the tree) raise SystemError "AST constructor recursion depth mismatch", which pytest
reports as an INTERNALERROR instead of the failure. CPython 3.11.8 fixed it (gh-106905, "Use per AST-parser
state ... to prevent potential race condition due to simultaneous parsing"). Reproduced here on 3.11.7: two
threads parsing a large module while cyclic garbage with finalisers is collected.
"""

import ast
import builtins
import sys
import threading

AFFECTED = (3, 11) <= sys.version_info[:3] < (3, 11, 8)
_lock = threading.RLock()
_compile = builtins.compile


def _serialised_compile(source, filename, mode, flags=0, *args, **kwargs):
    """compile(), holding the lock whenever an AST is made (PyCF_ONLY_AST, so ast.parse too) or read."""
    if isinstance(source, ast.AST) or flags & ast.PyCF_ONLY_AST:
        with _lock:
            return _compile(source, filename, mode, flags, *args, **kwargs)
    return _compile(source, filename, mode, flags, *args, **kwargs)


if AFFECTED:
    builtins.compile = _serialised_compile
