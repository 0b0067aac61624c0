"""A local server that follows the WooCommerce REST API v3 contract for products, for client tests.

WooCommerce cannot be installed here, so this reproduces what its products endpoints do: paths under
/wp-json/wc/v3, authentication as in WC_REST_Authentication (one-legged OAuth 1.0a over http with
HMAC-SHA1/SHA256, secret + "&", 15-minute timestamp window, single-use nonces; HTTP Basic over https),
key permissions (read / write / read_write), the product JSON shape, meta_data and images update
semantics, and WooCommerce's error bodies ({"code", "message", "data": {"status"}}).
"""

import base64
import csv
import io
import hashlib
import hmac
import json
import threading
import time
from http.server import ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qsl, quote, urlsplit

from tests.net import QuietHandler

PRODUCT_PATH = "/wp-json/wc/v3/products/"


def rawurlencode(value: str) -> str:
    """PHP's rawurlencode."""
    return quote(value, safe="-_.~")


def wc_signature(method: str, base_url: str, params: dict, secret: str, algorithm: str) -> str:
    """The signature WC_REST_Authentication::check_oauth_signature computes."""
    ordered = sorted((k, v) for k, v in params.items() if k != "oauth_signature")
    joined = "%26".join(rawurlencode(f"{rawurlencode(k)}={rawurlencode(v)}") for k, v in ordered)
    to_sign = f"{method}&{rawurlencode(base_url)}&{joined}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), getattr(hashlib, algorithm)).digest()
    return base64.b64encode(digest).decode()


