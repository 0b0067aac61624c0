"""Helpers for tests/test_wordpress_plugin.py: signed-in clients, the plugin's REST calls, SQL and seeding."""

import contextlib
import json
import struct
import subprocess
import zlib

import httpx

from tests.wordpress.harness import WordPress

PASSWORD = "plugin-pass-1!"


@contextlib.contextmanager
def login(wp: WordPress, user: str):
    """A browser-like httpx client signed in through wp-login.php (cookie auth, no nonce yet)."""
    with httpx.Client(base_url=wp.url, timeout=120, trust_env=False, follow_redirects=False) as client:
        client.cookies.set("wordpress_test_cookie", "WP Cookie check")
        answer = client.post("/wp-login.php", data={"log": user, "pwd": PASSWORD, "wp-submit": "Log In",
                                                    "testcookie": "1"})
        assert answer.status_code == 302, answer.text[:500]
        yield client


def nonce(client: httpx.Client) -> str:
    answer = client.get("/wp-admin/admin-ajax.php", params={"action": "rest-nonce"})
    assert answer.status_code == 200 and answer.text.isalnum(), answer.text
    return answer.text


def call(client: httpx.Client, route: str, body: dict, with_nonce: str | None = None) -> httpx.Response:
    headers = {"X-WP-Nonce": with_nonce} if with_nonce else {}
    return client.post(f"/wp-json/contentcraft/v1/{route}", json=body, headers=headers)


def hooks(wp: WordPress) -> list[dict]:
    path = wp.dir / "hooks.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def sql(wp: WordPress, query: str) -> str:
    return subprocess.run(["mariadb", "--no-defaults", "-S", str(wp.dir / "mysqld.sock"), "-N", "-B", "wordpress",
                           "-e", query], capture_output=True, text=True, check=True).stdout.strip()


def plugin_notices(wp: WordPress) -> list[str]:
    log = wp.dir / "php-errors.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if "contentcraft" in line.lower()]


def make_posts(site: WordPress, titles: list[str], contents: list[str] | None = None) -> list[int]:
    contents = contents or ["old body"] * len(titles)
    with site.admin() as admin:
        return [admin.post("/wp/v2/posts", json={"title": t, "status": "draft", "content": c}).json()["id"]
                for t, c in zip(titles, contents, strict=True)]


def tiny_png() -> bytes:
    """A valid 1×1 PNG, the product's main image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b""))


def post_meta(site: WordPress, post_id: int, key: str) -> str:
    return sql(site, f"SELECT meta_value FROM wp_postmeta WHERE post_id = {int(post_id)} AND meta_key = '{key}'")


def install_core_persian(site: WordPress) -> None:
    """Core's fa_IR language file, reduced to its text direction (the real pack is a download; tests are offline)."""
    languages = site.dir / "wordpress" / "wp-content" / "languages"
    languages.mkdir(exist_ok=True)
    (languages / "fa_IR.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                                        '"Language: fa_IR\\n"\n\nmsgctxt "text direction"\nmsgid "ltr"\nmsgstr "rtl"\n')
    subprocess.run(["msgfmt", "-o", str(languages / "fa_IR.mo"), str(languages / "fa_IR.po")], check=True)


@contextlib.contextmanager
def user_locale(site: WordPress, login_name: str, locale: str):
    """The user's admin language set through /wp/v2/users (WordPress accepts only installed languages)."""
    with site.admin() as admin:
        [user] = admin.get("/wp/v2/users", params={"search": login_name, "context": "edit"}).json()
        changed = admin.post(f"/wp/v2/users/{user['id']}", json={"locale": locale})
        assert changed.status_code == 200 and changed.json()["locale"] == locale, changed.text
        try:
            yield
        finally:
            admin.post(f"/wp/v2/users/{user['id']}", json={"locale": "en_US"})


def close_welcome_guide(page) -> None:
    page.evaluate("wp.data.dispatch('core/preferences') && wp.data.dispatch('core/preferences')"
                  ".set('core/edit-post', 'welcomeGuide', false)")
