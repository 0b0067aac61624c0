"""Bulk Generator: upload a CSV, map and check its columns, run it as a durable job, follow and export it."""

import hashlib

import streamlit as st

from core import bulk
from core.auth import allowed
from core.brand.profiles import profile_keys
from core.bulk.export import results_frame, send_to_review, to_csv, to_woocommerce_csv, to_xlsx
from core.bulk.mapping import HELP, UnmappedColumnError
from core.errors import ContentCraftError
from core.i18n import N_, _, current_language, ngettext
from core.providers import lacks_key, provider_classes
from ui import formats, labels
from ui.bulk_report import validation_report
from ui.bulk_worker import bulk_worker as worker
from ui.common import current_user, engine, friendly_errors, generator
from ui.plain import md

REFRESH_SECONDS = 2
WATCH_SECONDS = 5  # how soon a job started elsewhere (another dashboard, the API, the CLI) joins the picker
TABLE_ROWS = 1000
NONE = ""  # a field read from no column
KIND_LABELS = {"blog": N_("Blog posts"), "product": N_("Product descriptions")}
ACTIVE = {"queued", "running"}
# Shown by the live panel (a fragment): a paused job too, as a Resume pressed right after Pause must reach a panel
# that still exists (a click on a fragment that a rerun has replaced by a plain panel is dropped).
LIVE = ACTIVE | {"paused"}


@st.cache_data(max_entries=4, show_spinner=False)
def check_file(data: bytes, kind: str, overrides: tuple, language: str, profiles: frozenset[str]) -> bulk.Report:
    """The validation report for a file and mapping, its messages in `language`, its brand_profile cells checked
    against `profiles` (cached: reruns do not re-read big files; all of these are in the key)."""
    return bulk.validate(data, kind, dict(overrides), profiles)


@st.cache_data(max_entries=4, show_spinner=False)
def read_header(data: bytes) -> list[str]:
    """The file's column names."""
    from core.bulk.csvfile import open_table

    return open_table(data).header


def templates() -> None:
    """Download buttons for the two ready-to-fill CSV templates."""
    left, right = st.columns(2)
    for column, kind in zip((left, right), bulk.KINDS):
        column.download_button(_("{kind} template (CSV)").format(kind=kind_label(kind)), bulk.template_csv(kind),
                               file_name=f"contentcraft-{kind}-template.csv", mime="text/csv",
                               key=f"bulk_template_{kind}", icon=":material/download:")


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


def column_mapping(kind: str, header: list[str], digest: str) -> dict[str, str]:
    """One selectbox per field, pre-set to the automatic match; returns field → chosen header."""
    st.subheader(_("Columns"))
    st.caption(_("Each field reads the column chosen here; fields set to (none) use their defaults."))
    automatic, options, chosen = bulk.auto_map(kind, header), [NONE, *header], {}
    columns = st.columns(3)
    for index, field in enumerate(bulk.FIELDS[kind]):
        required = " *" if field in bulk.REQUIRED[kind] else ""
        choice = columns[index % 3].selectbox(
            f"{field}{required}", options, index=options.index(automatic.get(field, NONE)), help=HELP[field],
            key=f"bulk_map_{digest}_{kind}_{field}", format_func=lambda column: column or _("(none)"))
        chosen[field] = "" if choice == NONE else choice
    return chosen


def provider_label(name: str) -> str:
    """A provider's name in the start form; one whose API key is not set says so (its job would pause at once)."""
    if lacks_key(name, generator().settings):
        return _("{provider} (no API key set)").format(provider=name)
    return name


def start_form(report: bulk.Report) -> bulk.JobOptions | None:
    """Provider, pace and concurrency; the options when the user starts the job."""
    names = sorted(provider_classes())
    default = generator().settings.provider
    with st.form("bulk_start"):
        provider_column, model_column = st.columns(2)
        provider = provider_column.selectbox(_("Provider"), names, index=names.index(default) if default in names
                                             else 0, key="bulk_provider", format_func=provider_label)
        model = model_column.text_input(_("Model (optional)"), key="bulk_model")
        at_once, rpm, tpm = st.columns(3)
        concurrency = at_once.number_input(_("Rows at once"), 1, 64, 16, key="bulk_concurrency",
                                           help=_("The local model always runs one row at a time."))
        requests = rpm.number_input(_("Requests per minute (0 = no limit)"), 0, 100_000, 0, key="bulk_rpm",
                                    help=_("Your provider account's limit; the job runs at this pace, not above."))
        tokens = tpm.number_input(_("Tokens per minute (0 = no limit)"), 0, 100_000_000, 0, key="bulk_tpm")
        label = ngettext("Start job ({count} row)", "Start job ({count} rows)", report.good)
        started = st.form_submit_button(label.format(count=formats.number(report.good)), type="primary",
                                        disabled=report.good == 0)
    if not started:
        return None
    return bulk.JobOptions(provider=provider, model=model.strip() or None, concurrency=int(concurrency),
                           rpm=requests or None, tpm=tokens or None)


