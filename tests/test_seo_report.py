"""The SEO panel's figures on small texts whose values are known."""

import pytest
from textstat.backend import metrics
from textstat.backend.counts import _count_syllables

from core import seo_report
from core.seo_report import (LengthCheck, WordTarget, build_report, count_keyword, first_paragraph, keyword_check,
                             readability)

BODY = ("<h2>Why flat feet need support</h2><p>Running shoes for flat feet limit overpronation.</p>"
        "<h2>Choosing running shoes</h2><ul><li>Stability</li><li>Firm midsole</li></ul>"
        "<p>Walk, jog and check the heel.</p>")


def test_length_checks_against_search_limits():
    assert LengthCheck(60, 1, 60).verdict == "good" and not LengthCheck(61, 1, 60).ok
    assert LengthCheck(139, 140, 160).verdict == "too short" and LengthCheck(161, 140, 160).verdict == "too long"
    assert LengthCheck(0, 140, 160).verdict == "missing"


def test_blocks_do_not_glue_words_together():
    assert seo_report.body_text(BODY).startswith("Why flat feet need support Running shoes")
    assert seo_report.prose("<h2>Intro</h2><li>One</li><p>Done!</p>") == "Intro. One. Done!"


def test_keyword_matches_whole_words_and_phrases_case_insensitively():
    text = "Flat feet? Flat-feet, flat feetish. FLAT   feet."
    assert count_keyword("flat feet", text, "en") == 2
    assert count_keyword("", text, "en") == 0


def test_keyword_matching_for_cjk_korean_and_persian():
    assert count_keyword("東京", "東京の天気。東京タワー", "ja") == 2
    # Korean particles follow the word ("러닝화를"); a word that merely ends in the keyword does not count.
    assert count_keyword("러닝화", "러닝화를 고르는 법. 좋은 러닝화 신발러닝화", "ko") == 2
    # Arabic kaf/yeh typed in a Persian keyword still match.
    assert count_keyword("کفش ورزشی", "كفش ورزشي خوب است", "fa") == 1


def test_first_paragraph_is_the_first_p_or_the_opening_words():
    assert first_paragraph(BODY) == "Running shoes for flat feet limit overpronation."
    assert first_paragraph("Plain words only<h2>Later</h2><p>x</p>") == "x"
    assert first_paragraph("Plain words only, no markup") == "Plain words only, no markup"


def test_keyword_presence_and_density():
    check = keyword_check("running shoes", title="A guide", body_html=BODY,
                          headings=["Why flat feet need support", "Choosing running shoes"], language="en")
    assert (check.in_title, check.in_first_paragraph, check.in_headings) == (False, True, True)
    # 24 words in the body, the phrase twice: 2 / 24 = 8.33 %.
    assert check.count == 2 and check.density == 8.33
    assert check.density_verdict == "too high"


def test_flesch_reading_ease_known_values():
    # 6 one-syllable words in one sentence: 206.835 − 1.015·6 − 84.6·1 = 116.145
    assert readability("The cat sat on the mat.", "en").score == 116.1
    # German (Amstad): 180 − 4 − 58.5·1 = 117.5
    german = readability("Der Hund ist klein.", "de")
    assert german.score == 117.5 and german.formula == "Flesch–Amstad"


@pytest.mark.parametrize("language,text", [
    ("de", "Die Laufschuhe unterstützen flache Füße. Sie sind bequem und stabil."),
    ("es", "Las zapatillas ayudan a los pies planos. Son cómodas y estables."),
    ("fr", "Les chaussures aident les pieds plats. Elles sont confortables et stables."),
    ("it", "Le scarpe aiutano i piedi piatti. Sono comode e stabili."),
])
def test_flesch_matches_textstat_for_other_languages(language, text):
    assert readability(text, language).score == round(metrics.flesch_reading_ease(text, language), 1)


def test_english_flesch_equals_textstat_without_its_downloaded_dictionary(monkeypatch):
    text = "Running shoes for flat feet limit overpronation. Walk, jog and check the heel before buying."
    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: None)
    _count_syllables.count_syllables.cache_clear()
    metrics.flesch_reading_ease.cache_clear()
    try:
        expected = round(metrics.flesch_reading_ease(text, "en"), 1)
    finally:
        _count_syllables.count_syllables.cache_clear()
        metrics.flesch_reading_ease.cache_clear()
    assert readability(text, "en").score == expected


def test_readability_bands_and_arabic_formula():
    assert seo_report.flesch_label(95) == "very easy" and seo_report.flesch_label(65) == "plain"
    assert seo_report.flesch_label(10) == "very difficult"
    arabic = readability("هذا نص عربي بسيط. إنه جيد جدا للقراءة.", "ar")
    assert arabic.formula == "Osman" and arabic.score == round(metrics.osman("هذا نص عربي بسيط. إنه جيد جدا للقراءة."), 1)


@pytest.mark.parametrize("language,text,per_sentence,unit", [
    ("ja", "これはペンです。あれは本です。", 6.5, "characters"),
    ("zh", "这是一支笔。那是一本书。", 5.0, "characters"),
    ("ko", "이것은 펜입니다. 저것은 책입니다.", 2.0, "words"),
    ("fa", "این یک متن ساده است. خوب است.", 3.5, "words"),
])
def test_languages_without_a_formula_fall_back_to_sentence_length(language, text, per_sentence, unit):
    result = readability(text, language)
    assert result.score is None and result.label == "not scored"
    assert result.words_per_sentence == per_sentence and f"{per_sentence} {unit} per sentence" in result.note


def test_empty_text_is_not_scored():
    assert readability("", "en").score is None and readability("", "en").note


def test_word_count_against_requested_length():
    assert WordTarget(400, 400).verdict == "on target" and WordTarget(319, 400).verdict == "too short"
    assert WordTarget(481, 400).verdict == "too long" and WordTarget(10, None).verdict == "no target"
    assert seo_report.word_target("<p>one two three</p>", "short").target == 400
    assert seo_report.word_target("<p>러닝화를 고르는 법</p>", None, "ko").words == 3
    assert seo_report.word_target("<p>東京の天気</p>", None, "ja").words == 5


def test_full_report_and_its_problem_list():
    report = build_report(title="Running shoes for flat feet", seo_title="Running Shoes for Flat Feet",
                          meta_desc="Too short.", body_html=BODY, keywords=["running shoes", "arch"],
                          language="en", length="short")
    assert report.seo_title.length == 27 and report.meta_desc.length == 10
    assert [k.keyword for k in report.keywords] == ["running shoes", "arch"]
    assert report.keywords[1].count == 0 and report.length.words == 24
    assert report.readability.score is not None
    problems = report.problems()
    assert problems[0].startswith("Meta description is too short (10 characters")
    assert "“arch” is missing from the title, the first paragraph, a heading." in problems
    assert problems[-1] == "The body is too short: 24 of 400 words."
    # Headings are taken from the body when not given.
    assert build_report(title="t", seo_title="t", meta_desc="", body_html=BODY, keywords=["running shoes"],
                        language="en").keywords[0].in_headings
