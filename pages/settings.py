"""Settings (admins only): provider, limits, SEO options, defaults, keys (set or not), users and roles."""

import pandas as pd
import streamlit as st

from core import app_settings, auth
from core.i18n import _
from core.providers import provider_classes
from core.schemas import LANGUAGES, TONES
from ui import labels
from ui.common import current_user, engine, friendly_errors
from ui.sites_panel import sites_panel
from ui.users_panel import users_panel

user = current_user()
st.title(_("Settings"))
auth.require(user, "settings")

settings = app_settings.effective_settings(engine())
origin = app_settings.sources(engine())
providers = sorted(provider_classes())


def pinned(key: str) -> bool:
    """Values from the environment or secrets.toml win and cannot be changed here."""
    return origin[key] == "environment"


def note(key: str) -> str:
    if pinned(key):
        return _("Set in the environment or secrets.toml, which wins.")
    return _("From: {source}.").format(source=origin[key])


st.subheader(_("Generation"))
with st.form("settings_form"):
    left, right = st.columns(2)
    provider = left.selectbox(_("Provider"), providers, index=providers.index(settings.provider),
                              key="settings_provider",
                              disabled=pinned("provider"), help=note("provider"))
    model = left.text_input(_("Model (empty: the provider's default)"), settings.model or "", key="settings_model",
                            disabled=pinned("model"), help=note("model"))
    fallback = left.multiselect(_("Fallback order"), providers, default=settings.fallback, key="settings_fallback",
                                disabled=pinned("fallback"), help=note("fallback"))
    rate_limit = right.number_input(_("Generations per user per minute"), 1, 10_000, settings.rate_limit,
                                    key="settings_rate_limit", disabled=pinned("rate_limit"), help=note("rate_limit"))
    cache_ttl = right.number_input(_("Cache lifetime (seconds)"), 0, 86_400, settings.cache_ttl,
                                   key="settings_cache_ttl",
                                   disabled=pinned("cache_ttl"), help=note("cache_ttl"))
    tone = right.selectbox(_("Default tone"), TONES, index=TONES.index(settings.default_tone)
                           if settings.default_tone in TONES else 0, key="settings_tone", format_func=labels.tone)
    language = right.selectbox(_("Default language"), list(LANGUAGES), key="settings_language",
                               index=list(LANGUAGES).index(settings.default_language),
                               format_func=labels.language_name)
    st.markdown("**{}**".format(_("SEO options")))
    seo_schema = st.checkbox(_("Add schema.org JSON-LD"), settings.seo_schema, key="settings_seo_schema")
    seo_links = st.checkbox(_("Suggest internal links"), settings.seo_internal_links, key="settings_seo_links")
    seo_alt = st.checkbox(_("Write image alt text"), settings.seo_alt_text, key="settings_seo_alt")
    if st.form_submit_button(_("Save settings"), type="primary"):
        values = {"provider": provider, "model": model or None, "fallback": fallback, "rate_limit": int(rate_limit),
                  "cache_ttl": int(cache_ttl), "default_tone": tone, "default_language": language,
                  "seo_schema": seo_schema, "seo_internal_links": seo_links, "seo_alt_text": seo_alt}
        with friendly_errors(_("Saving settings")):
            app_settings.save_settings(engine(), user, {k: v for k, v in values.items() if not pinned(k)})
            st.cache_resource.clear()  # the pipeline picks the new settings up
            st.success(_("Settings saved."))

st.subheader(_("Provider keys"))
st.caption(_("Keys are read from the environment or .streamlit/secrets.toml and are never shown."))
st.dataframe(pd.DataFrame([{_("Name"): name, _("Status"): _("set") if present else _("not set")}
                           for name, present in app_settings.keys_configured(settings).items()]),
             hide_index=True)

st.subheader(_("Users and roles"))
users_panel(user)

st.subheader(_("WordPress sites"))
sites_panel(user)
