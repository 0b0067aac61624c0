"""What the Studio and the Product Writer share: streaming, field state, regeneration, saving."""

import logging
import threading
from collections.abc import Callable

import streamlit as st
from pydantic import BaseModel

from core import editing, sections, workflow
from core.brand.profiles import list_profiles
from core.errors import ContentCraftError
from core.language import weak_language_note
from core.models import User
from core.pipeline import SAVED_STATUSES, Request
from core.schemas import LANGUAGES, RTL_LANGUAGES, ContentResponse
from core.i18n import _
from core.images import ImagePolicy, dropped_warning, policy_for
from core.seo import META_MAX, META_MIN, SEO_TITLE_MAX
from core.streaming import ChunkStream, redraws
from core.text import grapheme_len
from ui import formats, labels
from ui.common import engine, friendly_errors, generator
from ui.direction import rtl_fields
from ui.plain import md

NO_BRAND = ""
LONG_SECTIONS = {"body", "description"}  # worth watching the model write them


def field_key(prefix: str, name: str) -> str:
    """The session_state key of an editor field."""
    return f"{prefix}_f_{name}"


def language_option(code: str) -> str:
    """How a language appears in the selectboxes."""
    return f"{labels.language_name(code)} ({code})"


def brand_profile_select(prefix: str) -> str | None:
    """A selectbox of the brand profiles, the default one preselected."""
    profiles = list_profiles(engine())
    if not profiles:
        st.caption(_("No brand profiles yet: an editor can train one on the Brand voice page."))
        return None
    names = [NO_BRAND] + [profile.name for profile in profiles]
    default = 1 if profiles[0].is_default else 0
    choice = st.selectbox(_("Brand profile"), names, index=default, key=f"{prefix}_brand", persist_state="session",
                          format_func=lambda name: name or _("No brand profile"))
    return choice or None


def _cancel(prefix: str, cancel: threading.Event) -> None:
    cancel.set()
    st.session_state[f"{prefix}_cancelled"] = True


def stream_generation(prefix: str, request: Request, user: User, use_cache: bool = True) -> ContentResponse:
    """Generate with a progress label per step ("Writing section 3 of 5…") and a cancel button."""
    cancel = threading.Event()
    st.button(_("Cancel"), key=f"{prefix}_cancel", icon=":material/stop:", on_click=_cancel, args=(prefix, cancel),
              help=_("Stop before the next section; nothing is saved."))
    with st.status(_("Writing…"), expanded=True) as status:
        bar = st.progress(0.0)
        stream = ChunkStream(lambda emit: generator().generate(
            request, user.email, use_cache=use_cache, cancel=cancel,
            on_progress=lambda message, fraction: emit((message, fraction))))
        for message, fraction in stream:
            status.update(label=message)
            bar.progress(min(max(fraction, 0.0), 1.0))
        result = stream.result
        outcomes = {"succeeded": (_("Done"), "complete"), "needs_review": (_("Done: needs review"), "complete")}
        label, state = outcomes.get(result.status, (_("Failed"), "error"))
        status.update(label=label, state=state, expanded=False)
    return result


def show_cancelled(prefix: str) -> None:
    """Say that the last generation was cancelled, once."""
    if st.session_state.pop(f"{prefix}_cancelled", False):
        st.info(_("Cancelled: the model stops before its next section and nothing is saved."))


def _ask_new_version(prefix: str) -> None:
    st.session_state[f"{prefix}_new_version"] = True


def new_version_button(prefix: str) -> None:
    """Write the same request again, bypassing the cache (an identical request otherwise returns the cached text)."""
    st.button(_("Write a new version"), key=f"{prefix}_new_version_button", icon=":material/autorenew:",
              on_click=_ask_new_version, args=(prefix,),
              help=_("Ask the model again with the same inputs instead of reusing the cached result."))


def new_version_wanted(prefix: str) -> bool:
    """True once after the "Write a new version" button was pressed for a request still on screen."""
    return bool(st.session_state.pop(f"{prefix}_new_version", False)) and f"{prefix}_request" in st.session_state


def model_in_use() -> str | None:
    """The model the next generation uses, for notes about its strengths; None if it cannot be told."""
    try:
        return generator().chain(None, None)[0].model
    except ContentCraftError:
        return None


