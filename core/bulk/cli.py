"""`python -m core bulk run|status|resume|cancel|retry|export` and `python -m core worker`."""

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from ..errors import ValidationFailedError
from ..i18n import _, ngettext

log = logging.getLogger("contentcraft.bulk")

PROBLEMS_SHOWN = 50


def add_commands(subparsers) -> None:
    """Add the `bulk` command tree to the main parser."""
    bulk = subparsers.add_parser("bulk", help=_("bulk generation from a CSV file")).add_subparsers(
        dest="action", required=True)
    run = bulk.add_parser("run", help=_("validate a CSV, then generate every good row"))
    run.add_argument("file", type=Path)
    run.add_argument("--kind", required=True, choices=["blog", "product"])
    run.add_argument("--map", dest="mapping", default="",
                     help=_("FIELD=COLUMN pairs when headers differ, e.g. topic=Subject,keywords=Tags"))
    _run_options(run)
    run.add_argument("--dry-run", action="store_true", help=_("only validate and print the report"))
    run.set_defaults(handler=cmd_run)
    status = bulk.add_parser("status", help=_("a job's progress and failures"))
    status.add_argument("job", type=int)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)
    resume = bulk.add_parser("resume", help=_("continue a paused or interrupted job"))
    resume.add_argument("job", type=int)
    resume.add_argument("--out", type=Path, help=_("write the results here (.csv or .xlsx)"))
    resume.set_defaults(handler=cmd_resume)
    for name, handler, text in (("pause", cmd_pause, _("pause a job (a running runner stops taking rows)")),
                                ("cancel", cmd_cancel, _("cancel the rows not started yet")),
                                ("retry", cmd_retry, _("re-run only the failed rows"))):
        sub = bulk.add_parser(name, help=text)
        sub.add_argument("job", type=int)
        sub.set_defaults(handler=handler)
        if name == "retry":
            sub.add_argument("--needs-review", action="store_true",
                             help=_("re-run the rows the quality gate marked needs_review instead"))
    export = bulk.add_parser("export", help=_("write a job's results (.csv or .xlsx)"))
    export.add_argument("job", type=int)
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(handler=cmd_export)
    worker = subparsers.add_parser("worker", help=_("run queued bulk jobs (no dashboard needed; run any number)"))
    worker.set_defaults(handler=cmd_worker)


def _run_options(parser) -> None:
    parser.add_argument("--provider")
    parser.add_argument("--model")
    parser.add_argument("--concurrency", type=int, default=16, help=_("rows generated at once (default 16)"))
    parser.add_argument("--rpm", type=float, help=_("the provider's requests-per-minute limit"))
    parser.add_argument("--tpm", type=float, help=_("the provider's tokens-per-minute limit"))
    parser.add_argument("--max-attempts", type=int, default=4, help=_("tries per row for 429/5xx/timeouts"))
    parser.add_argument("--out", type=Path, help=_("write the results here (.csv or .xlsx)"))
    parser.add_argument("--as", dest="user", default=os.environ.get("CONTENTCRAFT_USER", "cli"),
                        help=_("the user the job and its content belong to"))


def cmd_run(args) -> int:
    from ..db import upgrade
    from ..pipeline import Generator
    from .jobs import JobOptions, create_job
    from .mapping import parse_map_option
    from .validation import validate

    if not args.file.is_file():
        raise ValidationFailedError(_("No file at {file}: check the path.").format(file=args.file))
    data, overrides = args.file.read_bytes(), parse_map_option(args.mapping)
    options = JobOptions(provider=args.provider, model=args.model, concurrency=args.concurrency, rpm=args.rpm,
                         tpm=args.tpm, max_attempts=args.max_attempts)
    if args.dry_run:
        report = validate(data, args.kind, overrides)
        print_report(report)
        return 0 if report.good else 2
    upgrade()
    generator = Generator()
    job_id, report = create_job(generator, data, args.kind, args.user, options, overrides,
                                source_name=args.file.name)
    print_report(report)
    print(ngettext("Job #{job_id}: {count} row queued.", "Job #{job_id}: {count} rows queued.", report.good)
          .format(job_id=job_id, count=report.good), file=sys.stderr)
    return _run_in_foreground(generator, job_id, args.out)


