"""The dashboard's layout: pages/ holds only pages, and Streamlit's automatic navigation never shows."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pages_folder_holds_only_routed_pages():
    source = (ROOT / "app.py").read_text()
    scripts = {path.name for path in (ROOT / "pages").glob("*.py")}
    assert scripts and all(f'"pages/{name}"' in source for name in scripts), scripts


def test_streamlit_never_lists_the_pages_folder():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showSidebarNavigation"] is False


def test_a_dashboard_does_not_watch_its_source_tree():
    """Watching the project and its .venv overflowed inotify and kept a core busy per dashboard replica."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"


def test_sidebar_links_the_pages_the_role_may_open(app_as):
    writer = {link.label for link in app_as("writer").sidebar.get("page_link")}
    admin = {link.label for link in app_as("admin", email="boss@example.com").sidebar.get("page_link")}
    assert {"Content Studio", "Library", "Bulk Generator"} <= writer and "Settings" not in writer
    assert {"Settings", "Analytics", "Brand voice"} <= admin
