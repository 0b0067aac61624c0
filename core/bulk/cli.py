"""`python -m core bulk run|status|resume|cancel|retry|export` and `python -m core worker`."""

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

from ..errors import ValidationFailedError
from ..i18n import _

PROBLEMS_SHOWN = 50


def add_commands(subparsers) -> None:
    """Add the `bulk` command tree to the main parser."""
    bulk = subparsers.add_parser("bulk", help="bulk generation from a CSV file").add_subparsers(
        dest="action", required=True)
    run = bulk.add_parser("run", help="validate a CSV, then generate every good row")
    run.add_argument("file", type=Path)
    run.add_argument("--kind", required=True, choices=["blog", "product"])
    run.add_argument("--map", dest="mapping", default="",
                     help="FIELD=COLUMN pairs when headers differ, e.g. topic=Subject,keywords=Tags")
    _run_options(run)
    run.add_argument("--dry-run", action="store_true", help="only validate and print the report")
    run.set_defaults(handler=cmd_run)
    status = bulk.add_parser("status", help="a job's progress and failures")
    status.add_argument("job", type=int)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)
    resume = bulk.add_parser("resume", help="continue a paused or interrupted job")
    resume.add_argument("job", type=int)
    resume.add_argument("--out", type=Path, help="write the results here (.csv or .xlsx)")
    resume.set_defaults(handler=cmd_resume)
    for name, handler, text in (("pause", cmd_pause, "pause a job (a running runner stops taking rows)"),
                                ("cancel", cmd_cancel, "cancel the rows not started yet"),
                                ("retry", cmd_retry, "re-run only the failed rows")):
        sub = bulk.add_parser(name, help=text)
        sub.add_argument("job", type=int)
        sub.set_defaults(handler=handler)
        if name == "retry":
            sub.add_argument("--needs-review", action="store_true",
                             help="re-run the rows the quality gate marked needs_review instead")
    export = bulk.add_parser("export", help="write a job's results (.csv or .xlsx)")
    export.add_argument("job", type=int)
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(handler=cmd_export)
    worker = subparsers.add_parser("worker", help=_("run queued bulk jobs (no dashboard needed; run any number)"))
    worker.set_defaults(handler=cmd_worker)


def _run_options(parser) -> None:
    parser.add_argument("--provider")
    parser.add_argument("--model")
    parser.add_argument("--concurrency", type=int, default=16, help="rows generated at once (default 16)")
    parser.add_argument("--rpm", type=float, help="the provider's requests-per-minute limit")
    parser.add_argument("--tpm", type=float, help="the provider's tokens-per-minute limit")
    parser.add_argument("--max-attempts", type=int, default=4, help="tries per row for 429/5xx/timeouts")
    parser.add_argument("--out", type=Path, help="write the results here (.csv or .xlsx)")
    parser.add_argument("--as", dest="user", default=os.environ.get("CONTENTCRAFT_USER", "cli"),
                        help="the user the job and its content belong to")


def cmd_run(args) -> int:
    from ..db import upgrade
    from ..pipeline import Generator
    from .jobs import JobOptions, create_job
    from .mapping import parse_map_option
    from .validation import validate

    if not args.file.is_file():
        raise ValidationFailedError(f"No file at {args.file}: check the path.")
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
    print(f"Job #{job_id}: {report.good} rows queued.", file=sys.stderr)
    return _run_in_foreground(generator, job_id, args.out)


def cmd_resume(args) -> int:
    from ..db import upgrade
    from ..pipeline import Generator
    from .jobs import resume_job

    upgrade()
    generator = Generator()
    resume_job(generator.engine, args.job)
    return _run_in_foreground(generator, args.job, args.out)


def cmd_status(args) -> int:
    from ..db import get_engine
    from .jobs import items, progress

    engine = get_engine()
    state, failed = progress(engine, args.job), items(engine, args.job, status="failed")
    if args.json:
        print(json.dumps({**state.__dict__, "done": state.done, "failures": failed}, default=str, indent=2))
        return 0
    print(f"Job #{state.job_id} ({state.kind}, by {state.created_by}): {state.status}"
          + (f" — {state.pause_reason}" if state.pause_reason else ""))
    print(progress_line(state))
    for row in failed[:PROBLEMS_SHOWN]:
        print(f"  row {row['row']}: {row['error']}")
    if len(failed) > PROBLEMS_SHOWN:
        print(f"  … and {len(failed) - PROBLEMS_SHOWN} more failed rows (use --json for all).")
    return 0