def cmd_resume(args) -> int:
    from ..db import upgrade
    from ..pipeline import Generator
    from .jobs import resume_job

    upgrade()
    generator = Generator()
    resume_job(generator.engine, args.job)
    return _run_in_foreground(generator, args.job, args.out)


def _engine():
    """The configured database, migrated first (a fresh or older file would otherwise fail with a traceback)."""
    from ..db import get_engine, upgrade

    upgrade()
    return get_engine()


def cmd_status(args) -> int:
    from .jobs import items, progress

    engine = _engine()
    state, failed = progress(engine, args.job), items(engine, args.job, status="failed")
    if args.json:
        print(json.dumps({**state.__dict__, "done": state.done, "failures": failed}, default=str, indent=2))
        return 0
    print(_("Job #{job_id} ({kind}, by {user}): {status}").format(job_id=state.job_id, kind=state.kind,
                                                                user=state.created_by, status=state.status)
          + (f" — {state.pause_reason}" if state.pause_reason else ""))
    print(progress_line(state))
    for row in failed[:PROBLEMS_SHOWN]:
        print("  " + _("row {row}: {error}").format(row=row["row"], error=row["error"]))
    if len(failed) > PROBLEMS_SHOWN:
        more = len(failed) - PROBLEMS_SHOWN
        print("  " + ngettext("… and {count} more failed row (use --json for all).",
                              "… and {count} more failed rows (use --json for all).", more).format(count=more))
    return 0


def cmd_pause(args) -> int:
    return _control(args, "pause_job", _("Job #{job} paused."))


def cmd_cancel(args) -> int:
    return _control(args, "cancel_job", _("Job #{job} cancelled."))


def cmd_retry(args) -> int:
    from .jobs import retry_failed

    which = ("needs_review",) if args.needs_review else ("failed",)
    count = retry_failed(_engine(), args.job, statuses=which)
    again = (ngettext("Job #{job}: {count} needs-review row queued again; run `python -m core bulk resume {job}`.",
                      "Job #{job}: {count} needs-review rows queued again; run `python -m core bulk resume {job}`.",
                      count) if args.needs_review else
             ngettext("Job #{job}: {count} failed row queued again; run `python -m core bulk resume {job}`.",
                      "Job #{job}: {count} failed rows queued again; run `python -m core bulk resume {job}`.", count))
    print(again.format(job=args.job, count=count))
    return 0


def _control(args, function: str, done: str) -> int:
    from . import jobs

    getattr(jobs, function)(_engine(), args.job)
    print(done.format(job=args.job))
    return 0


def cmd_worker(args) -> int:
    from ..db import upgrade
    from ..pipeline import Generator
    from .worker import serve

    upgrade()
    print(_("Bulk worker running; Ctrl-C stops it (rows in flight are picked up again by any worker)."),
          file=sys.stderr)
    serve(Generator())
    # Rows still in flight after serve()'s bounded wait are recovered by another worker; their threads would
    # hold the process for up to the provider timeout, then fail against the stopped DBOS, so leave now.
    log.info("bulk worker stopped", extra={"event": "bulk_worker_stopped"})
    print(_("Bulk worker stopped."), file=sys.stderr)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def cmd_export(args) -> int:

    write_results(_engine(), args.job, args.out)
    return 0


def write_results(engine, job_id: int, path: Path) -> None:
    """Write the job's results as CSV or XLSX, chosen by the file's extension."""
    from .export import results_frame, to_csv, to_xlsx

    frame = results_frame(engine, job_id)
    path.write_bytes(to_xlsx(frame) if path.suffix.lower() == ".xlsx" else to_csv(frame))
    print(ngettext("Results written to {path} ({count} row).", "Results written to {path} ({count} rows).", len(frame))
          .format(path=path, count=len(frame)), file=sys.stderr)


