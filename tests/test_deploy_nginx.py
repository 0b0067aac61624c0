"""The shipped nginx config, run by Debian's nginx on 127.0.0.1 in front of two stand-in dashboard replicas:
a browser keeps to one replica (route cookie), browsers spread over both, and the WebSocket upgrade passes."""

import os
import re
import shutil
import subprocess
import threading
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.net import QuietHandler, free_port, wait_until

pytestmark = pytest.mark.slow
CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "contentcraft.conf"


def replica(name: str) -> ThreadingHTTPServer:
    """A stand-in dashboard: answers with its name and the upgrade headers it received."""

    class Handler(QuietHandler):
        def do_GET(self):
            body = f"{name} {self.headers.get('Upgrade', '-')} {self.headers.get('Connection', '-')}".encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxy(tmp_path):
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not binary:
        message = "nginx is missing: apt-get install nginx-light"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    replicas = [replica("one"), replica("two")]
    port = free_port()
    site = CONFIG.read_text()
    site = re.sub(r"(?m)^\s*server 127\.0\.0\.1:850\d.*$", "", site)
    site = site.replace("hash $contentcraft_route consistent;", "hash $contentcraft_route consistent;\n" + "".join(
        f"    server 127.0.0.1:{r.server_address[1]};\n" for r in replicas))
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" include {tmp_path}/site.conf;\n}}\n")
    subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], check=True,
                   capture_output=True)
    process = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: urllib.request.urlopen(url, timeout=2).status == 200, process, "nginx", timeout=20)
    yield url
    process.terminate()
    process.wait(10)
    for server in replicas:
        server.shutdown()
        server.server_close()


def get(url: str, cookie: str | None = None, **headers) -> tuple[str, str | None]:
    request = urllib.request.Request(url, headers={**headers, **({"Cookie": cookie} if cookie else {})})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode(), response.headers.get("Set-Cookie")


def test_a_browser_keeps_its_replica_and_browsers_spread(proxy):
    body, set_cookie = get(proxy)
    route = set_cookie.split(";")[0]
    assert route.startswith("contentcraft_route=") and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    first = body.split()[0]
    assert {get(proxy + "/_stcore/health", route)[0].split()[0] for _ in range(8)} == {first}
    assert get(proxy, route)[1].split(";")[0] == route  # the same route cookie comes back
    seen = {get(proxy, f"contentcraft_route=browser-{n}")[0].split()[0] for n in range(40)}
    assert seen == {"one", "two"}


def test_the_websocket_upgrade_reaches_the_replica(proxy):
    body, _ = get(proxy + "/_stcore/stream", "contentcraft_route=a", Upgrade="websocket", Connection="Upgrade")
    assert body.split()[1:] == ["websocket", "upgrade"]
    assert get(proxy, "contentcraft_route=a")[0].split()[1:] == ["-", "close"]
