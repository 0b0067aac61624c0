"""Stylometric figures on small texts whose values can be counted by hand."""

import pytest

from core.brand.analysis import analyze, html_to_text, markdown_to_text, moving_ttr, split_sentences
from core.brand.languages import KITS, detect_language
from tests.brand_corpus import passages

# One short passage per language, for the checks that must hold in all ten.
TEN = {
    "en": "We make simple tools for small teams. Do you need help? Write to us any time!",
    "de": "Wir bauen einfache Werkzeuge für kleine Teams. Brauchst du Hilfe? Schreib uns jederzeit!",
    "es": "Nosotros hacemos herramientas sencillas para equipos pequeños. ¿Necesitas ayuda? "
          "¡Escríbenos cuando quieras!",
    "fr": "Nous créons des outils simples pour les petites équipes. Vous avez besoin d'aide ? Écrivez-nous !",
    "it": "Noi creiamo strumenti semplici per piccoli team. Ti serve aiuto? Scrivici quando vuoi!",
    "fa": "ما ابزارهای ساده برای تیم‌های کوچک می‌سازیم. به کمک نیاز دارید؟ هر وقت خواستید به ما بنویسید!",
    "ar": "نحن نصنع أدوات بسيطة للفرق الصغيرة. هل تحتاج إلى مساعدة؟ اكتب لنا في أي وقت!",
    "ja": "私たちは小さなチームのためのシンプルな道具を作ります。お困りですか？いつでもご連絡ください！",
    "ko": "저희는 작은 팀을 위한 간단한 도구를 만듭니다. 도움이 필요하세요? 언제든지 연락 주세요!",
    "zh": "我们为小团队制作简单的工具。你需要帮助吗？随时联系我们！",
}


def test_figures_of_a_tiny_english_text():
    figures = analyze(["I like cats. Do you like dogs? We love them!"], "en")
    assert figures.units == 10 and figures.sentences == 3
    assert figures.sentence_length_mean == pytest.approx(3.33, abs=0.01)
    assert figures.sentence_length_sd == pytest.approx(0.47, abs=0.01)
    assert figures.first_person_rate == 20.0  # I, We
    assert figures.second_person_rate == 10.0  # you
    assert figures.question_rate == pytest.approx(33.3) and figures.exclamation_rate == pytest.approx(33.3)
    assert figures.type_token_ratio == 0.9  # "like" twice: 9 types in 10 tokens
    assert figures.function_words == {"i": 100.0, "do": 100.0, "you": 100.0, "we": 100.0}


def test_moving_type_token_ratio():
    assert moving_ttr(["a", "b", "a", "b"], window=2) == 1.0
    assert moving_ttr(["a", "a", "a", "b"], window=2) == pytest.approx((1 + 1 + 2) / 3 / 2)
    assert moving_ttr(["a", "a"], window=100) == 0.5
    assert moving_ttr([]) == 0.0


def test_sentences_respect_abbreviations_lines_and_scripts():
    assert split_sentences("Das gilt z. B. für Kunden. Siehe Art. 5 der AGB! Und dann? ok") == [
        "Das gilt z. B. für Kunden.", "Siehe Art. 5 der AGB!", "Und dann?", "ok"]
    assert split_sentences("Use it, e.g. daily. Then rest.") == ["Use it, e.g. daily.", "Then rest."]
    assert split_sentences("我们很高兴。你好吗？好的") == ["我们很高兴。", "你好吗？", "好的"]
    assert split_sentences("هل تحتاج إلى مساعدة؟ اكتب لنا") == ["هل تحتاج إلى مساعدة؟", "اكتب لنا"]
    assert split_sentences("Light mesh upper\nFirm midsole") == ["Light mesh upper", "Firm midsole"]


def test_pronouns_per_language():
    german = analyze(["Spüren Sie den Unterschied. Sie lachen, und du auch."], "de")
    assert german.second_person_rate == pytest.approx(100 * 2 / 9, abs=0.01)  # "Sie" mid-sentence and "du"
    chinese = analyze(["我们喜欢你的产品。"], "zh")
    assert chinese.unit == "characters" and chinese.units == 8
    assert chinese.first_person_rate == pytest.approx(12.5) and chinese.second_person_rate == pytest.approx(12.5)
    korean = analyze(["저희는 여러분을 돕습니다."], "ko")
    assert korean.first_person_rate == pytest.approx(33.33, abs=0.01)
    assert korean.second_person_rate == pytest.approx(33.33, abs=0.01)
    french = analyze(["J'aime l'idée que vous partagez."], "fr")
    assert french.function_words["j'"] > 0 and french.function_words["l'"] > 0 and french.second_person_rate > 0


def test_readability_orders_styles_and_falls_back_for_cjk():
    legal = analyze(passages("en", "legal"), "en").readability_grade
    blog = analyze(passages("en", "blog"), "en").readability_grade
    assert legal > blog + 8
    for code, text in TEN.items():
        grade = analyze([text], code).readability_grade
        assert (grade is None) == (code in {"ja", "zh", "ko"}), code


def test_every_language_is_measured():
    for code, text in TEN.items():
        figures = analyze([text], code)
        assert figures.sentences == 3, code
        assert figures.question_rate == pytest.approx(33.3), code
        assert figures.exclamation_rate == pytest.approx(33.3), code
        assert figures.function_words, code
        assert figures.first_person_rate > 0, code


def test_frequent_phrases_are_repeated_and_within_clauses():
    texts = ["The Customer shall pay. The Customer shall notify us.", "Then, the Customer shall sign."]
    assert set(analyze(texts, "en").phrases[:2]) == {"the customer", "customer shall"}
    assert analyze(["I took them, I came back. I took them, I left."], "en").phrases == ["i took them"]


def test_detect_language_for_all_ten():
    for code, text in TEN.items():
        assert detect_language(text) == code, code
    assert set(KITS) == set(TEN)


def test_html_and_markdown_become_prose():
    text = html_to_text("<h2>Heading</h2><p>First &amp; best.</p><ul><li>One</li><li>Two</li></ul>")
    assert "Heading" not in text and split_sentences(text) == ["First & best.", "One", "Two"]
    markdown = markdown_to_text("# Title\n\nSome **bold** [link](http://x.test) text.\n- item one")
    assert "Title" not in markdown and "Some bold link text." in markdown and "item one" in markdown
