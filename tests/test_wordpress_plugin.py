"""The WordPress plugin (wordpress-plugin/contentcraft/) against a real WordPress and a running API.

WordPress 6.1 from Debian (tests/wordpress/), `python -m api` on loopback with the "custom" provider
pointing at tests/wordpress/model_server.py (an instant OpenAI-compatible model). WooCommerce is not a
Debian package, so its product type and capability come from tests/wordpress/hook-recorder.php.
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx
import pytest

from tests.brand_corpus import passages
from tests.net import free_port, wait_until
from tests.wordpress import model_server
from tests.wordpress.harness import WordPress, missing_packages, run_script, skip_or_fail
from tests.wordpress.plugin_helpers import (PASSWORD, call, close_welcome_guide, hooks, install_core_persian, login,
                                            make_posts, nonce, plugin_notices, post_meta, sql, tiny_png, user_locale)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "wordpress-plugin" / "contentcraft"
RECORDER = ROOT / "tests" / "wordpress" / "hook-recorder.php"
SEED_HOOKS = {"contentcraft_before_generate", "contentcraft_generated_content", "contentcraft_api_request_args",
              "contentcraft_api_response", "contentcraft_prompt_instructions", "contentcraft_before_api_request",
              "contentcraft_content_generated", "contentcraft_generation_failed", "contentcraft_brand_trained"}


def test_every_php_file_lints():
    files = [*PLUGIN.rglob("*.php"), ROOT / "core/wordpress/wp-plugin/contentcraft-connector.php", RECORDER]
    assert len(files) >= 9
    for path in files:
        result = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_plugin_shares_the_connector_file():
    link = PLUGIN / "includes" / "connector.php"
    assert link.is_symlink() and link.resolve() == (ROOT / "core/wordpress/wp-plugin/contentcraft-connector.php")


def build_plugin() -> None:
    """`make wordpress-plugin` (.pot, .mo, zip); skipped locally without Debian's gettext and zip."""
    missing = [tool for tool in ("xgettext", "msgfmt", "zip") if shutil.which(tool) is None]
    if missing:
        skip_or_fail(f"the plugin build needs {' '.join(missing)} (Debian packages gettext, zip; see .ci/run)")
    build = subprocess.run(["make", "-s", "wordpress-plugin"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr


def test_build_makes_the_pot_and_a_complete_persian_translation():
    build_plugin()
    languages = PLUGIN / "languages"
    pot = (languages / "contentcraft.pot").read_text()
    assert 'msgid "Generate with ContentCraft"' in pot and "#. translators:" in pot
    assert (languages / "contentcraft-fa_IR.mo").stat().st_size > 1000
    po = str(languages / "contentcraft-fa_IR.po")
    missing = subprocess.run(["msgcmp", po, str(languages / "contentcraft.pot")], capture_output=True, text=True)
    assert missing.returncode == 0, missing.stderr
    untranslated = subprocess.run(["msgattrib", "--untranslated", "--only-fuzzy", po], capture_output=True, text=True)
    assert untranslated.stdout == "" and "msgstr \"\"\n\n" not in Path(po).read_text()[400:]


def test_plugin_and_connector_mu_plugin_load_together_once():
    both = ("define('ABSPATH', '/'); $GLOBALS['n'] = 0; function add_action() { $GLOBALS['n']++; } "
            "function add_filter() {} include $argv[1]; include $argv[2]; echo $GLOBALS['n'], ' ', CONTENTCRAFT_CONNECTOR_LOADED;")
    mu = ROOT / "core/wordpress/wp-plugin/contentcraft-connector.php"
    with tempfile.TemporaryDirectory() as copy:  # the plugin as installed: a real file, not a link
        installed = Path(copy) / "connector.php"
        installed.write_bytes((PLUGIN / "includes/connector.php").read_bytes())
        result = subprocess.run(["php", "-r", both, str(mu), str(installed)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == f"3 {mu}", result.stdout + result.stderr


@pytest.fixture(scope="module")
def model():
    httpd = model_server.serve()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def api(model, tmp_path_factory):
    """`python -m api` on a free port with the instant model; yields (url, an editor's token, a writer's token)."""
    home = tmp_path_factory.mktemp("api")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTCRAFT_", "OPENAI", "ANTHROPIC"))}
    env.update(CONTENTCRAFT_DATABASE_URL=f"sqlite:///{home / 'api.db'}", CONTENTCRAFT_PROVIDER="custom",
               CONTENTCRAFT_CUSTOM_BASE_URL=f"{model}/v1", CONTENTCRAFT_PASSWORD="correct horse")
    run = lambda *args: subprocess.run([sys.executable, "-m", "core", *args], env=env, cwd=ROOT, check=True,  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    tokens = []
    for email, role in (("wp@example.com", "editor"), ("writer@example.com", "writer")):
        run("users", "add", email, "--role", role, "--password-env", "CONTENTCRAFT_PASSWORD")
        tokens.append(run("tokens", "create", email, "--name", "wordpress").stdout.strip().splitlines()[-1])
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "api", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(f"{url}/api/health", timeout=2).status_code == 200, process, "the API", timeout=120)
    yield url, *tokens
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def site(api):
    """A WordPress with the plugin active (and no connector mu-plugin), users of each role, connected to the API."""
    missing = missing_packages()
    if missing:
        skip_or_fail(f"the test WordPress needs Debian packages: {' '.join(missing)} (see .ci/run)")
    build_plugin()
    data_dir = Path(tempfile.mkdtemp(prefix="ccpl-", dir="/tmp"))
    info = run_script("start.sh", data_dir, WP_NO_CONNECTOR="1", WP_EXTRA_MU_PLUGINS=str(RECORDER), WPR_DEBUG="1")
    wp = WordPress(dir=data_dir, url=info["WP_URL"], user=info["WP_USER"], app_password=info["WP_APP_PASSWORD"])
    with wp.admin() as admin:
        activated = admin.post("/wp/v2/plugins/contentcraft/contentcraft", json={"status": "active"})
        assert activated.status_code == 200, activated.text
        for login, role in (("editor1", "editor"), ("subscriber1", "subscriber"), ("shop1", "editor"),
                            ("author1", "author"), ("admin1", "administrator")):
            made = admin.post("/wp/v2/users", json={"username": login, "email": f"{login}@example.com",
                                                    "password": PASSWORD, "roles": [role]})
            assert made.status_code == 201, made.text
        url, token, _ = api
        saved = admin.post("/wp/v2/settings", json={"contentcraft_api_url": url, "contentcraft_api_token": token})
        assert saved.status_code == 200, saved.text
    yield wp
    with contextlib.suppress(Exception):
        run_script("stop.sh", data_dir, WP_PURGE="1")


def test_activation_creates_the_log_table_without_notices(site):
    with login(site, "editor1") as editor:
        assert editor.get("/wp-admin/admin.php", params={"page": "contentcraft-usage"}).status_code == 200
    assert sql(site, "SHOW TABLES LIKE 'wp_contentcraft_logs'") == "wp_contentcraft_logs"
    columns = sql(site, "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS "
                        "WHERE TABLE_NAME = 'wp_contentcraft_logs'")
    assert columns == "id,user_id,type,target,tokens,latency_ms,status,error,created_at"
    assert plugin_notices(site) == []


def test_token_is_write_only_and_encrypted(site, api):
    token = api[1]
    with site.admin() as admin:
        settings = admin.get("/wp/v2/settings").json()
    assert settings["contentcraft_api_url"] == api[0]
    assert settings["contentcraft_api_token"] == "********"
    stored = sql(site, "SELECT option_value FROM wp_options WHERE option_name = 'contentcraft_api_token'")
    assert stored.startswith("ccenc1:") and token not in stored
    with site.admin() as admin:
        admin.post("/wp/v2/settings", json={"contentcraft_api_token": "********"})  # the mask sent back
    assert sql(site, "SELECT option_value FROM wp_options WHERE option_name = 'contentcraft_api_token'") == stored


def test_rest_auth_and_nonce(site):
    topic = {"topic": "Trail running for beginners", "keywords": "trail, running", "length": "short"}
    anonymous = httpx.post(f"{site.url}/wp-json/contentcraft/v1/content/generate", json=topic, timeout=30)
    assert anonymous.status_code == 401
    with login(site, "subscriber1") as subscriber:
        assert call(subscriber, "content/generate", topic, nonce(subscriber)).status_code == 403
    with login(site, "editor1") as editor:
        missing = call(editor, "content/generate", topic)
        assert missing.status_code == 403 and "nonce" in missing.json()["message"]
        assert call(editor, "content/generate", topic, "0123456789").status_code == 403
        answer = call(editor, "content/generate", topic, nonce(editor))
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["title"] == "Trail running for beginners" and data["item_id"] >= 1
    assert "<h2>" in data["body_html"] and 140 <= len(data["meta"]["meta_desc"]) <= 160
    assert sql(site, "SELECT COUNT(*) FROM wp_contentcraft_logs WHERE status = 'success' AND type = 'blog'") >= "1"


def test_connection_test_checks_health_and_the_token(site, api):
    with site.admin() as admin:
        good = admin.post("/contentcraft/v1/connection/test")
        admin.post("/wp/v2/settings", json={"contentcraft_api_token": "cc_wrong-token"})
        try:
            refused = admin.post("/contentcraft/v1/connection/test")
        finally:
            admin.post("/wp/v2/settings", json={"contentcraft_api_token": api[1]})
    assert good.status_code == 200 and good.json()["message"].startswith("Connected")
    assert refused.status_code == 502 and "refused this site's API token" in refused.json()["message"]
    with login(site, "editor1") as editor:
        assert call(editor, "connection/test", {}, nonce(editor)).status_code == 403


def test_bad_input_is_a_400_with_a_clear_message(site):
    with login(site, "editor1") as editor:
        token = nonce(editor)
        short = call(editor, "content/generate", {"topic": "Hi"}, token)
        assert short.status_code == 400 and "topic" in short.json()["message"]
        too_many = call(editor, "content/generate", {"topic": "Trail running", "keywords": ",".join("abcdefghijk")}, token)
        assert too_many.status_code == 400 and "10 keywords" in too_many.json()["message"]
        wrong = call(editor, "content/generate", {"topic": "Trail running", "length": "huge"}, token)
        assert wrong.status_code == 400 and "length" in wrong.json()["message"]
        script = call(editor, "content/generate", {"topic": "<script>alert(1)</script>Trail running"}, token)
    assert script.status_code == 200 and "<script" not in script.text


def test_every_hook_runs_and_takes_effect(site):
    (site.dir / "hooks.log").unlink(missing_ok=True)
    with login(site, "editor1") as editor:
        answer = call(editor, "content/generate", {"topic": "Hooks in a marathon plan"}, nonce(editor))
        failed = call(editor, "content/generate", {"topic": "FAIL on purpose please"}, nonce(editor))
    assert answer.status_code == 200 and answer.json()["data"]["meta"]["seo_title"].startswith("Filtered: ")
    assert failed.status_code == 502 and failed.json()["message"]
    calls = hooks(site)
    names = {entry["hook"] for entry in calls}
    assert names >= {"contentcraft_before_generate", "contentcraft_prompt_instructions", "contentcraft_api_request_args",
                     "contentcraft_before_api_request", "contentcraft_api_response", "contentcraft_generated_content",
                     "contentcraft_content_generated", "contentcraft_generation_failed"}
    sent = next(e for e in calls if e["hook"] == "contentcraft_before_api_request")["args"][1]
    assert "recorded keyword" in sent["keywords"] and "Section from the hook" in sent["sections"]
    failure = next(e for e in calls if e["hook"] == "contentcraft_generation_failed")["args"]
    assert failure[0] == "blog" and failure[1] == "contentcraft_api_error"


def test_bulk_process_reports_each_post_and_leaves_failures_untouched(site):
    ids = make_posts(site, ["Winter running layers", "FAIL this one", "Hill repeats explained"])
    with login(site, "editor1") as editor:
        answer = call(editor, "bulk/process", {"ids": ids, "length": "short"}, nonce(editor))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["succeeded"], body["failed"]) == (2, 1)
    with site.admin() as admin:
        posts = {p["id"]: p for p in admin.get("/wp/v2/posts", params={"include": ",".join(map(str, ids)), "status": "draft",
                                                                            "context": "edit"}).json()}
    assert "<h2>" in posts[ids[0]]["content"]["raw"] and posts[ids[0]]["excerpt"]["raw"]
    assert posts[ids[0]]["meta"]["contentcraft_meta_desc"] and posts[ids[0]]["meta"]["contentcraft_seo_title"]
    assert posts[ids[1]]["content"]["raw"] == "old body" and posts[ids[1]]["meta"]["contentcraft_seo_title"] == ""


def test_api_down_is_a_friendly_error_and_writes_nothing(site, api):
    [post_id] = make_posts(site, ["Recovery runs after a race"])
    with site.admin() as admin:
        admin.post("/wp/v2/settings", json={"contentcraft_api_url": f"http://127.0.0.1:{free_port()}"})
        try:
            with login(site, "editor1") as editor:
                token = nonce(editor)
                single = call(editor, "content/generate", {"topic": "Recovery runs after a race"}, token)
                bulk = call(editor, "bulk/process", {"ids": [post_id]}, token)
        finally:
            admin.post("/wp/v2/settings", json={"contentcraft_api_url": api[0]})
        post = admin.get(f"/wp/v2/posts/{post_id}", params={"context": "edit"}).json()
    assert single.status_code == 502 and "could not reach" in single.json()["message"]
    assert "Traceback" not in single.text and "wp-content" not in single.text
    assert bulk.json()["failed"] == 1 and "could not reach" in bulk.json()["results"][0]["error"]
    assert post["content"]["raw"] == "old body" and post["meta"]["contentcraft_seo_title"] == ""


def test_product_writer_route_and_meta_box(site):
    with login(site, "editor1") as editor:
        assert call(editor, "product/generate", {"name": "TrailFlex shoe"}, nonce(editor)).status_code == 403
    with login(site, "shop1") as shop:
        token = nonce(shop)
        answer = call(shop, "product/generate", {"name": "TrailFlex shoe", "features": "light, firm"}, token)
        empty = call(shop, "product/generate", {}, token)
        screen = shop.get("/wp-admin/post-new.php", params={"post_type": "product"})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["title"] == "TrailFlex shoe" and data["image_alt_text"] and data["short_description"]
    assert empty.status_code == 400 and "name" in empty.json()["message"]
    assert 'id="contentcraft-product-writer"' in screen.text and 'data-kind="product"' in screen.text


def make_product(site: WordPress, name: str) -> tuple[int, int]:
    """(product id, its main image's id): a draft product with a 1×1 PNG as the main image."""
    with site.admin() as admin:
        image = admin.post("/wp/v2/media", content=tiny_png(), headers={
            "Content-Type": "image/png", "Content-Disposition": 'attachment; filename="product.png"'})
        assert image.status_code == 201, image.text
        product = admin.post("/wp/v2/product", json={"title": name, "status": "draft", "featured_media": image.json()["id"]})
        assert product.status_code == 201, product.text
    return product.json()["id"], image.json()["id"]


def test_bulk_process_writes_products_from_their_facts(site):
    product_id, image_id = make_product(site, "Summit 3 hiking boot")
    with login(site, "editor1") as editor:  # no edit_products: the product is refused, not written
        refused = call(editor, "bulk/process", {"ids": [product_id]}, nonce(editor)).json()
    with login(site, "shop1") as shop:
        listing = shop.get("/wp-admin/edit.php", params={"post_type": "product"}).text
        answer = call(shop, "bulk/process", {"ids": [product_id]}, nonce(shop))
    assert refused["failed"] == 1 and "cannot edit" in refused["results"][0]["error"]
    assert '<option value="contentcraft_generate">' in listing
    assert answer.status_code == 200 and answer.json()["succeeded"] == 1, answer.text
    with site.admin() as admin:
        saved = admin.get(f"/wp/v2/product/{product_id}", params={"context": "edit"}).json()
    assert "<h3>Features</h3>" in saved["content"]["raw"] and "firm midsole" in saved["excerpt"]["raw"]
    assert post_meta(site, product_id, "contentcraft_seo_title") == "Filtered: Summit 3 hiking boot"
    assert post_meta(site, image_id, "_wp_attachment_image_alt") == "Photo of Summit 3 hiking boot"


def test_connector_duties_without_the_mu_plugin(site):
    assert not (site.dir / "wordpress/wp-content/mu-plugins/contentcraft-connector.php").exists()
    ld = json.dumps({"@context": "https://schema.org", "@type": "Article", "headline": "x</script><b>"})
    with site.admin() as admin:
        post = admin.post("/wp/v2/posts", json={"title": "Connector duties", "status": "publish", "meta": {
            "contentcraft_idempotency_key": "key-123", "contentcraft_schema_ld_json": ld,
            "contentcraft_meta_desc": "A description"}}).json()
        found = admin.get("/wp/v2/posts", params={"contentcraft_key": "key-123"}).json()
    assert [p["id"] for p in found] == [post["id"]]
    page = httpx.get(post["link"], timeout=30).text
    assert '<script type="application/ld+json">' in page and "</script><b>" not in page
    assert '<meta name="description" content="A description" />' in page


def test_plugin_hooks_are_the_seeds_and_each_is_recorded():
    """Like datasette's test_plugin_hooks_have_tests: a new hook fails here until the recorder hooks it."""
    code = "\n".join(path.read_text() for path in PLUGIN.rglob("*.php"))
    fired = set(re.findall(r"(?:apply_filters|do_action)\(\s*'(contentcraft_[a-z_]+)'", code))
    assert fired == SEED_HOOKS
    recorder = RECORDER.read_text()
    assert all(f"'{hook}'" in recorder for hook in fired)


def test_brand_train_route_checks_roles_input_and_the_tokens_role(site, api):
    ids = make_posts(site, ["Voice check one", "Voice check two"], passages("en", "blog")[:2])
    [blank] = make_posts(site, ["No words here"], [" "])
    body = {"profile": "Route voice", "ids": ids}
    assert httpx.post(f"{site.url}/wp-json/contentcraft/v1/brand/train", json=body, timeout=30).status_code == 401
    for login_name in ("subscriber1", "author1"):  # authors write posts, but the voice is the editors' call
        with login(site, login_name) as user:
            assert call(user, "brand/train", body, nonce(user)).status_code == 403
    (site.dir / "hooks.log").unlink(missing_ok=True)
    with login(site, "editor1") as editor:
        token = nonce(editor)
        assert call(editor, "brand/train", body).status_code == 403
        slash = call(editor, "brand/train", {"profile": "a/b", "ids": ids}, token)
        nothing = call(editor, "brand/train", {"profile": "Route voice", "ids": [blank]}, token)
        with site.admin() as admin:
            admin.post("/wp/v2/settings", json={"contentcraft_api_token": api[2]})  # a ContentCraft writer's token
            try:
                writer = call(editor, "brand/train", body, token)
            finally:
                admin.post("/wp/v2/settings", json={"contentcraft_api_token": api[1]})
    assert slash.status_code == 400 and "no \"/\"" in slash.json()["data"]["params"]["profile"]
    assert nothing.status_code == 400 and "None of these posts" in nothing.json()["message"]
    assert writer.status_code == 502 and "may not do this" in writer.json()["message"]
    assert "manage brand" in writer.json()["message"]
    assert "contentcraft_brand_trained" not in {entry["hook"] for entry in hooks(site)}
    assert sql(site, "SELECT COUNT(*) FROM wp_contentcraft_logs WHERE type = 'brand' AND status = 'error'") == "1"
    with login(site, "editor1") as editor:  # the Usage screen lists the failed training with its reason
        usage = editor.get("/wp-admin/admin.php", params={"page": "contentcraft-usage"}).text
    assert "<td>brand</td>" in usage and "<td>Route voice</td>" in usage and "may not do this" in usage


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def open_as(site):
    """open_as("editor1") → a Playwright page of Debian's Chromium signed into wp-admin as that user."""
    if not Path(CHROMIUM).exists():
        skip_or_fail("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # A loaded machine renders wp-admin in tens of seconds: wait on conditions, with room (expect's own default is 5 s).
    expect.set_options(timeout=90_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])

        def sign_in(user: str):
            # wp-login.php's own form, posted by httpx, and its cookies handed to the browser: typing into the form
            # raced its focus script, and its redirect to the heavy Dashboard timed out under load.
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            with login(site, user) as client:
                context.add_cookies([{"name": c.name, "value": c.value, "url": f"{site.url}{c.path or '/'}"}
                                     for c in client.cookies.jar])
            page = context.new_page()
            page.set_default_timeout(90_000)
            return page

        yield sign_in
        browser.close()
    expect.set_options(timeout=5_000)


@pytest.fixture
def browser_page(open_as):
    """Signed into wp-admin as the Editor."""
    return open_as("editor1")


def test_block_editor_sidebar_generates_inserts_and_saves(site, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{site.url}/wp-admin/post-new.php")
    page.wait_for_function("window.wp && wp.data && wp.data.select('core/editor').getCurrentPostId()")
    close_welcome_guide(page)
    page.evaluate("wp.data.dispatch('core/edit-post').openGeneralSidebar('contentcraft/contentcraft-sidebar')")
    panel = page.locator(".contentcraft-panel")
    panel.get_by_label("Topic").fill("Interval training for new runners")
    panel.get_by_label("Keywords (comma-separated)").fill("interval training, new runners")
    panel.get_by_role("button", name="Generate").click()
    expect(page.locator(".contentcraft-preview h3")).to_have_text("Interval training for new runners", timeout=120_000)
    page.get_by_role("button", name="Insert into post").click()
    expect(panel.get_by_text("Inserted. Review it, then save the draft.")).to_be_visible()
    page.evaluate("wp.data.dispatch('core/editor').savePost()")
    page.wait_for_function("!wp.data.select('core/editor').isSavingPost() && "
                           "!wp.data.select('core/editor').isEditedPostDirty()")
    post_id = page.evaluate("wp.data.select('core/editor').getCurrentPostId()")
    with site.admin() as admin:
        post = admin.get(f"/wp/v2/posts/{post_id}", params={"context": "edit"}).json()
    assert post["status"] == "draft" and post["title"]["raw"] == "Interval training for new runners"
    assert post["excerpt"]["raw"] == "A short guide to Interval training for new runners."
    assert "<!-- wp:heading -->" in post["content"]["raw"] and "<!-- wp:list -->" in post["content"]["raw"]
    assert post["meta"]["contentcraft_seo_title"].endswith("Interval training for new runners")
    assert 140 <= len(post["meta"]["contentcraft_meta_desc"]) <= 160


def test_bulk_generator_runs_five_posts_to_100_percent(site, browser_page):
    from playwright.sync_api import expect

    ids = make_posts(site, [f"Batch seven topic number {n}" for n in range(1, 6)])
    page = browser_page
    page.goto(f"{site.url}/wp-admin/edit.php?s=Batch+seven+topic&post_status=draft")
    expect(page.locator("#the-list tr")).to_have_count(5)
    page.check("#cb-select-all-1")
    page.select_option("#bulk-action-selector-top", "contentcraft_generate")
    page.click("#doaction")
    page.wait_for_url("**page=contentcraft-bulk**")
    expect(page.locator(".contentcraft-bulk-posts li")).to_have_count(5)
    page.click("#contentcraft-bulk-start")
    expect(page.locator("#contentcraft-bulk[data-finished='1']")).to_have_count(1, timeout=180_000)
    expect(page.locator("#contentcraft-bulk-percent")).to_have_text("100 %")
    expect(page.locator("#contentcraft-bulk-report")).to_have_text("5 succeeded, 0 failed.")
    with site.admin() as admin:
        posts = admin.get("/wp/v2/posts", params={"include": ",".join(map(str, ids)), "status": "draft",
                                                   "context": "edit"}).json()
    assert len(posts) == 5 and all("<h2>" in p["content"]["raw"] and p["meta"]["contentcraft_meta_desc"] for p in posts)


def test_brand_voice_trains_from_the_list_table_and_fires_the_hook(site, api, browser_page):
    from playwright.sync_api import expect

    texts = passages("en", "blog")[:4]
    ids = make_posts(site, [f"Brand sample number {n}" for n in range(1, 5)], texts)
    (site.dir / "hooks.log").unlink(missing_ok=True)
    page = browser_page
    page.goto(f"{site.url}/wp-admin/edit.php?s=Brand+sample+number&post_status=draft")
    expect(page.locator("#the-list tr")).to_have_count(4)
    page.check("#cb-select-all-1")
    page.select_option("#bulk-action-selector-top", label="Train brand voice from these posts")
    page.click("#doaction")
    page.wait_for_url("**page=contentcraft-brand**")
    expect(page.locator(".contentcraft-brand-posts li")).to_have_count(4)
    page.fill("#contentcraft-brand-profile", "Trail shop voice")
    page.click("#contentcraft-brand-train")
    expect(page.locator("#contentcraft-brand[data-finished='1']")).to_have_count(1, timeout=120_000)
    expect(page.locator("#contentcraft-brand-status")).to_have_text(
        'Brand voice "Trail shop voice" is now at version 2, trained on 4 new posts.')
    expect(page.locator(".contentcraft-brand-description")).to_have_text(model_server.VOICE["description"])
    expect(page.locator(".contentcraft-brand-do li")).to_have_count(2)
    [trained] = [entry["args"] for entry in hooks(site) if entry["hook"] == "contentcraft_brand_trained"]
    assert trained[0] == "Trail shop voice" and sorted(trained[1]) == sorted(ids)
    assert (trained[2]["version"], trained[2]["samples_added"], trained[2]["created"]) == (2, 4, True)
    sent = next(e for e in hooks(site) if e["hook"] == "contentcraft_before_api_request")["args"]
    assert sent[0] == "/brand/Trail%20shop%20voice/train" and sent[1]["texts"][0]["html"] is True
    # The voice lives on the server now: its own samples score close to it there.
    scored = httpx.post(f"{api[0]}/api/brand/Trail shop voice/score", json={"text": " ".join(texts)},
                        headers={"Authorization": f"Bearer {api[1]}"}, timeout=30)
    assert scored.status_code == 200 and scored.json()["score"] >= 70, scored.text
    assert sql(site, "SELECT COUNT(*) FROM wp_contentcraft_logs WHERE type = 'brand' AND status = 'success'") == "1"


def test_persian_editor_gets_an_rtl_admin_with_the_plugin_in_persian(site, browser_page):
    from playwright.sync_api import expect

    install_core_persian(site)
    [post_id] = make_posts(site, ["Persian screen sample"], passages("en", "blog")[:1])
    page = browser_page
    with user_locale(site, "editor1", "fa_IR"):
        page.goto(f"{site.url}/wp-admin/admin.php?page=contentcraft-bulk&ids={post_id}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator(".wrap h1")).to_have_text("تولید گروهی")
        expect(page.locator("#contentcraft-bulk-start")).to_have_text("شروع")
        page.goto(f"{site.url}/wp-admin/admin.php?page=contentcraft-brand&ids={post_id}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator(".wrap h1")).to_have_text("لحن برند")
        border = page.eval_on_selector("#contentcraft-brand-result", "e => [getComputedStyle(e).borderRightWidth, "
                                                                      "getComputedStyle(e).borderLeftWidth]")
        assert border == ["4px", "1px"], "the card's accent border sits at the start of the line, the right in RTL"
        page.goto(f"{site.url}/wp-admin/post-new.php")
        page.wait_for_function("window.wp && wp.data && wp.data.select('core/editor').getCurrentPostId()")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        close_welcome_guide(page)
        page.evaluate("wp.data.dispatch('core/edit-post').openGeneralSidebar('contentcraft/contentcraft-sidebar')")
        panel = page.locator(".contentcraft-panel")
        expect(panel.get_by_label("موضوع")).to_be_visible()
        expect(panel.get_by_role("button", name="تولید")).to_be_visible()


def test_product_writer_fills_descriptions_seo_meta_and_the_image_alt_text(site, open_as):
    from playwright.sync_api import expect

    product_id, image_id = make_product(site, "TrailFlex 2 trail shoe")
    page = open_as("shop1")
    page.goto(f"{site.url}/wp-admin/post.php?post={product_id}&action=edit")
    box = page.locator("#contentcraft-product-writer")
    box.locator("#contentcraft-features").fill("Vibram sole, 280 g")
    box.get_by_role("button", name="Write description").click()
    expect(box.locator(".contentcraft-status")).to_have_text("Filled in. Review it, then save.", timeout=120_000)
    page.click("#save-post")
    page.wait_for_url("**message=*")
    with site.admin() as admin:
        saved = admin.get(f"/wp/v2/product/{product_id}", params={"context": "edit"}).json()
    assert saved["title"]["raw"] == "TrailFlex 2 trail shoe" and "<h3>Features</h3>" in saved["content"]["raw"]
    assert "firm midsole" in saved["excerpt"]["raw"]
    assert post_meta(site, product_id, "contentcraft_seo_title") == "Filtered: TrailFlex 2 trail shoe"  # the recorder's filter
    assert 140 <= len(post_meta(site, product_id, "contentcraft_meta_desc")) <= 160
    assert post_meta(site, image_id, "_wp_attachment_image_alt") == "Photo of TrailFlex 2 trail shoe"


def test_settings_screen_hides_the_token_tests_the_connection_and_names_the_profile(site, api, open_as):
    from playwright.sync_api import expect

    with login(site, "editor1") as editor:
        assert editor.get("/wp-admin/admin.php", params={"page": "contentcraft-settings"}).status_code == 403
    stored = sql(site, "SELECT option_value FROM wp_options WHERE option_name = 'contentcraft_api_token'")
    page = open_as("admin1")
    page.goto(f"{site.url}/wp-admin/admin.php?page=contentcraft-settings")
    expect(page.locator("#contentcraft_api_url")).to_have_value(api[0])
    expect(page.locator("#contentcraft_api_token")).to_have_value("")
    assert api[1] not in page.content()
    page.click("#contentcraft-test-connection")
    expect(page.locator("#contentcraft-connection-result")).to_have_text(
        "Connected: the server answers (ok) and accepts the token.")
    page.fill("#contentcraft_brand_profile", "  Nowhere   voice ")
    page.click("#submit")
    page.wait_for_url("**settings-updated=true**")
    try:
        assert sql(site, "SELECT option_value FROM wp_options WHERE option_name = 'contentcraft_api_token'") == stored
        assert sql(site, "SELECT option_value FROM wp_options WHERE option_name = 'contentcraft_brand_profile'") == (
            "Nowhere voice")
        with login(site, "editor1") as editor:  # every generation now asks for that voice
            answer = call(editor, "content/generate", {"topic": "Trail running in the rain"}, nonce(editor))
    finally:
        sql(site, "UPDATE wp_options SET option_value = '' WHERE option_name = 'contentcraft_brand_profile'")
    assert answer.status_code == 502 and "no brand profile named 'Nowhere voice'" in answer.json()["message"]


def test_classic_editor_meta_box_fills_the_post_and_saves_seo_meta(site, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{site.url}/wp-admin/post-new.php?post_type=page")
    box = page.locator("#contentcraft-studio")
    box.locator("#contentcraft-topic").fill("Stretching after long runs")
    box.get_by_role("button", name="Generate").click()
    expect(box.locator(".contentcraft-status")).to_have_text("Filled in. Review it, then save.", timeout=120_000)
    expect(page.locator("#title")).to_have_value("Stretching after long runs")
    page.click("#save-post")
    page.wait_for_url("**post.php?post=*")
    post_id = int(page.locator("#post_ID").input_value())
    with site.admin() as admin:
        saved = admin.get(f"/wp/v2/pages/{post_id}", params={"context": "edit"}).json()
    assert saved["title"]["raw"] == "Stretching after long runs" and "<h2>" in saved["content"]["raw"]
    assert saved["meta"]["contentcraft_seo_title"].endswith("Stretching after long runs")
    assert 140 <= len(saved["meta"]["contentcraft_meta_desc"]) <= 160


def test_uninstall_removes_options_and_table(site):
    """Last in the module: deleting the plugin runs uninstall.php."""
    with site.admin() as admin:
        assert admin.post("/wp/v2/plugins/contentcraft/contentcraft", json={"status": "inactive"}).status_code == 200
        deleted = admin.delete("/wp/v2/plugins/contentcraft/contentcraft")
    assert deleted.status_code == 200, deleted.text
    assert sql(site, "SHOW TABLES LIKE 'wp_contentcraft_logs'") == ""
    assert sql(site, "SELECT COUNT(*) FROM wp_options WHERE option_name LIKE 'contentcraft%'") == "0"
    assert plugin_notices(site) == []
