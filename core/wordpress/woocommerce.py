"""WooCommerce REST API v3: push a product's descriptions, SEO meta and image alt text to a product."""

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy.engine import Engine

from ..errors import ContentCraftError, PublishFailedError, ValidationFailedError
from ..models import User
from ..schemas import ProductData
from ..images import NO_EXTERNAL_IMAGES, ImagePolicy, dropped_warning, item_policy
from ..seo import clean_body, json_ld_text, plain_text
from ..workflow import get_item, transition
from .client import TIMEOUT, USER_AGENT, error_for, is_local, read_within
from .hosts import CheckedTransport
from .publications import claim, claimed_call_deadline, record_failure, record_success, renew_claim
from .publish import PublishResult, check_publishable
from .secrets import decrypt
from . import seo_fields
from .sites import LD_META, SEO_FIELDS, SEO_NAMESPACES, get_site
from ..i18n import _


def _enc(value) -> str:
    # PHP's rawurlencode (RFC 3986), which WooCommerce uses for the signature base string.
    return quote(str(value), safe="~")


def oauth_signature(method: str, url: str, params: dict, consumer_secret: str) -> str:
    """The OAuth 1.0a signature exactly as WooCommerce checks it (HMAC-SHA256, secret + '&')."""
    pairs = [f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()) if k != "oauth_signature"]
    string_to_sign = "&".join([method.upper(), _enc(url), "%26".join(_enc(pair) for pair in pairs)])
    digest = hmac.new(f"{consumer_secret}&".encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class WooCommerceClient:
    """Products through /wp-json/wc/v3 with a consumer key and secret.

    Over https the key and secret go as HTTP Basic auth; over plain http WooCommerce refuses that
    and wants one-legged OAuth 1.0a, so requests are signed instead.
    """

    def __init__(self, base_url: str, consumer_key: str, consumer_secret: str, *, label: str = "",
                 timeout: float = TIMEOUT, transport=None, allow_private: bool = False):
        self.base_url = base_url.rstrip("/")
        self.key, self.secret = consumer_key, consumer_secret
        self.label = (_("The WooCommerce store {name}").format(name=label) if label
                      else _("The WooCommerce store at {url}").format(url=self.base_url))
        self.name = label or self.base_url
        self.timeout = timeout
        parts = urlsplit(self.base_url)
        self.signed = parts.scheme == "http"
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10)), follow_redirects=False,
                                 trust_env=not is_local(parts.hostname),
                                 transport=transport or CheckedTransport(allow_private=allow_private),
                                 auth=None if self.signed else (consumer_key, consumer_secret),
                                 headers={"User-Agent": USER_AGENT, "Accept": "application/json"})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.http.close()

    def _oauth(self, method: str, url: str, params: dict) -> dict:
        oauth = {"oauth_consumer_key": self.key, "oauth_timestamp": str(int(time.time())),
                 "oauth_nonce": secrets.token_hex(16), "oauth_signature_method": "HMAC-SHA256"}
        merged = {**params, **oauth}
        return {**merged, "oauth_signature": oauth_signature(method, url, merged, self.secret)}

    def request(self, method: str, route: str, *, params=None, json_body=None) -> dict:
        """One call to /wp-json/wc/v3{route}; errors become PublishFailedError."""
        url = f"{self.base_url}/wp-json/wc/v3{route}"
        params = {k: str(v) for k, v in (params or {}).items()}
        if self.signed:
            params = self._oauth(method, url, params)
        try:
            response = read_within(self.http, method, url, self.timeout, params=params, json=json_body)
        except httpx.TimeoutException:
            raise PublishFailedError(_("{label} did not answer within {timeout:g} s; retrying is safe.")
                                     .format(label=self.label, timeout=self.timeout),
                                     code="timeout", retryable=True) from None
        except httpx.TransportError as exc:
            raise PublishFailedError(_("Cannot reach {base_url}: {exc}. Check the address and that the site is up.")
                                     .format(base_url=self.base_url, exc=exc or type(exc).__name__), code="unreachable", retryable=True) from None
        if response.status_code >= 300:
            raise self._error(response)
        return response.json()

    def _error(self, response: httpx.Response) -> PublishFailedError:
        error = error_for(response, self.label, self.base_url)
        if response.status_code == 401:
            text = _("{label} rejected the consumer key/secret (HTTP 401: {code}). Create a REST API key with "
                     "Read/Write permission in WooCommerce → Settings → Advanced → REST API and enter it in Settings → "
                     "Sites.").format(label=self.label, code=error.code or "unauthorized")
        elif response.status_code == 404 and error.code == "woocommerce_rest_product_invalid_id":
            text = _("There is no product with that id on {site}: check the id in WooCommerce → Products.").format(
                site=self.name)
        elif response.status_code == 404:
            text = _("{label} has no WooCommerce REST API at /wp-json/wc/v3 (HTTP 404). Check that WooCommerce is "
                     "active and the site uses pretty permalinks.").format(label=self.label)
        else:
            return error
        return PublishFailedError(text, status=error.status, code=error.code, retryable=False)

    def product(self, product_id: int) -> dict:
        """The product as WooCommerce returns it."""
        return self.request("GET", f"/products/{int(product_id)}")

    def product_id_for_sku(self, sku: str) -> int | None:
        """The id of the product (or variation) with exactly this SKU, or None."""
        found = self.request("GET", "/products", params={"sku": sku, "_fields": "id,sku"}) if sku else []
        return next((int(p["id"]) for p in found if str(p.get("sku", "")) == sku), None)

    def update_product(self, product_id: int, payload: dict) -> dict:
        """Update the product; returns it."""
        return self.request("PUT", f"/products/{int(product_id)}", json_body=payload)

    def seo_plugins(self) -> list[str]:
        """SEO plugins the public REST index shows (Yoast, Rank Math)."""
        try:
            index = read_within(self.http, "GET", f"{self.base_url}/wp-json/", self.timeout,
                                params={"_fields": "namespaces"}).json()
        except (httpx.HTTPError, ValueError):
            return []
        namespaces = set(index.get("namespaces", [])) if isinstance(index, dict) else set()
        return [plugin for plugin, ns in SEO_NAMESPACES.items() if ns in namespaces]