def new_job(user) -> None:
    """Upload → map → check → start."""
    kind = st.radio(_("The rows describe"), bulk.KINDS, format_func=kind_label, horizontal=True,
                    key="bulk_kind")
    templates()
    uploaded = st.file_uploader(_("CSV file (UTF-8, UTF-16 or Windows-1252; comma, semicolon or tab)"),
                                type=["csv", "tsv", "txt"], key="bulk_file")
    if uploaded is None:
        st.info(_("Upload a CSV with one row per item, or start from a template above."))
        return
    data = uploaded.getvalue()
    with friendly_errors(_("Reading the file")), st.spinner(_("Checking every row…")):
        header = read_header(data)
        overrides = column_mapping(kind, header, hashlib.sha256(data).hexdigest()[:10])
        try:
            report = check_file(data, kind, tuple(sorted(overrides.items())), current_language(),
                                profile_keys(engine()))
        except UnmappedColumnError as error:
            st.error(md(error.for_dashboard()))
            return
        validation_report(report)
        options = start_form(report)
        if options is not None:
            job_id = start_once(data, kind, user, options, overrides, uploaded.name)
            worker().wake()
            st.session_state["bulk_job_pick"] = job_id
            st.session_state["bulk_started"] = job_id
            st.session_state.pop("bulk_started_shown", None)  # a press of Start shows its notice, even a second
        started_notice()


def start_once(data: bytes, kind: str, user, options: bulk.JobOptions, overrides: dict, name: str) -> int:
    """The job for this file and these options: the one this session started that still runs (a second click
    on Start made two identical jobs, each paid for), else a new one."""
    signature = hashlib.sha256(data + repr((kind, sorted(overrides.items()), options.model_dump())).encode())
    started, key = st.session_state.setdefault("bulk_started_from", {}), signature.hexdigest()
    earlier = started.get(key)
    if earlier is not None and bulk.get_job(engine(), earlier).status in ACTIVE:
        return earlier
    job_id, _report = bulk.create_job(generator(), data, kind, user, options, overrides, name)
    started[key] = job_id
    return job_id


def started_notice() -> None:
    """The "job started" message, kept across the automatic rerun a status change makes, gone after any other
    and once the job no longer runs (a pause says why below)."""
    job_id = st.session_state.get("bulk_started")
    shown, automatic = st.session_state.pop("bulk_started_shown", False), st.session_state.pop("bulk_status_rerun", False)
    if (shown and not automatic) or (job_id is not None and bulk.get_job(engine(), job_id).status not in ACTIVE):
        st.session_state.pop("bulk_started", None)
        return
    if job_id is not None:
        st.session_state["bulk_started_shown"] = True
        st.success(_("Job #{id} is running in the background: follow it below. You can close this tab.").format(
            id=job_id))


def job_label(job, everyone: bool = False) -> str:
    """The picker's label, with who started the job when the picker lists `everyone`'s; no status in it, as the
    browser keeps an option's first label across reruns."""
    return " · ".join([f"#{job.id}", kind_label(job.kind), job.source_name or _("upload"),
                       *([job.created_by] if everyone else [])])


def jobs_section(user) -> None:
    """Pick a job and show its live panel."""
    st.header(_("Jobs"))
    mine = None if allowed(user.role, "review") else user.email
    jobs = bulk.list_jobs(engine(), user=mine)
    watch_new_jobs(mine, jobs[0].id if jobs else None)
    if not jobs:
        st.info(_("No bulk jobs yet: upload a CSV above to start one."))
        return
    by_id = {job.id: job for job in jobs}
    if st.session_state.get("bulk_job_pick") not in by_id:
        st.session_state["bulk_job_pick"] = jobs[0].id
    pick, status = st.columns([4, 1], vertical_alignment="bottom")
    job_id = pick.selectbox(_("Job"), list(by_id), format_func=lambda i: job_label(by_id[i], mine is None),
                            key="bulk_job_pick")
    status.markdown(f"**{labels.label(labels.JOB_STATUSES, by_id[job_id].status)}**")
    if by_id[job_id].status in LIVE or bulk.progress(engine(), job_id).running:  # cancelled, rows under way
        live_panel(job_id, user, by_id[job_id].status)  # still finish: follow them
    else:
        job_panel(job_id, user, live=False)


