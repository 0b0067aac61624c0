"""POST /api/brand/{profile}/score and /train: score a passage against a brand voice, or train it from texts."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request
from pydantic import BaseModel, Field

from core.brand.apply import score_passage
from core.brand.retrain import MAX_TEXTS, SourceText, TrainingOutcome, train_from_texts
from core.schemas import BrandConsistency, Language

from ..deps import Caller, IdempotencyKey, Svc, idempotent, json_response
from ..examples import BRAND_TRAINING
from ..problems import responses

router = APIRouter(tags=["brand"])
ProfileName = Annotated[str, Path(min_length=1, max_length=80, description="The profile's name (any case).")]


class Passage(BaseModel):
    """Text to score; HTML is reduced to its text first when html is true."""

    text: str = Field(min_length=1, max_length=100_000)
    language: Language | None = Field(None, description="Detected from the text when omitted.")
    html: bool = False


class Training(BaseModel):
    """The brand's own writing to learn from, and how."""

    texts: list[SourceText] = Field(min_length=1, max_length=MAX_TEXTS)
    language: Language | None = Field(None, description="The texts' language; detected per text when omitted.")
    describe: bool = Field(True, description="Have the model write the voice description and rules; false only "
                                             "recomputes the measured fields and the scoring reference.")
    provider: str | None = Field(None, max_length=40)
    model: str | None = Field(None, max_length=120)


@router.post("/brand/{profile}/score", response_model=BrandConsistency, summary="Score text against a brand voice",
             responses=responses("unauthorized", "forbidden", "not-found", "validation-failed", "rate-limited"))
def score(profile: str, body: Passage, svc: Svc, user: Caller):
    """0–100 (Burrows' Delta over function words, sentence shape and readability) and the biggest differences."""
    return score_passage(svc.engine, user, profile, body.text, body.language, html=body.html)


@router.post("/brand/{profile}/train", response_model=TrainingOutcome, summary="Train a brand voice from texts",
             responses=responses("unauthorized", "forbidden", "validation-failed", "rate-limited",
                                 "request-in-progress", "idempotency-key-reused", "invalid-output", "provider-quota",
                                 "provider-unavailable", "provider-timeout", "provider-not-configured"))
def train_profile(profile: ProfileName, request: Request, svc: Svc, user: Caller,
          body: Annotated[Training, Body(openapi_examples=BRAND_TRAINING)], key: IdempotencyKey = None):
    """Add the texts as samples of the profile (created if missing), retrain it and save a new version (editors)."""
    def produce():
        return json_response(train_from_texts(svc.generator, user, profile, body.texts, language=body.language,
                                              describe=body.describe, provider=body.provider, model=body.model))

    return idempotent(svc, request, user, key, body.model_dump_json(), produce)
