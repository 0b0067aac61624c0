"""The consistency score is meaningful: own style beats other styles on held-out passages."""

import re

import pytest

from core.brand.scoring import build_reference, score_text
from tests.brand_corpus import STYLES, passages
from tests.test_brand_analysis import TEN


@pytest.mark.parametrize("language", ["en", "de", "es"])
@pytest.mark.parametrize("style", STYLES)
def test_own_style_scores_higher_than_other_styles(language, style):
    reference = build_reference(passages(language, style), language)
    own = [score_text(reference, text)[0] for text in passages(language, style, "heldout")]
    others = [score_text(reference, text)[0] for other in STYLES if other != style
              for text in passages(language, other, "heldout")]
    assert min(own) > max(others), (own, others)


def test_differences_are_explained_in_words():
    reference = build_reference(passages("en", "blog"), "en")
    score, reasons = score_text(reference, passages("en", "legal", "heldout")[0])
    assert score < 30 and 1 <= len(reasons) <= 3
    assert reasons[0].startswith("harder to read: grade")
    assert any(r.startswith("speaks in the first person (I/we) less often than your samples") for r in reasons)


def test_long_sentences_are_named_as_a_difference():
    reference = build_reference(passages("de", "product"), "de")
    merged = " ".join(passages("de", "product", "heldout")).replace(". ", ", ")
    score, reasons = score_text(reference, merged)
    assert any(r.startswith("sentences are") and "times as long as your samples'" in r for r in reasons)
    assert score < score_text(reference, passages("de", "product", "heldout")[0])[0]


def test_banned_words_lower_the_score():
    reference = build_reference(passages("en", "product"), "en")
    text = passages("en", "product", "heldout")[0]
    clean, _ = score_text(reference, text, ["synergy"])
    banned, reasons = score_text(reference, text, ["espresso", "Steam wand"])
    assert banned < clean and "uses banned words: espresso, Steam wand" in reasons
    chinese = build_reference([" ".join([TEN["zh"]] * 3)], "zh")
    assert "uses banned words: 工具" in score_text(chinese, " ".join([TEN["zh"]] * 3), ["工具", "产品"])[1]


def test_too_short_or_unsupported_texts_are_not_scored():
    reference = build_reference(passages("en", "blog"), "en")
    assert score_text(reference, "Hi there!") == (None, ["too short to score: 2 words, at least 25 needed"])
    assert build_reference(["Far too short."], "en") is None


@pytest.mark.parametrize("language", sorted(TEN))
def test_every_language_scores_its_own_text_top_and_run_on_sentences_lower(language):
    text = " ".join([TEN[language]] * 3)
    reference = build_reference([text], language)
    assert score_text(reference, text) == (100, [])
    comma = "，" if language in {"ja", "zh"} else "، " if language in {"fa", "ar"} else ", "
    run_on = re.sub(r"[.!?。！？؟]\s*", comma, text.replace("¿", "").replace("¡", "")) + "."
    score, reasons = score_text(reference, run_on)
    assert score < 100 and any(r.startswith("sentences are") for r in reasons), (score, reasons)
    if reference["figures"]["readability_grade"] is None:
        assert language in {"ja", "zh", "ko"}
