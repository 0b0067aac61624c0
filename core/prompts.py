"""Prompt templates stored as files in data/prompts, filled with string.Template."""

import string
import tomllib
from functools import lru_cache
from pathlib import Path

from .config import DATA_DIR
from .errors import ContentCraftError
from .schemas import LENGTH_WORDS, ContentRequest, ProductRequest
from .text import cut_to_units
from .i18n import _

PROMPTS_DIR = DATA_DIR / "prompts"


class MissingVariablesError(ContentCraftError):
    """A template needs variables that were not given."""


@lru_cache
def load_template(name: str, directory: Path = PROMPTS_DIR) -> string.Template:
    """The template data/prompts/NAME.txt."""
    path = directory / f"{name}.txt"
    if not path.is_file():
        raise ContentCraftError(_("Prompt template {path} is missing: restore it from git.").format(path=path))
    return string.Template(path.read_text(encoding="utf-8"))


def render(template_name: str, /, **values) -> str:
    """Fill the named template; every $variable it uses must be given."""
    template = load_template(template_name)
    needed = {m.group("named") or m.group("braced") for m in template.pattern.finditer(template.template)} - {None}
    missing = sorted(needed - values.keys())
    if missing:
        raise MissingVariablesError(_("Template {template_name!r} needs: {missing}")
                                    .format(template_name=template_name, missing=', '.join(missing)))
    return template.substitute(values).strip()


@lru_cache
def language_instruction(code: str) -> str:
    """How the prompt asks for language code."""
    languages = tomllib.loads((PROMPTS_DIR / "languages.toml").read_text(encoding="utf-8"))
    return languages[code]


def blog_messages(request: ContentRequest, extra: list[str]) -> list[dict[str, str]]:
    """Chat messages for a blog post request."""
    sections = ("Use these sections, in order: " + "; ".join(request.sections)) if request.sections else ""
    user = render("blog", topic=request.topic, language_instruction=language_instruction(request.language),
                  tone=request.tone, words=LENGTH_WORDS[request.length],
                  keywords=", ".join(request.keywords) or "(choose the obvious ones)",
                  sections_instruction=sections, extra_instructions="\n".join(extra))
    return [{"role": "system", "content": render("blog_system")}, {"role": "user", "content": user}]


def product_messages(request: ProductRequest, extra: list[str]) -> list[dict[str, str]]:
    """Chat messages for a product description request."""
    attributes = "; ".join(f"{k}: {v}" for k, v in request.attributes.items()) or "(none given)"
    user = render("product", name=request.name, category=request.category or "(not given)",
                  features="; ".join(request.features) or "(not given)", attributes=attributes,
                  audience=request.audience or "(general)", tone=request.tone,
                  language_instruction=language_instruction(request.language),
                  current_copy=("Current copy (rewrite it; keep its facts, drop nothing true): "
                                + request.current_copy) if request.current_copy else "",
                  extra_instructions="\n".join(extra))
    return [{"role": "system", "content": render("product_system")}, {"role": "user", "content": user}]


def repair_messages(messages: list[dict[str, str]], previous: str, problem: str) -> list[dict[str, str]]:
    """The original conversation plus a request to fix the previous answer."""
    return [*messages, {"role": "assistant", "content": cut_to_units(previous, 6000)},
            {"role": "user", "content": render("repair", problem=problem)}]
