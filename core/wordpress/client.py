"""A WordPress REST API client over httpx: API discovery, timeouts, and errors a user can act on."""

import html
import re
import time
from urllib.parse import urlsplit

import httpx

from ..errors import PublishFailedError
from ..i18n import _
from .hosts import CheckedTransport, check_base_url, is_local  # noqa: F401 (check_base_url re-exported)

TIMEOUT = 20.0
USER_AGENT = "ContentCraft/1.0 (+WordPress REST client)"
MAX_PAGES = 20


def _message(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    # Only WordPress's short error code travels on: the remote text is the remote's to choose.
    code = re.sub(r"[^A-Za-z0-9_.-]", "", str(body.get("code") or ""))[:60]
    return code, ""


def _real_status(response: httpx.Response) -> int:
    # WordPress reports "you may not ask for that status" as 400 rest_invalid_param, with the
    # permission problem's own 401/403 inside data.details.
    if response.status_code == 400:
        try:
            details = response.json().get("data", {}).get("details", {})
            inner = {d.get("data", {}).get("status") for d in details.values() if isinstance(d, dict)}
        except (ValueError, AttributeError):
            return 400
        for status in (401, 403):
            if status in inner:
                return status
    return response.status_code


def error_for(response: httpx.Response, label: str, base_url: str) -> PublishFailedError:
    """A PublishFailedError telling the user what an error response means and what to do."""
    status = _real_status(response)
    code, message = _message(response)
    said = f" ({code})" if code else ""
    if status == 401:
        hint = ""
        if urlsplit(base_url).scheme == "http" and not is_local(urlsplit(base_url).hostname):
            hint = " " + _("WordPress accepts Application Passwords only over HTTPS.")
        text = _("{label} rejected the user name or Application Password (HTTP 401{said}). Create a new "
                 "Application Password in WordPress (Users → Profile → Application Passwords) and enter it "
                 "in Settings → Sites.{hint}").format(label=label, said=said, hint=hint)
    elif status == 403:
        text = _("The WordPress user may not do this on {label} (HTTP 403{said}). Give that user the "
                 "Editor or Administrator role, or use another user's Application Password.").format(label=label, said=said)
    elif status == 404:
        text = _("Not found on {label} (HTTP 404{said}). Check that the site URL is the WordPress home "
                 "address and that no security plugin hides the REST API.").format(label=label, said=said)
    elif status == 429:
        text = _("{label} answered with too many requests (HTTP {status}{said}). Try again in a few minutes; if it "
                 "keeps failing, check the site's error log.").format(label=label, status=status, said=said)
    elif status >= 500:
        text = _("{label} answered with a server error (HTTP {status}{said}). Try again in a few minutes; if it "
                 "keeps failing, check the site's error log.").format(label=label, status=status, said=said)
    else:
        text = _("{label} refused the request (HTTP {status}{said}).").format(label=label, status=status, said=said)
    return PublishFailedError(text, status=status, code=code, retryable=status == 429 or status >= 500)


def read_within(http: httpx.Client, method: str, url: str, timeout: float, **kwargs) -> httpx.Response:
    """The response, read in full within `timeout` seconds in total, or httpx.ReadTimeout.

    httpx's timeout is per read, so a server trickling a byte at a time could otherwise hold a call for minutes.
    """
    deadline = time.monotonic() + timeout
    with http.stream(method, url, **kwargs) as response:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("total deadline passed")
        response._content = bytes(body)  # what Response.read() stores (decoded bytes)
    return response


class WordPressClient:
    """Talks to one site's REST API as one user (HTTP Basic with an Application Password)."""

    def __init__(self, base_url: str, username: str, password: str, *, label: str = "",
                 timeout: float = TIMEOUT, rest_style: str | None = None, transport=None,
                 allow_private: bool = False):
        self.base_url = base_url.rstrip("/")
        self.label = _("The site {name}").format(name=label) if label else _("The site at {url}").format(url=self.base_url)
        self.timeout = timeout
        self.rest_style = rest_style
        host = urlsplit(self.base_url).hostname
        # Loopback must not go through an HTTP(S)_PROXY from the environment.
        self.http = httpx.Client(auth=(username, password), timeout=httpx.Timeout(timeout, connect=min(timeout, 10)),
                                 follow_redirects=False, trust_env=not is_local(host),
                                 transport=transport or CheckedTransport(allow_private=allow_private),
                                 headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._index: dict | None = None
        self._schema: dict | None = None
        self._me: dict | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.http.close()

    def _url(self, route: str, params: dict | None, style: str) -> tuple[str, dict]:
        params = {k: v for k, v in (params or {}).items() if v is not None}
        if style == "query":
            return f"{self.base_url}/", {"rest_route": route, **params}
        return f"{self.base_url}/wp-json{route}", params

    def _send(self, method: str, route: str, style: str, params=None, json=None) -> httpx.Response:
        url, params = self._url(route, params, style)
        try:
            response = read_within(self.http, method, url, self.timeout, params=params, json=json)
        except httpx.TimeoutException:
            raise PublishFailedError(_("{label} did not answer within {timeout:g} s. Retrying is safe: ContentCraft "
                                       "finds a post an earlier attempt created instead of making a second one.")
                                     .format(label=self.label, timeout=self.timeout), code="timeout", retryable=True) from None
        except httpx.TransportError as exc:
            raise PublishFailedError(_("Cannot reach the site ({base_url}): {exc}. Check the address and that the "
                                       "site is up.").format(base_url=self.base_url, exc=exc or type(exc).__name__),
                                     code="unreachable", retryable=True) from None
        if response.is_redirect:
            where = response.headers.get("location", _("another address"))
            raise PublishFailedError(_("{label} redirected the request to {where}. Use the address it redirects to "
                                       "as the site URL in Settings → Sites.")
                                     .format(label=self.label, where=where),
                                     status=response.status_code, code="redirect")
        return response

    def index(self) -> dict:
        """The REST API index (name, home, namespaces, time zone), finding /wp-json/ or ?rest_route= on first call."""
        if self._index is not None:
            return self._index
        styles = [self.rest_style] if self.rest_style else ["pretty", "query"]
        for style in styles:
            response = self._send("GET", "/", style, params={"_fields": "name,url,home,namespaces,gmt_offset,timezone_string"})
            if response.status_code in {401, 403} or response.status_code >= 500:
                raise error_for(response, self.label, self.base_url)
            body = _json_or_none(response)
            if response.status_code == 200 and isinstance(body, dict) and "namespaces" in body:
                self.rest_style, self._index = style, body
                return body
        raise PublishFailedError(_("No WordPress REST API answers at {base_url} (tried /wp-json/ and "
                                   "?rest_route=/). Check that this is the site's home address and that no security "
                                   "plugin disables the REST API.").format(base_url=self.base_url), status=404, code="no_rest_api")

    def _exchange(self, method: str, route: str, params=None, json=None) -> httpx.Response:
        """Send once; a first GET also finds whether /wp-json/ works, saving a separate discovery call."""
        if self.rest_style is None and method in {"GET", "OPTIONS"}:
            response = self._send(method, route, "pretty", params=params, json=json)
            if _json_or_none(response) is not None:
                self.rest_style = "pretty"
                return response
            if response.status_code not in {200, 404}:
                return response
            # An HTML page or 404 at /wp-json/ (plain permalinks): ?rest_route= always works.
            self.rest_style = "query"
        elif self.rest_style is None:
            # Writes are never sent twice: a POST that WordPress did process must not be repeated.
            self.index()
        return self._send(method, route, self.rest_style, params=params, json=json)

    def request(self, method: str, route: str, *, params=None, json=None) -> httpx.Response:
        """One REST call; error statuses become PublishFailedError."""
        response = self._exchange(method, route, params=params, json=json)
        if response.status_code >= 400:
            raise error_for(response, self.label, self.base_url)
        if _json_or_none(response) is None:
            raise PublishFailedError(_("{label} answered {route} with something that is not JSON (a maintenance or "
                                       "security page?).").format(label=self.label, route=route), status=response.status_code, code="not_json")
        return response

    def get(self, route: str, **params):
        """GET route and return its JSON."""
        return self.request("GET", route, params=params).json()

    def paged(self, route: str, params: dict, max_pages: int = MAX_PAGES, per_page: int = 100) -> list[dict]:
        """Every item of a collection route, following X-WP-TotalPages (at most max_pages pages)."""
        items, page = [], 1
        while True:
            response = self.request("GET", route, params={**params, "per_page": per_page, "page": page})
            items.extend(response.json())
            total = int(response.headers.get("x-wp-totalpages") or 1)
            if page >= min(total, max_pages):
                return items
            page += 1

    def me(self) -> dict:
        """The signed-in user with roles and capabilities (cached for this client).

        Asked first because WordPress treats a wrong Application Password as "not signed in" on
        many routes (answering 400 or an empty list there); /users/me always says 401.
        """
        if self._me is None:
            self._me = self.get("/wp/v2/users/me", context="edit")
        return self._me

    def post_schema(self) -> dict:
        """The posts route's JSON schema (OPTIONS), cached for this client."""
        if self._schema is None:
            self._schema = self.request("OPTIONS", "/wp/v2/posts").json().get("schema") or {}
        return self._schema

    def meta_keys(self) -> set[str]:
        """Post meta keys the site lets the REST API write."""
        meta = self.post_schema().get("properties", {}).get("meta", {})
        return set(meta.get("properties", {}))

    def wordpress_version(self) -> str | None:
        """The WordPress version from the RSS generator tag, or None if the site hides it."""
        try:
            response = read_within(self.http, "GET", f"{self.base_url}/", self.timeout, params={"feed": "rss2"})
        except httpx.HTTPError:
            return None
        found = re.search(r"<generator>[^<]*\?v=([0-9][0-9.]*)</generator>", response.text)
        return found.group(1) if found else None

    def create_post(self, payload: dict) -> dict:
        """Create a post; returns it in edit context."""
        return self.request("POST", "/wp/v2/posts", params={"context": "edit"}, json=payload).json()

    def update_post(self, post_id: int, payload: dict) -> dict:
        """Update post post_id; returns it in edit context."""
        return self.request("POST", f"/wp/v2/posts/{int(post_id)}", params={"context": "edit"}, json=payload).json()

    def get_post(self, post_id: int) -> dict:
        """One post in edit context (raw title, content and meta)."""
        return self.get(f"/wp/v2/posts/{int(post_id)}", context="edit")

    def find_posts(self, **params) -> list[dict]:
        """Posts of any status matching params, in edit context."""
        return self.get("/wp/v2/posts", status="any", context="edit", per_page=20, **params)

    def terms(self, taxonomy: str) -> list[dict]:
        """Every category or tag of the site: id, name, slug."""
        terms = self.paged(f"/wp/v2/{taxonomy}", {"_fields": "id,name,slug", "hide_empty": "false"})
        return [{**term, "name": html.unescape(term["name"])} for term in terms]

    def create_term(self, taxonomy: str, name: str) -> int:
        """The id of a new category or tag, or of the existing one with that name."""
        response = self._exchange("POST", f"/wp/v2/{taxonomy}", json={"name": name})
        code, _text = _message(response)
        if response.status_code == 400 and code == "term_exists":
            return int(response.json()["data"]["term_id"])
        if response.status_code >= 400:
            raise error_for(response, self.label, self.base_url)
        return int(response.json()["id"])

    def authors(self) -> list[dict]:
        """Users who can write posts: id and name."""
        return self.paged("/wp/v2/users", {"who": "authors", "_fields": "id,name,slug"})

    def published_posts(self, max_pages: int = MAX_PAGES) -> list[dict]:
        """Published posts with id, title, link and excerpt (rendered)."""
        return self.paged("/wp/v2/posts", {"status": "publish", "_fields": "id,title,link,excerpt"}, max_pages)


def _json_or_none(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None
