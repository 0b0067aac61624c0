"""Brand voice: profiles trained from the team's own writing, their analysis, the voice and a live check."""

import pandas as pd
import plotly.express as px
import streamlit as st
from pydantic import ValidationError

from core.brand import profiles, sources, training
from core.brand.profiles import SENTENCE_LENGTHS, VOCABULARY_LEVELS, VoiceFields
from core.brand.scoring import no_reference_reason, score_text
from core.brand.wordpress_import import MAX_POSTS, from_wordpress
from core.errors import ContentCraftError, explain_validation_error
from core.i18n import N_, _, ngettext
from core.schemas import LANGUAGES
from core.text import cut
from core.wordpress.sites import list_sites
from ui import formats, labels
from ui.common import current_user, engine, friendly_errors, generator
from ui.plain import md

LANGUAGE_CHOICES = ["auto", *LANGUAGES]
LIST_FIELDS = ("rules_do", "rules_dont", "preferred_words", "banned_words")
SENTENCES = {"short": N_("short"), "medium": N_("medium"), "long": N_("long")}
UNITS = {"words": N_("words"), "characters": N_("characters")}

user = current_user()
st.title(_("Brand voice"))
st.caption(_("Teach ContentCraft how your team writes. Profiles named in a request shape the prompt, and every "
             "generated item gets a 0–100 consistency score against the profile's samples."))


def language_label(code: str) -> str:
    return _("Detect automatically") if code == "auto" else f"{labels.language_name(code)} ({code})"


def pick_profile() -> profiles.BrandProfile | None:
    """The profile selector and the form that creates a new one."""
    existing = profiles.list_profiles(engine())
    with st.expander(_("New profile"), expanded=not existing):
        with st.form("brand_new_form", clear_on_submit=True):
            name = st.text_input(_("Name"), key="brand_new_name", placeholder=_("e.g. House style"))
            language = st.selectbox(_("Main language"), list(LANGUAGES), key="brand_new_language",
                                    format_func=language_label)
            if st.form_submit_button(_("Create profile")):
                with friendly_errors(_("Creating the profile")):
                    created = profiles.create_profile(engine(), user.email, name, VoiceFields(language=language))
                    st.session_state["brand_selected"] = created.id
                    st.rerun()
    if not existing:
        st.info(_("No brand profiles yet: create one above, then add samples of your writing."))
        return None
    ids = [p.id for p in existing]
    if st.session_state.get("brand_selected") not in ids:
        st.session_state["brand_selected"] = ids[0]
    chosen = st.selectbox(_("Profile"), ids, key="brand_selected", format_func=lambda i: _title(existing, i))
    return next(p for p in existing if p.id == chosen)


def _title(existing, profile_id: int) -> str:
    profile = next(p for p in existing if p.id == profile_id)
    parts = [profile.name, f"v{profile.version}", *([_("default")] if profile.is_default else [])]
    return " · ".join(parts)


def profile_actions(profile) -> None:
    """Make default and delete."""
    left, right = st.columns(2)
    if left.button(_("Make default"), key="brand_make_default", disabled=profile.is_default):
        with friendly_errors(_("Changing the default")):
            profiles.set_default(engine(), user.email, profile.id)
            st.rerun()
    if right.checkbox(_("Allow deleting this profile"), key=f"brand_allow_delete_{profile.id}"):
        if right.button(_("Delete profile"), key="brand_delete", type="secondary"):
            with friendly_errors(_("Deleting the profile")):
                profiles.delete_profile(engine(), user.email, profile.id)
                st.session_state.pop("brand_selected", None)
                st.rerun()


def samples_tab(profile) -> None:
    """Add samples by pasting or uploading, and list the stored ones."""
    with st.form("brand_paste_form", clear_on_submit=True):
        text = st.text_area(_("Paste writing (a line of --- separates several samples)"), key="brand_paste_text",
                            height=180)
        language = st.selectbox(_("Language"), LANGUAGE_CHOICES, key="brand_paste_language",
                                format_func=language_label)
        if st.form_submit_button(_("Add pasted samples")):
            _add(profile, lambda: sources.from_paste(text, None if language == "auto" else language))
    files = st.file_uploader(_("Or upload .txt, .md, .html or .csv files (CSV: one sample per row)"),
                             type=list(sources.UPLOAD_TYPES), accept_multiple_files=True, key="brand_files")
    if files and st.button(_("Add uploaded files"), key="brand_add_files"):
        _add(profile, lambda: [s for f in files for s in sources.from_upload(f.name, f.getvalue())])
    wordpress_section(profile)
    stored = profiles.samples(engine(), profile.id)
    if not stored:
        st.info(_("No samples yet. Add at least {minimum} words in each language you write in; {best} or more make "
                  "the consistency score most reliable.").format(minimum=formats.number(600),
                                                                 best=formats.number(2000)))
        return
    frame = pd.DataFrame([{_("ID"): s.id, _("Language"): s.language, _("Source"): s.source,
                           _("Length"): _length(s), _("Beginning"): cut(s.text, 90, "…")} for s in stored])
    st.dataframe(frame, hide_index=True, width="stretch")
    doomed = st.selectbox(_("Remove a sample"), [None, *(s.id for s in stored)], key="brand_remove_sample",
                          format_func=lambda i: "—" if i is None else f"#{i}")
    if doomed is not None and st.button(_("Remove"), key="brand_remove_button"):
        with friendly_errors(_("Removing the sample")):
            profiles.delete_sample(engine(), user.email, int(doomed))
            st.rerun()


