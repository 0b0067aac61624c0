"""Library: every item in a filterable table; item view with versions, diff, workflow and audit trail."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import workflow
from core.auth import allowed
from core.brand.apply import item_scores, reasons_now, score_label
from core.i18n import N_, _
from core.library import ItemFilter, authors, list_items, version_diff
from core.schemas import LANGUAGES, RTL_LANGUAGES
from core.images import item_policy
from core.seo import sanitize_html
from ui import formats, item_editor, labels
from ui.common import current_user, engine, friendly_errors
from ui.direction import isolate
from ui.plain import md
from ui.publish_panel import bulk_publish_panel, publish_panel, show_remote_status

EDIT_PREFIX = "library"
user = current_user()
st.title(_("Library"))


def filters() -> ItemFilter:
    """The filter row above the table."""
    cols = st.columns([1, 1, 1.3, 1, 1.6, 1.6])
    kind = cols[0].selectbox(_("Type"), ["", "content", "product"], key="library_type",
                             format_func=lambda v: _(TYPE_LABELS[v]) if v else _("All"))
    status = cols[1].selectbox(_("Status"), ["", *workflow.STATUSES], key="library_status",
                               format_func=lambda v: labels.status(v) if v else _("All"))
    author = cols[2].selectbox(_("Author"), ["", *authors(engine())], key="library_author",
                               format_func=lambda v: v or _("Anyone"))
    language = cols[3].selectbox(_("Language"), ["", *LANGUAGES], key="library_language",
                                 format_func=lambda v: labels.language_name(v) if v else _("All"))
    dates = cols[4].date_input(_("Created"), value=(), key="library_dates")
    search = cols[5].text_input(_("Search titles"), key="library_search")
    since = until = None
    if len(dates) == 2:
        since = dt.datetime.combine(dates[0], dt.time(), dt.timezone.utc)
        until = dt.datetime.combine(dates[1] + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
    return ItemFilter(type=kind or None, status=status or None, author=author or None, language=language or None,
                      since=since, until=until, search=search)


def item_table(items) -> int | None:
    """The items as a table, and the id the user opens."""
    # The date next to the title: at the far end it was off the table's visible width, and in fa a cell cut off
    # there shows the time (its left side), not the date.
    scores, voice = item_scores(engine(), [i.id for i in items]), _("Brand voice")
    frame = pd.DataFrame([{_("ID"): i.id, _("Title"): i.title, _("Updated"): formats.stamp(i.updated_at),
                           _("Type"): _(TYPE_LABELS[i.type]), _("Status"): labels.status(i.status),
                           voice: scores[i.id].score if i.id in scores else None,
                           _("Author"): i.author, _("Language"): i.language, _("Warnings"): " ".join(i.warnings or [])}
                          for i in items])
    # A number column, so a click on its header sorts the items by how close they are to their voice.
    st.dataframe(frame, hide_index=True, width="stretch", column_config={voice: st.column_config.ProgressColumn(
        voice, min_value=0, max_value=100, format="%d", help=_("Brand voice consistency, 0–100; empty when the "
                                                                "item has no brand voice or is too short to score"))})
    return st.selectbox(_("Open item"), [i.id for i in items], key="library_open",
                        format_func=lambda i: f"#{i} {isolate(next(x.title for x in items if x.id == i))}")


TYPE_LABELS = {"content": N_("Blog post"), "product": N_("Product")}
BUTTONS = {"in_review": N_("Submit for review"), "approved": N_("Approve"), "rejected": N_("Reject")}
TOASTS = {"in_review": N_("Item #{id}: submitted for review"), "approved": N_("Item #{id}: approved"),
          "rejected": N_("Item #{id}: rejected")}


def workflow_actions(item) -> None:
    """Only the buttons this user may press for this item now, then publishing."""
    targets = [t for t in workflow.next_statuses(user, item) if t in BUTTONS]
    editable = workflow.can_edit(user, item)
    if "rejected" in targets:
        st.text_input(_("Comment (required to reject)"), key=f"library_comment_{item.id}")
    cols = st.columns(len(targets) + 2)
    for col, target in zip(cols, targets):
        if col.button(_(BUTTONS[target]), key=f"library_{target}_{item.id}", type="primary" if target != "rejected"
                      else "secondary"):
            with friendly_errors(_(BUTTONS[target])):
                workflow.transition(engine(), user, item.id, target,
                                    st.session_state.get(f"library_comment_{item.id}", ""))
                st.toast(_(TOASTS[target]).format(id=item.id))
                st.rerun()
    if editable and st.session_state.get("library_editing") != item.id:
        label, icon = (_("Revise"), ":material/edit_note:") if item.status == "rejected" else \
            (_("Edit"), ":material/edit:")
        cols[len(targets)].button(label, key=f"library_edit_{item.id}", icon=icon, on_click=start_edit, args=(item,))
    with cols[-1]:
        publish_section(item)


def start_edit(item) -> None:
    """Button callback: open the item in the editor, before its fields are drawn."""
    item_editor.open_item(EDIT_PREFIX, item)
    st.session_state["library_editing"] = item.id


def edit_view(item) -> None:
    """The Studio/Product Writer editor on a saved item; saving adds a version."""
    if item.status == "rejected" and (reason := workflow.rejection_reason(engine(), item.id)):
        st.warning(_("Rejected by {who}: “{comment}”. Revise it, save, then submit it for review again.").format(
            who=reason.actor, comment=md(reason.comment)))
    if st.button(_("Close the editor"), key="library_close_editor", icon=":material/close:"):
        st.session_state.pop("library_editing", None)
        st.rerun()
    item_editor.edit(EDIT_PREFIX, st.session_state[f"{EDIT_PREFIX}_request"], item.id, user)


def publish_section(item) -> None:
    """Publishing to WordPress, for approved items."""
    if item.status in {"approved", "published"} and allowed(user.role, "publish"):
        publish_panel(item, user)


def item_view(item_id: int) -> None:
    """One item: content, workflow, versions with a diff, and the audit trail."""
    item = workflow.get_item(engine(), item_id, viewer=user)
    st.subheader(f"#{item.id} {md(isolate(item.title))}")
    brand = item_scores(engine(), [item.id]).get(item.id)
    parts = [labels.status(item.status), _(TYPE_LABELS.get(item.type, item.type)), labels.language_name(item.language),
             _("by {author}").format(author=item.author)]
    if brand:
        parts.append(_("brand voice “{profile}” {score}").format(profile=brand.profile_name,
                                                                 score=score_label(brand.score)))
    st.caption(" · ".join(parts))
    if brand and (differences := reasons_now(engine(), brand, item)):
        st.caption(_("Biggest differences from the voice: {list}").format(list=md("; ".join(differences))))
    if item.warnings:
        st.warning(_("Needs review: {reasons}").format(reasons=md(" ".join(item.warnings))))
    show_remote_status(item.id)
    workflow_actions(item)
    if st.session_state.get("library_editing") == item.id:
        edit_view(item)
        return
    content, history, audit = st.tabs([_("Content"), _("Versions"), _("Audit trail")])
    with content:
        body = item.data_json.get("body_html") or item.data_json.get("description_html", "")
        direction = "rtl" if item.language in RTL_LANGUAGES else "ltr"
        st.html(f'<div dir="{direction}" lang="{item.language}">'
                f'{sanitize_html(body, item_policy(engine(), item.request_json))}</div>')
        st.json({k: v for k, v in item.data_json.items() if k not in {"body_html", "description_html"}},
                expanded=False)
    with history:
        versions_view(item.id)
    with audit:
        entries = workflow.audit_trail(engine(), item.id)
        if not entries:
            st.info(_("No workflow steps yet. Submit the item for review to start."))
        else:
            st.dataframe(pd.DataFrame([{_("When"): formats.when(e.created_at), _("Who"): e.actor,
                                        _("From"): labels.status(e.from_status), _("To"): labels.status(e.to_status),
                                        _("Comment"): e.comment, _("How"): e.via or _("dashboard")}
                                       for e in entries]),
                         hide_index=True, width="stretch")


def versions_view(item_id: int) -> None:
    """Version history and a diff between any two versions."""
    saved = workflow.versions(engine(), item_id)
    st.dataframe(pd.DataFrame([{_("Version"): v.version, _("Saved"): formats.when(v.created_at),
                                _("By"): v.created_by, _("Note"): v.note} for v in saved]),
                 hide_index=True, width="stretch")
    if len(saved) < 2:
        st.caption(_("Edit and save the item to create another version to compare."))
        return
    numbers = [v.version for v in saved]
    left, right = st.columns(2)
    old = left.selectbox(_("Compare version"), numbers, index=len(numbers) - 2, key=f"library_old_{item_id}")
    new = right.selectbox(_("with version"), numbers, index=len(numbers) - 1, key=f"library_new_{item_id}")
    diffs = version_diff(saved[numbers.index(old)].data_json, saved[numbers.index(new)].data_json)
    if not diffs:
        st.info(_("These versions are identical."))
    for field, diff in diffs.items():
        st.markdown(f"**{field}**")
        st.code(diff, language="diff")


with st.expander(_("Publish all approved posts")):
    bulk_publish_panel(user)
items = list_items(engine(), filters(), viewer=user)
if not items:
    st.info(_("No items match. Generate a post in the Content Studio, or clear the filters."))
else:
    chosen = item_table(items)
    if chosen is not None:
        item_view(chosen)
