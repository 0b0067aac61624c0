"""The install-time check that llama.cpp was built portably (no AMX extra buffer type)."""

import llama_cpp

from core.providers import llama_check


def test_this_build_passes(capsys):
    assert llama_check.main() == 0
    assert "AMX_INT8 = 1" not in capsys.readouterr().err


def test_an_amx_build_fails_the_install_with_the_fix(monkeypatch, capsys):
    monkeypatch.setattr(llama_cpp, "llama_print_system_info", lambda: b"CPU : AVX2 = 1 | AMX_INT8 = 1 | REPACK = 1 |")
    assert llama_check.main() == 1
    assert "make clean install" in capsys.readouterr().err
