"""Publishing against a real WordPress 6.1 (Debian package, MariaDB, php -S) started by tests/wordpress/."""

import contextlib
import json
import re
from datetime import timedelta

import httpx
import pytest
from cryptography.fernet import Fernet

from core import cli, config
from core.errors import PermissionDeniedError, PublishFailedError, ValidationFailedError
from core.seo import sanitize_html
from core.workflow import audit_trail, get_item
from core.wordpress import (PublishOptions, add_site, check_connection, publication_for, publish, publish_many,
                            save_internal_links, site_posts, suggest_links, update_credentials)
from core.wordpress.publications import describe
from core.wordpress.client import WordPressClient
from core.wordpress.models import Publication, Site
from core.db import session_scope
from core.models import utcnow
from tests.wordpress.harness import (approved_item, make_users, missing_packages, run_script, skip_or_fail,
                                     start_wordpress)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def wordpress():
    """One real WordPress for the whole session, removed afterwards."""
    missing = missing_packages()
    if missing:
        skip_or_fail(f"the test WordPress needs Debian packages: {' '.join(missing)} (see .ci/run)")
    site = start_wordpress()
    yield site
    with contextlib.suppress(Exception):
        run_script("stop.sh", site.dir, WP_PURGE="1")


@pytest.fixture
def secret_key(monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()


@pytest.fixture
def env(wordpress, secret_key, engine, generator, fake):
    """Users, the site connected as "blog", and a maker of approved items."""
    admin, editor, writer = make_users(engine)
    add_site(engine, admin, name="blog", url=wordpress.url, username=wordpress.user,
             app_password=wordpress.app_password)

    def item(title: str, **kw) -> int:
        return approved_item(generator, fake, engine, editor, writer, title=title, **kw)

    return type("Env", (), {"wp": wordpress, "engine": engine, "admin": admin, "editor": editor,
                            "writer": writer, "item": staticmethod(item)})


def count_by_slug(wp, slug: str) -> int:
    with wp.admin() as client:
        return len(client.get("/wp/v2/posts", params={"slug": slug, "status": "any", "context": "edit"}).json())


def test_check_connection_reports_user_version_and_seo_fields(env):
    report = check_connection(env.engine, env.admin, "blog")
    assert report.user == env.wp.user and "administrator" in report.roles
    assert {"publish_posts", "edit_posts", "unfiltered_html"} <= set(report.capabilities) and report.can_publish
    assert report.wordpress_version.startswith("6.1")
    assert report.rest_style == "pretty" and report.connector and not report.woocommerce
    assert report.seo_fields == ["_yoast_wpseo_title", "_yoast_wpseo_metadesc", "_yoast_wpseo_focuskw",
                                 "rank_math_title", "rank_math_description", "rank_math_focus_keyword"]
    with session_scope(env.engine) as session:
        stored = session.query(Site).one()
    assert env.wp.app_password not in stored.password_encrypted


def test_editors_cannot_manage_sites(env):
    with pytest.raises(PermissionDeniedError):
        check_connection(env.engine, env.editor, "blog")


class RecordingTransport(httpx.HTTPTransport):
    """Passes requests on and remembers their URLs."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_request(self, request):
        self.urls.append(str(request.url))
        return super().handle_request(request)


def test_rest_route_form_works_without_pretty_permalinks(env):
    transport = RecordingTransport()
    with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password, rest_style="query", transport=transport) as wp:
        assert wp.me()["username"] == env.wp.user
        post = wp.create_post({"title": "Via rest_route", "status": "draft", "slug": "via-rest-route"})
        assert wp.get_post(post["id"])["title"]["raw"] == "Via rest_route"
    assert len(transport.urls) == 3 and all("rest_route=" in url and "/wp-json" not in url for url in transport.urls)


def test_publish_draft_with_terms_and_meta_then_read_back(env):
    item_id = env.item("Trail Running Shoes for Flat Feet Explained")
    with env.wp.admin() as admin:
        existing = admin.post("/wp/v2/categories", json={"name": "Gear reviews"}).json()["id"]
        author = admin.get("/wp/v2/users/me").json()["id"]
    options = PublishOptions(status="draft", categories=["Running", existing], tags=["flat feet", "Trail"],
                             author=author)
    result = publish(env.engine, env.editor, item_id, "blog", options)
    assert result.created and result.remote_status == "draft"

    item = get_item(env.engine, item_id)
    with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password) as wp:
        post = wp.get_post(result.remote_id)
        categories = {t["name"]: t["id"] for t in wp.terms("categories")}
        tags = {t["name"]: t["id"] for t in wp.terms("tags")}
    data = item.data_json
    assert post["title"]["raw"] == data["title"]
    assert post["content"]["raw"] == sanitize_html(data["body_html"])
    assert post["excerpt"]["raw"] == data["excerpt"] and post["slug"] == data["meta"]["slug"]
    assert post["status"] == "draft" and post["author"] == author
    assert sorted(post["categories"]) == sorted([categories["Running"], existing])
    assert sorted(post["tags"]) == sorted([tags["flat feet"], tags["Trail"]])
    meta = post["meta"]
    assert meta["_yoast_wpseo_title"] == meta["rank_math_title"] == data["meta"]["seo_title"]
    assert meta["_yoast_wpseo_metadesc"] == meta["rank_math_description"] == data["meta"]["meta_desc"]
    assert meta["_yoast_wpseo_focuskw"] == "running shoes"
    assert meta["rank_math_focus_keyword"] == "running shoes,flat feet"
    assert json.loads(meta["contentcraft_schema_ld_json"]) == data["schema_ld_json"]
    pub = publication_for(env.engine, item_id, "blog")
    assert meta["contentcraft_idempotency_key"] == pub.idempotency_key
    assert (pub.remote_id, pub.url, pub.state) == (result.remote_id, result.url, "published")

    assert item.status == "published"
    last = audit_trail(env.engine, item_id)[-1]
    assert (last.actor, last.from_status, last.to_status) == ("editor@example.com", "approved", "published")
    assert "blog" in last.comment and result.url in last.comment


def test_publish_again_updates_the_same_post(env):
    item_id = env.item("Choosing Stability Shoes for Marathon Training")
    first = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="draft"))
    second = publish(env.engine, env.admin, item_id, "blog", PublishOptions(status="publish"))
    assert second.remote_id == first.remote_id and not second.created and second.remote_status == "publish"
    slug = get_item(env.engine, item_id).data_json["meta"]["slug"]
    assert count_by_slug(env.wp, slug) == 1
    page = httpx.get(second.url, timeout=30, trust_env=False)
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    assert page.status_code == 200 and ld, "the connector prints the JSON-LD in <head>"
    assert json.loads(ld.group(1))["headline"] == get_item(env.engine, item_id).data_json["title"]
    comments = [entry.comment for entry in audit_trail(env.engine, item_id) if entry.to_status == "published"]
    assert len(comments) == 2 and comments[1].startswith("Updated on blog")


def test_scheduled_post_gets_future_status_and_date(env):
    item_id = env.item("Winter Running Shoes Guide for Flat Feet")
    when = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="future", date=when))
    assert result.remote_status == "future"
    with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password) as wp:
        assert wp.get_post(result.remote_id)["date_gmt"] == when.strftime("%Y-%m-%dT%H:%M:%S")
    pub = publication_for(env.engine, item_id, "blog")  # the Library says "scheduled for …", from the site's date
    assert pub.remote_date == when and describe(pub, "blog").startswith("scheduled for ")
    assert describe(pub, "blog").endswith(when.strftime(" %H:%M UTC on blog"))


def test_wrong_password_is_a_clear_error_and_item_stays_approved(env):
    add_site(env.engine, env.admin, name="bad", url=env.wp.url, username=env.wp.user,
             app_password="xxxx xxxx xxxx xxxx xxxx xxxx")
    with pytest.raises(PublishFailedError) as failed:
        check_connection(env.engine, env.admin, "bad")
    assert failed.value.status == 401 and "Application Password" in str(failed.value)
    item_id = env.item("Wrong Password Shoes Should Never Appear")
    with pytest.raises(PublishFailedError, match="HTTP 401"):
        publish(env.engine, env.editor, item_id, "bad")
    assert get_item(env.engine, item_id).status == "approved"
    pub = publication_for(env.engine, item_id, "bad")
    assert pub.state == "failed" and "HTTP 401" in pub.last_error and pub.remote_id is None
    update_credentials(env.engine, env.admin, "bad", app_password=env.wp.app_password)
    assert publish(env.engine, env.editor, item_id, "bad").created


def test_user_without_rights_gets_403_with_advice(env):
    with env.wp.admin() as admin:
        user = admin.post("/wp/v2/users", json={"username": "reader", "email": "reader@example.invalid",
                                                "password": "reader-pass-123", "roles": ["subscriber"]}).json()
        app = admin.post(f"/wp/v2/users/{user['id']}/application-passwords", json={"name": "cc"}).json()
    add_site(env.engine, env.admin, name="reader", url=env.wp.url, username="reader", app_password=app["password"])
    report = check_connection(env.engine, env.admin, "reader")
    assert not report.can_publish and any("cannot publish" in w for w in report.warnings)
    item_id = env.item("Subscribers Cannot Publish Running Posts")
    with pytest.raises(PublishFailedError) as failed:
        publish(env.engine, env.editor, item_id, "reader")
    assert failed.value.status == 403 and "Editor or Administrator" in str(failed.value)
    assert get_item(env.engine, item_id).status == "approved"


@pytest.mark.parametrize("stage", ["after_insert", "insert"])
def test_wordpress_stopped_mid_publish_then_retry_publishes_once(env, stage):
    """The post is written, then PHP hangs (after or before its meta is saved) and the server dies."""
    item_id = env.item(f"Crash Test Running Shoes {stage.replace('_', ' ').title()}")
    slug = get_item(env.engine, item_id).data_json["meta"]["slug"]
    (env.wp.dir / "hang").write_text(stage)
    with pytest.raises(PublishFailedError, match="did not answer"):
        publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="publish"), timeout=3)
    env.wp.stop()
    try:
        with pytest.raises(PublishFailedError, match="Cannot reach"):
            publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="publish"), timeout=3)
        assert get_item(env.engine, item_id).status == "approved"
        assert "Cannot reach" in publication_for(env.engine, item_id, "blog").last_error
    finally:
        env.wp.start()
    result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="publish"))
    assert not result.created, "the retry found the post the first attempt created"
    assert count_by_slug(env.wp, slug) == 1
    assert get_item(env.engine, item_id).status == "published"
    with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password) as wp:
        post = wp.get_post(result.remote_id)
    assert post["status"] == "publish"
    assert post["meta"]["contentcraft_idempotency_key"] == publication_for(env.engine, item_id, "blog").idempotency_key


def test_only_approved_items_by_editors(env):
    draft_id = env.item("Drafts Stay Home Running Shoes", status="draft")
    with pytest.raises(ValidationFailedError, match="only approved"):
        publish(env.engine, env.editor, draft_id, "blog")
    approved = env.item("Writers Cannot Publish Running Shoes")
    with pytest.raises(PermissionDeniedError):
        publish(env.engine, env.writer, approved, "blog")
    assert publication_for(env.engine, approved, "blog") is None


def test_bulk_publish_reports_each_item(env):
    good = env.item("Bulk Publish Running Shoes One")
    draft = env.item("Bulk Publish Running Shoes Two", status="draft")
    outcomes = publish_many(env.engine, env.editor, [good, draft], "blog", PublishOptions(status="publish"))
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[0].url.startswith(env.wp.url) and "only approved" in outcomes[1].error


SEEDED = [
    ("Sourdough bread at home", "Feed the starter, fold the dough and bake sourdough bread in a hot oven."),
    ("Feeding a sourdough starter", "How often to feed a sourdough starter and what flour to use."),
    ("Baking bread in a Dutch oven", "Steam, heat and timing for a crisp crust on home-baked bread."),
    ("Growing tomatoes on a balcony", "Pots, sun and watering for balcony tomatoes."),
    ("Choosing a mortgage", "Fixed or variable rates and how to compare offers."),
    ("Marathon training plan for beginners", "A sixteen week marathon plan with long runs and rest days."),
    ("サワードウの起こし方", "サワードウスターターの育て方と給餌のタイミングを解説します。"),
    ("راهنمای خرید وام مسکن", "نرخ ثابت یا متغیر و مقایسه پیشنهادها."),
]
BAKING_BODY = ("<h2>Why a sourdough starter stops rising</h2><p>A cold kitchen slows the starter.</p>"
               "<h2>Feeding schedule</h2><p>Feed the starter with flour and water twice a day.</p>"
               # Long enough for a short post (≈ 400 words), so the pipeline takes it in one answer.
               + "".join(f"<p>{sentence}</p>" for sentence in (
                   "Wild yeast and lactic bacteria live together in every jar of sourdough starter, and both "
                   "need warmth, fresh flour and clean water to stay lively from one bake to the next.",
                   "When the kitchen drops below twenty degrees the culture slows down, bubbles shrink and the "
                   "sour smell turns sharper, which tells you the microbes are hungry rather than dead.",
                   "Move the jar somewhere warmer, such as the top of the fridge or an oven with only the light "
                   "switched on, and give it a few hours before you judge whether it has recovered.",
                   "Whole rye or whole wheat flour carries more nutrients than white bread flour, so a spoonful "
                   "mixed into the usual feed often wakes a sluggish starter within a single day.",
                   "Discard most of the old culture before each feed; keeping too much leftover batter dilutes "
                   "the fresh flour and leaves the yeast competing for very little food.",
                   "Chlorinated tap water can hold a weak starter back, so let the water stand uncovered "
                   "overnight or use filtered water until the rise becomes steady again.",
                   "A rubber band around the jar at feeding time shows how far the starter climbs; a healthy one "
                   "doubles in four to eight hours at a comfortable room temperature.",
                   "Grey liquid on top, often called hooch, simply means the culture ran out of food; pour it "
                   "off or stir it back in, then feed on a tighter schedule for a few days.",
                   "Pink or orange streaks are a different matter: they point to unwanted bacteria, and the "
                   "safest choice is to throw the batch away and begin again with a clean jar.",
                   "Once the starter rises predictably, mix the dough at its peak, when the surface is domed and "
                   "full of bubbles, so the loaf gets the strongest possible lift in the oven.",
                   "Bakers who only bake on weekends can keep the jar in the fridge during the week and give it "
                   "two warm feeds before baking day to bring back its full strength.",
                   "Keeping a short notebook of flour, water, temperature and rise times helps you spot what "
                   "changed when the bread suddenly comes out dense or flat.",
                   "Patience matters more than any trick: most tired starters bounce back after three or four "
                   "regular feeds in a warm spot, and the next loaf shows the difference.",
               )))


def test_internal_links_from_seeded_posts(env):
    with env.wp.admin() as admin:
        for title, excerpt in SEEDED:
            response = admin.post("/wp/v2/posts", json={"title": title, "excerpt": excerpt, "status": "publish",
                                                        "content": f"<p>{excerpt}</p>"})
            assert response.status_code == 201
    item_id = env.item("Sourdough Starter Troubleshooting for Home Bakers", keywords=("sourdough starter", "bread"),
                       excerpt="Why your sourdough starter is sluggish and how to feed it back to life.",
                       body_html=BAKING_BODY, length="short")
    suggestions = suggest_links(env.engine, get_item(env.engine, item_id), "blog", refresh=True)
    titles = [s.title for s in suggestions]
    assert 3 <= len(titles) <= 5
    assert set(titles[:3]) == {"Sourdough bread at home", "Feeding a sourdough starter", "Baking bread in a Dutch oven"}
    assert not {"Growing tomatoes on a balcony", "Choosing a mortgage", "راهنمای خرید وام مسکن"} & set(titles)

    save_internal_links(env.engine, env.editor, item_id, [s.as_link() for s in suggestions[:2]])
    result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="publish"))
    with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password) as wp:
        content = wp.get_post(result.remote_id)["content"]["raw"]
        paged = wp.paged("/wp/v2/posts", {"status": "publish", "_fields": "id"}, per_page=2)
    for suggestion in suggestions[:2]:
        assert f'href="{suggestion.url}"' in content
    assert len(paged) == len({p["id"] for p in paged}) >= len(SEEDED)
    again = suggest_links(env.engine, get_item(env.engine, item_id), "blog", refresh=True)
    assert result.url not in [s.url for s in again], "an item is never suggested a link to itself"


def test_internal_link_list_is_cached_until_refresh(env):
    first = site_posts(env.engine, "blog", refresh=True)
    with env.wp.admin() as admin:
        admin.post("/wp/v2/posts", json={"title": "Cached or not", "status": "publish"})
    assert site_posts(env.engine, "blog") == first
    assert "Cached or not" in [p["title"] for p in site_posts(env.engine, "blog", refresh=True)]


def test_cli_sites_add_test_and_publish_json(env, monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("core.wordpress.cli",))
    monkeypatch.setenv("WP_TEST_APP_PASSWORD", env.wp.app_password)
    assert cli.main(["sites", "add", "cli-blog", "--url", env.wp.url, "--user", env.wp.user,
                     "--app-password-env", "WP_TEST_APP_PASSWORD"]) == 0
    assert cli.main(["sites", "test", "cli-blog", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):])["connector"] is True and env.wp.app_password not in out
    item_id = env.item("Command Line Running Shoes Publishing")
    assert cli.main(["publish", str(item_id), "--site", "cli-blog", "--as", "editor@example.com",
                     "--status", "publish", "--category", "CLI", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["status"] == "publish" and printed["link"].startswith(env.wp.url)
    assert printed["post_id"] == publication_for(env.engine, item_id, "cli-blog").remote_id
    assert cli.main(["publish", str(item_id), "--site", "cli-blog", "--as", "writer@example.com"]) == 1
    assert "cannot publish" in capsys.readouterr().err
    with env.wp.admin() as admin:
        seeded = admin.post("/wp/v2/posts", json={"title": "Command line tips for running shoes fans",
                                                  "status": "publish"}).json()["link"]
    assert cli.main(["links", str(item_id), "--site", "cli-blog", "--refresh", "--json"]) == 0
    urls = [link["url"] for link in json.loads(capsys.readouterr().out)]
    assert seeded in urls and printed["link"] not in urls
    assert cli.main(["sites", "list"]) == 0
    assert f"cli-blog\t{env.wp.url}\t{env.wp.user}\t\n" in capsys.readouterr().out


@pytest.fixture
def page_env(wordpress, secret_key, engine, generator, fake, make_user):
    """A writer's post approved by a chief editor, the site connected; pages open as another user."""
    writer, chief = make_user("writer"), make_user("editor", "chief@example.com")
    add_site(engine, None, name="blog", url=wordpress.url, username=wordpress.user, app_password=wordpress.app_password)
    add_site(engine, None, name="locked", url=wordpress.url, username=wordpress.user, app_password="wrong pass 1234")

    def item(title: str) -> int:
        return approved_item(generator, fake, engine, chief, writer, title=title)

    return item


def test_library_publish_panel_publishes_and_shows_the_link(page_env, app_as, engine):
    item_id = page_env("Library Panel Running Shoes Publishing")
    at = app_as("editor", page="pages/library.py")
    at.radio(key=f"publish_status_{item_id}").set_value("publish")
    at.button(key=f"publish_load_{item_id}").click().run()
    assert not at.exception
    at.multiselect(key=f"publish_categories_{item_id}").set_value(["Uncategorized"])
    at.button(key=f"publish_go_{item_id}").click().run()
    assert not at.exception, at.exception
    pub = publication_for(engine, item_id, "blog")
    assert get_item(engine, item_id).status == "published" and pub.remote_status == "publish"
    assert any(pub.url in s.value.replace("\\", "").replace("\u2060", "") for s in at.success)  # shown as plain text: ":" escaped
    page = httpx.get(pub.url, timeout=30, trust_env=False)
    assert page.status_code == 200 and get_item(engine, item_id).data_json["title"] in page.text


def test_library_publish_failure_shows_reason_and_retry(page_env, app_as, engine):
    item_id = page_env("Library Panel Locked Site Shoes")
    at = app_as("editor", page="pages/library.py")
    at.selectbox(key=f"publish_site_{item_id}").set_value("locked").run()
    at.button(key=f"publish_go_{item_id}").click().run()
    assert not at.exception
    assert any("Application Password" in e.value for e in at.error)
    assert get_item(engine, item_id).status == "approved"
    at.run()
    assert at.button(key=f"publish_go_{item_id}").label == "Retry"
    assert any("last attempt failed" in e.value for e in at.error)


def test_settings_sites_panel_adds_and_tests_a_site(wordpress, secret_key, app_as):
    at = app_as("admin", page="pages/settings.py")
    at.text_input(key="sites_name").input("Main blog")
    at.text_input(key="sites_url").input(wordpress.url)
    at.text_input(key="sites_username").input(wordpress.user)
    at.text_input(key="sites_password").input(wordpress.app_password)
    at.button(key="FormSubmitter:sites_add-Add site").click().run()
    assert not at.exception and any("Added Main blog" in s.value for s in at.success)
    at.button(key="sites_test").click().run()
    assert not at.exception
    assert any("Connected to Main blog" in s.value and "6.1" in s.value for s in at.success)
    shown = " ".join(str(e.value) for e in [*at.success, *at.markdown, *at.warning, *at.caption])
    assert wordpress.app_password not in shown
    assert "rank_math_title" in shown.replace("\\", "")  # the site's field names, shown as plain text


HOSTILE = ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(2)&gt;', '</script><script>alert(3)</script>',
           '"><svg onload=alert(4)>', '&amp;lt;iframe src=javascript:alert(5)&amp;gt;', '<!--']
