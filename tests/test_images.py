"""Issue 12 item 17: body images only from the connected sites unless kept; remote text shown as plain text."""

import pytest
from cryptography.fernet import Fernet

from core import config
from core.editing import content_from_fields, dropped_images
from core.images import ImagePolicy, item_policy, policy_for
from core.schemas import ContentRequest, ProductData
from core.seo import clean_body
from core.streaming import redraws
from core.workflow import get_item, set_keep_external_images
from core.wordpress.woocommerce import product_payload
from tests.api_helpers import client, token_for  # noqa: F401  (fixtures)
from tests.samples import blog_draft
from tests.wordpress.harness import make_users
from ui.plain import link, md

TRACKER = '<p>Look: <img src="https://tracker.example/p.gif?u=ana" alt="pixel"></p>'
SITE_IMAGE = '<img src="http://127.0.0.1:8080/wp-content/uploads/shoe.jpg" alt="shoe">'


def _request(**overrides):
    return ContentRequest(**{"topic": "Running shoes for flat feet", "keywords": ["running shoes"], "tone": "friendly",
                             "length": "short", "language": "en", **overrides})


@pytest.fixture
def site(engine, monkeypatch):
    """A connected site on 127.0.0.1:8080 (never contacted): its images are the allowed ones."""
    from core.wordpress import add_site

    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    add_site(engine, None, name="blog", url="http://127.0.0.1:8080", username="u", app_password="p")
    return "127.0.0.1"


def test_only_allowed_hosts_images_stay_and_the_dropped_are_named():
    body = (f"<p>A {SITE_IMAGE}</p>{TRACKER}<p><img src='/relative.png'><img src='//cdn.example/x.png'>"
            "<img src='data:image/png;base64,AAAA'><img src='javascript:alert(1)'></p>")
    cleaned, dropped = clean_body(body, ImagePolicy(frozenset({"http://127.0.0.1:8080"})))
    assert cleaned.count("<img") == 1 and "shoe.jpg" in cleaned
    assert dropped == ["https://tracker.example/p.gif?u=ana", "/relative.png", "//cdn.example/x.png"]
    kept, none = clean_body(body, ImagePolicy(keep_external=True))
    assert "tracker.example" in kept and "cdn.example" in kept and none == []
    assert "data:" not in kept and "javascript" not in kept and "<img>" not in kept  # never allowed, even kept
    assert clean_body(body)[0].count("<img") == 0  # no policy: no image at all
    assert ImagePolicy(frozenset({"https://127.0.0.1:443"})).allows("//127.0.0.1/wp-content/uploads/a.png")


def test_images_must_match_the_sites_scheme_host_and_port(engine, monkeypatch):
    """A site at http://127.0.0.1:18932 allows its own images, not another port or scheme on the same host."""
    from core.images import site_origins
    from core.wordpress import add_site

    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    add_site(engine, None, name="test", url="http://127.0.0.1:18932", username="u", app_password="p")
    add_site(engine, None, name="blog", url="http://localhost", username="u", app_password="p")
    policy = policy_for(engine)
    body = ('<p><img src="https://127.0.0.1:9/local.png"><img src="http://127.0.0.1:18932/own.png">'
            '<img src="https://127.0.0.1:18932/tls.png"><img src="http://127.0.0.1/other.png">'
            '<img src="HTTP://LOCALHOST:80/a.png"><img src="https://localhost/b.png"><img src="http://localhost:8080/c.png">'
            '<img src="//localhost/d.png"><img src="//127.0.0.1:18932/e.png"><img src="//127.0.0.1:9/f.png"></p>')
    cleaned, dropped = clean_body(body, policy)
    assert dropped == ["https://127.0.0.1:9/local.png", "https://127.0.0.1:18932/tls.png", "http://127.0.0.1/other.png",
                       "http://localhost:8080/c.png", "//127.0.0.1:9/f.png"]
    assert all(name in cleaned for name in ("own.png", "a.png", "b.png", "d.png", "e.png"))
    assert site_origins(engine) == {"http://127.0.0.1:18932", "http://localhost:80", "https://localhost:443"}
    assert not ImagePolicy(frozenset({"https://blog.example:443"})).allows("http://blog.example/a.png")  # no downgrade


def test_generation_drops_external_images_with_a_warning(generator, fake, engine, site):
    fake.enqueue([blog_draft(body_html=blog_draft()["body_html"] + TRACKER + f"<p>{SITE_IMAGE}</p>")])
    response = generator.generate(_request(), "ana@example.com")
    assert response.status == "succeeded", response.error
    assert "tracker.example" not in response.content.body_html and "shoe.jpg" in response.content.body_html
    assert any("Removed 1 external image (tracker.example)" in w for w in response.warnings)
    assert get_item(engine, response.item_id).warnings == response.warnings


def test_generation_keeps_them_when_the_request_says_so(generator, fake, engine):
    fake.enqueue([blog_draft(body_html=blog_draft()["body_html"] + TRACKER)])
    response = generator.generate(_request(keep_external_images=True), "ana@example.com")
    assert "tracker.example" in response.content.body_html and response.warnings == []
    item = get_item(engine, response.item_id)
    assert item.request_json["keep_external_images"] is True and item_policy(engine, item.request_json).keep_external
    assert "keep_external_images" not in _request().model_dump()  # off: stored requests and cache keys unchanged


