"""The consistency score is meaningful: own style beats other styles on held-out passages, in ten languages."""

import re

import pytest

from core.brand import coherence, voiceprint
from core.brand.analysis import analyze
from core.brand.scoring import build_reference, differences, score_text
from tests.brand_corpus import STYLES, passages
from tests.test_brand_analysis import TEN


def heldout(language: str, style: str) -> str:
    """All held-out passages of a style as one text (each file is 100+ words, the shortest scored length)."""
    return "\n\n".join(passages(language, style, "heldout"))


@pytest.mark.parametrize("language", ["en", "de", "es"])
@pytest.mark.parametrize("style", STYLES)
def test_own_style_scores_higher_than_other_styles(language, style):
    reference = build_reference(passages(language, style), language)
    own, _ = score_text(reference, heldout(language, style))
    others = [score_text(reference, heldout(language, other))[0] for other in STYLES if other != style]
    assert own >= 90 and own > max(others), (own, others)


def test_differences_are_explained_in_words():
    reference = build_reference(passages("en", "blog"), "en")
    score, reasons = score_text(reference, heldout("en", "legal"))
    assert score < 30 and 1 <= len(reasons) <= 3
    assert reasons[0].startswith("reads about as much like other kinds of writing as like your samples: more “")
    assert "fewer" in reasons[0]
    assert any(r.startswith("harder to read: grade") for r in reasons)
    assert any(r.startswith("speaks in the first person (I/we) less often than your samples") for r in reasons)


def test_a_text_in_another_language_is_off_voice_and_says_so():
    german = build_reference(passages("de", "blog"), "de")
    score, reasons = score_text(german, heldout("en", "blog"))
    assert score <= 10 and reasons == ["written in English, while the samples are in German: score it against a "
                                       "profile with English samples"]
    assert score_text(german, heldout("de", "blog"))[0] >= 90


def test_own_voice_has_no_reasons_and_reasons_name_what_the_text_overuses():
    reference = build_reference(passages("en", "legal"), "en")
    assert score_text(reference, heldout("en", "legal"))[1] == []
    _, reasons = score_text(reference, heldout("en", "blog").replace(" you", " you, you"))
    more, fewer = reasons[0].split(": ", 1)[1].split("; ")
    assert more.startswith("more ") and ("commas" in more or "“you”" in more), reasons  # what was added
    samples = " ".join(passages("en", "legal")).lower()
    assert all(word.strip("“”") in samples for word in fewer.removeprefix("fewer ").split(", ")), reasons


def test_banned_words_lower_the_score():
    reference = build_reference(passages("en", "product"), "en")
    text = heldout("en", "product")
    clean, _ = score_text(reference, text, ["synergy"])
    banned, reasons = score_text(reference, text, ["espresso", "Steam wand"])
    assert banned < clean and reasons[0] == "uses banned words: espresso, Steam wand"
    chinese = build_reference([" ".join([TEN["zh"]] * 12)], "zh")
    assert "uses banned words: 工具" in score_text(chinese, " ".join([TEN["zh"]] * 12), ["工具", "产品"])[1]


def test_too_short_or_unsupported_texts_are_not_scored():
    reference = build_reference(passages("en", "blog"), "en")
    assert score_text(reference, "Hi there!") == (None, ["too short to score: 2 words, at least 100 needed"])
    assert build_reference(["Far too short."], "en") is None
    old = {key: value for key, value in reference.items() if key != "voiceprint"}
    assert score_text(old, heldout("en", "blog"))[0] is None


def test_a_voiceprint_built_by_an_earlier_method_or_pool_is_not_used():
    reference = build_reference(passages("en", "blog"), "en")
    assert score_text(reference, heldout("en", "blog"))[0] >= 90
    for stale in ({"method": "delta+tfidf-1"}, {"pool": "another pool"}):
        earlier = {**reference, "voiceprint": {**reference["voiceprint"], **stale}}
        assert score_text(earlier, heldout("en", "blog")) == (
            None, ["the profile was saved before the current scorer: save it again to score with it"])


