"""Settings → WordPress sites: connect a site, test the connection, remove it (admins only)."""

import pandas as pd
import streamlit as st

from core import wordpress
from core.auth import allowed
from core.i18n import _
from ui.common import engine, friendly_errors
from ui.plain import md


def sites_panel(user) -> None:
    """The sites table, the add form and per-site test/remove buttons."""
    if not allowed(user.role, "manage_sites"):
        st.info(_("Only admins connect WordPress sites."))
        return
    flash = st.session_state.pop("sites_flash", None)
    if flash:
        st.success(md(flash[0]))
        for warning in flash[1]:
            st.warning(md(warning))
    sites = wordpress.list_sites(engine())
    if sites:
        st.dataframe(pd.DataFrame([{_("Name"): s.name, _("URL"): s.base_url, _("WordPress user"): s.username,
                                    _("WooCommerce"): _("yes") if s.woo_key_encrypted else "",
                                    _("Added by"): s.created_by}
                                   for s in sites]), hide_index=True, width="stretch")
        _site_actions(user, [s.name for s in sites])
    else:
        st.caption(_("No site yet. Create an Application Password in WordPress (Users → Profile → Application "
                     "Passwords) and add the site below."))
    _add_form(user)
    st.caption(_("For exactly-once retries, SEO fields and JSON-LD, install the ContentCraft connector on the site: "
                 "copy `{file}` into `wp-content/mu-plugins/`.").format(
        file="core/wordpress/wp-plugin/contentcraft-connector.php"))


def _site_actions(user, names: list[str]) -> None:
    cols = st.columns([2, 1, 1])
    name = cols[0].selectbox(_("Site"), names, key="sites_selected", label_visibility="collapsed")
    if cols[1].button(_("Test connection"), key="sites_test"):
        with friendly_errors(_("Testing the connection")), st.spinner(_("Signing in to {site}…").format(site=name)):
            _show_report(wordpress.check_connection(engine(), user, name))
    _credentials_form(user, name)
    confirm = st.checkbox(_("Yes, forget {site}. Its posts stay on WordPress, but ContentCraft forgets which "
                            "ones it made: publishing an item there again creates a new post.").format(site=name),
                          key="sites_confirm_remove")
    if cols[2].button(_("Remove"), key="sites_remove", disabled=not confirm):
        with friendly_errors(_("Removing the site")):
            wordpress.remove_site(engine(), user, name)
            st.session_state.pop("sites_confirm_remove", None)
            st.rerun()


def _credentials_form(user, name: str) -> None:
    with st.expander(_("Replace the credentials of {site}").format(site=name)):
        with st.form("sites_credentials", clear_on_submit=True):
            cols = st.columns(2)
            username = cols[0].text_input(_("WordPress user name (blank: keep)"), key="sites_new_username")
            password = cols[1].text_input(_("New Application Password"), type="password", key="sites_new_password")
            woo_key = cols[0].text_input(_("New WooCommerce consumer key"), type="password", key="sites_new_woo_key")
            woo_secret = cols[1].text_input(_("New consumer secret"), type="password", key="sites_new_woo_secret")
            if st.form_submit_button(_("Save credentials")):
                with friendly_errors(_("Saving the credentials")):
                    wordpress.update_credentials(engine(), user, name, username=username, app_password=password,
                                                 woo_key=woo_key or None, woo_secret=woo_secret or None)
                    st.session_state["sites_flash"] = (_("Saved new credentials for {site}.").format(site=name), [])
                    st.rerun()


def _show_report(report) -> None:
    # Names, roles, versions and time zones are the site's to choose: shown as plain text.
    none = _("none")
    st.success(_("Connected to {site} as **{user}** ({roles}) · WordPress {version}").format(
        site=md(report.site), user=md(report.user), roles=md(", ".join(report.roles) or _("no role")),
        version=md(report.wordpress_version or _("version hidden"))))
    unwritable = _("; cannot be written: {fields}").format(fields=md(", ".join(report.seo_fields_unwritable))) \
        if report.seo_fields_unwritable else ""
    lines = [_("Capabilities: {list}").format(list=md(", ".join(report.capabilities) or none)),
             _("SEO plugins: {plugins}; writable SEO fields: {fields}").format(
                 plugins=md(", ".join(report.seo_plugins) or _("none found")),
                 fields=md(", ".join(report.seo_fields) or none)) + unwritable,
             _("Time zone (scheduled posts): {zone}").format(zone=md(report.time_zone or "UTC")),
             _("ContentCraft connector: {state} · WooCommerce API: {woo} · REST via {rest}").format(
                 state=_("installed") if report.connector else _("not installed"),
                 woo=_("yes") if report.woocommerce else _("no"),
                 rest="/wp-json/" if report.rest_style == "pretty" else "?rest_route=")]
    st.markdown("\n".join(f"- {line}" for line in lines))
    for warning in report.warnings:
        st.warning(md(warning))


def _add_form(user) -> None:
    with st.form("sites_add", clear_on_submit=True):
        st.markdown("**{}**".format(_("Add a site")))
        cols = st.columns(2)
        name = cols[0].text_input(_("Name"), placeholder=_("Main blog"), key="sites_name")
        url = cols[1].text_input(_("Site URL"), placeholder="https://blog.example.com", key="sites_url")
        username = cols[0].text_input(_("WordPress user name"), key="sites_username")
        password = cols[1].text_input(_("Application Password"), type="password", key="sites_password")
        woo_key = cols[0].text_input(_("WooCommerce consumer key (optional)"), type="password", key="sites_woo_key")
        woo_secret = cols[1].text_input(_("WooCommerce consumer secret"), type="password", key="sites_woo_secret")
        private = st.checkbox(_("The site is on a private network address (10.x, 172.16–31.x, 192.168.x)"),
                              key="sites_private")
        if st.form_submit_button(_("Add site")):
            with friendly_errors(_("Adding the site")):
                site, warnings = wordpress.add_site(engine(), user, name=name, url=url, username=username,
                                                    app_password=password, woo_key=woo_key or None,
                                                    woo_secret=woo_secret or None, allow_private=private)
                st.session_state["sites_flash"] = (_("Added {site}. Press “Test connection” to check it.").format(
                    site=site.name), warnings)
                st.rerun()
