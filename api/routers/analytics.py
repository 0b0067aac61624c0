"""GET /api/analytics/summary: the Analytics page's figures as JSON."""

import json
from typing import Annotated

from fastapi import APIRouter, Query

from core.access.audit import endpoint_errors
from core.analytics.export import summary_dict
from core.analytics.filters import Filters, since, zone
from core.analytics.queries import dashboard
from core.auth import require

from ..deps import Caller, Svc
from ..problems import responses

router = APIRouter(tags=["analytics"])


@router.get("/analytics/summary", summary="Usage, latency, tokens, cost, errors and cache hits",
            responses=responses("unauthorized", "forbidden", "validation-failed", "rate-limited"))
def summary(svc: Svc, user: Caller,
            period: Annotated[str, Query(alias="since", max_length=20, pattern=r"^(\d{1,5}d|all)$",
                                         description="How far back: a number of days (30d) or all.")] = "30d",
            tz: Annotated[str, Query(min_length=1, max_length=64, description="IANA time zone for date buckets.")] = "UTC") -> dict:
    """KPIs with the previous period, tables by type/user/model, top errors, and API error rates by endpoint."""
    require(user, "view_analytics")
    zone(tz)
    start, end = since(period, tz)
    result = summary_dict(dashboard(svc.engine, Filters(start=start, end=end, tz=tz)))
    result["api_endpoints"] = json.loads(endpoint_errors(svc.engine, start, end).to_json(orient="records"))
    return result