def _run_in_foreground(generator, job_id: int, out: Path | None) -> int:
    """Work on the job (as a worker beside any others) while drawing the progress bar; Ctrl-C pauses it."""
    from .jobs import pause_job, progress
    from .worker import run_job, stop_all

    thread = threading.Thread(target=run_job, args=(generator, job_id), name=f"bulk-job-{job_id}", daemon=True)
    logger, level = logging.getLogger("contentcraft"), logging.getLogger("contentcraft").level
    if sys.stderr.isatty():  # a line per row would scroll the progress bar away; scripts still get them
        logger.setLevel(max(level, logging.WARNING))
    thread.start()
    try:
        while thread.is_alive():
            _draw(progress(generator.engine, job_id))
            thread.join(0.5)
    except KeyboardInterrupt:
        pause_job(generator.engine, job_id)
        print("\n" + _("Pausing job #{job_id} after the rows in progress…").format(job_id=job_id), file=sys.stderr)
        thread.join()
    finally:
        logger.setLevel(level)
        stop_all()
    state = progress(generator.engine, job_id)
    _draw(state, final=True)
    if out is not None:
        write_results(generator.engine, job_id, out)
    if state.status == "paused":
        print(_("Job #{job_id} is paused.").format(job_id=job_id), *([state.pause_reason] if state.pause_reason else []),
              _("`python -m core bulk resume {job_id}` continues it.").format(job_id=job_id), file=sys.stderr)
        return 130
    if state.status in {"running", "queued"}:
        print(_("Job #{job_id} is being run by another ContentCraft process (the dashboard?): follow it with "
                "`python -m core bulk status {job_id}`.").format(job_id=job_id), file=sys.stderr)
        return 1
    return 1 if state.failed else 0


_last_drawn = [0.0]


def _draw(state, final: bool = False) -> None:
    tty = sys.stderr.isatty()
    if not (tty or final or time.monotonic() - _last_drawn[0] >= 5):
        return
    _last_drawn[0] = time.monotonic()
    width = 30
    filled = round(state.fraction * width)
    line = f"[{'#' * filled}{'-' * (width - filled)}] {progress_line(state)}"
    print(("\r" + line.ljust(110)) if tty else line, end="\n" if final or not tty else "", file=sys.stderr,
          flush=True)


def progress_line(state) -> str:
    """`45/200 done · 3 failed · 152 left · 120/min · ETA 1m16s`."""
    parts = [_("{done}/{total} done").format(done=state.done, total=state.total),
             _("{count} succeeded").format(count=state.succeeded), _("{count} need review").format(count=state.needs_review),
             _("{count} failed").format(count=state.failed), _("{count} left").format(count=state.remaining)]
    if state.cancelled:
        parts.append(_("{count} cancelled").format(count=state.cancelled))
    if state.rate_per_min:
        parts.append(_("{rate:.0f}/min").format(rate=state.rate_per_min))
    if state.eta_seconds is not None:
        minutes, seconds = divmod(round(state.eta_seconds), 60)
        parts.append(_("ETA {minutes}m{seconds:02d}s").format(minutes=minutes, seconds=seconds))
    return " · ".join(parts)


def print_report(report) -> None:
    """The validation report on stderr: how the file was read, counts, then each problem."""
    print(_("Read as {encoding}, {delimiter}-separated; columns: {columns}").format(
        encoding=report.encoding, delimiter=report.delimiter,
        columns=", ".join(f"{field}←{header}" for field, header in report.mapping.items())), file=sys.stderr)
    if report.ignored_columns:
        print(_("Ignored columns: {columns}").format(columns=", ".join(report.ignored_columns)), file=sys.stderr)
    counts = ngettext("{count} row: {good} valid, {bad} with errors", "{count} rows: {good} valid, {bad} with errors",
                      report.total).format(count=report.total, good=report.good, bad=report.bad)
    if report.blank:
        counts += ", " + ngettext("{count} blank row skipped", "{count} blank rows skipped", report.blank).format(
            count=report.blank)
    print(counts + ".", file=sys.stderr)
    for problem in report.problems[:PROBLEMS_SHOWN]:
        level = _("error") if problem.level == "error" else _("warning") if problem.level == "warning" else problem.level
        print("  " + _("row {row}, {column}: {level}: {message}").format(
            row=problem.row, column=problem.column, level=level, message=problem.message), file=sys.stderr)
    if len(report.problems) > PROBLEMS_SHOWN:
        print("  " + _("… and {count} more.").format(count=len(report.problems) - PROBLEMS_SHOWN), file=sys.stderr)
