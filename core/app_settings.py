"""Settings an admin changes in the dashboard, layered under the environment and secrets.toml."""

from sqlalchemy.engine import Engine
from sqlmodel import select

from .auth import require
from .config import Settings, get_settings
from .db import engine_for, session_scope
from .errors import ValidationFailedError
from .models import AppSetting, User, utcnow
from .i18n import _

EDITABLE = ("provider", "model", "fallback", "rate_limit", "cache_ttl", "default_tone", "default_language",
            "seo_schema", "seo_internal_links", "seo_alt_text")
KEY_NAMES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CONTENTCRAFT_CUSTOM_BASE_URL", "CONTENTCRAFT_CUSTOM_API_KEY",
             "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST")


def stored_values(engine: Engine) -> dict:
    """What admins saved in the dashboard."""
    with session_scope(engine) as session:
        return {row.key: row.value["value"] for row in session.exec(select(AppSetting))}


def effective_settings(engine: Engine, base: Settings | None = None) -> Settings:
    """Defaults < dashboard values < secrets.toml < environment."""
    base = base or get_settings()
    overrides = {k: v for k, v in stored_values(engine).items() if k in EDITABLE and k not in base.model_fields_set}
    return base.model_copy(update=overrides) if overrides else base


def sources(engine: Engine, base: Settings | None = None) -> dict[str, str]:
    """Where each editable value comes from: 'environment', 'dashboard' or 'default'."""
    base, stored = base or get_settings(), stored_values(engine)
    return {key: "environment" if key in base.model_fields_set else "dashboard" if key in stored else "default"
            for key in EDITABLE}


def save_settings(engine: Engine, user: User, values: dict) -> Settings:
    """Validate and store dashboard settings (admins only); values pinned by the environment are refused."""
    require(user, "settings")
    base = get_settings()
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationFailedError(_("These settings cannot be changed here: {unknown}.")
                                    .format(unknown=', '.join(sorted(unknown))))
    pinned = sorted(k for k in values if k in base.model_fields_set and values[k] != getattr(base, k))
    if pinned:
        raise ValidationFailedError(_("{pinned} is set in the environment or secrets.toml, which wins: change it "
                                      "there.").format(pinned=', '.join(pinned)))
    from .providers import provider_classes

    names = [values.get("provider", base.provider), *values.get("fallback", base.fallback)]
    unknown_providers = sorted(set(names) - set(provider_classes()))
    if unknown_providers:
        raise ValidationFailedError(_("Unknown provider: {unknown_providers}.")
                                    .format(unknown_providers=', '.join(unknown_providers)))
    try:
        checked = Settings.model_validate({**base.model_dump(), **values})
    except ValueError as exc:
        raise ValidationFailedError(_("Invalid setting: {exc}").format(exc=exc)) from None
    with session_scope(engine) as session:
        for key in values:
            session.merge(AppSetting(key=key, value={"value": getattr(checked, key)}, updated_by=user.email,
                                     updated_at=utcnow()))
    return effective_settings(engine, base)


def keys_configured(settings: Settings) -> dict[str, bool]:
    """Which provider keys and addresses are set; never their values."""
    return {name: bool(getattr(settings, name.lower().removeprefix("contentcraft_"), None)) for name in KEY_NAMES}


def configured_generator():
    """A pipeline using the effective settings (CLI and dashboard)."""
    from .pipeline import Generator

    base = get_settings()
    engine = engine_for(base.database_url)
    return Generator(effective_settings(engine, base), engine)
