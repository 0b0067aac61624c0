"""WooCommerce REST v3 client and product push, against the local contract server."""

import json
import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet

from core import config
from core.errors import PublishFailedError, ValidationFailedError
from core.workflow import audit_trail, get_item
from core.wordpress import add_site, publication_for, push_product
from core.wordpress.woocommerce import WooCommerceClient, oauth_signature
from tests.woo_contract_server import WooContractServer
from tests.wordpress.harness import approved_item, approved_product, make_users, skip_or_fail

KEY, SECRET = "ck_" + "a1" * 20, "cs_" + "b2" * 20


@pytest.fixture
def woo():
    server = WooContractServer(namespaces=("wp/v2", "wc/v3", "yoast/v1"))
    server.add_key(KEY, SECRET)
    yield server
    server.close()


@pytest.fixture
def shop(woo, engine, generator, fake, monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    admin, editor, writer = make_users(engine)
    add_site(engine, admin, name="shop", url=woo.url, username="shopadmin", app_password="unused pass",
             woo_key=KEY, woo_secret=SECRET)
    item_id = approved_product(generator, fake, engine, editor, writer,
                               description_html="<p>Steady.</p><script>alert(1)</script>")
    return type("Shop", (), {"engine": engine, "editor": editor, "writer": writer, "item_id": item_id,
                             "generator": generator, "fake": fake})


def test_push_product_writes_descriptions_seo_meta_and_alt(shop, woo):
    product = woo.add_product("TrailFlex", images=2)
    result = push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"])
    data = get_item(shop.engine, shop.item_id).data_json
    stored = woo.products[product["id"]]
    assert stored["description"] == "<p>Steady.</p>" and "script" not in stored["description"]
    assert stored["short_description"] == f"<p>{data['short_description']}</p>"
    meta = {m["key"]: m["value"] for m in stored["meta_data"]}
    assert meta["_yoast_wpseo_title"] == data["meta"]["seo_title"]
    assert meta["_yoast_wpseo_metadesc"] == data["meta"]["meta_desc"]
    assert meta["_yoast_wpseo_focuskw"] == "TrailFlex shoe" and "rank_math_title" not in meta
    assert json.loads(meta["contentcraft_schema_ld_json"]) == data["schema_ld_json"]
    assert meta["_custom"] == "keep me", "other meta is left alone"
    assert [i["alt"] for i in stored["images"]] == [data["image_alt_text"], "old alt 1"]
    assert [i["id"] for i in stored["images"]] == [i["id"] for i in product["images"]]

    assert (result.remote_id, result.url) == (product["id"], product["permalink"])
    assert get_item(shop.engine, shop.item_id).status == "published"
    assert "WooCommerce product" in audit_trail(shop.engine, shop.item_id)[-1].comment
    put = [r for r in woo.requests if r["method"] == "PUT"][0]
    assert "authorization" not in put["headers"] and put["query"]["oauth_signature_method"] == "HMAC-SHA256"
    assert SECRET not in json.dumps(put)


def test_pushing_again_updates_meta_in_place(shop, woo):
    product = woo.add_product("TrailFlex", images=1)
    push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"])
    push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"])
    keys = [m["key"] for m in woo.products[product["id"]]["meta_data"]]
    assert len(keys) == len(set(keys)), "meta_data without ids replaces values by key"
    assert publication_for(shop.engine, shop.item_id, "shop").attempts == 2


def test_seo_fields_the_shop_does_not_keep_are_named(shop, woo):
    product = woo.add_product("TrailFlex", images=1)
    woo.dropped_meta = {"_yoast_wpseo_focuskw"}
    result = push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"])
    [warning] = [w for w in result.warnings if "did not keep" in w]
    assert "Yoast focus keyphrase (_yoast_wpseo_focuskw)" in warning and "metadesc" not in warning
    woo.dropped_meta = set()
    again = push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"])
    assert not [w for w in again.warnings if "did not keep" in w]


def test_wrong_secret_is_a_clear_401(woo):
    product = woo.add_product("TrailFlex")
    with WooCommerceClient(woo.url, KEY, "cs_wrong") as client, pytest.raises(PublishFailedError) as failed:
        client.product(product["id"])
    assert failed.value.status == 401 and failed.value.code == "woocommerce_rest_authentication_error"
    assert "consumer key/secret" in str(failed.value) and "cs_wrong" not in str(failed.value)


def test_read_only_key_cannot_write(woo):
    woo.add_key("ck_read", "cs_read", permissions="read")
    product = woo.add_product("TrailFlex")
    with WooCommerceClient(woo.url, "ck_read", "cs_read") as client:
        assert client.product(product["id"])["id"] == product["id"]
        with pytest.raises(PublishFailedError, match="HTTP 401"):
            client.update_product(product["id"], {"description": "x"})


def test_every_request_has_a_fresh_nonce(woo):
    product = woo.add_product("TrailFlex")
    with WooCommerceClient(woo.url, KEY, SECRET) as client:
        for _ in range(3):
            client.product(product["id"])
    nonces = [r["query"]["oauth_nonce"] for r in woo.requests]
    assert len(nonces) == len(set(nonces)) == 3


def test_unknown_product_and_server_errors_keep_item_approved(shop, woo):
    with pytest.raises(PublishFailedError, match="no product with that id"):
        push_product(shop.engine, shop.editor, shop.item_id, "shop", 999)
    product = woo.add_product("TrailFlex")
    woo.fail_next(500, "internal_server_error", "Database down")
    with pytest.raises(PublishFailedError) as failed:
        push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"])
    assert failed.value.retryable and "HTTP 500" in str(failed.value)
    assert get_item(shop.engine, shop.item_id).status == "approved"
    assert "HTTP 500" in publication_for(shop.engine, shop.item_id, "shop").last_error
    woo.fail_next(200, delay=2.5)
    with pytest.raises(PublishFailedError, match="did not answer"):
        push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"], timeout=1)
    assert push_product(shop.engine, shop.editor, shop.item_id, "shop", product["id"]).remote_id == product["id"]


def test_blog_posts_and_sites_without_keys_are_refused(shop, woo, engine):
    blog_id = approved_item(shop.generator, shop.fake, engine, shop.editor, shop.writer, title="Not a Product Post")
    with pytest.raises(ValidationFailedError, match="blog post"):
        push_product(engine, shop.editor, blog_id, "shop", 1)
    add_site(engine, None, name="plain", url=woo.url, username="u", app_password="p")
    with pytest.raises(ValidationFailedError, match="no WooCommerce keys"):
        push_product(engine, shop.editor, shop.item_id, "plain", 1)


PHP_WC_SIGNATURE = r"""
$in = json_decode(stream_get_contents(STDIN), true);
$params = $in['params'];
unset($params['oauth_signature']);
uksort($params, 'strcmp');
$keys = array_map('rawurlencode', array_keys($params));
$values = array_map('rawurlencode', array_values($params));
$pairs = array();
foreach (array_combine($keys, $values) as $k => $v) { $pairs[] = rawurlencode($k . '=' . $v); }
$to_sign = $in['method'] . '&' . rawurlencode($in['url']) . '&' . implode('%26', $pairs);
echo base64_encode(hash_hmac('sha256', $to_sign, $in['secret'] . '&', true));
"""


def test_signature_matches_woocommerces_php_algorithm():
    """The same steps as WC_REST_Authentication::check_oauth_signature, run by PHP itself."""
    if shutil.which("php") is None:
        skip_or_fail("php-cli is needed to check the OAuth signature against PHP's rawurlencode")
    params = {"oauth_consumer_key": KEY, "oauth_nonce": "n0nce~", "oauth_timestamp": "1700000000",
              "oauth_signature_method": "HMAC-SHA256", "search": "über shoes & socks/+", "per_page": "10"}
    url = "http://127.0.0.1:8080/wp-json/wc/v3/products"
    php = subprocess.run(["php", "-r", PHP_WC_SIGNATURE], input=json.dumps(
        {"method": "GET", "url": url, "params": params, "secret": SECRET}), capture_output=True, text=True, check=True)
    assert oauth_signature("GET", url, params, SECRET) == php.stdout