def test_texts_are_measured_in_windows_of_exactly_the_calibrated_size():
    text = " ".join(f"w{i}" for i in range(250))
    assert [len(w.split()) for w in voiceprint.windows(text, "words", 150)] == [150, 150]
    assert voiceprint.windows(text, "words", 150)[-1].endswith("w249")
    assert voiceprint.windows("一二三四五", "chars", 3) == ["一二三", "三四五"]
    assert voiceprint.windows(text, "words", 300) == [text]


@pytest.mark.parametrize("language", sorted(TEN))
def test_every_language_scores_its_own_text_top_and_run_on_sentences_lower(language):
    # Varied prose in every language, shipped with the pool; the passages left out stay impostors.
    text = "\n".join(voiceprint.pool_passages(language)[:-4])
    reference = build_reference([text], language)
    assert reference["voiceprint"]["impostors"] == list(range(len(voiceprint.pool_passages(language))))[-4:]
    score, reasons = score_text(reference, text)
    assert score >= 95 and reasons == []
    comma = "，" if language in {"ja", "zh"} else "، " if language in {"fa", "ar"} else ", "
    run_on = re.sub(r"[.!?。！？؟]\s*", comma, text.replace("¿", "").replace("¡", "")) + "."
    run_on_score, _ = score_text(reference, run_on)
    measured = differences(reference, analyze([run_on], language), [], run_on)
    # Same words, other punctuation: the voiceprint may stay high, the measured difference is still named.
    assert run_on_score <= score and any(d.text.startswith("sentences are") for d in measured), measured
    if reference["figures"]["readability_grade"] is None:
        assert language in {"ja", "zh", "ko"}


def test_a_language_without_its_own_pool_falls_back_to_english(tmp_path, monkeypatch):
    monkeypatch.setattr(voiceprint, "POOL", tmp_path)
    (tmp_path / "en.txt").write_text("One voice.\n\nAnother voice.", encoding="utf-8")
    voiceprint.pool_passages.cache_clear()
    try:
        assert voiceprint.pool_passages("xx") == ("One voice.", "Another voice.")
    finally:
        voiceprint.pool_passages.cache_clear()


def test_loops_and_keyword_lists_score_low():
    reference = build_reference(passages("en", "blog"), "en")
    loop = " ".join(["Running is fun and you should run every day because running is fun."] * 10)
    keywords = ", ".join(["running shoes", "best running shoes", "cheap running shoes", "shoes for running"] * 12)
    for text in (loop, keywords):
        score, reasons = score_text(reference, text)
        assert score <= 10 and reasons[0].startswith("repeats itself: "), (score, reasons)
    assert score_text(reference, heldout("en", "blog"))[0] >= 90


def test_a_passage_in_another_voice_lowers_the_score_and_its_words_are_named():
    reference = build_reference(passages("en", "blog"), "en")
    own, legal = passages("en", "blog", "heldout"), passages("en", "legal", "heldout")
    third = score_text(reference, "\n\n".join(own + legal[:1]))[0]  # a third in a legal voice
    score, reasons = score_text(reference, "\n\n".join(own[:-1] + legal[:1]))  # nearly half
    assert 20 <= third < 84 and score < third, (third, score)
    assert reasons[0].split(": more “")[0] in ("the wording and punctuation differ from your samples",
                                               "reads about as much like other kinds of writing as like your samples")
    named = [word.strip("“”") for word in reasons[0].split(": more ")[1].split(";")[0].split(", ")]
    blog = " ".join(passages("en", "blog")).lower()
    assert sum(word in legal[0].lower() and word not in blog for word in named) >= 2, named  # the legal words