def language_picker(container, prefix: str) -> str:
    """The language selectbox, marking the languages the configured model is known to write poorly."""
    model = model_in_use()
    weak = {code: weak_language_note(model, code) for code in LANGUAGES}
    choice = container.selectbox(_("Language"), list(LANGUAGES), key=f"{prefix}_language", persist_state="session",
                                 format_func=lambda code: _("{language} · weak model").format(
                                     language=language_option(code)) if weak[code] else language_option(code))
    if note := weak.get(choice):
        container.caption(f":orange[{note}]")
    elif any(weak.values()):
        container.caption(_("Languages marked “weak model” are poorly written by {model}.").format(model=model))
    return choice


def start_editing(prefix: str, request: Request, response: ContentResponse) -> None:
    """Keep a fresh result and fill the editor fields with it."""
    st.session_state[f"{prefix}_result"], st.session_state[f"{prefix}_request"] = response, request
    st.session_state[f"{prefix}_notice"] = None
    if response.status in SAVED_STATUSES:
        data = getattr(response, response.type).model_dump(mode="json")
        st.session_state[f"{prefix}_saved"], st.session_state[f"{prefix}_regenerated"] = data, []
        st.session_state[f"{prefix}_hand"] = set()
        st.session_state[f"{prefix}_keep_images"] = request.keep_external_images
        load_fields(prefix, data)


def load_fields(prefix: str, data: dict) -> None:
    """Put data (whole or the part a regeneration returned) into the editor fields."""
    fields = editing.to_fields(data)
    if "title" in fields and "seo_title" not in fields:  # a new title alone: keep its followers in step
        _follow_title(prefix, fields["title"])
    for name, value in fields.items():
        st.session_state[field_key(prefix, name)] = value
    if "title" in fields:
        st.session_state[f"{prefix}_title_was"] = fields["title"]


def _follow_title(prefix: str, title: str) -> None:
    current = {name: st.session_state.get(field_key(prefix, name), "") for name in ("seo_title", "slug")}
    updates = editing.follow_title({**current, "title": title}, st.session_state.get(f"{prefix}_title_was", ""),
                                   st.session_state.get(f"{prefix}_hand", set()))
    for name, value in updates.items():
        st.session_state[field_key(prefix, name)] = value
    st.session_state[f"{prefix}_title_was"] = title


def _title_changed(prefix: str) -> None:
    _follow_title(prefix, st.session_state.get(field_key(prefix, "title"), ""))


def _set_by_hand(prefix: str, name: str) -> None:
    st.session_state.setdefault(f"{prefix}_hand", set()).add(name)


def title_field(prefix: str, label: str) -> None:
    """The title; the SEO title and slug follow it until the user edits them."""
    st.text_input(label, key=field_key(prefix, "title"), persist_state="session", on_change=_title_changed,
                  args=(prefix,), help=_("The SEO title and the slug follow the title until you edit them."))


def slug_field(prefix: str) -> None:
    """The URL slug; once edited it no longer follows the title."""
    st.text_input(_("Slug"), key=field_key(prefix, "slug"), persist_state="session", on_change=_set_by_hand,
                  args=(prefix, "slug"), help=_("Lower-case words joined by hyphens; tidied up when you save."))


def text_direction(prefix: str, language: str) -> None:
    """Right-to-left editor fields for Persian and Arabic (slug and JSON-LD stay left-to-right)."""
    if language in RTL_LANGUAGES:
        names = dict.fromkeys(name for name in (*editing.CONTENT_FIELDS, *editing.PRODUCT_FIELDS)
                              if name not in {"slug", "schema_ld_json"})
        rtl_fields([field_key(prefix, name) for name in names])


def form_direction(prefix: str, keys: list[str]) -> None:
    """Right-to-left request fields while the form's last chosen language is Persian or Arabic."""
    if st.session_state.get(f"{prefix}_language") in RTL_LANGUAGES:
        rtl_fields(keys)


def current_fields(prefix: str, names: tuple[str, ...]) -> dict[str, str]:
    """The editor fields as the user has them now."""
    return {name: st.session_state.get(field_key(prefix, name), "") for name in names}


