"""Against the real Debian WordPress: the site's time zone for scheduled posts, SEO fields read back after
publishing, and slugs as WordPress stored them."""

import contextlib
from datetime import datetime, timezone

import pytest

from core.errors import ValidationFailedError
from core.seo import make_slug
from core.workflow import get_item
from core.wordpress import PublishOptions, check_connection, publish, site_time_zone
from core.wordpress.client import WordPressClient
from core.wordpress.schedule import in_site_time, site_zone
from tests.test_wordpress import env, page_env, secret_key, wordpress  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def site_timezone(wp, zone: str):
    """The site set to zone (as in Settings → General), set back to UTC afterwards."""
    with wp.admin() as admin:
        assert admin.post("/wp/v2/settings", json={"timezone": zone}).json()["timezone"] == zone
    try:
        yield
    finally:
        with wp.admin() as admin:
            admin.post("/wp/v2/settings", json={"timezone": "UTC"})


@contextlib.contextmanager
def seo_fault(wp, kind: str, *keys: str):
    """The test site's stand-in SEO plugin leaves keys unregistered (or drops their values) for a while."""
    path = wp.dir / kind
    path.write_text("\n".join(keys) + "\n")
    try:
        yield
    finally:
        path.unlink()


def _post(env, post_id: int) -> dict:
    with WordPressClient(env.wp.url, env.wp.user, env.wp.app_password) as wp:
        return wp.get_post(post_id)


@pytest.mark.parametrize("zone,local,expected_gmt", [
    ("Asia/Tehran", "2030-01-15T09:00", "2030-01-15T05:30:00"),
    ("America/Los_Angeles", "2030-01-15T09:00", "2030-01-15T17:00:00"),  # PST, UTC-8
    ("America/Los_Angeles", "2030-07-15T09:00", "2030-07-15T16:00:00"),  # PDT, UTC-7
])
def test_a_time_without_offset_is_the_sites_local_time(env, zone, local, expected_gmt):
    item_id = env.item(f"Scheduled Coffee Roasting Guide {zone} {local}")
    with site_timezone(env.wp, zone):
        assert check_connection(env.engine, env.admin, "blog").time_zone == zone
        result = publish(env.engine, env.editor, item_id, "blog",
                         PublishOptions(status="future", date=datetime.fromisoformat(local)))
        post = _post(env, result.remote_id)
    assert result.remote_status == "future"
    assert post["date_gmt"] == expected_gmt and post["date"] == local + ":00"


def test_a_time_with_an_offset_is_kept_and_the_dst_gap_is_refused(env):
    item_id = env.item("Scheduled Espresso Guide With An Offset")
    with site_timezone(env.wp, "America/Los_Angeles"):
        with pytest.raises(ValidationFailedError, match="does not exist in the site's time zone"):
            publish(env.engine, env.editor, item_id, "blog",
                    PublishOptions(status="future", date=datetime(2030, 3, 10, 2, 30)))
        result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(
            status="future", date=datetime.fromisoformat("2030-03-10T12:00+01:00")))
    assert _post(env, result.remote_id)["date_gmt"] == "2030-03-10T11:00:00"


def test_the_cli_reads_a_bare_date_as_site_time(env, monkeypatch, capsys):
    from core import cli

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("core.wordpress.cli",))
    item_id = env.item("Command Line Scheduled Tea Guide")
    with site_timezone(env.wp, "Asia/Tehran"):
        assert cli.main(["publish", str(item_id), "--site", "blog", "--as", "editor@example.com",
                         "--status", "future", "--date", "2030-01-15T09:00", "--json"]) == 0
    post_id = __import__("json").loads(capsys.readouterr().out)["post_id"]
    assert _post(env, post_id)["date_gmt"] == "2030-01-15T05:30:00"


def test_site_zone_from_the_index_with_a_fixed_offset():
    assert site_zone({"timezone_string": "", "gmt_offset": 5.5})[1] == "UTC+5:30"
    assert site_zone({"timezone_string": "", "gmt_offset": -3})[1] == "UTC-3"
    zone, name = site_zone({"timezone_string": "", "gmt_offset": 0})
    assert name == "UTC" and in_site_time(datetime(2030, 1, 1, 9), zone, name).utcoffset().total_seconds() == 0
    zone, name = site_zone({"timezone_string": "", "gmt_offset": 3.5})
    assert in_site_time(datetime(2030, 1, 1, 9), zone, name).astimezone(timezone.utc).hour == 5