def _length(sample) -> str:
    count, unit = profiles.sample_length(sample.text, sample.language)
    if unit == "characters":
        return ngettext("{count} character", "{count} characters", count).format(count=formats.number(count))
    return ngettext("{count} word", "{count} words", count).format(count=formats.number(count))


def wordpress_section(profile) -> None:
    """Import the latest published posts of a connected WordPress site."""
    sites = [site.name for site in list_sites(engine())]
    if not sites:
        st.caption(_("Connect a WordPress site in Settings → Sites to import its published posts as samples."))
        return
    cols = st.columns([2, 1, 1])
    site = cols[0].selectbox(_("WordPress site"), sites, key="brand_wp_site")
    count = cols[1].number_input(_("Latest posts"), 1, MAX_POSTS, 10, key="brand_wp_count")
    cols[2].write("")
    if cols[2].button(_("Import posts"), key="brand_wp_import"):
        with st.spinner(_("Fetching posts from {site}…").format(site=site)):
            _add(profile, lambda: from_wordpress(engine(), site, int(count)))


def _add(profile, build) -> None:
    with friendly_errors(_("Adding samples")):
        added = profiles.add_samples(engine(), user.email, profile.id, build())
        st.success(ngettext("Added {count} sample. Train or save the profile to use it.",
                            "Added {count} samples. Train or save the profile to use them.", added).format(count=added))


def analysis_tab(profile) -> None:
    """The figures computed from the samples, per language."""
    figures = profiles.analyze_samples(profiles.samples(engine(), profile.id))
    if not figures:
        st.info(_("Add samples to see their analysis."))
        return
    st.caption(_("Measured in code from the current samples; scoring uses the samples as of the last save."))
    for language, fig in figures.items():
        st.subheader(labels.language_name(language))
        cols = st.columns(4)
        unit = labels.label(UNITS, fig.unit)
        cols[0].metric(_("Sentence length"), "{} ± {}".format(formats.number(fig.sentence_length_mean, 1),
                                                                formats.number(fig.sentence_length_sd, 1)),
                       help=_("Average and spread, in {unit}").format(unit=unit))
        cols[1].metric(_("Readability grade"), _("n/a") if fig.readability_grade is None
                       else formats.number(fig.readability_grade, 1))
        cols[2].metric(_("Type-token ratio"), formats.number(fig.type_token_ratio, 2))
        cols[3].metric(_("Sentences"), formats.number(fig.sentences))
        cols = st.columns(4)
        cols[0].metric(_("I/we per 100 {unit}").format(unit=unit), formats.number(fig.first_person_rate, 1))
        cols[1].metric(_("You per 100 {unit}").format(unit=unit), formats.number(fig.second_person_rate, 1))
        cols[2].metric(_("Questions"), formats.percent(fig.question_rate / 100, 0))
        cols[3].metric(_("Exclamations"), formats.percent(fig.exclamation_rate / 100, 0))
        top = list(fig.function_words.items())[:15]
        if top:
            word, rate = _("word"), _("per 1000")
            chart = px.bar(pd.DataFrame(top, columns=[word, rate]), x=word, y=rate, title=_("Function-word profile"))
            st.plotly_chart(chart, key=f"brand_chart_{language}")
        phrases = md(", ".join(f"“{p}”" for p in fig.phrases)) or _("none repeated yet")
        st.markdown(_("**Frequent phrases:** {phrases}").format(phrases=phrases))


def load_form(fields: VoiceFields, marker) -> None:
    """Put a profile's (or a training proposal's) values into the voice form's widgets."""
    for name, value in fields.model_dump().items():
        st.session_state[f"brand_f_{name}"] = "\n".join(value) if name in LIST_FIELDS else \
            "\n---\n".join(value) if name == "examples" else value
    st.session_state["brand_form_for"] = marker