@st.fragment(run_every=WATCH_SECONDS)
def watch_new_jobs(mine: str | None, newest: int | None) -> None:
    """Rerun the page when a newer job than it shows exists, so the picker offers it without a reload."""
    with friendly_errors(_("Loading the job")):
        latest = bulk.list_jobs(engine(), user=mine, limit=1)
        if (latest[0].id if latest else None) != newest:
            st.rerun(scope="app")  # a BaseException: friendly_errors lets it through


@st.fragment(run_every=REFRESH_SECONDS)
def live_panel(job_id: int, user, picked_status: str) -> None:
    """The panel, refreshing itself while the job runs; a full rerun whenever the status changes, so the
    job picker above (outside this fragment) never shows an older status than the progress bar."""
    state = job_panel(job_id, user, live=True)
    if state is not None and (state.status != picked_status or (state.status not in LIVE and not state.running)):
        st.session_state["bulk_status_rerun"] = st.session_state["bulk_notice_kept"] = True
        st.rerun(scope="app")


def job_panel(job_id: int, user, live: bool):
    """Progress, controls, the per-row table, failures and results for one job."""
    with friendly_errors(_("Loading the job")):
        state = bulk.progress(engine(), job_id)
        _notice()
        _progress(state)
        _controls(state, user)
        _rows(job_id, state)
        _results(job_id, state, user, live)
        return state
    return None


def _progress(state: bulk.Progress) -> None:
    st.progress(state.fraction, text=_("{done} of {total} rows done · {status}").format(done=formats.number(state.done),
                                                      total=formats.number(state.total),
                                                      status=labels.label(labels.JOB_STATUSES, state.status)))
    if state.pause_reason:
        st.error(_("Paused: {reason} Then press Resume: the remaining rows continue.").format(
            reason=md(state.pause_reason)))
    done, review, failed, left, rate, eta = st.columns(6)
    done.metric(_("Succeeded"), formats.number(state.succeeded))
    review.metric(_("Needs review"), formats.number(state.needs_review),
                  help=_("Saved, but the quality gate objects; see the reasons."))
    failed.metric(_("Failed"), formats.number(state.failed))
    if state.status == "cancelled":
        left.metric(_("Cancelled"), formats.number(state.cancelled), help=_("Rows that never ran."))
    else:
        left.metric(_("Remaining"), formats.number(state.remaining))
    rate.metric(_("Rate"), _("{count}/min").format(count=formats.number(state.rate_per_min, 0))
                if state.rate_per_min else formats.DASH)
    eta.metric(_("ETA"), _duration(state.eta_seconds) if state.eta_seconds is not None else formats.DASH)
    if state.status not in ACTIVE and state.running:
        st.caption(ngettext("{count} row is under way: it finishes if its request has already gone to the "
                            "provider, else it is cancelled too.",
                            "{count} rows are under way: those whose request has already gone to the provider "
                            "finish, the others are cancelled too.", state.running).format(
            count=formats.number(state.running)))


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("{hours}h {minutes}m").format(hours=formats.number(hours), minutes=formats.number(minutes))
    return _("{minutes}m {seconds}s").format(minutes=formats.number(minutes), seconds=formats.number(seconds))


def _controls(state: bulk.Progress, user) -> None:
    pause, resume, cancel, retry, again = st.columns(5)
    pause.button(_("Pause"), key="bulk_pause", disabled=state.status not in ACTIVE,
                 on_click=_act, args=(bulk.pause_job, state.job_id, user, N_("Job #{id} paused.")))
    resume.button(_("Resume"), key="bulk_resume", disabled=state.status != "paused",
                  on_click=_act, args=(bulk.resume_job, state.job_id, user, N_("Job #{id} resumed.")))
    cancel.button(_("Cancel"), key="bulk_cancel", disabled=state.status not in ACTIVE | {"paused"},
                  on_click=_act, args=(bulk.cancel_job, state.job_id, user, N_("Job #{id} cancelled.")))
    retry.button(_("Retry {count} failed").format(count=formats.number(state.failed)), key="bulk_retry",
                 disabled=not state.failed, on_click=_act,
                 args=(bulk.retry_failed, state.job_id, user, N_("Job #{id}: failed rows queued again.")))
    again.button(_("Rewrite {count} needing review").format(count=formats.number(state.needs_review)),
                 key="bulk_retry_review", disabled=not state.needs_review, on_click=_act,
                 args=(bulk.retry_needs_review, state.job_id, user, N_("Job #{id}: rows needing review queued again.")))


