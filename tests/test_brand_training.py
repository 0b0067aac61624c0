"""Training a profile: figures in code, the model's voice as schema-constrained JSON, then saving."""

import pytest
from sqlmodel import select

from core import config
from core.brand import profiles, training
from core.brand.profiles import SampleIn, VoiceFields
from core.db import session_scope
from core.errors import InvalidOutputError, ValidationFailedError
from core.models import GenerationLog
from core.pipeline import Generator
from tests.brand_corpus import passages

VOICE = {"description": "Formal contractual prose that names the parties in the third person.",
         "tone": "formal", "rules_do": ["Refer to the <b>Customer</b> and the Company", "Use shall for duties"],
         "rules_dont": ["No contractions", "No questions"], "preferred_words": ["shall", "thereof"],
         "banned_words": ["awesome", "you"]}


def _profile(engine, style="legal", language="en"):
    profile = profiles.create_profile(engine, "ed", f"{style} {language}", VoiceFields(language=language))
    profiles.add_samples(engine, "ed", profile.id, [SampleIn(text=t, language=language)
                                                     for t in passages(language, style)])
    return profile


def test_training_proposes_a_voice_from_figures_and_samples(generator, engine, fake):
    profile = _profile(engine)
    fake.enqueue([VOICE])
    result = training.train(generator, profile.id, "ed")
    call = fake.history[0]
    prompt = call["messages"][-1]["content"]
    assert call["schema"] == training.VOICE_SCHEMA
    assert "Readability grade (ARI): 16.9" in prompt and "on average 28.5 words" in prompt
    assert "These Terms of Service" in prompt and "the customer" in prompt
    fields = result.fields
    assert fields.description == VOICE["description"] and fields.tone == "formal"
    assert fields.rules_do[0] == "Refer to the Customer and the Company"  # model output reduced to plain text
    assert fields.vocabulary_level == "advanced" and fields.sentence_length == "long"  # measured, not guessed
    assert fields.examples[0].startswith("These Terms of Service") and len(fields.examples[0]) <= 400
    assert result.figures["en"].sentences == 12 and (result.provider, result.model) == ("fake", "fake-model")
    assert profiles.profile_by_id(engine, profile.id).version == 1  # nothing saved until the editor saves
    saved = profiles.save_version(engine, "ed", profile.id, fields, "trained")
    assert saved.version == 2 and saved.banned_words == ["awesome", "you"]
    with session_scope(engine) as session:
        log = session.exec(select(GenerationLog)).one()
    assert (log.type, log.status, log.target, log.user) == ("brand", "succeeded", "legal en", "ed")


def test_training_repairs_bad_json_once(generator, engine, fake):
    profile = _profile(engine, "blog", "de")
    fake.enqueue(["not json at all", VOICE])
    result = training.train(generator, profile.id, "ed")
    assert result.fields.language == "de" and result.fields.sentence_length == "short"
    assert len(fake.history) == 2 and "could not be used" in fake.history[1]["messages"][-1]["content"]


def test_training_failure_is_logged_and_raised(generator, engine, fake):
    profile = _profile(engine)
    fake.enqueue([{"tone": "formal"}, "still nothing"])
    with pytest.raises(InvalidOutputError):
        training.train(generator, profile.id, "ed")
    with session_scope(engine) as session:
        log = session.exec(select(GenerationLog)).one()
    assert log.status == "failed" and log.type == "brand" and log.error


def test_training_needs_samples(generator, engine, fake):
    profile = profiles.create_profile(engine, "ed", "Empty")
    with pytest.raises(ValidationFailedError, match="Add samples"):
        training.train(generator, profile.id, "ed")
    assert fake.history == []


@pytest.mark.slow
def test_training_with_the_real_embedded_model(engine, monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_PROVIDER", "local")
    monkeypatch.setenv("CONTENTCRAFT_MAX_TOKENS", "600")
    config.get_settings.cache_clear()
    generator = Generator(config.get_settings(), engine)
    profile = _profile(engine, "blog", "en")
    result = training.train(generator, profile.id, "ed")
    fields = result.fields
    assert result.provider == "local" and fields.description.strip()
    assert all(isinstance(rule, str) and rule for rule in fields.rules_do + fields.rules_dont)
    assert len(fields.rules_do) <= 5 and len(fields.banned_words) <= 8
    saved = profiles.save_version(engine, "ed", profile.id, fields, "trained with the local model")
    assert saved.version == 2 and VoiceFields.of(saved) == fields


GUIDE = ("Our voice is plain and warm. Write short sentences and address the reader as you. "
         "Avoid 'one-stop shop' and 'synergy' in every channel. Never use exclamation marks in headlines. "
         "Explain each technical term the first time it appears, and keep paragraphs to three sentences. "
         "Say what the reader gets before you say how it works, and end with one clear next step.")


def test_the_samples_prohibitions_stay_dont_rules(generator, engine, fake):
    profile = profiles.create_profile(engine, "ed", "Guide")
    profiles.add_samples(engine, "ed", profile.id, [SampleIn(text=GUIDE * 3)])
    fake.enqueue([{**VOICE, "rules_do": ["Avoid 'one-stop shop'", "Use 'synergy' in headlines", "Write short sentences"],
                   "rules_dont": ["No jargon"], "banned_words": ["awesome"]}])
    fields = training.train(generator, profile.id, "ed").fields
    assert fields.rules_do == ["Write short sentences"]
    assert fields.rules_dont == ["Avoid 'one-stop shop' and 'synergy' in every channel.",
                                 "Never use exclamation marks in headlines.", "No jargon", "Avoid 'one-stop shop'"]
    assert fields.banned_words == ["awesome", "one-stop shop", "synergy"]
    assert "never in \"rules_do\"" in fake.history[0]["messages"][-1]["content"]