LIVE_TAG = re.compile(r"<\s*/?\s*(img|svg|script|iframe)\b|<!--", re.IGNORECASE)


def test_hostile_title_excerpt_meta_and_json_ld_arrive_inert(env):
    """Stored XSS (issue 12 item 3): model text with markup or entities is published as inert text."""
    from core.workflow import add_version
    item_id = env.item("Trail Running Shoes and Safe Titles")
    data = dict(get_item(env.engine, item_id).data_json)
    junk = " ".join(HOSTILE)
    data.update(title=f"Shoes & more {junk}", excerpt=f"Read < now {junk}")  # "<!--" ends the text
    data["meta"] = {**data["meta"], "seo_title": f"SEO {junk}"[:60], "meta_desc": f"Desc {junk} {'words ' * 30}"[:150]}
    data["schema_ld_json"] = {**data["schema_ld_json"], "headline": junk, "description": "</script><!-- x"}
    add_version(env.engine, item_id, data, "model", "hostile model reply")
    result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="publish"))
    with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password) as wp:
        post = wp.get_post(result.remote_id)
    for field in ("title", "excerpt"):
        for form in ("raw", "rendered"):
            assert not LIVE_TAG.search(post[field][form]), (field, form, post[field][form])
    assert post["title"]["raw"].startswith("Shoes") and "&amp; more" in post["title"]["raw"]
    assert "&lt; now" in post["excerpt"]["raw"]  # a literal "<" is escaped once, not dropped or doubled
    meta = post["meta"]
    for key in ("_yoast_wpseo_title", "_yoast_wpseo_metadesc", "rank_math_title", "rank_math_description"):
        assert not LIVE_TAG.search(meta[key]) and "<" not in meta[key], (key, meta[key])
    ld_text = meta["contentcraft_schema_ld_json"]
    assert "<" not in ld_text and ">" not in ld_text  # nothing can close the <script> it goes into
    assert json.loads(ld_text)["description"] == "</script><!-- x"  # still the same JSON
    page = httpx.get(result.url, follow_redirects=True, timeout=30).text
    assert "alert(" not in "".join(re.findall(r"<(?:img|svg|iframe)[^>]*>", page))
    assert "<script>alert(3)" not in page



