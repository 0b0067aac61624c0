"""Topic masking (text distortion) keeps how a voice writes and hides what it writes about, in ten languages."""

from core.brand import distortion, voiceprint
from core.brand.scoring import build_reference
from tests.brand_corpus import passages
from tests.test_brand_analysis import TEN


def pool(language: str) -> list[str]:
    return [voiceprint.clean(p) for p in voiceprint.pool_passages(language)]


def test_topic_words_are_masked_and_function_words_punctuation_and_spacing_kept():
    kept = set(distortion.kept(pool("en") + [" ".join(passages("en", "blog"))], "en"))
    text = "Restart the Apache daemon with systemctl, then check it (twice) after 10 seconds."
    assert distortion.distort(text, kept, "words") == (
        "^****** the ^***** ****** with *********, then ***** it (*****) ***** ## *******.")


def test_words_only_the_samples_use_are_masked_however_often():
    samples = " ".join(["Kubernetes clusters scale pods; Kubernetes restarts pods."] * 50)
    kept = distortion.kept(pool("en") + [samples], "en")
    assert {"the", "and", "of", "with"} <= set(kept)
    assert "kubernetes" not in kept and "pods" not in kept
    assert distortion.distort("Kubernetes restarts pods.", set(kept), "words") == "^********* ******** ****."


def test_chinese_and_japanese_keep_common_characters_and_mask_rare_ones():
    for language, common in (("zh", "的"), ("ja", "の")):
        kept = set(distortion.kept(pool(language), language))
        assert common in kept
        masked = distortion.distort(f"{common}鑫龘，2024。", kept, "chars")
        assert masked == f"{common}**，####。"


def test_every_language_builds_masked_views_whose_n_grams_hold_only_kept_letters():
    for language, text in TEN.items():
        reference = build_reference([" ".join([text] * 12)], language)
        masked = reference["voiceprint"]["masked"]
        letters = "".join(masked["kept"])
        assert len(masked["kept"]) >= 50, language
        for view in voiceprint.VIEWS:
            assert masked[view]["ngrams"] and masked[view]["calibration"], (language, view)
            assert all(c in "*^# " or not c.isalpha() or c in letters or c.lower() in letters
                       for gram in masked[view]["ngrams"] for c in gram), (language, view)


def test_the_token_view_counts_sequences_of_function_words_masked_words_and_marks():
    reference = build_reference(passages("en", "legal"), "en")
    tokens = reference["voiceprint"]["masked"]["tokens"]["ngrams"]
    assert "of the" in tokens and any(gram.startswith("the *") and len(gram.split()) == 2 for gram in tokens)
    assert "," in tokens and any(gram.count(" ") == 2 and "," in gram.split() for gram in tokens)
    chinese = build_reference([" ".join([TEN["zh"]] * 12)], "zh")["voiceprint"]["masked"]["tokens"]["ngrams"]
    assert all(len(token) == 1 for gram in chinese for token in gram.split())