def show_origin(response: ContentResponse) -> bool:
    """The result's headline: where it is saved and who wrote it, or why it failed."""
    if response.status not in SAVED_STATUSES:
        if retry_after := getattr(response, "retry_after", None):
            st.error(_("Generation failed: {error} Wait {seconds} s and try again.").format(
                error=md(response.error), seconds=formats.number(retry_after, 0)))
        else:
            st.error(_("Generation failed: {error}").format(error=md(response.error)))
        return False
    origin = _("from cache") if response.cache_hit else md(f"{response.provider} / {response.model}")  # as it answered
    if response.status == "needs_review":
        st.warning(_("Saved as draft #{id} · {origin}, but it needs review: {reasons} Fix it below, or write a new "
                     "version.").format(id=response.item_id, origin=origin, reasons=md(" ".join(response.warnings))))
    else:
        st.success(_("Saved as draft #{id} · {origin} · {latency}. Edit anything below, then save a new version.")
                   .format(id=response.item_id, origin=origin, latency=formats.milliseconds(response.latency_ms)))
        for warning in response.warnings:
            st.warning(md(warning))
    if brand := response.brand_score:
        score = f"{brand.score}/100" if brand.score is not None else _("not scored")
        differences = "" if not brand.differences else " · " + md("; ".join(brand.differences))
        st.caption(_("Brand voice “{profile}” v{version}: {score}").format(
            profile=brand.profile, version=brand.version, score=score) + differences)
    return True


def ask_regeneration(prefix: str, section: str) -> None:
    """Button callback: regenerate this section at the top of the next run, before the fields are drawn."""
    st.session_state[f"{prefix}_pending"] = section


def regenerate_button(prefix: str, kind: str, section: str) -> None:
    """A small "regenerate" button for one section."""
    label = labels.label(labels.SECTIONS, sections.get_section(kind, section).label)
    st.button(_("Regenerate {section}").format(section=label), key=f"{prefix}_regen_{section}",
              icon=":material/refresh:", on_click=ask_regeneration, args=(prefix, section),
              help=_("Ask the model for a new {section}; review it, then save.").format(section=label))


def run_pending_regeneration(prefix: str, names: tuple[str, ...], user: User) -> None:
    """Regenerate the section a button asked for, and put the new value into its fields."""
    section = st.session_state.pop(f"{prefix}_pending", None)
    request = st.session_state.get(f"{prefix}_request")
    if not section or request is None:
        return
    spec = sections.get_section(sections.kind_of(request), section)
    data = editing.draft_data(current_fields(prefix, names))
    label = labels.label(labels.SECTIONS, spec.label)
    with friendly_errors(_("Regenerating the {section}").format(section=label)):
        writing = _("Writing a new {section}…").format(section=label)
        with st.status(writing, expanded=section in LONG_SECTIONS) as status:
            stream = ChunkStream(lambda on_chunk: sections.regenerate(generator(), request, data, section,
                                                                      user.email, on_chunk=on_chunk))
            show_stream(stream)
            status.update(label=_("New {section} ready").format(section=label), state="complete", expanded=False)
        new_fields = editing.to_fields(stream.result.updates)
        if all(st.session_state.get(field_key(prefix, name)) == value for name, value in new_fields.items()):
            st.session_state[f"{prefix}_notice"] = ("info", _("The model came back with the same {section}; try "
                                                              "again, or edit it yourself.").format(section=label))
            return
        load_fields(prefix, stream.result.updates)
        st.session_state[f"{prefix}_regenerated"].append(spec.label)
        notice = _("New {section} from {model}: review it, then save.").format(
            section=label, model=f"{stream.result.provider} / {stream.result.model}")
        st.session_state[f"{prefix}_notice"] = ("info", " ".join([notice, *stream.result.warnings]))


def show_stream(chunks) -> None:
    """The model's text as it arrives: plain text (never markdown), its tail redrawn at most 4 times a second."""
    box = st.empty()
    for text in redraws(chunks):
        box.code(text, language=None, wrap_lines=True)


