"""Publish section of the Library: send an approved item to WordPress (or its WooCommerce product)."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import wordpress
from core.auth import allowed
from core.library import ItemFilter, list_items
from core.schemas import InternalLink
from core.wordpress.publish import describe
from core.wordpress.woocommerce import product_target
from ui.common import engine, friendly_errors
from ui.plain import link, md

STATUS_LABELS = {"draft": "Save as draft on WordPress", "publish": "Publish now", "future": "Schedule"}


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
    with st.popover(sent[0][0] if len(sent) == 1 else "Publish…", width="stretch"):
        flash = st.session_state.pop(f"publish_flash_{item.id}", None)
        if flash:
            st.success(md(flash[0]))
            for warning in flash[1]:
                st.warning(md(warning))
        if item.status not in {"approved", "published"}:
            st.info("Only approved items can be published: submit it for review first.")
            return
        if not allowed(user.role, "publish"):
            st.info("Editors and admins publish approved items.")
            return
        sites = [site.name for site in wordpress.list_sites(engine())]
        if not sites:
            st.info("No WordPress site is connected yet. An admin adds one in Settings → WordPress sites.")
            return
        site = st.selectbox("Site", sites, key=f"publish_site_{item.id}")
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
        st.markdown(f"On the site: {link(pub.url)} · **{md(describe(pub, 'the site'))}**")
    if pub.state == "failed" and pub.last_error:
        st.error(f"The last attempt failed: {md(pub.last_error)}")


def _post_form(item, user, site: str, last) -> None:
    status = st.radio("WordPress status", list(STATUS_LABELS), format_func=STATUS_LABELS.get, horizontal=True,
                      key=f"publish_status_{item.id}")
    when = None
    if status == "future":
        zone = "time zone unknown"
        with friendly_errors("Reading the site's time zone"):
            zone = wordpress.site_time_zone(engine(), site)
        # A bare time is the site's local time (core sends WordPress date_gmt for it).
        when = st.datetime_input(f"Publish at (site time, {zone})", value=dt.datetime.now() + dt.timedelta(days=1),
                                 key=f"publish_when_{item.id}")
    choices = st.session_state.get(f"publish_choices_{site}")
    if choices is None and st.button("Load categories, tags and authors", key=f"publish_load_{item.id}"):
        with friendly_errors("Loading from the site"):
            choices = st.session_state[f"publish_choices_{site}"] = wordpress.site_choices(engine(), site)
    if st.button("Check the slug on the site", key=f"publish_slug_{item.id}"):
        with friendly_errors("Checking the slug"):
            taken = wordpress.slug_warnings(engine(), user, item.id, site)
            for warning in taken:
                st.warning(md(warning))
            if not taken:
                st.success(md(f"No other post on {site} uses the slug {item.data_json['meta']['slug']!r}."))
    choices = choices or {"categories": [], "tags": [], "authors": []}
    categories = st.multiselect("Categories (type to add new ones)", choices["categories"], accept_new_options=True,
                                key=f"publish_categories_{item.id}")
    tags = st.multiselect("Tags (type to add new ones)", choices["tags"], accept_new_options=True,
                          key=f"publish_tags_{item.id}")
    authors = {author_id: name for author_id, name in choices["authors"]}
    author = st.selectbox("Author", [None, *authors], format_func=lambda a: authors.get(a, "The site user"),
                          key=f"publish_author_{item.id}")
    retry = last is not None and last.state == "failed"
    label = "Retry" if retry else "Update the post" if last is not None and last.remote_id else "Publish"
    if st.button(label, type="primary", key=f"publish_go_{item.id}"):
        options = wordpress.PublishOptions(status=status, date=when,
                                           categories=categories, tags=tags, author=author)
        with friendly_errors("Publishing"), st.spinner(f"Sending to {site}…"):
            result = wordpress.publish(engine(), user, item.id, site, options)
            _done(item.id, f"{'Created' if result.created else 'Updated'} post {result.remote_id} "
                           f"({result.remote_status}): {result.url}", result.warnings)


def _product_form(item, user, site: str, last) -> None:
    known_id, sku = product_target(engine(), item.id)
    default = last.remote_id if last and last.remote_id else known_id
    product_id = st.number_input("WooCommerce product id", min_value=1, step=1, value=default,
                                 key=f"publish_product_{item.id}",
                                 help="Filled in from the imported row's ID when the item came from a store export.")
    if not product_id and sku:
        st.caption(f"No id: the product with the SKU **{md(sku)}** is updated.")
    if st.button("Update the WooCommerce product", type="primary", key=f"publish_product_go_{item.id}",
                 disabled=not (product_id or sku)):
        with friendly_errors("Updating the product"), st.spinner(f"Sending to {site}…"):
            result = wordpress.push_product(engine(), user, item.id, site, int(product_id) if product_id else None)
            _done(item.id, f"Updated product {result.remote_id}: {result.url}", result.warnings)


def _done(item_id: int, message: str, warnings: list[str]) -> None:
    st.session_state[f"publish_flash_{item_id}"] = (message, warnings)
    st.rerun()


def _links_section(item, user, site: str) -> None:
    st.markdown("**Internal links**")
    chosen = [InternalLink.model_validate(link) for link in item.data_json.get("internal_links") or []]
    if chosen:
        st.caption("Inserted when publishing: " + md(", ".join(chosen_link.title for chosen_link in chosen)))
    key = f"publish_suggestions_{item.id}_{site}"
    if st.button("Suggest links from the site's posts", key=f"publish_suggest_{item.id}"):
        with friendly_errors("Suggesting links"):
            st.session_state[key] = wordpress.suggest_links(engine(), item, site)
    suggestions = st.session_state.get(key)
    if suggestions is None:
        return
    if not suggestions:
        st.info("No published post on the site matches this item.")
        return
    picked = st.multiselect("Links to insert", range(len(suggestions)), default=list(range(len(suggestions))),
                            format_func=lambda i: suggestions[i].title, key=f"publish_pick_{item.id}")
    if st.button("Insert the chosen links", key=f"publish_insert_{item.id}"):
        with friendly_errors("Saving the links"):
            wordpress.save_internal_links(engine(), user, item.id, [suggestions[i].as_link() for i in picked])
            _done(item.id, f"{len(picked)} internal link(s) will be inserted when the item is published.", [])


def bulk_publish_panel(user) -> None:
    """Publish every approved blog post to one site, reporting each item's result."""
    if not allowed(user.role, "publish"):
        return
    sites = [site.name for site in wordpress.list_sites(engine())]
    approved = list_items(engine(), ItemFilter(type="content", status="approved"))
    if not sites or not approved:
        st.caption("Bulk publishing needs a connected site and approved blog posts.")
        return
    cols = st.columns([2, 2, 1])
    site = cols[0].selectbox("Site", sites, key="publish_bulk_site")
    status = cols[1].selectbox("WordPress status", ["draft", "publish"], format_func=STATUS_LABELS.get,
                               key="publish_bulk_status")
    if cols[2].button(f"Publish all approved ({len(approved)})", key="publish_bulk_go"):
        with friendly_errors("Bulk publishing"), st.spinner(f"Publishing {len(approved)} items to {site}…"):
            outcomes = wordpress.publish_many(engine(), user, [i.id for i in approved], site,
                                              wordpress.PublishOptions(status=status))
            st.session_state["publish_bulk_report"] = [
                {"Item": f"#{o.item_id}", "Result": "published" if o.ok else "failed", "Link or reason": o.url or o.error}
                for o in outcomes]
    report = st.session_state.get("publish_bulk_report")
    if report:
        failed = sum(row["Result"] == "failed" for row in report)
        (st.warning if failed else st.success)(f"{len(report) - failed} published, {failed} failed.")
        st.dataframe(pd.DataFrame(report), hide_index=True, width="stretch")
