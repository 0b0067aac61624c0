"""POST /api/brand/{profile}/score: how close a passage is to a brand voice."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.brand.apply import score_passage
from core.schemas import BrandConsistency, Language

from ..deps import Caller, Svc
from ..problems import responses

router = APIRouter(tags=["brand"])


class Passage(BaseModel):
    """Text to score; HTML is reduced to its text first when html is true."""

    text: str = Field(min_length=1, max_length=100_000)
    language: Language | None = Field(None, description="Detected from the text when omitted.")
    html: bool = False


@router.post("/brand/{profile}/score", response_model=BrandConsistency, summary="Score text against a brand voice",
             responses=responses("unauthorized", "forbidden", "not-found", "validation-failed", "rate-limited"))
def score(profile: str, body: Passage, svc: Svc, user: Caller):
    """0–100 (Burrows' Delta over function words, sentence shape and readability) and the biggest differences."""
    return score_passage(svc.engine, user, profile, body.text, body.language, html=body.html)
