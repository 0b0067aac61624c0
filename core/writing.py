"""Writing one result that meets the brief: one shot or section by section, then the quality gate and one retry."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from . import longform, quality, seo
from .answers import Tally, ask
from .errors import CancelledError, InvalidOutputError, describe_validation_error
from .schemas import LENGTH_WORDS, ContentData, ContentRequest
from .i18n import _

ONE_SHOT_SHARE = 0.8  # a one-shot body under 80 % of the asked words is rewritten section by section
Progress = Callable[[str, float], None]
log = logging.getLogger("contentcraft")


@dataclass
class Written:
    """The result to return, the gate's verdict on it, and how many attempts it took (1 or 2)."""

    data: BaseModel
    verdict: quality.Verdict
    attempts: int


def one_shot_is_enough(chain: list, request) -> bool:
    """False when the post must be written section by section from the start (small local models)."""
    return not isinstance(request, ContentRequest) or getattr(chain[0], "writes_long_posts", True)


def draft_once(job, request, chain: list, tally: Tally, extra: list[str], regenerate_meta: Callable,
               on_progress: Progress, cancel: threading.Event | None, on_chunk=None) -> BaseModel:
    """One attempt: a one-shot answer, section by section when that falls short of the asked length."""
    if one_shot_is_enough(chain, request):
        on_progress("Writing…", 0.0)
        draft = ask(chain, job.messages(request, extra), job.draft_model, tally, on_chunk)
        try:
            data = _build(job, draft, request)
        except IncompleteAnswerError:
            raise
        except InvalidOutputError:  # only the meta description could not be fitted: ask for that alone
            draft.meta_desc = regenerate_meta(draft)
            data = _build(job, draft, request)
        if not isinstance(data, ContentData) or _words(data) >= LENGTH_WORDS[request.length] * ONE_SHOT_SHARE:
            return data
        on_progress(_("The first draft has {words} words; writing it section by section…").format(words=_words(data)),
                    0.0)
    return longform.write(chain, request, tally, extra, on_progress=on_progress, cancel=cancel, on_chunk=on_chunk)


def write_checked(job, request, chain: list, tally: Tally, extra: list[str], regenerate_meta: Callable,
                  on_progress: Progress | None = None, cancel: threading.Event | None = None,
                  on_chunk: Callable[[str], None] | None = None) -> Written:
    """A result that passed the gate, or the better of two attempts with the gate's reasons."""
    report = on_progress or (lambda message, fraction: None)
    try:
        data = draft_once(job, request, chain, tally, extra, regenerate_meta, report, cancel, on_chunk)
    except InvalidOutputError as problem:  # unusable answer: the one retry, told what was wrong
        report("Trying again: " + str(problem), 0.0)
        firmer = [*extra, f"Your previous answer was rejected: {problem} Answer completely this time."]
        data = draft_once(job, request, chain, tally, firmer, regenerate_meta, report, cancel)
        return Written(data, quality.check(data, request), 2)
    verdict = quality.check(data, request)
    if verdict.ok:
        return Written(data, verdict, 1)
    report(_("Fixing: {problems}").format(problems=" ".join(verdict.messages)), 0.0)
    firmer = [*extra, quality.retry_instruction(verdict, request.language)]
    try:
        second = draft_once(job, request, chain, tally, firmer, regenerate_meta, report, cancel)
    except CancelledError:
        raise
    except Exception:  # the first result, to review, beats no result
        log.warning("the retry after the quality gate failed", exc_info=True)
        return Written(data, verdict, 2)
    second_verdict = quality.check(second, request)
    if len(second_verdict.problems) <= len(verdict.problems):
        return Written(second, second_verdict, 2)
    return Written(data, verdict, 2)


class IncompleteAnswerError(InvalidOutputError):
    """The answer parsed but lacks something the result needs."""


def _build(job, draft: BaseModel, request) -> BaseModel:
    try:
        return job.build(draft, request)
    except ValidationError as exc:  # e.g. a field that is empty once its markup is removed
        raise IncompleteAnswerError(_("The model's answer is incomplete ({problems}).")
                                    .format(problems=describe_validation_error(exc, 3))) from None


def _words(data: ContentData) -> int:
    return seo.word_count(seo.plain_text(data.body_html))
