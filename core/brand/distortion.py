"""Text distortion: topic words masked, so n-grams see how a voice writes rather than what it writes about.

Stamatatos 2017, "Authorship attribution using text distortion" (EACL), DV-MA: every letter of a word that is not
among the language's commonest words becomes '*' and every digit '#'; the commonest words, punctuation and spacing
stay. One change: a masked word that starts with a capital starts with '^' (capitalised names and terms are a
habit of a voice; measured slightly better on two same-genre manuals, benchmarks/brand_score.py). The commonest words
are the language kit's function words plus the words in most passages of the pool and samples (document frequency,
at least two documents), so a topic word that only the samples use often is masked like any other.
"""

import re

from sklearn.feature_extraction.text import CountVectorizer

from .languages import kit

KEPT = 200  # words kept besides the function words (Stamatatos 2017: a few hundred work best across topics)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")


def kept(documents: list[str], language: str, count: int = KEPT) -> list[str]:
    """Lower-cased words (characters for ja/zh) that stay: function words, then the count in most documents."""
    chars = kit(language).mode == "chars"
    counter = (CountVectorizer(analyzer="char", lowercase=False, binary=True, min_df=2) if chars else
               CountVectorizer(token_pattern=_WORD.pattern, lowercase=True, binary=True, min_df=2))
    try:
        found = counter.fit_transform(documents).sum(axis=0).A1
        names = counter.get_feature_names_out()
    except ValueError:  # no unit in two documents
        found, names = [], []
    common = [names[i] for i in sorted(range(len(names)), key=lambda i: (-found[i], names[i]))
              if not chars or _LETTER.match(names[i])][:count]
    function_words = kit(language).function_words
    if chars:
        function_words = [c for word in function_words for c in word]
    return list(dict.fromkeys([w.lower() for w in function_words] + common))


def distort(text: str, words: set[str], mode: str) -> str:
    """The text with every word (ja/zh: letter) outside words masked: letters '*' (a first capital '^'), digits '#'."""
    if mode == "chars":
        return "".join(c if c in words or not c.isalnum() else ("#" if c.isdigit() else "*") for c in text)
    return _WORD.sub(lambda m: m[0] if m[0].lower() in words else _mask(m[0]), text)


def _mask(word: str) -> str:
    masked = _LETTER.sub("*", _DIGIT.sub("#", word))
    return "^" + masked[1:] if word[0].isupper() else masked
