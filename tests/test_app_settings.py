"""Dashboard settings: stored in the DB, environment wins, admins only; the Settings page."""

import pytest

from core import app_settings, auth, config
from core.errors import PermissionDeniedError, ValidationFailedError
from core.schemas import ProductRequest
from tests.samples import product_draft


def test_saved_values_apply_and_environment_wins(engine, make_user, monkeypatch):
    admin = make_user("admin")
    monkeypatch.setenv("CONTENTCRAFT_CACHE_TTL", "42")
    config.get_settings.cache_clear()
    app_settings.save_settings(engine, admin, {"rate_limit": 7, "fallback": ["fake2"]})
    effective = app_settings.effective_settings(engine)
    assert (effective.rate_limit, effective.fallback, effective.cache_ttl) == (7, ["fake2"], 42)
    origin = app_settings.sources(engine)
    assert (origin["rate_limit"], origin["cache_ttl"], origin["model"]) == ("dashboard", "environment", "default")
    with pytest.raises(ValidationFailedError, match="cache_ttl is set in the environment"):
        app_settings.save_settings(engine, admin, {"cache_ttl": 5})


def test_only_admins_change_settings(engine, make_user):
    for role in ("writer", "editor"):
        with pytest.raises(PermissionDeniedError):
            app_settings.save_settings(engine, make_user(role), {"rate_limit": 1})


def test_bad_values_are_refused(engine, make_user):
    admin = make_user("admin")
    with pytest.raises(ValidationFailedError, match="Unknown provider: nope"):
        app_settings.save_settings(engine, admin, {"fallback": ["nope"]})
    with pytest.raises(ValidationFailedError, match="Invalid setting"):
        app_settings.save_settings(engine, admin, {"rate_limit": 0})
    with pytest.raises(ValidationFailedError, match="cannot be changed here"):
        app_settings.save_settings(engine, admin, {"database_url": "sqlite://"})


def test_keys_shown_only_as_set_or_not(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    shown = app_settings.keys_configured(config.Settings())
    assert shown["OPENAI_API_KEY"] is True and shown["ANTHROPIC_API_KEY"] is False
    assert "sk-secret-value" not in repr(shown)


def test_seo_switches_reach_the_pipeline(engine, make_user, fake, settings):
    app_settings.save_settings(engine, make_user("admin"), {"seo_schema": False, "seo_alt_text": False,
                                                           "provider": "fake"})
    generator = app_settings.configured_generator()
    fake.enqueue([product_draft()])
    product = generator.generate(ProductRequest(name="TrailFlex shoe"), "u").product
    assert product.schema_ld_json == {} and product.image_alt_text == product.title


def test_settings_page_saves_and_hides_key_values(app_as, engine, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-very-secret")
    config.get_settings.cache_clear()
    at = app_as("admin", page="pages/settings.py")
    assert at.title[0].value == "Settings"
    assert "sk-ant-very-secret" not in str(at._tree)
    at.number_input(key="settings_rate_limit").set_value(9)
    at.button(key="FormSubmitter:settings_form-Save settings").click()
    at.run()
    assert not at.exception and "Settings saved" in at.success[0].value
    assert app_settings.effective_settings(engine).rate_limit == 9


def test_settings_page_adds_user(app_as, engine):
    at = app_as("admin", page="pages/settings.py")
    at.text_input(key="settings_new_email").input("new.writer@example.com")
    at.text_input(key="settings_new_password").input("long enough pw")
    at.button(key="FormSubmitter:settings_add_user-Add user").click()
    at.run()
    assert not at.exception and auth.get_user(engine, "new.writer@example.com").role == "writer"


def test_settings_page_deactivates_and_resets_users(app_as, engine, make_user):
    from core.identity import sessions

    writer = make_user("writer")
    session_id, _ = sessions.start(engine, writer)
    at = app_as("admin", page="pages/settings.py")
    at.selectbox(key="settings_account_user").select("writer@example.com")
    at.button(key="FormSubmitter:settings_account-Deactivate").click()
    at.run()
    assert not at.exception and "deactivated" in at.success[0].value
    assert not auth.get_user(engine, "writer@example.com").is_active and sessions.user_for(engine, session_id) is None
    at.selectbox(key="settings_account_user").select("admin@example.com")
    at.button(key="FormSubmitter:settings_account-Deactivate").click()
    at.run()
    assert "last active admin" in at.error[0].value and auth.get_user(engine, "admin@example.com").is_active
    at.selectbox(key="settings_account_user").select("writer@example.com")
    at.text_input(key="settings_account_password").input("a new temporary pw")
    at.button(key="FormSubmitter:settings_account-Reset password").click()
    at.run()
    assert "was reset" in at.success[0].value
