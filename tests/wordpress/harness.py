"""Python side of the test WordPress: start/stop it with start.sh/stop.sh, and make approved items."""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.auth import create_user
from core.schemas import ContentRequest, ProductRequest
from core.workflow import transition
from tests.samples import blog_draft, product_draft

HERE = Path(__file__).resolve().parent
NEEDED = {"php": "php-cli", "mariadbd": "mariadb-server", "mariadb-install-db": "mariadb-server"}


@dataclass
class WordPress:
    """A running test site and its admin's Application Password."""

    dir: Path
    url: str
    user: str
    app_password: str

    def admin(self) -> httpx.Client:
        """An httpx client on /wp-json signed in as the admin (for seeding and reading back)."""
        return httpx.Client(base_url=f"{self.url}/wp-json", auth=(self.user, self.app_password), timeout=30,
                            trust_env=False)

    def stop(self) -> None:
        run_script("stop.sh", self.dir)

    def start(self) -> None:
        info = run_script("start.sh", self.dir)
        assert info["WP_URL"] == self.url, "WordPress came back on another port"


def missing_packages() -> list[str]:
    """Debian packages the test WordPress needs that are not installed."""
    missing = {pkg for binary, pkg in NEEDED.items() if shutil.which(binary) is None}
    if not Path("/usr/share/wordpress/wp-settings.php").exists():
        missing.add("wordpress")
    return sorted(missing)


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI, where .ci/run installs everything the tests need."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error: .ci/run must install it)")
    pytest.skip(reason)


def run_script(name: str, data_dir: Path, **env) -> dict:
    """Run start.sh or stop.sh for data_dir; returns the KEY=VALUE lines it printed."""
    result = subprocess.run([str(HERE / name), str(data_dir)], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "WP_SKIP_APT": "1", **env})
    if result.returncode != 0:
        raise RuntimeError(f"{name} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def start_wordpress() -> WordPress:
    """A fresh WordPress in a new short temp dir (the MariaDB socket path must stay short)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ccwp-", dir="/tmp"))
    info = run_script("start.sh", data_dir)
    return WordPress(dir=data_dir, url=info["WP_URL"], user=info["WP_USER"], app_password=info["WP_APP_PASSWORD"])


def make_users(engine):
    """An admin, an editor and a writer."""
    return (create_user(engine, email="admin@example.com", password="admin-pass-1", role="admin"),
            create_user(engine, email="editor@example.com", password="editor-pass-1", role="editor"),
            create_user(engine, email="writer@example.com", password="writer-pass-1", role="writer"))


def approved_item(generator, fake, engine, editor, writer, *, title: str, keywords=("running shoes", "flat feet"),
                  status: str = "approved", length: str = "medium", **draft) -> int:
    """A blog post generated through the pipeline (fake model), submitted and approved."""
    fake.enqueue([blog_draft(title=title, **draft)])
    request = ContentRequest(topic=title[:200], keywords=list(keywords), length=length)
    response = generator.generate(request, writer.email)
    assert response.status == "succeeded", response.error
    _review(engine, editor, writer, response.item_id, status)
    return response.item_id


def approved_product(generator, fake, engine, editor, writer, *, name: str = "TrailFlex shoe", **draft) -> int:
    """A product description generated through the pipeline (fake model), approved."""
    fake.enqueue([product_draft(**draft)])
    response = generator.generate(ProductRequest(name=name, category="Shoes"), writer.email)
    assert response.status == "succeeded", response.error
    _review(engine, editor, writer, response.item_id, "approved")
    return response.item_id


def _review(engine, editor, writer, item_id: int, status: str) -> None:
    if status == "draft":
        return
    transition(engine, writer, item_id, "in_review")
    if status == "approved":
        transition(engine, editor, item_id, "approved", "looks good")
