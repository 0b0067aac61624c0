"""Site URLs (issue 12 item 13): no metadata/link-local hosts, private ones only when confirmed."""

import httpx
import pytest

from core.errors import ValidationFailedError
from core.wordpress.client import check_base_url, error_for


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/",
                                 "http://metadata.google.internal/computeMetadata/v1", "https://169.254.1.9",
                                 "http://[fe80::1]/"])
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
    assert check_base_url("http://127.0.0.1:8080")[0] == "http://127.0.0.1:8080"
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
    from core.wordpress.publish import IN_FLIGHT_SECONDS, claimed_call_deadline

    assert claimed_call_deadline(20) == 20
    assert claimed_call_deadline(10_000) * 3 <= IN_FLIGHT_SECONDS
