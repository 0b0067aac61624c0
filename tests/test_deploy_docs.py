"""Issue 12 items 11, 14, 19, 20: what the README promises about exposure, and runtime pins without test tools."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    found = re.search(rf"^## {title}\n(.*?)(?=^## )", README, re.MULTILINE | re.DOTALL)
    assert found, f"README has no '## {title}' section"
    return found.group(1)


def test_deploying_says_how_to_expose_it_safely():
    """Item 11: reverse proxy with TLS, pinned address, persistent cookieSecret, and what must never be public."""
    text = _section("Deploying")
    for needed in ("TLS", "server.address", "127.0.0.1", "allowedHosts", "cookieSecret", "Never public",
                   "Fernet key", "setup token"):
        assert needed in text, needed


def test_cli_as_is_not_called_a_security_boundary():
    """Item 14: --as is documented as acting for a user, explicitly not a security boundary."""
    assert "**not a security boundary**" in README and "--as EMAIL" in README


def test_draft_visibility_and_self_approval_are_documented():
    """Item 19: the decision is written down where users read it (enforced in core, see test_auth_workflow)."""
    assert re.search(r"drafts?.{0,120}(private|only their own|not visible)", README, re.IGNORECASE | re.DOTALL)
    assert "approve their own" in README


def _names(path: Path) -> set[str]:
    return {re.split(r"[=<>\[ ]", line.strip(), maxsplit=1)[0].lower() for line in path.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")}


def test_runtime_pins_hold_no_test_tools_and_the_audit_step_is_documented():
    """Item 20: test-only packages live in requirements-dev.txt; the README gives a real audit step, not a fake check."""
    runtime, dev = _names(ROOT / "requirements.txt"), _names(ROOT / "requirements-dev.txt")
    assert {"pytest", "playwright"} <= dev and not runtime & dev
    assert not {"pytest", "pytest-timeout", "playwright", "schemathesis", "pip-audit"} & runtime
    assert "pip-audit -r requirements.txt" in _section("Deploying")