def test_library_panel_labels_the_time_with_the_sites_zone(page_env, app_as, engine, wordpress):
    item_id = page_env("Library Panel Scheduled Coffee Post")
    with site_timezone(wordpress, "Asia/Tehran"):
        at = app_as("editor", page="pages/library.py")
        at.radio(key=f"publish_status_{item_id}").set_value("future").run()
        assert not at.exception, at.exception
        labels = [widget.label for widget in at.datetime_input]
    assert "Publish at (site time, Asia/Tehran)" in labels
    assert site_time_zone(engine, "blog") == "Asia/Tehran"


def test_an_seo_field_the_site_does_not_register_is_named(env):
    item_id = env.item("Yoast Without Focus Keyphrase Coffee Grinders")
    with seo_fault(env.wp, "seo-unregistered", "_yoast_wpseo_focuskw"):
        report = check_connection(env.engine, env.admin, "blog")
        result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="draft"))
        meta = _post(env, result.remote_id)["meta"]
    assert report.seo_fields_unwritable == ["_yoast_wpseo_focuskw"]
    assert any("Yoast focus keyphrase (_yoast_wpseo_focuskw)" in w and "cannot be written" in w
               for w in report.warnings)
    data = get_item(env.engine, item_id).data_json
    assert meta["_yoast_wpseo_title"] == data["meta"]["seo_title"] and "_yoast_wpseo_focuskw" not in meta
    [warning] = [w for w in result.warnings if "did not keep" in w]
    assert "Yoast focus keyphrase (_yoast_wpseo_focuskw)" in warning and "title" not in warning.lower()


def test_an_seo_field_the_site_drops_on_save_is_named(env):
    item_id = env.item("Rank Math Description Dropped Coffee Scales")
    with seo_fault(env.wp, "seo-dropped", "rank_math_description", "_yoast_wpseo_metadesc"):
        result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="draft"))
    [warning] = [w for w in result.warnings if "did not keep" in w]
    assert "Rank Math description (rank_math_description)" in warning
    assert "Yoast meta description (_yoast_wpseo_metadesc)" in warning and "title" not in warning.lower()
    clean = publish(env.engine, env.editor, env.item("Every SEO Field Kept Coffee Kettles"), "blog",
                    PublishOptions(status="draft"))
    assert not [w for w in clean.warnings if "did not keep" in w]


def test_cpp_and_csharp_posts_get_their_own_slugs(env):
    cpp, csharp = env.item("C++ tips for embedded devs"), env.item("C# tips for embedded devs")
    assert make_slug("C++ tips for embedded devs") != make_slug("C# tips for embedded devs")
    first = publish(env.engine, env.editor, cpp, "blog", PublishOptions(status="publish"))
    second = publish(env.engine, env.editor, csharp, "blog", PublishOptions(status="publish"))
    assert _post(env, first.remote_id)["slug"] == "cpp-tips-for-embedded-devs"
    assert _post(env, second.remote_id)["slug"] == "csharp-tips-for-embedded-devs"
    assert not any("slug" in w for w in first.warnings + second.warnings)


def test_a_slug_used_on_the_site_is_warned_about_and_wordpress_slug_is_stored(env):
    with env.wp.admin() as admin:
        admin.post("/wp/v2/posts", json={"title": "Pour over basics (old)", "slug": "pour-over-coffee-basics",
                                         "status": "publish"})
    item_id = env.item("Pour Over Coffee Basics")
    assert get_item(env.engine, item_id).data_json["meta"]["slug"] == "pour-over-coffee-basics"
    result = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="publish"))
    stored = _post(env, result.remote_id)["slug"]
    assert stored == "pour-over-coffee-basics-2"
    assert any("'pour-over-coffee-basics' is already used on the site" in w for w in result.warnings)
    assert any("stored the slug as 'pour-over-coffee-basics-2'" in w for w in result.warnings)
    assert get_item(env.engine, item_id).data_json["meta"]["slug"] == stored
    again = publish(env.engine, env.editor, item_id, "blog", PublishOptions(status="publish"))
    assert again.remote_id == result.remote_id and not any("slug" in w for w in again.warnings)


def test_library_panel_warns_about_a_used_slug_before_publishing(page_env, app_as, wordpress):
    item_id = page_env("French Press Coffee Guide")
    at = app_as("editor", page="pages/library.py")
    at.button(key=f"publish_slug_{item_id}").click().run()
    assert not at.exception and any("No other post" in s.value for s in at.success)
    with wordpress.admin() as admin:
        admin.post("/wp/v2/posts", json={"title": "Old French press guide", "slug": "french-press-coffee-guide",
                                         "status": "publish"})
    at.button(key=f"publish_slug_{item_id}").click().run()
    assert any("'french-press-coffee-guide' is already used on the site" in w.value for w in at.warning)
