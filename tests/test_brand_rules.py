"""Prohibitions are recognised in the ten languages and never end up as Do rules."""

import pytest

from core.brand.rules import is_prohibition, prohibitions, quoted_terms, settle

FORBIDDING = {
    "en": "Avoid “one-stop shop”.", "de": "Vermeiden Sie „Synergie“.", "es": "Evita «sinergia».",
    "fr": "Évitez « synergie ».", "it": "Evitate 'sinergia'.", "fa": "از «هم‌افزایی» پرهیز کنید.",
    "ar": "تجنب كلمة «التآزر».", "ja": "「シナジー」という言葉は避けてください。", "ko": "'시너지'라는 말은 피하세요.",
    "zh": "避免使用“协同效应”。",
}


@pytest.mark.parametrize("language", sorted(FORBIDDING))
def test_prohibitions_in_every_language(language):
    text = FORBIDDING[language]
    assert is_prohibition(text, language)
    assert prohibitions([text], language) == [text]


def test_ordinary_sentences_are_not_prohibitions():
    assert not is_prohibition("Write short sentences.", "en")
    assert not is_prohibition("Keine der Parteien haftet für höhere Gewalt.", "de")
    assert prohibitions(["Write short sentences. Use plain words."], "en") == []


def test_settle_moves_and_drops_rules():
    do, dont, banned = settle(["Don't say 'cheap'", "Use “one-stop shop”", "Be brief"], ["No emoji"],
                              ["We write plainly. Avoid “one-stop shop”."], "en", ["awesome"])
    assert do == ["Be brief"]
    assert dont == ["Avoid “one-stop shop”.", "No emoji", "Don't say 'cheap'"]
    assert banned == ["awesome", "one-stop shop", "cheap"]
    assert quoted_terms(["avoid 'a' or “bb”"]) == ["bb"]
