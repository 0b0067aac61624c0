"""The dashboard's language on every script run: the switch in the sidebar, the profile setting, the default.

Which language a run speaks: the signed-in user's saved choice, else the one picked in this session, else the
browser's (its Accept-Language header, then its navigator language), else the settings' `ui_language`, else
English. Right to left for fa and ar: see ui.direction.
"""

from datetime import date

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.config import get_settings
from core.i18n import (DEFAULT_LANGUAGE, UI_LANGUAGES, _, current_language, negotiate, normalise, set_fallback,
                       set_language)
from core.identity import preferences
from core.models import User
from ui import labels

CHOSEN = "ui_language"  # session_state: the language picked in this session
CURRENT = "ui_language_current"  # session_state: the language of the session's last run
SWITCH = "sidebar_language"  # the sidebar selectbox's widget key
PROFILE = "account_language"  # the profile's selectbox; "" follows the browser
BROWSER = ""


def browser_header() -> str | None:
    """The browser's Accept-Language header (None in AppTest, whose context has no client)."""
    value = st.context.headers.get("Accept-Language")
    return value if isinstance(value, str) else None


def browser_language() -> str | None:
    """The UI language the browser prefers, if it names one of ours."""
    locale = st.context.locale
    return negotiate(browser_header()) or normalise(locale if isinstance(locale, str) else None)


def apply(user: User | None = None) -> str:
    """Set this script run's language (core.i18n) by the order above; returns its code."""
    code = set_language((user.language if user is not None else None) or st.session_state.get(CHOSEN)
                        or browser_language() or normalise(get_settings().ui_language) or DEFAULT_LANGUAGE)
    st.session_state[CURRENT] = code
    return code


def _session_language() -> str | None:
    """The language of this session's last run, for widget callbacks (they run before app.py sets it)."""
    return st.session_state.get(CURRENT) if get_script_run_ctx(suppress_warning=True) is not None else None


set_fallback(_session_language)


def _choose(code: str | None, user: User | None) -> None:
    _keep_choices()
    st.session_state[CHOSEN] = code
    if user is not None:
        from ui.common import engine  # here, not at the top: ui.common draws this switch in its sidebar

        preferences.set_language(engine(), user, code)


def _keep_choices() -> None:
    """Keep every widget's choice across the switch: a selectbox or radio sends back the option text it showed,
    which matches no option once the text is in another language, so each chosen value is handed back to its
    widget from Python, to be shown in the new language."""
    for key, value in list(st.session_state.items()):
        if _plain(value) or isinstance(value, (list, tuple)) and all(map(_plain, value)):
            st.session_state[key] = value


def _plain(value) -> bool:
    """A value an option widget holds; not a button's or checkbox's bool, which Streamlit refuses to set."""
    return isinstance(value, (str, int, float, date)) and not isinstance(value, bool)


def _switched(user: User | None) -> None:
    _choose(st.session_state[SWITCH], user)


def switch(user: User | None) -> None:
    """The sidebar's language selectbox, each language in its own name; a signed-in user's choice is saved."""
    st.session_state[SWITCH] = current_language()  # in step when the profile or a sign-in changed it
    st.selectbox(_("Language"), UI_LANGUAGES, key=SWITCH, format_func=labels.own_name, on_change=_switched,
                 args=(user,))


def _saved(user: User) -> None:
    _choose(st.session_state[PROFILE] or None, user)
    if not user.language:
        st.session_state.pop(CHOSEN, None)  # follow the browser from now on


def profile_setting(user: User) -> None:
    """The language saved in the user's profile, or the browser's."""
    st.session_state[PROFILE] = user.language or BROWSER
    st.selectbox(_("Dashboard language"), [BROWSER, *UI_LANGUAGES], key=PROFILE, on_change=_saved, args=(user,),
                 format_func=lambda code: labels.own_name(code) if code else _("The browser's language"),
                 help=_("Saved with your account: the dashboard speaks it wherever you sign in."))
