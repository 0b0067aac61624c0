"""Site URLs (issue 12 item 13): no metadata/link-local hosts, private ones only when confirmed."""

import httpx
import pytest

from core.errors import ValidationFailedError
from core.wordpress.client import check_base_url, error_for


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/",
                                 "http://metadata.google.internal/computeMetadata/v1", "https://169.254.1.9",
                                 "http://[fe80::1]/", "http://100.100.100.200/latest/meta-data"])
def test_metadata_and_link_local_hosts_are_refused_even_when_confirmed(url):
    for allow_private in (False, True):
        with pytest.raises(ValidationFailedError, match="link-local or cloud-metadata"):
            check_base_url(url, allow_private=allow_private)


@pytest.mark.parametrize("url", ["https://10.0.0.5", "http://192.168.1.20/blog", "https://172.16.3.4", "https://[fd12::1]"])
def test_private_addresses_need_confirmation(url):
    with pytest.raises(ValidationFailedError, match="private network address"):
        check_base_url(url)
    assert check_base_url(url, allow_private=True)[0].startswith(url.split("/")[0])


def test_loopback_and_public_names_stay_allowed():
    """Loopback is allowed on purpose (a test site on this machine); the README's Deploying section says so."""
    assert check_base_url("http://127.0.0.1:8080")[0] == "http://127.0.0.1:8080"
    for url in ("http://localhost:8080", "http://127.8.9.10", "http://[::1]:8080", "http://wp.localhost"):
        assert check_base_url(url) == (url, [])
    assert check_base_url("https://blog.example.com/")[0] == "https://blog.example.com"


def test_errors_carry_only_the_short_code_not_remote_text():
    response = httpx.Response(403, json={"code": "rest_forbidden<script>", "message": "<b>Go to evil.example</b> now"},
                              request=httpx.Request("POST", "https://blog.example.com/wp-json/wp/v2/posts"))
    text = str(error_for(response, "blog", "https://blog.example.com"))
    assert "rest_forbiddenscript" in text and "evil.example" not in text and "<" not in text


@pytest.fixture
def trickling_server():
    """A server that answers 200 and then trickles its body one byte every 0.2 s."""
    import socket
    import threading
    import time
    from tests.net import free_port

    port = free_port()
    server = socket.create_server(("127.0.0.1", port))
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    break
                time.sleep(0.2)
            conn.close()

    threading.Thread(target=trickle, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    stop.set()
    server.close()


def test_wordpress_call_has_a_total_deadline_not_per_read(trickling_server):
    """Issue 12 item 10: a server trickling one byte every 0.2 s cannot hold a 1 s call for long."""
    import time
    from core.errors import PublishFailedError
    from core.wordpress.client import WordPressClient

    started = time.monotonic()
    with WordPressClient(trickling_server, "u", "p", timeout=1.0) as wp:
        with pytest.raises(PublishFailedError, match="did not answer within 1 s"):
            wp._send("GET", "/", "pretty")
    assert time.monotonic() - started < 5  # per-read timeouts alone would wait ~20 000 s for this body


def test_woocommerce_call_has_a_total_deadline_not_per_read(trickling_server):
    """Issue 12 item 10: the same total deadline for WooCommerce calls, the SEO plugin probe included."""
    import time
    from core.errors import PublishFailedError
    from core.wordpress.woocommerce import WooCommerceClient

    started = time.monotonic()
    with WooCommerceClient(trickling_server, "ck", "cs", timeout=1.0) as woo:
        with pytest.raises(PublishFailedError, match="did not answer within 1 s"):
            woo.product(7)
        assert woo.seo_plugins() == []
    assert time.monotonic() - started < 8


def test_calls_under_a_publish_claim_end_inside_its_window():
    """Issue 12 item 10: whatever deadline a caller asks for, a claimed call ends before its claim may be taken."""
    from core.wordpress.publications import IN_FLIGHT_SECONDS, claimed_call_deadline

    assert claimed_call_deadline(20) == 20
    assert claimed_call_deadline(10_000) * 3 <= IN_FLIGHT_SECONDS


@pytest.fixture
def dns(monkeypatch):
    """socket.getaddrinfo answering from a dict (host → list of addresses) for *.test names; others resolve as usual."""
    import socket

    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if str(host).endswith(".test"):
            if host not in answers:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0))
                    for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254", "169.254.10.1", "fe80::1", "100.100.100.200"])
