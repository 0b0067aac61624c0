"""`python -m core analytics …` and `python -m core demo-data`: reports, exports, budgets, synthetic logs."""

import json
import sys
import time

import pandas as pd

from ..errors import ValidationFailedError
from ..spreadsheet import report_headers
from ..i18n import N_, _, ngettext

# Marked for translation here, translated with _() where shown (this CLI and the Analytics page).
KPI_LABELS = {"generations": N_("Generations"), "success_rate": N_("Success rate"), "tokens": N_("Tokens"),
              "cost_usd": N_("Cost"), "p50_ms": N_("p50 latency"), "p95_ms": N_("p95 latency"),
              "cache_hit_rate": N_("Cache hit rate")}
TABLE_TITLES = {"volume_by_type": N_("volume by type"), "over_time": N_("over time"), "by_type": N_("by type"),
                "latency_by_type": N_("latency by type"), "latency_by_provider": N_("latency by provider"),
                "usage_by_user": N_("usage by user"), "usage_by_model": N_("usage by model"),
                "top_errors": N_("top errors"), "tones": N_("tones"), "languages": N_("languages")}
GRAINS = {"day": N_("day"), "week": N_("week"), "month": N_("month")}
BUDGET_LEVELS = {"ok": N_("ok"), "warning": N_("warning"), "exceeded": N_("exceeded")}


def add_commands(commands) -> None:
    """Register the analytics and demo-data subcommands."""
    analytics = commands.add_parser("analytics", help=_("usage, latency, cost and budget reports"))
    actions = analytics.add_subparsers(dest="action", required=True)
    summary = actions.add_parser("summary", help=_("print the KPIs and every aggregate the page shows"))
    export = actions.add_parser("export", help=_("write the log rows in the range as CSV to stdout"))
    for sub in (summary, export):
        sub.add_argument("--since", default="30d", help=_("30d, 90d, any Nd, or all (default 30d)"))
        sub.add_argument("--tz", default="UTC", help=_("IANA time zone for day boundaries (default UTC)"))
    summary.add_argument("--grain", choices=["day", "week", "month"], help=_("bucket size (default: by range length)"))
    summary.add_argument("--json", action="store_true", help=_("print JSON instead of tables"))
    summary.set_defaults(handler=cmd_summary)
    export.set_defaults(handler=cmd_export)
    rebuild = actions.add_parser("rebuild", help=_("recreate the summary triggers and recompute the summary tables "
                                                   "from the log (after restoring or bulk-editing the log)"))
    rebuild.set_defaults(handler=cmd_rebuild)

    budget = actions.add_parser("budget", help=_("monthly budgets per user")).add_subparsers(dest="budget_action",
                                                                                         required=True)
    budget.add_parser("list", help=_("budgets and this month's spend")).set_defaults(handler=cmd_budget_list)
    set_ = budget.add_parser("set", help=_("set a user's monthly budget in USD (user * = everyone else)"))
    set_.add_argument("user")
    set_.add_argument("usd", type=float)
    set_.set_defaults(handler=cmd_budget_set)
    remove = budget.add_parser("remove", help=_("delete a user's budget"))
    remove.add_argument("user")
    remove.set_defaults(handler=cmd_budget_remove)
    policy = budget.add_parser("policy", help=_("show or change the warning threshold and hard limits"))
    policy.add_argument("--hard-limits", choices=["on", "off"])
    policy.add_argument("--warn-at", type=float, help=_("fraction of the budget that triggers a warning, e.g. 0.8"))
    policy.set_defaults(handler=cmd_budget_policy)

    demo = commands.add_parser("demo-data", help=_("fill the database with realistic synthetic generation logs"))
    demo.add_argument("--rows", type=int, required=True)
    demo.add_argument("--days", type=int, default=365, help=_("spread over the last N days (default 365)"))
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(handler=cmd_demo_data)


def _engine():
    from ..db import get_engine, upgrade

    upgrade()
    return get_engine()


def _filters(args):
    from .filters import Filters, since

    start, end = since(args.since, args.tz)
    return Filters(start=start, end=end, tz=args.tz)


def cmd_summary(args) -> int:
    from .export import summary_dict
    from .queries import dashboard

    board = dashboard(_engine(), _filters(args), args.grain)
    if args.json:
        print(json.dumps(summary_dict(board), indent=2, default=str))
        return 0
    print(_("ContentCraft analytics · {filters} · by {grain}").format(
        filters=board.filters.describe(), grain=_(GRAINS.get(board.grain, board.grain))) + "\n")
    for key, label in KPI_LABELS.items():
        print(f"  {_(label):<15} {format_kpi(key, board.kpis[key]):>14}{_delta(key, board)}")
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.max_rows", 400):
        for name, frame in board.tables.items():
            if name != "kpis":
                print(f"\n== {_(TABLE_TITLES[name]) if name in TABLE_TITLES else name.replace('_', ' ')} ==")
                print(frame.to_string(index=False, header=report_headers(frame.columns)) if len(frame)
                      else _("(no rows)"))
    return 0


