"""The Bulk page's check of an uploaded file: counts, every bad row with what to fix, the notes."""

import streamlit as st

from core import bulk
from core.i18n import _, ngettext
from ui import formats, labels
from ui.plain import md


def validation_report(report: bulk.Report) -> None:
    """Counts, then every bad row with its column and what to fix, then the notes."""
    st.subheader(_("Check"))
    if report.woocommerce:
        st.info(_("Recognised WooCommerce's product export ({language} column names): the present descriptions are "
                  "rewritten, attributes and category paths kept, and each ID and SKU kept so publishing updates "
                  "the same product.").format(language=labels.language_name(report.woocommerce)))
    st.caption(_("Read as {encoding}, {delimiter}-separated. Row numbers are the file's rows, as a spreadsheet "
                 "numbers them: the header is row {row}.").format(
        encoding=md(report.encoding), delimiter=md(_(report.delimiter)), row=report.header_row))
    if report.header_row > 1:
        st.info(_("The column names were read from row {row}; the title rows above it were skipped.").format(
            row=report.header_row))
    ready, bad, blank = st.columns(3)
    ready.metric(_("Rows ready"), formats.number(report.good))
    bad.metric(_("Rows with errors"), formats.number(report.bad))
    blank.metric(_("Blank rows skipped"), formats.number(report.blank))
    if report.errors:
        st.warning(ngettext("{count} row has errors and will not run. The other rows can run now; fix it in your "
                            "file and upload it again to add it.",
                            "{count} rows have errors and will not run. The other rows can run now; fix these in "
                            "your file and upload it again to add them.", report.bad).format(
            count=formats.number(report.bad)))
        st.dataframe(_problem_table(report.errors), hide_index=True, key="bulk_errors")
    if report.skipped:
        skipped = len(report.skipped)
        title = ngettext("{count} row skipped (not products of their own)",
                         "{count} rows skipped (not products of their own)", skipped)
        with st.expander(title.format(count=formats.number(skipped)), expanded=True):
            st.dataframe(_problem_table(report.skipped), hide_index=True, key="bulk_skipped")
    if report.warnings:
        notes = len(report.warnings)
        with st.expander(ngettext("{count} note (these rows still run)", "{count} notes (these rows still run)",
                                  notes).format(count=formats.number(notes))):
            st.dataframe(_problem_table(report.warnings), hide_index=True, key="bulk_warnings")
    if report.attribute_columns:
        st.caption(_("Attributes from: {columns}").format(columns=md(", ".join(report.attribute_columns))))
    if report.ignored_columns:
        st.caption(_("Not used: {columns}").format(columns=md(", ".join(report.ignored_columns))))


def _problem_table(problems: list) -> list[dict]:
    return [{_("row"): p.row, _("column"): p.column, _("message"): p.message} for p in problems]
