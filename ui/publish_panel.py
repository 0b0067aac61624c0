"""Publish section of the Library: send an approved item to WordPress (or its WooCommerce product)."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import wordpress
from core.auth import allowed
from core.i18n import N_, _, ngettext
from core.library import ItemFilter, list_items
from core.schemas import InternalLink
from core.wordpress.publications import describe
from core.wordpress.woocommerce import product_target
from ui.common import engine, friendly_errors
from ui.plain import link, md

STATUS_LABELS = {"draft": N_("Save as draft on WordPress"), "publish": N_("Publish now"), "future": N_("Schedule")}


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])


def remote_status(item_id: int) -> list[tuple[str, str]]:
    """(what the item is on each site it was sent to, its link), e.g. ("Draft on Blog", "https://…")."""
    return [(describe(pub, site)[:1].upper() + describe(pub, site)[1:], pub.url)
            for pub, site in wordpress.publications(engine(), item_id)]


def show_remote_status(item_id: int) -> None:
    """One line per site: the remote status (draft, scheduled for …, published) and the link."""
    for text, url in remote_status(item_id):
        st.markdown(md(text) + (f" · {link(url)}" if url else ""))


def publish_panel(item, user) -> None:
    """Publish controls for one Library item, in a popover next to the workflow buttons."""
    sent = remote_status(item.id)
    with st.popover(sent[0][0] if len(sent) == 1 else _("Publish…"), width="stretch"):
        flash = st.session_state.pop(f"publish_flash_{item.id}", None)
        if flash:
            st.success(md(flash[0]))
            for warning in flash[1]:
                st.warning(md(warning))
        if item.status not in {"approved", "published"}:
            st.info(_("Only approved items can be published: submit it for review first."))
            return
        if not allowed(user.role, "publish"):
            st.info(_("Editors and admins publish approved items."))
            return
        sites = [site.name for site in wordpress.list_sites(engine())]
        if not sites:
            st.info(_("No WordPress site is connected yet. An admin adds one in Settings → WordPress sites."))
            return
        site = st.selectbox(_("Site"), sites, key=f"publish_site_{item.id}")
        last = wordpress.publication_for(engine(), item.id, site)
        _last_attempt(last)
        if item.type == "product":
            _product_form(item, user, site, last)
        else:
            _post_form(item, user, site, last)
            _links_section(item, user, site)


def _last_attempt(pub) -> None:
    if pub is None:
        return
    if pub.url:
        st.markdown(_("On the site: {link} · **{state}**").format(link=link(pub.url),
                                                                  state=md(describe(pub, _("the site")))))
    if pub.state == "failed" and pub.last_error:
        st.error(_("The last attempt failed: {error}").format(error=md(pub.last_error)))


def _post_form(item, user, site: str, last) -> None:
    status = st.radio(_("WordPress status"), list(STATUS_LABELS), format_func=status_label, horizontal=True,
                      key=f"publish_status_{item.id}")
    when = None
    if status == "future":
        zone = _("time zone unknown")
        with friendly_errors(_("Reading the site's time zone")):
            zone = wordpress.site_time_zone(engine(), site)
        # A bare time is the site's local time (core sends WordPress date_gmt for it).
        when = st.datetime_input(_("Publish at (site time, {zone})").format(zone=zone),
                                 value=dt.datetime.now() + dt.timedelta(days=1),
                                 key=f"publish_when_{item.id}")
    choices = st.session_state.get(f"publish_choices_{site}")
    if choices is None and st.button(_("Load categories, tags and authors"), key=f"publish_load_{item.id}"):
        with friendly_errors(_("Loading from the site")):
            choices = st.session_state[f"publish_choices_{site}"] = wordpress.site_choices(engine(), site)
    if st.button(_("Check the slug on the site"), key=f"publish_slug_{item.id}"):
        with friendly_errors(_("Checking the slug")):
            taken = wordpress.slug_warnings(engine(), user, item.id, site)
            for warning in taken:
                st.warning(md(warning))
            if not taken:
                st.success(_("No other post on {site} uses the slug “{slug}”.").format(
                    site=md(site), slug=md(item.data_json["meta"]["slug"])))
    choices = choices or {"categories": [], "tags": [], "authors": []}
    categories = st.multiselect(_("Categories (type to add new ones)"), choices["categories"], accept_new_options=True,
                                key=f"publish_categories_{item.id}")
    tags = st.multiselect(_("Tags (type to add new ones)"), choices["tags"], accept_new_options=True,
                          key=f"publish_tags_{item.id}")
    authors = {author_id: name for author_id, name in choices["authors"]}
    author = st.selectbox(_("Author"), [None, *authors], format_func=lambda a: authors.get(a, _("The site user")),
                          key=f"publish_author_{item.id}")
    retry = last is not None and last.state == "failed"
    label = _("Retry") if retry else _("Update the post") if last is not None and last.remote_id else _("Publish")
    if st.button(label, type="primary", key=f"publish_go_{item.id}"):
        options = wordpress.PublishOptions(status=status, date=when,
                                           categories=categories, tags=tags, author=author)
        with friendly_errors(_("Publishing")), st.spinner(_("Sending to {site}…").format(site=site)):
            result = wordpress.publish(engine(), user, item.id, site, options)
            done = _("Created post {id} ({status}): {url}") if result.created else \
                _("Updated post {id} ({status}): {url}")
            _done(item.id, done.format(id=result.remote_id, status=result.remote_status, url=result.url),
                  result.warnings)


def _product_form(item, user, site: str, last) -> None:
    known_id, sku = product_target(engine(), item.id)
    default = last.remote_id if last and last.remote_id else known_id
    product_id = st.number_input(_("WooCommerce product id"), min_value=1, step=1, value=default,
                                 key=f"publish_product_{item.id}",
                                 help=_("Filled in from the imported row's ID when the item came from a store export."))
    if not product_id and sku:
        st.caption(_("No id: the product with the SKU **{sku}** is updated.").format(sku=md(sku)))
    if st.button(_("Update the WooCommerce product"), type="primary", key=f"publish_product_go_{item.id}",
                 disabled=not (product_id or sku)):
        with friendly_errors(_("Updating the product")), st.spinner(_("Sending to {site}…").format(site=site)):
            result = wordpress.push_product(engine(), user, item.id, site, int(product_id) if product_id else None)
            _done(item.id, _("Updated product {id}: {url}").format(id=result.remote_id, url=result.url),
                  result.warnings)


def _done(item_id: int, message: str, warnings: list[str]) -> None:
    st.session_state[f"publish_flash_{item_id}"] = (message, warnings)
    st.rerun()


def _links_section(item, user, site: str) -> None:
    st.markdown("**{}**".format(_("Internal links")))
    chosen = [InternalLink.model_validate(link) for link in item.data_json.get("internal_links") or []]
    if chosen:
        st.caption(_("Inserted when publishing: {links}").format(
            links=md(", ".join(chosen_link.title for chosen_link in chosen))))
    key = f"publish_suggestions_{item.id}_{site}"
    if st.button(_("Suggest links from the site's posts"), key=f"publish_suggest_{item.id}"):
        with friendly_errors(_("Suggesting links")):
            st.session_state[key] = wordpress.suggest_links(engine(), item, site)
    suggestions = st.session_state.get(key)
    if suggestions is None:
        return
    if not suggestions:
        st.info(_("No published post on the site matches this item."))
        return
    picked = st.multiselect(_("Links to insert"), range(len(suggestions)), default=list(range(len(suggestions))),
                            format_func=lambda i: suggestions[i].title, key=f"publish_pick_{item.id}")
    if st.button(_("Insert the chosen links"), key=f"publish_insert_{item.id}"):
        with friendly_errors(_("Saving the links")):
            wordpress.save_internal_links(engine(), user, item.id, [suggestions[i].as_link() for i in picked])
            _done(item.id, ngettext("{count} internal link will be inserted when the item is published.",
                                    "{count} internal links will be inserted when the item is published.",
                                    len(picked)).format(count=len(picked)), [])


def bulk_publish_panel(user) -> None:
    """Publish every approved blog post to one site, reporting each item's result."""
    if not allowed(user.role, "publish"):
        return
    sites = [site.name for site in wordpress.list_sites(engine())]
    approved = list_items(engine(), ItemFilter(type="content", status="approved"))
    if not sites or not approved:
        st.caption(_("Bulk publishing needs a connected site and approved blog posts."))
        return
    cols = st.columns([2, 2, 1])
    site = cols[0].selectbox(_("Site"), sites, key="publish_bulk_site")
    status = cols[1].selectbox(_("WordPress status"), ["draft", "publish"], format_func=status_label,
                               key="publish_bulk_status")
    if cols[2].button(_("Publish all approved ({count})").format(count=len(approved)), key="publish_bulk_go"):
        spinning = ngettext("Publishing {count} item to {site}…", "Publishing {count} items to {site}…", len(approved))
        with friendly_errors(_("Bulk publishing")), st.spinner(spinning.format(count=len(approved), site=site)):
            outcomes = wordpress.publish_many(engine(), user, [i.id for i in approved], site,
                                              wordpress.PublishOptions(status=status))
            st.session_state["publish_bulk_report"] = [(o.item_id, o.ok, o.url or o.error) for o in outcomes]
    report = st.session_state.get("publish_bulk_report")
    if report:
        failed = sum(not ok for _item, ok, _link in report)
        (st.warning if failed else st.success)(_("{published} published, {failed} failed.").format(
            published=len(report) - failed, failed=failed))
        st.dataframe(pd.DataFrame([{_("Item"): f"#{item_id}", _("Result"): _("published") if ok else _("failed"),
                                    _("Link or reason"): link} for item_id, ok, link in report]),
                     hide_index=True, width="stretch")