def test_claim_is_renewed_before_the_write_so_a_retry_cannot_double_post(env):
    """Issue 12 item 10: a slow attempt's claim is fresh when it writes; a stale-looking one is not stolen."""
    from sqlalchemy import update as sql_update
    from core.errors import ContentCraftError
    from core.wordpress.publications import IN_FLIGHT_SECONDS, claim, renew_claim
    from core.wordpress.sites import get_site
    item_id = env.item("Claims stay valid while a slow publish runs")
    site = get_site(env.engine, "blog")
    pub = claim(env.engine, item_id, site, env.editor, "post")
    with session_scope(env.engine) as session:  # the attempt spent long on lookups before its write
        session.execute(sql_update(Publication).where(Publication.id == pub.id)
                        .values(updated_at=utcnow() - timedelta(seconds=IN_FLIGHT_SECONDS + 5)))
    renew_claim(env.engine, pub.id)
    with pytest.raises(ContentCraftError, match="being published"):
        claim(env.engine, item_id, site, env.editor, "post")


def test_external_images_are_removed_on_publish_unless_the_item_keeps_them(env):
    """Issue 12 item 17: the post gets the site's own images only, and the result says what was removed."""
    from core.workflow import add_version, set_keep_external_images
    site_image = f"{env.wp.url}/wp-content/uploads/shoe.jpg"  # the site is on 127.0.0.1: its host is allowed
    raws = {}
    for keep in (False, True):
        item_id = env.item(f"Images From Trusted Hosts Only {'Kept' if keep else 'Dropped'}")
        data = dict(get_item(env.engine, item_id).data_json)
        data["body_html"] += (f'<p><img src="{site_image}" alt="shoe"><img src="https://tracker.example/p.gif?u=1" '
                              'alt="pixel"></p>')
        add_version(env.engine, item_id, data, "model", "images")
        set_keep_external_images(env.engine, env.editor, item_id, keep)
        result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="draft"))
        with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password) as wp:
            raws[keep] = wp.get_post(result.remote_id)["content"]["raw"]
        assert any("Removed 1 external image (tracker.example)" in w for w in result.warnings) is not keep
    assert site_image in raws[False] and "tracker.example" not in raws[False]
    assert site_image in raws[True] and "tracker.example/p.gif" in raws[True]