def product_payload(data: ProductData, product: dict, plugins: list[str], focus: str,
                    images: ImagePolicy = NO_EXTERNAL_IMAGES) -> tuple[dict, list[str]]:
    """The PUT body: descriptions, SEO meta for the site's SEO plugins, JSON-LD, and the main image's alt."""
    long_html, dropped = clean_body(data.description_html, images)
    short_html, dropped_short = clean_body(data.short_description, images)
    warnings = dropped_warning(dropped + dropped_short)
    title, description, focus = plain_text(data.meta.seo_title), plain_text(data.meta.meta_desc), plain_text(focus)
    values = {"_yoast_wpseo_title": title, "_yoast_wpseo_metadesc": description,
              "_yoast_wpseo_focuskw": focus, "rank_math_title": title,
              "rank_math_description": description, "rank_math_focus_keyword": focus}
    meta = [{"key": key, "value": values[key]} for plugin in plugins for key in SEO_FIELDS[plugin]]
    if not plugins:
        warnings.append(_("No Yoast or Rank Math found on the site: the SEO title and description were not set."))
    meta.append({"key": LD_META, "value": json_ld_text(data.schema_ld_json)})
    payload = {"description": long_html, "short_description": short_html, "meta_data": meta}
    images = product.get("images") or []
    if images:
        # Sending the list replaces it, so every image goes back; only the main one gets the new alt.
        payload["images"] = [{"id": image["id"], "alt": plain_text(data.image_alt_text) if i == 0 else image.get("alt", "")}
                             for i, image in enumerate(images)]
    else:
        warnings.append(_("The product has no image yet, so the alt text was not set."))
    return payload, warnings


