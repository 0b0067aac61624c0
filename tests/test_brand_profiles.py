"""Profiles, samples and applying a profile during generation (prompt, cache key, stored score)."""

import pytest
from sqlmodel import select

from core.brand import profiles, sources
from core.brand.apply import item_scores, score_label, score_with_profile
from core.brand.models import BrandProfileVersion, BrandScore
from core.brand.profiles import SampleIn, VoiceFields
from core.db import session_scope
from core.errors import PermissionDeniedError, ValidationFailedError
from core.hookspecs import hookimpl
from core.plugins import pm
from core.schemas import ContentRequest, ProductRequest
from tests.brand_corpus import passages
from tests.samples import blog_draft, product_draft

VOICE = VoiceFields(language="en", tone="friendly", description="Warm and chatty, like a running buddy.",
                    rules_do=["Talk to the reader as you"], rules_dont=["No legal jargon"],
                    preferred_words=["honestly"], banned_words=["hereby"],
                    examples=["Okay, confession time: I used to hate running."],
                    prompt_template="Mention the topic $topic in the first sentence.")


def _trained(engine, name="Running blog", style="blog", language="en"):
    profile = profiles.create_profile(engine, "ed@example.com", name)
    profiles.add_samples(engine, "ed@example.com", profile.id,
                         [SampleIn(text=t, language=language) for t in passages(language, style)])
    return profiles.save_version(engine, "ed@example.com", profile.id, VOICE.model_copy(update={"language": language}))


def test_profiles_are_named_uniquely_and_one_is_default(engine):
    first = profiles.create_profile(engine, "ed", "  House   style ")
    second = profiles.create_profile(engine, "ed", "Product copy")
    assert first.name == "House style" and first.is_default and not second.is_default
    assert profiles.get_profile(engine, "house STYLE").id == first.id
    with pytest.raises(ValidationFailedError, match="already exists"):
        profiles.create_profile(engine, "ed", "HOUSE style")
    profiles.set_default(engine, "ed", second.id)
    assert profiles.default_profile(engine).id == second.id
    assert [p.name for p in profiles.list_profiles(engine)] == ["Product copy", "House style"]
    profiles.delete_profile(engine, "ed", second.id)
    assert profiles.default_profile(engine).id == first.id and len(profiles.list_profiles(engine)) == 1


def test_saving_makes_a_version_builds_references_and_fires_the_hook(engine):
    heard = []

    class Listen:
        @hookimpl
        def brand_trained(self, profile):
            heard.append(profile)

    listener = Listen()
    pm.register(listener)
    try:
        profile = _trained(engine)
    finally:
        pm.unregister(listener)
    assert profile.version == 2 and set(profile.references) == {"en"}
    assert heard == [profiles.snapshot(profile)] and heard[0]["languages"] == ["en"]
    assert [v.version for v in profiles.versions(engine, profile.id)] == [2, 1]
    with session_scope(engine) as session:
        saved = session.exec(select(BrandProfileVersion).where(BrandProfileVersion.version == 2)).one()
    assert saved.snapshot["description"] == VOICE.description


def test_only_editors_and_admins_manage_profiles_once_users_exist(engine, make_user):
    make_user("writer")
    make_user("editor")
    with pytest.raises(PermissionDeniedError, match="cannot manage brand"):
        profiles.create_profile(engine, "writer@example.com", "Mine")
    with pytest.raises(PermissionDeniedError, match="Sign in"):
        profiles.create_profile(engine, "stranger@example.com", "Mine")
    assert profiles.create_profile(engine, "editor@example.com", "Ours").version == 1


def test_samples_from_paste_and_files():
    pasted = sources.from_paste(passages("de", "blog")[0] + "\n---\n" + passages("en", "legal")[0])
    assert [s.language for s in pasted] == ["de", "en"]
    html = sources.from_upload("post.html", b"<h1>Title</h1><p>" + passages("en", "blog")[0].encode() + b"</p>")
    assert html[0].text.startswith("Okay, confession time") and html[0].source == "file:post.html"
    markdown = sources.from_upload("post.md", ("# Heading\n\n" + passages("en", "blog")[1]).encode())
    assert "Heading" not in markdown[0].text
    csv_data = "title,body\nOne," + passages("en", "product")[0].replace(",", "") + "\nTwo,too short\n"
    rows = sources.from_upload("posts.csv", csv_data.encode())
    assert len(rows) == 1 and rows[0].title == "One" and rows[0].source == "file:posts.csv:2"


def test_bad_uploads_are_explained():
    with pytest.raises(ValidationFailedError, match="upload .txt, .md, .html or .csv"):
        sources.from_upload("report.pdf", b"%PDF")
    with pytest.raises(ValidationFailedError, match="not UTF-8"):
        sources.from_upload("old.txt", "Grüße aus München, liebe Läuferinnen und Läufer!".encode("latin-1"))
    with pytest.raises(ValidationFailedError, match="too short"):
        sources.from_paste("Hi.")