def cmd_pause(args) -> int:
    return _control(args, "pause_job", "paused")


def cmd_cancel(args) -> int:
    return _control(args, "cancel_job", "cancelled")


def cmd_retry(args) -> int:
    from ..db import get_engine
    from .jobs import retry_failed

    which = ("needs_review",) if args.needs_review else ("failed",)
    count = retry_failed(get_engine(), args.job, statuses=which)
    print(f"Job #{args.job}: {count} {which[0].replace('_', ' ')} rows queued again; "
          f"run `python -m core bulk resume {args.job}`.")
    return 0


def _control(args, function: str, word: str) -> int:
    from ..db import get_engine
    from . import jobs

    getattr(jobs, function)(get_engine(), args.job)
    print(f"Job #{args.job} {word}.")
    return 0


def cmd_worker(args) -> int:
    from ..db import upgrade
    from ..pipeline import Generator
    from .worker import serve

    upgrade()
    print(_("Bulk worker running; Ctrl-C stops it (rows in flight are picked up again by any worker)."),
          file=sys.stderr)
    serve(Generator())
    return 0


def cmd_export(args) -> int:
    from ..db import get_engine

    write_results(get_engine(), args.job, args.out)
    return 0


def write_results(engine, job_id: int, path: Path) -> None:
    """Write the job's results as CSV or XLSX, chosen by the file's extension."""
    from .export import results_frame, to_csv, to_xlsx

    frame = results_frame(engine, job_id)
    path.write_bytes(to_xlsx(frame) if path.suffix.lower() == ".xlsx" else to_csv(frame))
    print(f"Results written to {path} ({len(frame)} rows).", file=sys.stderr)


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
        print(f"\nPausing job #{job_id} after the rows in progress…", file=sys.stderr)
        thread.join()
    finally:
        logger.setLevel(level)
        stop_all()
    state = progress(generator.engine, job_id)
    _draw(state, final=True)
    if out is not None:
        write_results(generator.engine, job_id, out)
    if state.status == "paused":
        why = f" {state.pause_reason}" if state.pause_reason else ""
        print(f"Job #{job_id} is paused.{why} `python -m core bulk resume {job_id}` continues it.", file=sys.stderr)
        return 130
    if state.status in {"running", "queued"}:
        print(f"Job #{job_id} is being run by another ContentCraft process (the dashboard?): follow it with "
              f"`python -m core bulk status {job_id}`.", file=sys.stderr)
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
    parts = [f"{state.done}/{state.total} done", f"{state.succeeded} succeeded",
             f"{state.needs_review} need review", f"{state.failed} failed", f"{state.remaining} left"]
    if state.cancelled:
        parts.append(f"{state.cancelled} cancelled")
    if state.rate_per_min:
        parts.append(f"{state.rate_per_min:.0f}/min")
    if state.eta_seconds is not None:
        minutes, seconds = divmod(round(state.eta_seconds), 60)
        parts.append(f"ETA {minutes}m{seconds:02d}s")
    return " · ".join(parts)


def print_report(report) -> None:
    """The validation report on stderr: how the file was read, counts, then each problem."""
    print(f"Read as {report.encoding}, {report.delimiter}-separated; columns: "
          + ", ".join(f"{field}←{header}" for field, header in report.mapping.items()), file=sys.stderr)
    if report.ignored_columns:
        print(f"Ignored columns: {', '.join(report.ignored_columns)}", file=sys.stderr)
    print(f"{report.total} rows: {report.good} valid, {report.bad} with errors"
          + (f", {report.blank} blank rows skipped" if report.blank else "") + ".", file=sys.stderr)
    for problem in report.problems[:PROBLEMS_SHOWN]:
        print(f"  row {problem.row}, {problem.column}: {problem.level}: {problem.message}", file=sys.stderr)
    if len(report.problems) > PROBLEMS_SHOWN:
        print(f"  … and {len(report.problems) - PROBLEMS_SHOWN} more.", file=sys.stderr)