def voice_tab(profile) -> None:
    """Train with the model, review and edit the proposal, save it as a new version."""
    marker = (profile.id, profile.version)
    if st.session_state.get("brand_form_for") != marker:
        load_form(VoiceFields.of(profile), marker)
    if st.button(_("Write the voice from the samples with AI"), key="brand_train", type="primary"):
        with st.spinner(_("Analysing the samples and asking the model…")), friendly_errors(_("Training")):
            result = training.train(generator(), profile.id, user.email)
            load_form(result.fields, marker)
            st.success(_("Proposal from {model}: review it below and save.").format(
                model=md(f"{result.provider}/{result.model}")))
    with st.form("brand_voice_form"):
        cols = st.columns(4)
        cols[0].selectbox(_("Language"), list(LANGUAGES), key="brand_f_language", format_func=language_label)
        cols[1].text_input(_("Tone"), key="brand_f_tone")
        cols[2].selectbox(_("Vocabulary"), VOCABULARY_LEVELS, key="brand_f_vocabulary_level",
                          format_func=lambda level: labels.label(labels.VOCABULARY, level))
        cols[3].selectbox(_("Sentences"), SENTENCE_LENGTHS, key="brand_f_sentence_length",
                          format_func=lambda length: labels.label(SENTENCES, length))
        st.text_area(_("Voice description"), key="brand_f_description", height=120)
        left, right = st.columns(2)
        left.text_area(_("Do (one rule per line)"), key="brand_f_rules_do")
        right.text_area(_("Don't (one rule per line)"), key="brand_f_rules_dont")
        left.text_area(_("Preferred words (one per line)"), key="brand_f_preferred_words")
        right.text_area(_("Banned words (one per line)"), key="brand_f_banned_words")
        st.text_area(_("Example passages (separate with a line of ---)"), key="brand_f_examples", height=150)
        st.text_area(_("Extra prompt instructions (may use {variables})").format(
            variables="$topic, $keywords, $language, $tone"), key="brand_f_prompt_template")
        note = st.text_input(_("What changed (optional)"), key="brand_f_note")
        if st.form_submit_button(_("Save as new version"), type="primary"):
            save(profile, note)


def save(profile, note: str) -> None:
    """Validate the form and store it as the next version."""
    values = {name: st.session_state[f"brand_f_{name}"] for name in VoiceFields.model_fields}
    values["examples"] = [e.strip() for e in values["examples"].split("\n---\n") if e.strip()]
    with friendly_errors(_("Saving the profile")):
        try:
            fields = VoiceFields.model_validate(values)
        except ValidationError as exc:
            raise ContentCraftError(_("Please fix the form: {problems}").format(
                problems=explain_validation_error(exc))) from None
        saved = profiles.save_version(engine(), user.email, profile.id, fields, note or "edited")
        st.session_state["brand_saved"] = saved.version
        st.rerun()


def check_tab(profile) -> None:
    """Score any text against the profile, as generated items are scored."""
    with st.form("brand_check_form"):
        text = st.text_area(_("Text to check"), key="brand_check_text", height=160)
        language = st.selectbox(_("Language"), list(LANGUAGES), key=f"brand_check_language_{profile.id}",
                                format_func=language_label, index=list(LANGUAGES).index(profile.language))
        checked = st.form_submit_button(_("Score it"))
    if not checked:
        return
    reference = profile.references.get(language)
    if reference is None:
        st.info(formats.sentence(no_reference_reason(language)) + ".")
        return
    score, reasons = score_text(reference, text, profile.banned_words)
    if score is None:
        st.warning(formats.sentence(reasons[0]) + ".")
        return
    st.metric(_("Consistency"), "{}/{}".format(formats.number(score), formats.number(100)))
    st.caption(_("A typical passage of your own samples scores about {typical}; {low} or less reads unlike them.")
               .format(typical=formats.number(98), low=formats.number(50)))
    for reason in reasons:
        st.markdown(f"- {formats.sentence(reason)}")
    if not reasons:
        st.markdown("- " + _("Reads like your own samples: nothing stands out."))


def versions_tab(profile) -> None:
    """Every saved version."""
    rows = [{_("Version"): v.version, _("Note"): v.note, _("By"): v.created_by, _("Saved"): formats.when(v.created_at)}
            for v in profiles.versions(engine(), profile.id)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


profile = pick_profile()
if profile is not None:
    if saved := st.session_state.pop("brand_saved", None):
        st.success(_("Saved version {version}. New generations with this profile use it.").format(version=saved))
    profile_actions(profile)
    tabs = st.tabs([_("Samples"), _("Analysis"), _("Voice"), _("Check a text"), _("Versions")])
    for tab, draw in zip(tabs, (samples_tab, analysis_tab, voice_tab, check_tab, versions_tab)):
        with tab:
            draw(profile)
