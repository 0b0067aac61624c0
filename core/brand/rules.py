"""The samples' own prohibitions ("avoid 'one-stop shop'") kept as Don't rules, whatever the model proposes."""

import re

from .analysis import split_sentences

# How a style guide says "don't" in each content language, at the start of a sentence or rule.
PROHIBITION_CUES = {
    "en": r"avoid|don't|do not|never|no longer use|stop using|refrain from|steer clear of",
    "de": r"vermeiden sie|vermeide|verzichten sie auf|verzichte auf|niemals|verwenden sie nie|verwenden sie kein",
    "es": r"evita|evite|evitad|no uses|no use|no utilices|no utilice|no escribas|no escriba|nunca",
    "fr": r"évitez|évite|n'utilisez pas|n'utilise pas|n'écrivez pas|ne jamais|jamais|proscrivez",
    "it": r"evitate|evita|eviti|non usare|non usate|non utilizzare|non scrivete",
    "fa": r"از .{1,40} پرهیز|از .{1,40} استفاده نکنید|هرگز|ننویسید|پرهیز کنید",
    "ar": r"تجنب|تجنّب|لا تستخدم|لا تكتب|إياك|لا تستعمل",
    "ja": r"避け|使わない|使用しない|しないでください|禁止",
    "ko": r"피하|쓰지 마|사용하지 마|금지|하지 마",
    "zh": r"避免|不要|切勿|禁止|请勿",
}
_EN_CUE = re.compile(rf"^\s*(?:{PROHIBITION_CUES['en']})\b", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“„«「『‘]([^\"“”„«»「」『』‘’]{2,40})[\"”“»」』’]|(?<!\w)'([^']{2,40})'(?!\w)")
MAX_RULE_CHARS = 120


def is_prohibition(rule: str, language: str = "en") -> bool:
    """Whether a rule forbids something (checked in English, as the model writes rules, and the samples' language)."""
    if _EN_CUE.search(rule):
        return True
    cues = PROHIBITION_CUES.get(language)
    if not cues:
        return False
    if language in {"fa", "ar", "ja", "ko", "zh"}:
        return re.search(cues, rule) is not None
    return re.search(rf"^\s*(?:{cues})\b", rule, re.IGNORECASE) is not None


def prohibitions(texts: list[str], language: str) -> list[str]:
    """Sentences of the samples that forbid something, in the order they appear (each at most 120 characters)."""
    found = []
    for text in texts:
        for sentence in split_sentences(text):
            sentence = sentence.strip(" -•*")
            if is_prohibition(sentence, language) and len(sentence) <= MAX_RULE_CHARS and sentence not in found:
                found.append(sentence)
    return found


def quoted_terms(rules: list[str]) -> list[str]:
    """The quoted words or phrases of rules, e.g. one-stop shop from: avoid 'one-stop shop'."""
    terms = []
    for rule in rules:
        for pair in _QUOTED.findall(rule):
            term = "".join(pair).strip()
            if term and term not in terms:
                terms.append(term)
    return terms


def settle(rules_do: list[str], rules_dont: list[str], texts: list[str], language: str,
           banned: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(do, don't, banned): prohibitions moved out of Do, the samples' own prohibitions added, terms banned.

    A Do rule that names a term the samples forbid is dropped, so "use 'one-stop shop'" cannot survive.
    """
    own = prohibitions(texts, language)
    forbidden = quoted_terms(own + [r for r in rules_do + rules_dont if is_prohibition(r, language)])
    keep_do, dont = [], list(rules_dont)
    for rule in rules_do:
        if is_prohibition(rule, language):
            dont.append(rule)
        elif not any(term.casefold() in rule.casefold() for term in forbidden):
            keep_do.append(rule)
    dont = _unique(own + dont)
    banned = _unique(list(banned) + forbidden)
    return keep_do[:15], dont[:15], banned[:40]


def _unique(values: list[str]) -> list[str]:
    seen, kept = set(), []
    for value in values:
        key = value.casefold().strip(" .")
        if key and key not in seen:
            seen.add(key)
            kept.append(value)
    return kept