def test_generation_applies_the_profile_and_stores_its_score(generator, engine, fake):
    profile = _trained(engine)
    written = passages("en", "blog", "heldout") + passages("en", "blog")  # enough for a short post
    fake.enqueue([blog_draft(body_html="<h2>Start</h2><p>" + "</p><p>".join(written) + "</p>")])
    request = ContentRequest(topic="Running in the rain", brand_profile="running BLOG", length="short")
    response = generator.generate(request, "ana")
    prompt = fake.history[0]["messages"][-1]["content"]
    assert 'brand voice "Running blog"' in prompt and VOICE.description in prompt
    assert "Don't: No legal jargon" in prompt and "Never use these words: hereby" in prompt
    assert "Okay, confession time" in prompt and "Mention the topic Running in the rain" in prompt
    consistency = response.brand_score
    assert consistency.profile == "Running blog" and consistency.version == profile.version
    assert consistency.score >= 50
    with session_scope(engine) as session:
        row = session.exec(select(BrandScore)).one()
    assert (row.item_id, row.score, row.profile_version) == (response.item_id, consistency.score, 2)
    assert item_scores(engine, [response.item_id, 999]) == {response.item_id: row}
    assert score_label(row.score).startswith(f"{row.score}/100 · ") and score_label(None) == "not scored"


def test_a_new_profile_version_changes_the_cache_key(generator, engine, fake):
    profile = _trained(engine)
    request = ContentRequest(topic="Running in the rain", brand_profile="Running blog")
    fake.enqueue([blog_draft(), blog_draft()])
    assert not generator.generate(request, "u").cache_hit
    assert generator.generate(request, "u").cache_hit
    profiles.save_version(engine, "ed", profile.id, VOICE.model_copy(update={"tone": "playful"}))
    again = generator.generate(request, "u")
    assert not again.cache_hit and again.brand_score.version == 3 and len(fake.history) == 2


def test_unknown_profile_fails_with_advice(generator, fake):
    response = generator.generate(ContentRequest(topic="Running in the rain", brand_profile="Nope"), "u")
    assert response.status == "failed" and "no brand profile named 'Nope'" in response.error
    assert fake.history == []


def test_language_without_samples_is_explained_and_products_are_scored(generator, engine, fake):
    _trained(engine, name="Shop", style="product")
    fake.enqueue([product_draft()])
    german = generator.generate(ProductRequest(name="TrailFlex", language="de", brand_profile="Shop"), "u")
    assert german.brand_score.score is None and "no German samples yet" in german.brand_score.differences[0]
    fake.enqueue([product_draft(description_html="<p>" + passages("en", "product", "heldout")[1] + "</p>")])
    short = generator.generate(ProductRequest(name="ThermoGrip", brand_profile="Shop"), "u")
    assert short.brand_score.score is None and short.brand_score.differences[0].startswith("too short to score")
    fake.enqueue([product_draft(description_html="<p>" + "</p><p>".join(passages("en", "product", "heldout"))
                                + "</p>")])
    english = generator.generate(ProductRequest(name="ThermoGrip Pro", brand_profile="Shop"), "u")
    assert isinstance(english.brand_score.score, int)


def test_the_brand_plugin_is_built_in():
    assert "core.brand.plugin" in dict(pm.list_name_plugin())
    request = ContentRequest(topic="Running in the rain")
    assert pm.hook.prompt_instructions(request=request) == []


def test_a_profile_scored_by_an_earlier_method_is_rebuilt_from_its_samples_on_load(engine):
    profile = _trained(engine)
    current = profile.references["en"]["voiceprint"]
    earlier = {"en": {**profile.references["en"], "voiceprint": {"method": "delta+tfidf-1", "key": "old"}}}
    with session_scope(engine) as session:
        stored = session.get(type(profile), profile.id)
        stored.references = earlier
        session.add(stored)
    loaded = profiles.get_profile(engine, "running blog")
    assert loaded.references["en"]["voiceprint"] == current and loaded.version == profile.version
    with session_scope(engine) as session:  # stored, so the rebuild happens once
        assert session.get(type(profile), profile.id).references["en"]["voiceprint"]["method"] == current["method"]
    heldout = "\n\n".join(passages("en", "blog", "heldout"))
    assert score_with_profile(loaded, heldout)[0] >= 90


def test_stored_reasons_are_said_again_in_the_viewers_language(generator, engine, fake):
    from core import workflow
    from core.brand.apply import reasons_now
    from core.i18n import use_language

    _trained(engine)
    legal = passages("en", "legal") + passages("en", "legal", "heldout")
    fake.enqueue([blog_draft(body_html="<h2>Terms</h2><p>" + "</p><p>".join(legal) + "</p>")])
    response = generator.generate(ContentRequest(topic="Running in the rain", brand_profile="Running blog",
                                                 length="short"), "ana")
    row = item_scores(engine, [response.item_id])[response.item_id]
    item = workflow.get_item(engine, response.item_id)
    assert row.differences and reasons_now(engine, row, item) == row.differences  # same language: as stored
    with use_language("de"):
        german = reasons_now(engine, row, item)
    assert len(german) == len(row.differences) and german != row.differences
    item.data_json = {**item.data_json, "body_html": "<p>" + " ".join(passages("en", "blog")) + "</p>"}
    with use_language("de"):  # another text no longer gives the stored score: the stored reasons stay
        assert reasons_now(engine, row, item) == row.differences