def test_the_items_choice_governs_editing_and_publishing(generator, fake, engine, site):
    admin, editor, writer = make_users(engine)
    fake.enqueue([blog_draft()])
    item_id = generator.generate(_request(), writer.email).item_id
    fields = {"title": "Shoes", "body_html": f"<p>Fit matters.</p>{TRACKER}<p>{SITE_IMAGE}</p>", "meta_desc": "x" * 150,
              "seo_title": "Shoes"}
    policy = item_policy(engine, get_item(engine, item_id).request_json)
    saved = content_from_fields(fields, language="en", keywords=[], images=policy)
    assert "tracker.example" not in saved.body_html and "shoe.jpg" in saved.body_html
    assert dropped_images(fields, policy) == ["https://tracker.example/p.gif?u=ana"]

    assert set_keep_external_images(engine, writer, item_id, True) is True
    assert set_keep_external_images(engine, writer, item_id, True) is False
    policy = item_policy(engine, get_item(engine, item_id).request_json)
    assert "tracker.example" in content_from_fields(fields, language="en", keywords=[], images=policy).body_html

    product = ProductData(title="Shoe", short_description="Steady.", description_html=f"<p>Steady.</p>{TRACKER}",
                          bullet_features=[], meta={"seo_title": "Shoe", "meta_desc": "y" * 150, "slug": "shoe"},
                          image_alt_text="shoe", schema_ld_json={})
    payload, warnings = product_payload(product, {"images": [{"id": 1}]}, [], "shoe", policy_for(engine))
    assert "tracker.example" not in payload["description"] and "tracker.example" in warnings[0]
    payload, warnings = product_payload(product, {"images": [{"id": 1}]}, [], "shoe", policy_for(engine, True))
    assert "tracker.example" in payload["description"] and not any("image (" in w for w in warnings)


def test_the_api_takes_the_choice_and_reports_removals(client, token_for, fake):
    topic, headers = {"topic": "Running shoes for flat feet", "length": "short"}, token_for()
    for extra, kept in (({}, False), ({"keep_external_images": True}, True)):
        fake.enqueue([blog_draft(body_html=blog_draft()["body_html"] + TRACKER)])
        body = client.post("/api/content/generate", json={**topic, **extra}, headers=headers).json()
        assert body["success"] and ("tracker.example" in body["data"]["body_html"]) is kept
        assert any("tracker.example" in warning for warning in body["warnings"]) is not kept


@pytest.mark.parametrize("hostile", ["**bold** [click](https://evil.example)", "![x](https://evil.example/p.gif)",
                                     ":red[alarm] :material/warning: $x^2$", "# Heading\n\n- list", "<b>x</b> &amp;"])
def test_remote_text_is_shown_as_plain_text(hostile):
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(md(hostile))
    assert "<a " not in rendered and "<img" not in rendered and "<strong>" not in rendered and "<h1>" not in rendered
    assert "<li>" not in rendered and "<b>" not in rendered
    assert md(hostile).replace("\\", "").replace("\u2060", "") == " ".join(hostile.split())


@pytest.mark.parametrize("hostile", [":smile: :material/home: :red D :+1:", "www.evil.example WWW.EVIL.EXAMPLE",
                                     "x@evil.example mailto:y@evil.example", "https://evil.example/p?q=1"])
def test_streamlit_triggers_get_a_word_joiner_that_backslashes_cannot_give(hostile):
    """Streamlit finds emoji, icons, directives and autolinks after escapes; the browser test shows the DOM."""
    import re

    shown = md(hostile)
    assert not re.search(r":[\w+/-]|www\.|\w@|://", shown, re.IGNORECASE) and shown.replace("\u2060", "") == hostile


def test_times_and_ordinary_colons_stay_as_written():
    assert md("Scheduled 09:00 UTC; 'ftp:' has no //") == "Scheduled 09:00 UTC; 'ftp:' has no //"


def test_links_to_remote_urls_are_http_only_with_plain_labels():
    assert link("javascript:alert(1)") == md("javascript:alert(1)")
    assert link("https://blog.example/a (1)") == "[https:\u2060//blog.example/a (1)](https://blog.example/a%20%281%29)"


def test_the_stream_preview_redraws_a_bounded_tail_a_few_times_a_second():
    """Issue 12 item 12: 200 KB in 4,000 chunks over 4 s of model time: ≤ 4 redraws a second, each ≤ 3,000 chars."""
    ticks = iter(range(10**6))
    chunks = [f"{i:05d}" + "x" * 45 for i in range(4000)]
    frames = list(redraws(chunks, every=0.25, tail=3000, clock=lambda: next(ticks) / 1000))
    assert 8 <= len(frames) <= 4 * 0.25 * 4000 / 1000 * 4 + 2  # ~1 ms per chunk → about 16 redraws
    assert all(len(frame) <= 3000 for frame in frames)
    assert frames[-1] == "".join(chunks)[-3000:]
    assert sum(map(len, frames)) < len("".join(chunks)) // 4  # redrawing every chunk would send ~400 MB


def test_the_cli_warns_and_keeps_on_request(settings, engine, fake, capsys):
    import json

    from core.cli import main

    for flags, kept in (([], False), (["--keep-external-images"], True)):
        fake.enqueue([blog_draft(body_html=blog_draft()["body_html"] + TRACKER)])
        assert main(["generate", "blog", "--topic", "Running shoes for flat feet", "--length", "short", "--json",
                     "--no-cache", *flags]) == 0
        out = json.loads(capsys.readouterr().out)
        assert ("tracker.example" in out["data"]["body_html"]) is kept
        assert any("tracker.example" in warning and "--keep-external-images" in warning
                   for warning in out["warnings"]) is not kept
