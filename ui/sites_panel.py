"""Settings → WordPress sites: connect a site, test the connection, remove it (admins only)."""

import pandas as pd
import streamlit as st

from core import wordpress
from core.auth import allowed
from ui.common import engine, friendly_errors
from ui.plain import md


def sites_panel(user) -> None:
    """The sites table, the add form and per-site test/remove buttons."""
    if not allowed(user.role, "manage_sites"):
        st.info("Only admins connect WordPress sites.")
        return
    flash = st.session_state.pop("sites_flash", None)
    if flash:
        st.success(md(flash[0]))
        for warning in flash[1]:
            st.warning(md(warning))
    sites = wordpress.list_sites(engine())
    if sites:
        st.dataframe(pd.DataFrame([{"Name": s.name, "URL": s.base_url, "WordPress user": s.username,
                                    "WooCommerce": "yes" if s.woo_key_encrypted else "", "Added by": s.created_by}
                                   for s in sites]), hide_index=True, width="stretch")
        _site_actions(user, [s.name for s in sites])
    else:
        st.caption("No site yet. Create an Application Password in WordPress (Users → Profile → Application "
                   "Passwords) and add the site below.")
    _add_form(user)
    st.caption("For exactly-once retries, SEO fields and JSON-LD, install the ContentCraft connector on the site: "
               "copy `core/wordpress/wp-plugin/contentcraft-connector.php` into `wp-content/mu-plugins/`.")


def _site_actions(user, names: list[str]) -> None:
    cols = st.columns([2, 1, 1])
    name = cols[0].selectbox("Site", names, key="sites_selected", label_visibility="collapsed")
    if cols[1].button("Test connection", key="sites_test"):
        with friendly_errors("Testing the connection"), st.spinner(f"Signing in to {name}…"):
            _show_report(wordpress.check_connection(engine(), user, name))
    _credentials_form(user, name)
    confirm = st.checkbox(f"Yes, forget {name}. Its posts stay on WordPress, but ContentCraft forgets which "
                          f"ones it made: publishing an item there again creates a new post.",
                          key="sites_confirm_remove")
    if cols[2].button("Remove", key="sites_remove", disabled=not confirm):
        with friendly_errors("Removing the site"):
            wordpress.remove_site(engine(), user, name)
            st.session_state.pop("sites_confirm_remove", None)
            st.rerun()


def _credentials_form(user, name: str) -> None:
    with st.expander(f"Replace the credentials of {name}"):
        with st.form("sites_credentials", clear_on_submit=True):
            cols = st.columns(2)
            username = cols[0].text_input("WordPress user name (blank: keep)", key="sites_new_username")
            password = cols[1].text_input("New Application Password", type="password", key="sites_new_password")
            woo_key = cols[0].text_input("New WooCommerce consumer key", type="password", key="sites_new_woo_key")
            woo_secret = cols[1].text_input("New consumer secret", type="password", key="sites_new_woo_secret")
            if st.form_submit_button("Save credentials"):
                with friendly_errors("Saving the credentials"):
                    wordpress.update_credentials(engine(), user, name, username=username, app_password=password,
                                                 woo_key=woo_key or None, woo_secret=woo_secret or None)
                    st.session_state["sites_flash"] = (f"Saved new credentials for {name}.", [])
                    st.rerun()


def _show_report(report) -> None:
    # Names, roles, versions and time zones are the site's to choose: shown as plain text.
    st.success(f"Connected to {md(report.site)} as **{md(report.user)}** "
               f"({md(', '.join(report.roles) or 'no role')}) · "
               f"WordPress {md(report.wordpress_version or 'version hidden')}")
    unwritable = f"; cannot be written: {', '.join(report.seo_fields_unwritable)}" if report.seo_fields_unwritable else ""
    st.markdown(f"- Capabilities: {md(', '.join(report.capabilities) or 'none')}\n"
                f"- SEO plugins: {md(', '.join(report.seo_plugins) or 'none found')}; writable SEO fields: "
                f"{md(', '.join(report.seo_fields) or 'none')}{md(unwritable)}\n"
                f"- Time zone (scheduled posts): {md(report.time_zone or 'UTC')}\n"
                f"- ContentCraft connector: {'installed' if report.connector else 'not installed'} · "
                f"WooCommerce API: {'yes' if report.woocommerce else 'no'} · REST via "
                f"{'/wp-json/' if report.rest_style == 'pretty' else '?rest_route='}")
    for warning in report.warnings:
        st.warning(md(warning))


def _add_form(user) -> None:
    with st.form("sites_add", clear_on_submit=True):
        st.markdown("**Add a site**")
        cols = st.columns(2)
        name = cols[0].text_input("Name", placeholder="Main blog", key="sites_name")
        url = cols[1].text_input("Site URL", placeholder="https://blog.example.com", key="sites_url")
        username = cols[0].text_input("WordPress user name", key="sites_username")
        password = cols[1].text_input("Application Password", type="password", key="sites_password")
        woo_key = cols[0].text_input("WooCommerce consumer key (optional)", type="password", key="sites_woo_key")
        woo_secret = cols[1].text_input("WooCommerce consumer secret", type="password", key="sites_woo_secret")
        private = st.checkbox("The site is on a private network address (10.x, 172.16–31.x, 192.168.x)",
                              key="sites_private")
        if st.form_submit_button("Add site"):
            with friendly_errors("Adding the site"):
                site, warnings = wordpress.add_site(engine(), user, name=name, url=url, username=username,
                                                    app_password=password, woo_key=woo_key or None,
                                                    woo_secret=woo_secret or None, allow_private=private)
                st.session_state["sites_flash"] = (f"Added {site.name}. Press “Test connection” to check it.", warnings)
                st.rerun()