def format_kpi(key: str, value) -> str:
    """A KPI value with its unit, "–" when there is no data."""
    if value is None:
        return "–"
    if key.endswith("_rate"):
        return f"{value:.1%}"
    if key == "cost_usd":
        return f"${value:,.2f}"
    if key.endswith("_ms"):
        return f"{value:,} ms" if abs(value) < 1000 else f"{value / 1000:,.1f} s"
    return compact(value)


def compact(number: int) -> str:
    """Big counts the way people say them: 950, 12.3k, 8.18M."""
    for threshold, size, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(number) >= threshold:
            value = number / size
            return (f"{value:.3g}" if abs(value) < 999.5 else f"{value:,.0f}") + suffix
    return f"{number:,}"


def _delta(key: str, board) -> str:
    previous = board.previous and board.previous.get(key)
    current = board.kpis[key]
    if previous is None or current is None:
        return ""
    change = current - previous
    if key.endswith("_rate"):
        shown = _("{change:+.1f} pts").format(change=change * 100)
    else:
        shown = f"{change:+,.2f}" if key == "cost_usd" else f"{change:+,}"
    return "   " + _("({change} vs previous period)").format(change=shown)


def cmd_export(args) -> int:
    from .export import write_rows_csv

    count = write_rows_csv(_engine(), _filters(args), sys.stdout)
    print(ngettext("{count} row exported.", "{count} rows exported.", count).format(count=count), file=sys.stderr)
    return 0


def cmd_rebuild(args) -> int:
    from .rollups import install

    started = time.perf_counter()
    with _engine().begin() as conn:
        install(conn)
    print(_("Summary tables rebuilt from the log in {seconds:.1f} s.").format(seconds=time.perf_counter() - started))
    return 0


def cmd_budget_list(args) -> int:
    from .budgets import budget_overview, get_policy, list_budgets

    engine = _engine()
    policy = get_policy(engine)
    print(_policy_line(policy))
    budgets = list_budgets(engine)
    if not budgets:
        print(_("No budgets set: `python -m core analytics budget set USER USD` adds one."))
    for status in budget_overview(engine):
        print(f"  {status.user:<30} " + _("${spent:>10,.2f} of ${limit:>10,.2f}").format(
            spent=status.spent_usd, limit=status.limit_usd) + f" ({status.ratio:.0%}) " + _(BUDGET_LEVELS.get(status.level, status.level)))
    return 0


def cmd_budget_set(args) -> int:
    from .budgets import set_budget

    budget = set_budget(_engine(), None, args.user, args.usd)
    print(_("Monthly budget for {user}: ${usd:,.2f}").format(user=budget.user, usd=budget.monthly_usd))
    return 0


def cmd_budget_remove(args) -> int:
    from .budgets import remove_budget

    if not remove_budget(_engine(), None, args.user):
        raise ValidationFailedError(_("{user} has no budget; `analytics budget list` shows who does.")
                                    .format(user=args.user))
    print(_("Removed the budget for {user}.").format(user=args.user))
    return 0


def cmd_budget_policy(args) -> int:
    from .budgets import get_policy, set_policy

    engine = _engine()
    if args.hard_limits is not None or args.warn_at is not None:
        hard = None if args.hard_limits is None else args.hard_limits == "on"
        set_policy(engine, None, hard_limits=hard, warn_at=args.warn_at)
    policy = get_policy(engine)
    print(_policy_line(policy))
    return 0


def cmd_demo_data(args) -> int:
    from .demo import generate_demo_rows

    if args.rows < 1 or args.days < 1:
        raise ValidationFailedError(_("--rows and --days must be at least 1."))
    started = time.perf_counter()
    count = generate_demo_rows(_engine(), args.rows, args.days, args.seed)
    print(ngettext("Inserted {count:,} demo log row over the last {days} days in {seconds:.1f} s.",
                   "Inserted {count:,} demo log rows over the last {days} days in {seconds:.1f} s.", count)
          .format(count=count, days=args.days, seconds=time.perf_counter() - started))
    return 0


def _policy_line(policy) -> str:
    return (_("Warn at {share:.0%} · hard limits on") if policy.hard_limits
            else _("Warn at {share:.0%} · hard limits off")).format(share=policy.warn_at)
