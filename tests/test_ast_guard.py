"""tests/ast_guard.py: on CPython 3.11.0–3.11.7 every AST conversion holds one lock, and compile() still works."""

import ast
import builtins
import threading

from tests import ast_guard


def test_the_guard_is_on_exactly_where_cpython_needs_it():
    assert (builtins.compile is ast_guard._serialised_compile) == ast_guard.AFFECTED


def test_ast_work_takes_the_lock_and_plain_compiles_do_not():
    held = []

    class Spy:
        def __enter__(self):
            held.append(True)

        def __exit__(self, *exc):
            return False

    lock, ast_guard._lock = ast_guard._lock, Spy()
    try:
        tree = ast.parse("total = price * 2")  # PyCF_ONLY_AST: through the lock
        namespace = {"price": 21}
        exec(ast_guard._serialised_compile(tree, "<tree>", "exec"), namespace)  # an AST read: through the lock
        code = ast_guard._serialised_compile("x = 1", "<text>", "exec")  # source to bytecode: no AST object
    finally:
        ast_guard._lock = lock
    assert namespace["total"] == 42 and code.co_filename == "<text>"
    assert len(held) == (2 if ast_guard.AFFECTED else 1)  # ast.parse goes through builtins only when patched
    assert isinstance(ast_guard._lock, type(threading.RLock()))