def seo_not_kept(payload: dict, product: dict) -> list[str]:
    """SEO fields sent in payload that the product, read back, does not hold."""
    sent = {m["key"]: str(m["value"]) for m in payload["meta_data"] if m["key"] in seo_fields.FIELD_LABELS}
    return seo_fields.not_kept({k: v for k, v in sent.items() if v},
                               {"meta": {m["key"]: m["value"] for m in product.get("meta_data") or []}})


def woo_client_for(site, *, timeout: float = TIMEOUT, transport=None) -> WooCommerceClient:
    """A WooCommerce client with the site's stored keys."""
    if not site.woo_key_encrypted or not site.woo_secret_encrypted:
        raise ValidationFailedError(_("The site {name} has no WooCommerce keys: an admin adds them in Settings → "
                                      "Sites.").format(name=site.name))
    return WooCommerceClient(site.base_url,
                             decrypt(site.woo_key_encrypted, _("the WooCommerce key of {site}").format(site=site.name)),
                             decrypt(site.woo_secret_encrypted,
                                     _("the WooCommerce secret of {site}").format(site=site.name)),
                             label=site.name, timeout=timeout, transport=transport, allow_private=site.private_ok)


def product_target(engine: Engine, item_id: int) -> tuple[int | None, str]:
    """The store product an item was written for: the id and SKU of the imported row (bulk), if any."""
    from sqlmodel import select

    from ..bulk.models import BulkItem
    from ..db import session_scope

    with session_scope(engine) as session:
        woo_id = session.exec(select(BulkItem.woo_product_id).where(BulkItem.content_item_id == item_id)).first()
    sku = str((get_item(engine, item_id).request_json or {}).get("sku") or "")
    return woo_id, sku


def push_product(engine: Engine, user: User, item_id: int, site_name: str, product_id: int | None = None, *,
                 timeout: float = TIMEOUT, transport=None) -> PublishResult:
    """Write an approved product item to WooCommerce product product_id and mark it published.

    Without product_id, the id of the row it was generated from is used, else the product with its SKU.
    """
    item = get_item(engine, item_id)
    check_publishable(user, item)
    if item.type != "product":
        raise ValidationFailedError(_("Item #{item_id} is a blog post: publish it as a WordPress post instead.")
                                    .format(item_id=item_id))
    known_id, sku = product_target(engine, item_id)
    product_id = product_id or known_id
    if product_id is not None and int(product_id) <= 0 or product_id is None and not sku:
        raise ValidationFailedError(_("Enter the WooCommerce product id (a positive number, shown in Products)."))
    data = ProductData.model_validate(item.data_json)
    site = get_site(engine, site_name)
    focus = str((item.request_json or {}).get("name") or data.title)
    pub = claim(engine, item_id, site, user, "product")
    try:
        with woo_client_for(site, timeout=claimed_call_deadline(timeout), transport=transport) as woo:
            product_id = product_id or woo.product_id_for_sku(sku)
            if product_id is None:
                raise ValidationFailedError(_("{name} has no product with the SKU {sku}: enter its product id.")
                                            .format(name=site.name, sku=sku))
            payload, warnings = product_payload(data, woo.product(product_id), woo.seo_plugins(), focus,
                                                item_policy(engine, item.request_json))
            renew_claim(engine, pub.id)
            product = woo.update_product(product_id, payload)
            warnings += seo_fields.dropped_warning(seo_not_kept(payload, woo.product(product_id)))
    except ContentCraftError as exc:
        record_failure(engine, pub.id, str(exc))
        raise
    record_success(engine, pub.id, product["id"], product.get("permalink", ""), product.get("status", ""))
    transition(engine, user, item_id, "published", f"Updated WooCommerce product {product['id']} on {site.name}: "
                                                   f"{product.get('permalink', '')}")
    return PublishResult(item_id=item_id, site=site.name, remote_id=product["id"], url=product.get("permalink", ""),
                         remote_status=product.get("status", ""), created=False, warnings=warnings)