def _act(action, job_id: int, user, done: str) -> None:
    try:
        action(engine(), job_id, user)
        worker().wake()
        st.session_state["bulk_notice"] = ("success", _(done).format(id=job_id))
    except ContentCraftError as error:
        st.session_state["bulk_notice"] = ("error", str(error))


def _notice() -> None:
    """What the last button did: shown once, and once more in the rerun its status change makes (else that rerun
    would wipe it before anyone read it)."""
    notice, kept = st.session_state.get("bulk_notice"), st.session_state.pop("bulk_notice_kept", False)
    if notice is None or (len(notice) > 2 and not kept):
        st.session_state.pop("bulk_notice", None)
        return
    (st.success if notice[0] == "success" else st.error)(md(notice[1]))
    st.session_state["bulk_notice"] = (*notice[:2], "shown")


ROW_COLUMNS = (N_("row"), N_("status"), N_("attempts"), N_("input"), N_("title"), N_("error"), N_("latency_ms"),
               N_("content_item_id"))


def _row_view(row: dict) -> dict:
    """A row of the rows table: column names and status in the UI language, the item id blank until there is one."""
    shown = {**row, "status": labels.label(labels.ROW_STATUSES, row["status"]),
             "content_item_id": str(row["content_item_id"] or "")}
    return {_(name): shown[name] for name in ROW_COLUMNS}


def _rows(job_id: int, state: bulk.Progress) -> None:
    rows = bulk.items(engine(), job_id, limit=TABLE_ROWS)
    st.dataframe([_row_view(row) for row in rows], hide_index=True, key="bulk_rows")
    if state.total > TABLE_ROWS:
        st.caption(_("Showing the first {shown} rows; download the results for all {total}.").format(
            shown=formats.number(TABLE_ROWS), total=formats.number(state.total)))
    if state.needs_review:
        st.subheader(_("Needs review"))
        flagged = bulk.items(engine(), job_id, status="needs_review", limit=TABLE_ROWS)
        st.dataframe([{_("row"): r["row"], _("title"): r["title"], _("reasons"): r["error"]} for r in flagged],
                     hide_index=True, key="bulk_needs_review")
    if state.failed:
        st.subheader(_("Failures"))
        failures = bulk.items(engine(), job_id, status="failed", limit=TABLE_ROWS)
        st.dataframe([{_("row"): r["row"], _("reason"): r["error"]} for r in failures], hide_index=True,
                     key="bulk_failures")


def _results(job_id: int, state: bulk.Progress, user, live: bool) -> None:
    csv_column, xlsx_column, review_column = st.columns(3)
    name = f"contentcraft-bulk-{job_id}"
    if live:  # built on click, so a running job is not re-exported every refresh
        csv_data, xlsx_data = (lambda: to_csv(results_frame(engine(), job_id))), \
            (lambda: to_xlsx(results_frame(engine(), job_id)))
    else:
        frame = results_frame(engine(), job_id)
        csv_data, xlsx_data = to_csv(frame), to_xlsx(frame)
    csv_column.download_button(_("Download CSV"), csv_data, file_name=f"{name}.csv", mime="text/csv",
                               key="bulk_download_csv", icon=":material/download:")
    xlsx_column.download_button(_("Download XLSX"), xlsx_data, file_name=f"{name}.xlsx", key="bulk_download_xlsx",
                                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                icon=":material/table:")
    if state.kind == "product":
        csv_column.download_button(_("Download for WooCommerce import"), lambda: to_woocommerce_csv(engine(), job_id),
                                   file_name=f"{name}-woocommerce-import.csv", mime="text/csv",
                                   key="bulk_download_woo", icon=":material/storefront:",
                                   help=_("Products → Import in WooCommerce, with “Update existing products” "
                                          "ticked: each row updates the product with its ID or SKU."))
    if review_column.button(_("Send all succeeded to review"), key="bulk_review", disabled=not state.succeeded):
        outcome = send_to_review(engine(), job_id, user)
        sent = len(outcome.sent)
        message = ngettext("{count} item sent to review in the Library.", "{count} items sent to review in the "
                           "Library.", sent).format(count=formats.number(sent))
        if outcome.skipped:
            message += " " + ngettext("{count} was already past draft.", "{count} were already past draft.",
                                      outcome.skipped).format(count=formats.number(outcome.skipped))
        st.success(message)
        for item_id, reason in list(outcome.refused.items())[:10]:
            st.warning(_("Item #{id}: {reason}").format(id=item_id, reason=md(reason)))


user = current_user()
worker()
st.title(_("Bulk Generator"))
st.caption(_("Turn a CSV of topics or products into drafts. Jobs run on the server at your provider's pace, "
             "survive restarts, and land in the Library for review."))
new_job(user)
st.divider()
jobs_section(user)