def seo_title_field(prefix: str) -> None:
    """SEO title with a live counter against 60 characters."""
    # Counted in characters as readers see them (an emoji sequence is one); the browser's max_chars is not.
    length = grapheme_len(st.session_state.get(field_key(prefix, "seo_title"), ""))
    st.text_input(_("SEO title · {length}/{most}").format(length=length, most=SEO_TITLE_MAX),
                  key=field_key(prefix, "seo_title"), live=True,
                  persist_state="session", on_change=_set_by_hand, args=(prefix, "seo_title"))


def meta_desc_field(prefix: str) -> None:
    """Meta description with a live counter against 140–160 characters."""
    length = grapheme_len(st.session_state.get(field_key(prefix, "meta_desc"), ""))
    mark = "✓" if META_MIN <= length <= META_MAX else _("needs more") if length < META_MIN else _("needs less")
    st.text_input(_("Meta description · {length} of {low}–{high} ({mark})").format(
        length=length, low=META_MIN, high=META_MAX, mark=mark), key=field_key(prefix, "meta_desc"),
        live=True, persist_state="session")


def _keep_images_help() -> str:
    return _("Images from other hosts can track readers and leak what they read, so they are removed unless you "
             "keep them. Images on the connected WordPress sites always stay.")


def keep_images_choice(prefix: str) -> bool:
    """The generation form's choice to keep images from other hosts in the result."""
    return st.checkbox(_("Keep external images"), key=f"{prefix}_form_keep_images", persist_state="session",
                       help=_keep_images_help())


def keep_images_box(prefix: str) -> None:
    """The item's choice to keep images from hosts other than the connected sites."""
    st.checkbox(_("Keep external images"), key=f"{prefix}_keep_images", help=_keep_images_help())


def image_policy(prefix: str) -> ImagePolicy:
    """Which images the item's preview, save and publishing keep: the connected sites', others if kept."""
    return policy_for(engine(), bool(st.session_state.get(f"{prefix}_keep_images")))


def _save(prefix: str, user: User, item_id: int, names: tuple[str, ...], build: Callable[[dict], BaseModel]) -> None:
    """Save button callback: validate the fields, store a new version, show the normalised values."""
    try:
        fields, keep = current_fields(prefix, names), bool(st.session_state.get(f"{prefix}_keep_images"))
        data = build(fields).model_dump(mode="json")
        dropped = " ".join(dropped_warning(editing.dropped_images(fields, image_policy(prefix))))
        kept = workflow.set_keep_external_images(engine(), user, item_id, keep)
        changed = editing.changed_fields(st.session_state[f"{prefix}_saved"], data)
        if not changed:
            st.session_state[f"{prefix}_notice"] = ("info", _("Image choice saved.") if kept else
                                                    _("Nothing has changed since the last saved version."))
            return
        note = editing.version_note(changed, st.session_state[f"{prefix}_regenerated"])
        version = workflow.save_edit(engine(), user, item_id, data, note)
    except ContentCraftError as error:
        st.session_state[f"{prefix}_notice"] = ("error", str(error))
        return
    except Exception:  # the last line of defence: log it, show no internals
        logging.getLogger("contentcraft").exception("saving an edit failed")
        st.session_state[f"{prefix}_notice"] = ("error", _("{action} failed unexpectedly. Try again; if it keeps "
                                                           "failing, tell your admin.").format(action=_("Saving")))
        return
    st.session_state[f"{prefix}_saved"], st.session_state[f"{prefix}_regenerated"] = data, []
    load_fields(prefix, data)
    saved = _("Saved version {version} of #{id} ({note}). Find it in the Library.").format(
        version=version.version, id=item_id, note=note)
    st.session_state[f"{prefix}_notice"] = ("success", f"{saved} {dropped}".strip())


def save_button(prefix: str, user: User, item_id: int, names: tuple[str, ...],
                build: Callable[[dict], BaseModel]) -> None:
    """Save the edited fields to the Library as the item's next version."""
    st.button(_("Save new version"), key=f"{prefix}_save", type="primary", icon=":material/save:",
              on_click=_save, args=(prefix, user, item_id, names, build))


def show_notice(prefix: str) -> None:
    """The outcome of the last save or regeneration."""
    notice = st.session_state.get(f"{prefix}_notice")
    if notice:
        level, message = notice
        {"success": st.success, "error": st.error, "info": st.info}[level](md(message))
