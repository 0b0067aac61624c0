"""llama.cpp loaded without extra buffer types, so even a native build with AMX cannot crash on decode.

AMX's extra buffer type repacks the weights and segfaults on the first decode (ggml-org/llama.cpp#20824).
`Llama()` has no argument for `llama_model_params.use_extra_bufts`, but builds its model params from
`llama_cpp.llama_model_default_params()` just before loading; install() makes that default False.
Only processes that exist to run llama.cpp call it: the local model runner and, through this module's
`__main__`, `llama_cpp.server` (`python -m core.providers.llama_portable --model FILE.gguf ...`).
"""

import runpy
import sys

import llama_cpp.llama_cpp as llama_lib

_library_default_params = llama_lib.llama_model_default_params


def _default_params_without_extra_buffers():
    params = _library_default_params()
    params.use_extra_bufts = False
    return params


def install() -> None:
    """Make every Llama() created in this process load its weights without extra buffer types."""
    llama_lib.llama_model_default_params = _default_params_without_extra_buffers


if __name__ == "__main__":
    install()
    sys.argv[0] = "llama_cpp.server"
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
