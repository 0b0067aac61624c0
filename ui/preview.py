"""How an item reads: the sanitised preview and the SEO panel, shared by the Studio, Product Writer and Library."""

import html

import streamlit as st

from core.i18n import _
from core.images import NO_EXTERNAL_IMAGES, ImagePolicy, dropped_warning
from core.schemas import RTL_LANGUAGES
from core.seo import clean_body
from core.seo_report import SeoReport
from ui import formats
from ui.plain import md


def preview(title: str, lead: str, body_html: str, language: str, images: ImagePolicy = NO_EXTERNAL_IMAGES) -> None:
    """The item as readers will see it: sanitised, right-to-left for Persian and Arabic; says which images went."""
    direction = "rtl" if language in RTL_LANGUAGES else "ltr"
    body, dropped = clean_body(body_html, images)
    for warning in dropped_warning(dropped):
        st.warning(md(warning))
    st.html(f'<div dir="{direction}" lang="{language}"><h2>{html.escape(title)}</h2>'
            f'<p><em>{html.escape(lead)}</em></p>{body}</div>')


def _tick(ok: bool) -> str:
    return "✓" if ok else "✗"


def _mark(ok: bool) -> str:
    return ":green[✓]" if ok else ":orange[✗]"


def seo_panel(report: SeoReport) -> None:
    """The SEO checks for the fields as they are now."""
    st.subheader(_("SEO check"))
    title, meta = report.seo_title, report.meta_desc
    lines = [_mark(title.ok) + " " + _("SEO title: {length}/{most} characters ({verdict})").format(
                 length=title.length, most=title.high, verdict=title.verdict),
             _mark(meta.ok) + " " + _("Meta description: {length} characters, {low}–{high} wanted ({verdict})").format(
                 length=meta.length, low=meta.low, high=meta.high, verdict=meta.verdict)]
    length = report.length
    if length.target:
        lines.append(_mark(length.verdict == "on target") + " " + _(
            "Length: {words} of {target} words ({ratio}, {verdict})").format(
            words=formats.number(length.words), target=formats.number(length.target),
            ratio=formats.percent(length.ratio, 0), verdict=length.verdict))
    else:
        lines.append(_("Length: {words} words").format(words=formats.number(length.words)))
    read = report.readability
    if read.score is not None:
        lines.append(_("Readability: {score} ({label}, {formula}) · {words} words per sentence").format(
            score=formats.number(read.score), label=read.label, formula=read.formula,
            words=formats.number(read.words_per_sentence)))
    else:
        lines.append(_("Readability: {note}").format(note=read.note))
    st.markdown("\n".join(f"- {line}" for line in lines))
    if report.keywords:
        # A table that sizes its own columns and scrolls, never cut off in the narrow SEO column.
        keyword, density = _("Keyword"), _("Density")
        st.dataframe([{keyword: check.keyword, _("Title"): _tick(check.in_title),
                       _("1st paragraph"): _tick(check.in_first_paragraph), _("Headings"): _tick(check.in_headings),
                       _("Uses"): check.count, density: _("{percent} % ({verdict})").format(
                           percent=formats.number(check.density, 1), verdict=check.density_verdict)}
                      for check in report.keywords], hide_index=True, width="stretch",
                     column_config={keyword: st.column_config.TextColumn(width="medium"),
                                    density: st.column_config.TextColumn(width="medium")})
    if problems := report.problems():
        st.caption(_("To improve: {problems}").format(problems=md(" ".join(problems))))