@pytest.mark.slow
def test_what_the_embedded_model_writes_for_any_brand_does_not_look_on_voice():
    from core.config import Settings
    from core.providers.local import LocalProvider

    provider = LocalProvider(Settings(max_tokens=400))
    prompts = [f"Write a 300-word blog post about {topic} in our brand voice."
               for topic in ("a new kitchen blender", "our spring cleaning tips", "a ski resort")]
    texts = [provider.complete([{"role": "user", "content": prompt}]).text for prompt in prompts]
    legal, product = (build_reference(passages("en", style), "en") for style in ("legal", "product"))
    scores = [score_text(reference, text)[0] for reference in (legal, product) for text in texts]
    assert all(score is None or score <= 20 for score in scores), (scores, texts)


def test_profiles_loaded_one_after_another_keep_their_own_n_grams():
    samples = passages("en", "blog")
    first, second = build_reference(samples, "en"), build_reference([f"{s} 1." for s in samples], "en")
    assert first["voiceprint"]["ngrams"] != second["voiceprint"]["ngrams"]
    assert first["voiceprint"]["key"] != second["voiceprint"]["key"]
    text = heldout("en", "blog")
    assert score_text(first, text)[0] >= 90 and score_text(second, text)[0] >= 90
    assert score_text(first, text) == score_text(first, text)


def test_every_language_pool_has_model_prose_on_topics_the_benchmark_junk_does_not_use():
    from benchmarks import brand_pool_model, brand_quality

    for language in TEN:
        model = (voiceprint.POOL / "model" / f"{language}.txt").read_text(encoding="utf-8").split("\n\n")
        assert len([p for p in model if p.strip()]) >= 4, language
        assert set(voiceprint.pool_passages(language)[-len(model):]) == {p.strip() for p in model}
    junk_topics = set(brand_quality.HELD_OUT_TOPICS) | {"running shoes", "a yoga retreat", "a ski resort"}
    assert not junk_topics & set(brand_pool_model.TOPICS)
    pool_words = set(" ".join(brand_pool_model.TOPICS).split())
    assert not any(topic.split()[-1] in pool_words for topic in brand_quality.HELD_OUT_TOPICS)


def test_benchmark_trains_on_a_few_documents_spread_over_the_first_half_or_on_its_first_words():
    from benchmarks import brand_quality

    paragraphs = [f"p{index} " + "word " * 99 for index in range(400)]  # 100 words each, numbered
    for train in brand_quality.TRAINING:
        samples, rest = brand_quality.split(paragraphs, train)
        assert rest == paragraphs[200:]
        assert brand_quality.TRAIN_WORDS <= sum(len(p.split()) for p in samples) < brand_quality.TRAIN_WORDS + 800
        indices = [paragraphs.index(p) for p in samples]
        assert max(indices) < 200 and indices == sorted(indices)
        runs = sum(1 for a, b in zip(indices, indices[1:]) if b != a + 1) + 1
        assert runs == (brand_quality.TRAIN_RUNS if train == "spread" else 1), train
    assert brand_quality.split(paragraphs, "contiguous")[0] == paragraphs[:60]


@pytest.mark.parametrize("language", ["en", "de"])
def test_shuffled_own_words_score_low_while_own_prose_stays_high(language):
    reference = build_reference(passages(language, "blog"), language)
    salad = coherence.shuffle(" ".join(passages(language, "blog")), "words")
    score, reasons = score_text(reference, " ".join(salad.split()[:300]))
    assert score <= 20 and reasons[0].startswith("the words don't follow each other as in real sentences"), reasons
    assert score_text(reference, heldout(language, "blog"))[0] >= 90


def test_word_order_check_in_japanese_counts_characters():
    written = [p for p in voiceprint.pool_passages("ja")]
    reference = build_reference(written[:9], "ja")
    stored = reference["voiceprint"]["coherence"]
    salad = coherence.shuffle(voiceprint.clean(" ".join(written[:9])), "chars")[:1500]
    assert score_text(reference, salad)[0] <= 20
    # other writers' real prose (the pool's longer passages) is not word salad
    real = [coherence.check(stored, p, "ja", "chars") for p in written[9:] if len(p) >= 400]
    assert len(real) >= 4 and all(rate is not None and not flagged for rate, flagged in real), real
    assert not coherence.check(stored, " ".join(written[:9]), "ja", "chars")[1]