class WooError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class WooContractServer:
    """Products in memory; add keys with add_key(), products with add_product(), faults with fail_next()."""

    def __init__(self, namespaces=("wp/v2", "wc/v3")):
        self.namespaces = list(namespaces)
        self.keys: dict[str, tuple[str, str]] = {}
        self.products: dict[int, dict] = {}
        self.nonces: set[str] = set()
        self.requests: list[dict] = []
        self.faults: list[tuple[int, str, str, float]] = []
        self._ids = count(100)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_key(self, key: str, secret: str, permissions: str = "read_write") -> None:
        self.keys[key] = (secret, permissions)

    def add_product(self, name: str, images: int = 2, sku: str = "") -> dict:
        pid = next(self._ids)
        product = {"id": pid, "name": name, "slug": name.lower().replace(" ", "-"), "type": "simple", "sku": sku,
                   "status": "publish", "permalink": f"{self.url}/product/{name.lower().replace(' ', '-')}/",
                   "description": "", "short_description": "", "date_modified_gmt": _now(),
                   "images": [{"id": 500 + pid * 10 + i, "src": f"{self.url}/img/{pid}-{i}.jpg",
                               "name": f"img-{i}", "alt": f"old alt {i}"} for i in range(images)],
                   "meta_data": [{"id": 1, "key": "_custom", "value": "keep me"}]}
        self.products[pid] = product
        return product

    def fail_next(self, status: int, code: str = "internal_server_error", message: str = "Boom",
                  delay: float = 0.0) -> None:
        self.faults.append((status, code, message, delay))

    # -- the contract -------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: list[tuple[str, str]], headers: dict, body: dict | None):
        if path in ("/wp-json", "/wp-json/"):
            return 200, {"name": "Shop", "url": self.url, "namespaces": self.namespaces}
        if not path.startswith("/wp-json/wc/v3/"):
            raise WooError(404, "rest_no_route", "No route was found matching the URL and request method.")
        self._authenticate(method, path, dict(query), headers)
        if method == "GET" and path.rstrip("/") == PRODUCT_PATH.rstrip("/"):
            sku = dict(query).get("sku")  # WC_REST_Products_Controller: an exact SKU match
            return 200, [p for p in self.products.values() if sku is None or p["sku"] == sku]
        if not path.startswith(PRODUCT_PATH) or not path[len(PRODUCT_PATH):].isdigit():
            raise WooError(404, "rest_no_route", "No route was found matching the URL and request method.")
        product = self.products.get(int(path[len(PRODUCT_PATH):]))
        if product is None:
            raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        if method == "GET":
            return 200, product
        if method in ("PUT", "POST", "PATCH"):
            self._update(product, body or {})
            return 200, product
        raise WooError(404, "rest_no_route", "No route was found matching the URL and request method.")

    def import_csv(self, data: bytes) -> dict:
        """Products → Import with "Update existing products", as WC_Product_CSV_Importer reads a file.

        Headers map by wc_importer_default_english_mappings ("ID", "SKU", "Short description",
        "Description", "Meta: KEY"); a row updates the product with its ID, else the one with its SKU;
        descriptions get "\\n" back as newlines (parse_description_field) and a leading "'" that
        escaped a formula is removed (unescape_data). Returns {"updated": [...], "failed": [...]}.
        """
        fields = {"ID": "id", "SKU": "sku", "Short description": "short_description", "Description": "description"}
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        header = next(reader)
        result = {"updated": [], "failed": []}
        for cells in reader:
            row = {fields.get(h, h): _unescape(v) for h, v in zip(header, cells)}
            by_sku = [p for p in self.products.values() if row.get("sku") and p["sku"] == row["sku"]]
            product = self.products.get(int(row["id"])) if row.get("id") else (by_sku[0] if by_sku else None)
            if product is None:
                result["failed"].append(row.get("id") or row.get("sku"))
                continue
            for name in ("short_description", "description"):
                if name in row:
                    product[name] = row[name].replace("\\\\n", "\0").replace("\\n", "\n").replace("\0", "\\n")
            for key in (h for h in header if h.startswith("Meta: ")):
                self._set_meta(product, {"key": key[len("Meta: "):], "value": row[key]})
            result["updated"].append(product["id"])
        return result

    def _authenticate(self, method: str, path: str, params: dict, headers: dict) -> None:
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            # WooCommerce only tries Basic auth when is_ssl(); over http these headers are ignored.
            raise WooError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        needed = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")
        present = [n for n in needed if params.get(n)]
        if not present:
            raise WooError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
        if len(present) < len(needed):
            missing = ", ".join(n for n in needed if n not in present)
            raise WooError(401, "woocommerce_rest_authentication_missing_parameter", f"Missing OAuth parameter {missing}")
        if params["oauth_consumer_key"] not in self.keys:
            raise WooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        secret, permissions = self.keys[params["oauth_consumer_key"]]
        method_name = params["oauth_signature_method"]
        if method_name not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise WooError(401, "woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid.")
        expected = wc_signature(method, f"{self.url}{path}", params, secret, method_name.split("-")[1].lower())
        given = params["oauth_signature"].replace(" ", "+")
        if not hmac.compare_digest(expected, given):
            raise WooError(401, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.")
        if abs(int(params["oauth_timestamp"]) - time.time()) > 15 * 60:
            raise WooError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.")
        with self._lock:
            if params["oauth_nonce"] in self.nonces:
                raise WooError(401, "woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used.")
            self.nonces.add(params["oauth_nonce"])
        needs = "read" if method in ("GET", "HEAD") else "write"
        if needs not in permissions.split("_"):
            raise WooError(401, "woocommerce_rest_authentication_error",
                           f"The API key provided does not have {needs} permissions.")

    def _update(self, product: dict, body: dict) -> None:
        for field in ("name", "description", "short_description", "status"):
            if field in body:
                product[field] = str(body[field])
        for entry in body.get("meta_data") or []:
            self._set_meta(product, entry)
        if "images" in body:
            product["images"] = [self._image(product, image) for image in body["images"]]
        product["date_modified_gmt"] = _now()

    @staticmethod
    def _set_meta(product: dict, entry: dict) -> None:
        # WC_Data::update_meta_data: by id if given, else replace the value of that key (or add it).
        meta = product["meta_data"]
        match = [m for m in meta if (m["id"] == entry.get("id") if entry.get("id") else m["key"] == entry["key"])]
        if match:
            match[0]["value"] = entry["value"]
        else:
            meta.append({"id": max([m["id"] for m in meta] + [0]) + 1, "key": entry["key"], "value": entry["value"]})

    @staticmethod
    def _image(product: dict, image: dict) -> dict:
        known = {i["id"]: i for i in product["images"]}
        if image.get("id") and image["id"] not in known:
            raise WooError(400, "woocommerce_product_invalid_image_id", f"#{image['id']} is an invalid image ID.")
        base = dict(known.get(image.get("id"), {"id": image.get("id"), "src": image.get("src", ""), "name": ""}))
        if "alt" in image:
            base["alt"] = image["alt"]
        return base

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def do_GET(self):
                self._serve("GET")

            def do_PUT(self):
                self._serve("PUT")

            def do_POST(self):
                self._serve("POST")

            def _serve(self, method: str):
                parts = urlsplit(self.path)
                query = parse_qsl(parts.query, keep_blank_values=True)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append({"method": method, "path": parts.path, "query": dict(query),
                                        "headers": headers, "json": json.loads(raw) if raw else None})
                fault = server.faults.pop(0) if server.faults else None
                try:
                    if fault:
                        time.sleep(fault[3])
                        raise WooError(fault[0], fault[1], fault[2])
                    status, payload = server.handle(method, parts.path, query, headers,
                                                    json.loads(raw) if raw else None)
                except WooError as exc:
                    status, payload = exc.status, {"code": exc.code, "message": exc.message,
                                                   "data": {"status": exc.status}}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def _unescape(value: str) -> str:
    return value[1:] if value[:2] in {"'=", "'+", "'-", "'@"} else value


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
