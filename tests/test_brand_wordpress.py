"""Importing a real WordPress site's latest published posts as brand samples (tests/wordpress/ harness)."""

import contextlib

import pytest
from cryptography.fernet import Fernet

from core import config
from core.brand import profiles
from core.brand.analysis import normalise
from core.brand.wordpress_import import from_wordpress
from core.errors import ValidationFailedError
from core.wordpress import add_site
from tests.brand_corpus import passages
from tests.wordpress.harness import missing_packages, run_script, skip_or_fail, start_wordpress

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wordpress():
    """A real WordPress with only three published posts (dated, newest last) and one draft."""
    missing = missing_packages()
    if missing:
        skip_or_fail(f"the test WordPress needs Debian packages: {' '.join(missing)} (see .ci/run)")
    site = start_wordpress()
    blog = passages("en", "blog")
    with site.admin() as admin:
        for post in admin.get("/wp/v2/posts", params={"status": "any", "context": "edit"}).json():
            assert admin.delete(f"/wp/v2/posts/{post['id']}", params={"force": "true"}).status_code == 200
        for day, (title, text, status) in enumerate([("Confession", blog[0], "publish"),
                                                     ("Shoes", blog[1], "publish"),
                                                     ("Unfinished", blog[3], "draft"),
                                                     ("Rest days", blog[2], "publish")], start=1):
            response = admin.post("/wp/v2/posts", json={
                "title": title, "status": status, "date": f"2024-03-0{day}T10:00:00",
                "content": f"<!-- wp:paragraph --><p>{text}</p><!-- /wp:paragraph -->"})
            assert response.status_code == 201, response.text
    yield site
    with contextlib.suppress(Exception):
        run_script("stop.sh", site.dir, WP_PURGE="1")


@pytest.fixture
def connected(wordpress, engine, monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    add_site(engine, None, name="blog", url=wordpress.url, username=wordpress.user,
             app_password=wordpress.app_password)
    return engine


def test_latest_published_posts_become_samples(connected):
    found = from_wordpress(connected, "blog", 2)
    assert [s.title for s in found] == ["Rest days", "Shoes"]
    # WordPress renders typographic quotes (’); analysis treats them like straight ones.
    assert normalise(found[0].text) == passages("en", "blog")[2] and found[0].language == "en"
    assert found[0].source.startswith("wordpress:http://127.0.0.1")
    assert [s.title for s in from_wordpress(connected, "blog", 10)] == ["Rest days", "Shoes", "Confession"]


def test_import_limits_are_explained(connected):
    with pytest.raises(ValidationFailedError, match="between 1 and 100"):
        from_wordpress(connected, "blog", 0)


def test_page_imports_posts_into_the_profile(connected, app_as):
    at = app_as("editor", page="pages/brand.py")
    at.text_input(key="brand_new_name").input("Blog")
    at.button(key="FormSubmitter:brand_new_form-Create profile").click()
    at.run()
    at.number_input(key="brand_wp_count").set_value(3)
    at.button(key="brand_wp_import").click()
    at.run()
    assert not at.exception and not at.error, at.error
    stored = profiles.samples(connected, profiles.get_profile(connected, "Blog").id)
    assert [s.title for s in stored] == ["Rest days", "Shoes", "Confession"]
