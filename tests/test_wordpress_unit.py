"""Site secrets, URL checks, REST errors and discovery, link ranking in ten languages, link insertion."""

import os
import stat

import pytest
from cryptography.fernet import Fernet

from core import config
from core.errors import ContentCraftError, PublishFailedError, ValidationFailedError
from core.schemas import InternalLink
from core.seo import sanitize_html
from core.wordpress import add_site, get_site, list_sites, remove_site, secrets
from core.wordpress.client import WordPressClient, check_base_url
from core.wordpress.links import BM25, insert_links, rank_posts, tokens
from core.wordpress.publications import claim
from tests.vendor_server import Reply, VendorServer
from tests.wordpress.harness import make_users


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "data" / "secret.key"
    monkeypatch.setattr(secrets, "KEY_FILE", path)
    return path


def test_key_file_is_created_0600_and_reused(key_file):
    token = secrets.encrypt("app pass 1234")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "app pass" not in token and secrets.decrypt(token) == "app pass 1234"
    assert secrets.encrypt("x") != secrets.encrypt("x")  # Fernet tokens are salted with a timestamp and IV
    assert key_file.read_bytes().strip() == secrets._key_from_file(key_file)


def test_env_key_wins_and_a_changed_key_is_a_clear_error(key_file, monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    token = secrets.encrypt("secret")
    assert not key_file.exists()
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    with pytest.raises(ContentCraftError, match="secret key changed"):
        secrets.decrypt(token, "the password of blog")
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", "not a key")
    config.get_settings.cache_clear()
    with pytest.raises(ContentCraftError, match="Fernet.generate_key"):
        secrets.encrypt("x")


def test_readable_key_file_is_refused(key_file):
    secrets.encrypt("x")
    os.chmod(key_file, 0o644)
    with pytest.raises(ContentCraftError, match="chmod 600"):
        secrets.encrypt("x")


def _site_with_secret(engine):
    admin, _, _ = make_users(engine)
    add_site(engine, admin, name="blog", url="https://b.example.com", username="u", app_password="app pass 1234",
             woo_key="ck_1", woo_secret="cs_1")


def test_a_lost_key_is_never_silently_replaced(engine, key_file):
    from core.cli import main

    _site_with_secret(engine)
    key_file.unlink()
    for call in (lambda: secrets.encrypt("x"), lambda: secrets.check_key(engine)):
        with pytest.raises(ContentCraftError, match="key that encrypts them is missing"):
            call()
    assert not key_file.exists()
    assert main(["secrets", "check"]) == 1


def test_a_wrong_key_refuses_to_start(engine, key_file, monkeypatch):
    _site_with_secret(engine)
    secrets.check_key(engine)
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    with pytest.raises(ContentCraftError, match="cannot decrypt the stored site passwords"):
        secrets.check_key(engine)


def test_rotating_the_key_file_reencrypts_everything(engine, key_file):
    from core.cli import main

    _site_with_secret(engine)
    old_key = key_file.read_bytes().strip()
    assert main(["secrets", "rotate"]) == 0
    new_keys = key_file.read_bytes().split()
    assert len(new_keys) == 1 and new_keys[0] != old_key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    stored = get_site(engine, "blog")
    assert secrets.decrypt(stored.password_encrypted) == "app pass 1234"
    assert secrets.decrypt(stored.woo_secret_encrypted) == "cs_1"
    with pytest.raises(Exception):
        Fernet(old_key).decrypt(stored.password_encrypted.encode())


def test_env_keys_rotate_with_a_comma_list(engine, key_file, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", old)
    config.get_settings.cache_clear()
    _site_with_secret(engine)
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", f"{new},{old}")
    config.get_settings.cache_clear()
    with pytest.raises(ContentCraftError, match="NEW_KEY,OLD_KEY"):
        secrets.rotate_key_file(engine)
    assert secrets.reencrypt(engine) == 3
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", new)
    config.get_settings.cache_clear()
    secrets.check_key(engine)
    assert secrets.decrypt(get_site(engine, "blog").woo_key_encrypted) == "ck_1"


@pytest.mark.parametrize("url, reason", [
    ("ftp://blog.example.com", "'ftp:'"), ("javascript:alert(1)", "'javascript:'"), ("blog.example.com", "no scheme"),
    ("https://", "no host"), ("https://admin:pw@blog.example.com", "own fields"), ("https://b.example.com/?p=1", "query"),
])
def test_bad_site_urls_are_rejected_with_the_reason(url, reason):
    with pytest.raises(ValidationFailedError, match="must start with https|no host|own fields|query") as failed:
        check_base_url(url)
    assert reason in str(failed.value)


def test_plain_http_warns_only_outside_localhost():
    assert check_base_url("https://Blog.Example.com/news/") == ("https://blog.example.com/news", [])
    assert check_base_url("http://127.0.0.1:8080")[1] == [] and check_base_url("http://wp.localhost")[1] == []
    url, warnings = check_base_url("http://blog.example.com")
    assert url == "http://blog.example.com" and "HTTPS" in warnings[0]


def test_sites_are_admin_only_and_keep_secrets_encrypted(engine, key_file):
    admin, editor, _ = make_users(engine)
    with pytest.raises(ContentCraftError, match="cannot manage sites"):
        add_site(engine, editor, name="blog", url="https://b.example.com", username="u", app_password="p w")
    site, warnings = add_site(engine, admin, name="blog", url="https://b.example.com/", username="u",
                              app_password="abcd efgh", woo_key="ck_1", woo_secret="cs_1")
    assert warnings == [] and site.base_url == "https://b.example.com"
    stored = get_site(engine, "blog")
    assert "abcd" not in stored.password_encrypted and secrets.decrypt(stored.password_encrypted) == "abcd efgh"
    assert secrets.decrypt(stored.woo_secret_encrypted) == "cs_1"
    with pytest.raises(ValidationFailedError, match="already a site"):
        add_site(engine, admin, name="blog", url="https://c.example.com", username="u", app_password="p")
    with pytest.raises(ValidationFailedError, match="both the consumer key"):
        add_site(engine, admin, name="shop", url="https://c.example.com", username="u", app_password="p", woo_key="k")
    remove_site(engine, admin, "blog")
    assert list_sites(engine) == []
    with pytest.raises(ContentCraftError, match="no site named 'blog'"):
        get_site(engine, "blog")


def test_a_second_claim_while_sending_is_refused(engine, key_file, generator, fake):
    from tests.wordpress.harness import approved_item

    admin, editor, writer = make_users(engine)
    site, _ = add_site(engine, admin, name="blog", url="https://b.example.com", username="u", app_password="p")
    item_id = approved_item(generator, fake, engine, editor, writer, title="Claims Are Exclusive")
    first = claim(engine, item_id, site, editor, "post")
    with pytest.raises(ContentCraftError, match="being published"):
        claim(engine, item_id, site, admin, "post")
    from core.wordpress.publications import record_failure

    record_failure(engine, first.id, "boom")
    again = claim(engine, item_id, site, admin, "post")
    assert again.idempotency_key == first.idempotency_key and again.attempts == 2


INDEX = {"name": "Blog", "namespaces": ["wp/v2"]}


@pytest.fixture
def server():
    vendor = VendorServer()
    yield vendor
    vendor.close()


def test_discovery_falls_back_to_rest_route(server):
    server.enqueue(Reply(404, raw=b"<html>Not found</html>", headers={"Content-Type": "text/html"}),
                   Reply(200, {"id": 1, "username": "ed"}), Reply(200, {"id": 7}))
    with WordPressClient(server.url, "ed", "pw") as wp:
        assert wp.me()["username"] == "ed" and wp.rest_style == "query"
        assert wp.create_post({"title": "t"})["id"] == 7
    assert server.requests[0]["path"].startswith("/wp-json/wp/v2/users/me?")
    assert all("rest_route=%2Fwp%2Fv2%2F" in r["path"] for r in server.requests[1:])


def test_no_rest_api_at_all_says_what_to_check(server):
    server.enqueue(Reply(200, raw=b"<html>shop</html>"), Reply(200, raw=b"<html>shop</html>"))
    with WordPressClient(server.url, "ed", "pw") as wp, pytest.raises(PublishFailedError, match="No WordPress REST API"):
        wp.index()


@pytest.mark.parametrize("status, body, words", [
    (500, {"code": "internal_server_error", "message": "<p>Critical error</p>"}, ["server error", "HTTP 500"]),
    (503, None, ["server error", "HTTP 503"]),
    (429, None, ["too many requests"]),
    (404, {"code": "rest_no_route", "message": "No route"}, ["Not found", "rest_no_route"]),
    (403, {"code": "rest_forbidden", "message": "Sorry"}, ["Editor or Administrator"]),
    (401, {"code": "rest_not_logged_in", "message": "You are not currently logged in."}, ["Application Password"]),
])
def test_error_statuses_become_advice(server, status, body, words):
    server.enqueue(Reply(status, body, raw=None if body else b"oops"))
    with WordPressClient(server.url, "ed", "pw", label="blog") as wp, pytest.raises(PublishFailedError) as failed:
        wp.me()
    assert failed.value.status == status and failed.value.retryable == (status >= 429 and status != 404)
    for word in words:
        assert word in str(failed.value)
    assert "<p>" not in str(failed.value) and "pw" not in str(failed.value).split()


def test_redirects_are_not_followed_and_explained(server):
    server.enqueue(Reply(301, raw=b"", headers={"Location": "https://blog.example.com/wp-json/"}))
    with WordPressClient(server.url, "ed", "pw") as wp, pytest.raises(PublishFailedError, match="redirected"):
        wp.index()
    assert len(server.requests) == 1


def test_timeout_and_unreachable_are_retryable(server):
    server.enqueue(Reply(200, INDEX, delay=1.5))
    with WordPressClient(server.url, "ed", "pw", timeout=0.5) as wp, pytest.raises(PublishFailedError) as failed:
        wp.index()
    assert failed.value.retryable and "did not answer within 0.5 s" in str(failed.value)
    # Nothing listens on port 9 (discard) of the loopback.
    with WordPressClient("http://127.0.0.1:9", "ed", "pw") as wp, pytest.raises(PublishFailedError) as failed:
        wp.index()
    assert failed.value.retryable and "Cannot reach" in str(failed.value)


# One relevant post, two near-misses and an off-topic one per language: the relevant one must rank first.
CORPORA = {
    "en": ("choosing trail running shoes for rocky paths",
           ["Trail running shoes: grip and cushioning for rocky paths", "Road running shoes for beginners",
            "How to bake sourdough bread", "Saving money on groceries"]),
    "de": ("die richtigen Laufschuhe für Trailrunning wählen",
           ["Laufschuhe für Trailrunning auf felsigen Wegen", "Straßenlaufschuhe für Anfänger",
            "Sauerteigbrot selbst backen", "Geld sparen beim Einkaufen"]),
    "es": ("elegir zapatillas de trail running para senderos",
           ["Zapatillas de trail running para senderos rocosos", "Zapatillas de asfalto para principiantes",
            "Cómo hornear pan de masa madre", "Ahorrar dinero en la compra"]),
    "fr": ("choisir des chaussures de trail pour les sentiers",
           ["Chaussures de trail pour sentiers rocailleux", "Chaussures de course sur route pour débutants",
            "Faire son pain au levain", "Économiser sur les courses"]),
    "it": ("scegliere scarpe da trail running per i sentieri",
           ["Scarpe da trail running per sentieri rocciosi", "Scarpe da corsa su strada per principianti",
            "Come fare il pane con il lievito madre", "Risparmiare sulla spesa"]),
    "fa": ("انتخاب کفش‌های دویدن در کوهستان",
           ["کفش دویدن در کوهستان برای مسیرهای سنگی", "کفش دویدن جاده‌ای برای مبتدیان",
            "طرز تهیه نان خمیر ترش", "صرفه‌جویی در خرید مواد غذایی"]),
    "ar": ("اختيار أحذية الجري في الجبال",
           ["أحذية الجري في الجبال للمسارات الصخرية", "أحذية الجري على الطرق للمبتدئين",
            "طريقة خبز العجين المخمر", "توفير المال عند التسوق"]),
    "ja": ("トレイルランニングシューズの選び方",
           ["岩場に強いトレイルランニングシューズ", "初心者向けロードランニングの基本",
            "天然酵母パンの焼き方", "食費を節約するコツ"]),
    "ko": ("트레일러닝화 고르는 방법",
           ["바위길에 강한 트레일러닝화 추천", "초보자를 위한 로드 러닝 기초",
            "천연 발효빵 굽는 법", "장보기 비용 절약 팁"]),
    "zh": ("如何选择越野跑鞋",
           ["适合岩石山路的越野跑鞋推荐", "新手公路跑步入门", "天然酵母面包的做法", "买菜省钱的小窍门"]),
}


@pytest.mark.parametrize("language", sorted(CORPORA))
def test_ranking_works_in_every_language(language):
    query, titles = CORPORA[language]
    posts = [{"title": t, "link": f"https://b.example.com/{i}", "excerpt": ""} for i, t in enumerate(titles)]
    ranked = rank_posts(query, posts, limit=5)
    assert ranked[0].title == titles[0], [s.title for s in ranked]
    assert titles[2] not in [s.title for s in ranked] and titles[3] not in [s.title for s in ranked]


def test_tokens_split_cjk_into_bigrams_and_fold_arabic_script():
    assert tokens("越野跑鞋") == ["越野", "野跑", "跑鞋"]
    assert tokens("كتاب") == tokens("کتاب")  # Arabic kaf and Persian keheh are one letter for search
    assert tokens("می‌خواهم") == tokens("میخواهم")  # zero-width non-joiner ignored
    assert "the" not in tokens("The shoes") and "marat…" in tokens("marathons")


def test_bm25_prefers_rare_terms_and_excludes_own_post():
    index = BM25([["shoes", "trail"], ["shoes", "road"], ["shoes", "socks"]])
    scores = index.scores(["trail", "shoes"])
    assert scores[0] > scores[1] == scores[2] > 0
    posts = [{"title": "Trail shoes", "link": "https://b/1"}, {"title": "Trail socks", "link": "https://b/2"}]
    assert [s.url for s in rank_posts("trail shoes", posts, exclude_urls={"https://b/1"})] == ["https://b/2"]
    assert rank_posts("anything", []) == []


def test_insert_links_uses_the_first_plain_mention_and_lists_the_rest():
    body = ("<h2>Trail shoes</h2><p>See <a href='/x'>trail shoes</a> here.</p><p>Good trail shoes grip.</p>")
    links = [InternalLink(title="Trail shoes", url="https://b.example.com/trail/", anchor="trail shoes"),
             InternalLink(title="Sock <guide>", url="https://b.example.com/socks/", anchor="wool socks")]
    out = sanitize_html(insert_links(body, links))
    assert '<p>Good <a href="https://b.example.com/trail/" rel="noopener noreferrer">trail shoes</a> grip.</p>' in out
    assert "<h2>Trail shoes</h2>" in out
    assert '<li><a href="https://b.example.com/socks/" rel="noopener noreferrer">Sock &lt;guide&gt;</a></li>' in out
    assert insert_links(out, links) == out, "links already in the body are not added twice"


def test_cli_sites_add_and_set_password_read_secrets_from_env(engine, key_file, monkeypatch, capsys):
    from core import cli

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("core.wordpress.cli",))
    monkeypatch.setenv("BLOG_PW", "first pass 1234")
    assert cli.main(["sites", "add", "blog", "--url", "http://blog.example.com", "--user", "ed",
                     "--app-password-env", "BLOG_PW"]) == 0
    out = capsys.readouterr().out
    assert "warning: This site uses plain http" in out and "first pass" not in out
    monkeypatch.setenv("BLOG_PW", "second pass 5678")
    assert cli.main(["sites", "set-password", "blog", "--app-password-env", "BLOG_PW"]) == 0
    assert secrets.decrypt(get_site(engine, "blog").password_encrypted) == "second pass 5678"
    assert cli.main(["sites", "add", "x", "--url", "https://x.example.com", "--user", "ed",
                     "--app-password-env", "UNSET_VAR"]) == 1
    assert "UNSET_VAR" in capsys.readouterr().err