def test_a_name_resolving_to_metadata_or_link_local_is_refused(dns, address):
    """Issue 12 item 13: the check is on what the host name resolves to, not only on the literal string."""
    dns["innocent.test"] = ["93.184.216.34", address]  # one bad address among good ones is enough
    for allow_private in (False, True):
        with pytest.raises(ValidationFailedError, match="resolves to .*link-local or cloud-metadata"):
            check_base_url("https://innocent.test", allow_private=allow_private)


def test_a_name_resolving_to_a_private_address_needs_confirmation(dns):
    dns["intranet.test"] = ["192.168.4.7"]
    with pytest.raises(ValidationFailedError, match="resolves to 192.168.4.7, which is a private network address"):
        check_base_url("https://intranet.test")
    assert check_base_url("https://intranet.test", allow_private=True) == ("https://intranet.test", [])


def test_an_unresolvable_name_is_kept_and_checked_when_connecting(dns):
    from core.errors import PublishFailedError
    from core.wordpress.client import WordPressClient

    assert check_base_url("https://not-yet.test") == ("https://not-yet.test", [])
    with WordPressClient("https://not-yet.test", "u", "p") as wp, pytest.raises(PublishFailedError, match="resolve"):
        wp.me()


def test_connections_go_only_to_the_checked_address(dns, trickling_server):
    """The name is resolved and checked at connect time, and the connection uses that very address."""
    from core.errors import PublishFailedError
    from core.wordpress.client import WordPressClient

    port = trickling_server.rsplit(":", 1)[1]
    dns["blog.test"] = ["127.0.0.1"]
    with WordPressClient(f"http://blog.test:{port}", "u", "p", timeout=0.5) as wp:
        with pytest.raises(PublishFailedError, match="did not answer within"):  # it reached the local server
            wp._send("GET", "/", "pretty")


@pytest.mark.parametrize("rebound, allow_private, refused", [
    ("169.254.169.254", True, "link-local or cloud-metadata"), ("10.1.2.3", False, "private network address")])
def test_dns_rebinding_is_refused_at_request_time(dns, rebound, allow_private, refused):
    """Issue 12 item 13: a name that passed when added but later resolves to a refused address gets no request."""
    from core.wordpress.client import WordPressClient
    from core.wordpress.woocommerce import WooCommerceClient

    dns["rebind.test"] = ["93.184.216.34"]
    assert check_base_url("https://rebind.test", allow_private=allow_private)[0] == "https://rebind.test"
    dns["rebind.test"] = [rebound]
    with WordPressClient("https://rebind.test", "u", "app password", allow_private=allow_private) as wp:
        with pytest.raises(ValidationFailedError, match=refused):
            wp.me()
    with WooCommerceClient("https://rebind.test", "ck", "cs", allow_private=allow_private) as woo:
        with pytest.raises(ValidationFailedError, match=refused):
            woo.product(1)


def test_a_sites_confirmation_travels_to_its_clients(engine, dns):
    """A site added with a confirmed private address may connect to one; others may not."""
    from core.wordpress.sites import add_site, client_for
    from core.wordpress.woocommerce import woo_client_for

    dns["intranet.test"] = ["10.0.0.9"]
    site, _ = add_site(engine, None, name="intranet", url="https://intranet.test", username="u", app_password="p",
                       woo_key="ck", woo_secret="cs", allow_private=True)
    with client_for(site) as wp, woo_client_for(site) as woo:
        assert wp.http._transport.allow_private and woo.http._transport.allow_private


def test_migration_keeps_sites_added_with_a_literal_private_address_working(settings):
    import sqlalchemy as sa
    from alembic import command

    from core.db import alembic_config, engine_for, upgrade

    url = settings.database_url
    command.upgrade(alembic_config(url), "0030_wordpress")
    engine = engine_for(url)
    with engine.begin() as conn:
        urls = ((1, "https://10.0.0.5"), (2, "https://blog.example.com"), (3, "http://127.0.0.1:8080"))
        for site_id, base_url in urls:
            conn.execute(sa.text("INSERT INTO wp_site (id, name, base_url, username, password_encrypted, created_by, "
                                 "created_at, updated_at) VALUES (:id, :name, :url, 'u', 'x', 'cli', '2026-01-01', "
                                 "'2026-01-01')"), {"id": site_id, "name": f"s{site_id}", "url": base_url})
    upgrade(url)
    with engine.begin() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, private_ok FROM wp_site")).all())
    assert rows == {1: True, 2: False, 3: False}
