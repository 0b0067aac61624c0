"""The seed's content contract: requests in, structured content out."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .text import clean_controls, grapheme_len
from .i18n import _

LANGUAGES = {
    "en": "English", "fa": "Persian", "ar": "Arabic", "de": "German", "es": "Spanish",
    "fr": "French", "it": "Italian", "ja": "Japanese", "ko": "Korean", "zh": "Chinese",
}
RTL_LANGUAGES = {"fa", "ar"}
TONES = ("professional", "friendly", "casual", "authoritative", "witty", "persuasive", "informative")
Length = Literal["short", "medium", "long"]
LENGTH_WORDS = {"short": 400, "medium": 800, "long": 1500}  # body words asked for; shown as "≈ 400 words"
Language = Literal["en", "fa", "ar", "de", "es", "fr", "it", "ja", "ko", "zh"]


def _clean_list(values: list[str]) -> list[str]:
    seen, out = set(), []
    for value in values:
        value = value.strip()
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


def Chars(min_length: int = 0, max_length: int | None = None):
    """A str whose length limits count characters as readers (and Google) do: grapheme clusters."""

    def check(value: str) -> str:
        size = grapheme_len(value)
        if size < min_length:
            raise PydanticCustomError("string_too_short", "String should have at least {min_length} characters",
                                      {"min_length": min_length})
        if max_length is not None and size > max_length:
            raise PydanticCustomError("string_too_long", "String should have at most {max_length} characters",
                                      {"max_length": max_length})
        return value

    bounds = {"minLength": min_length} if min_length else {}
    bounds |= {"maxLength": max_length} if max_length is not None else {}
    return Annotated[str, AfterValidator(check), Field(json_schema_extra=bounds)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _space_controls(cls, data):
        # A vertical tab pasted from a spreadsheet is a word break, not a character to keep.
        return clean_controls(data) if isinstance(data, dict) else data


# Per-item limits: one pasted 2 MB "keyword" must not become a 2 MB prompt.
ITEM_LIMITS = {"keywords": 100, "sections": 200, "features": 300}
ATTRIBUTE_NAME_MAX, ATTRIBUTE_VALUE_MAX, ATTRIBUTES_MAX = 100, 500, 50


def _check_items(field: str, items: list[str]) -> list[str]:
    limit = ITEM_LIMITS[field]
    for item in items:
        if len(item) > limit:
            raise ValueError(_("each of the {field} can have at most {limit} characters; “{value}…” has "
                               "{item_count:,}")
                             .format(field=field, limit=limit, value=item[:30], item_count=len(item)))
    return items


# Off unless asked for, and then left out of dumps, so cache keys and stored requests stay as they were.
def _keep_external_images():
    return Field(False, exclude_if=lambda keep: not keep,
                 description="keep <img> from hosts other than the connected WordPress sites (otherwise removed, "
                             "with a warning)")


class ContentRequest(_Strict):
    """What the user asks for: a blog post."""

    topic: str = Field(min_length=5, max_length=200)
    keywords: list[str] = Field(default_factory=list, max_length=10)
    tone: str = Field("professional", min_length=2, max_length=40)
    length: Length = "medium"
    language: Language = "en"
    brand_profile: str | None = None
    sections: list[str] = Field(default_factory=list, max_length=20)
    keep_external_images: bool = _keep_external_images()

    @field_validator("keywords", "sections", mode="before")
    @classmethod
    def _split_and_clean(cls, value, info):
        if isinstance(value, str):
            value = value.split(",")
        return _check_items(info.field_name, _clean_list([str(v) for v in value]))

    @field_validator("topic", mode="before")  # before the length check: a few invisible characters look empty
    @classmethod
    def _has_words(cls, value):
        return _words_in("topic", value)


def _words_in(field: str, value):
    """value, if it has a letter or digit: invisible characters (zero-width spaces, marks) alone are no subject.
    Empty text and non-text are left to the field's own checks."""
    if isinstance(value, str) and value.strip() and not any(char.isalnum() for char in value):
        raise ValueError(_("the {field} has no letters or digits").format(field=field))
    return value


class MetaData(BaseModel):
    """SEO meta: the title tag, the description and the URL slug."""

    seo_title: Chars(max_length=60)
    meta_desc: Chars(min_length=140, max_length=160)
    slug: str = Field(min_length=1, max_length=200)


class InternalLink(BaseModel):
    """A suggested link to another post of the same site."""

    title: str
    url: str
    anchor: str = ""


class ContentData(BaseModel):
    """A finished, SEO-valid blog post."""

    title: str = Field(min_length=1, max_length=200)
    excerpt: str
    outline: list[str]
    body_html: str = Field(min_length=1)
    meta: MetaData
    headings: list[str]
    internal_links: list[InternalLink] = Field(default_factory=list)
    schema_ld_json: dict


class ProductRequest(_Strict):
    """What the user asks for: a WooCommerce product description."""

    name: str = Field(min_length=2, max_length=200)
    category: str = Field("", max_length=100)
    features: list[str] = Field(default_factory=list, max_length=30)
    attributes: dict[str, str] = Field(default_factory=dict)
    audience: str = Field("", max_length=200)
    tone: str = Field("persuasive", min_length=2, max_length=40)
    language: Language = "en"
    brand_profile: str | None = None
    current_copy: str = Field("", max_length=8000, description="the product's present copy, to rewrite from")
    sku: str = Field("", max_length=100, description="the store's SKU, so publishing finds the product")
    keep_external_images: bool = _keep_external_images()

    @field_validator("name", mode="before")  # before the length check: a few invisible characters look empty
    @classmethod
    def _has_words(cls, value):
        return _words_in("name", value)

    @field_validator("features", mode="before")
    @classmethod
    def _split_features(cls, value):
        if isinstance(value, str):
            value = value.split(";")
        return _check_items("features", _clean_list([str(v) for v in value]))

    @field_validator("attributes")
    @classmethod
    def _limit_attributes(cls, value: dict[str, str]):
        if len(value) > ATTRIBUTES_MAX:
            raise ValueError(_("give at most {attributes_max} attributes (you gave {value_count})")
                             .format(attributes_max=ATTRIBUTES_MAX, value_count=len(value)))
        for name, text in value.items():
            if len(name) > ATTRIBUTE_NAME_MAX or len(text) > ATTRIBUTE_VALUE_MAX:
                raise ValueError(_("an attribute name can have at most {attribute_name_max} characters and its "
                                   "value at most {attribute_value_max}; “{value}” is too long")
                                 .format(attribute_name_max=ATTRIBUTE_NAME_MAX,
                                         attribute_value_max=ATTRIBUTE_VALUE_MAX, value=name[:30]))
        return value


class ProductData(BaseModel):
    """A finished product description."""

    title: str = Field(min_length=1, max_length=200)
    short_description: str = Field(min_length=1)
    description_html: str = Field(min_length=1)
    bullet_features: list[str]
    meta: MetaData
    image_alt_text: Chars(min_length=1, max_length=125)
    schema_ld_json: dict


class BrandConsistency(BaseModel):
    """How closely an item matches its brand profile's samples (0–100), and the biggest differences."""

    profile: str
    profile_id: int
    version: int
    score: int | None = None
    differences: list[str] = Field(default_factory=list)


class ContentResponse(BaseModel):
    """The result of one generation, as shown, saved and printed by the CLI."""

    status: Literal["succeeded", "needs_review", "failed"]  # needs_review: saved, but the quality gate objects
    type: Literal["content", "product"]
    content: ContentData | None = None
    product: ProductData | None = None
    error: str | None = None
    error_kind: str | None = None  # the error's core.errors kind, e.g. "quota_exceeded", "truncated"
    retryable: bool = False
    retry_after: float | None = None
    item_id: int | None = None
    provider: str | None = None
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    cache_hit: bool = False
    created_at: datetime | None = None
    brand_score: BrandConsistency | None = None
    warnings: list[str] = Field(default_factory=list)  # why a result needs review, e.g. the wrong language
    detected_language: str | None = None
    attempts: int = 1  # 2 when the quality gate asked for a second try


class GenerationResult(BaseModel):
    """The seed's envelope {success, data, error} plus what callers need: the API's and `generate --json`'s shape."""

    success: bool
    data: ContentData | ProductData | None = None
    error: str | None = None
    kind: Literal["content", "product"]
    status: str = Field(description="succeeded, failed (or another pipeline status such as needs_review).")
    item_id: int | None = Field(None, description="The saved Library item, when one was saved.")
    provider: str | None = None
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens: int = Field(0, description="prompt_tokens + completion_tokens (0 on a cache hit's provider side).")
    latency_ms: int = 0
    cache_hit: bool = False
    warnings: list[str] = Field(default_factory=list)
    error_kind: str | None = Field(None, description="What kind of failure, e.g. rate_limited, quota_exceeded, "
                                   "invalid_output, provider_timeout (stable names; the problem `type` says the same).")
    retryable: bool = False
    retry_after: float | None = Field(None, description="Seconds to wait before retrying, when known.")
    brand_score: BrandConsistency | None = None
    created_at: datetime | None = None

    @classmethod
    def of(cls, response: ContentResponse) -> "GenerationResult":
        """The envelope of a pipeline response."""
        fields = response.model_dump(exclude={"content", "product", "warnings"})
        return cls(**{k: v for k, v in fields.items() if k in cls.model_fields},
                   kind=response.type, success=response.status != "failed", data=response.content or response.product,
                   tokens=response.prompt_tokens + response.completion_tokens,
                   warnings=list(getattr(response, "warnings", None) or []))


class BlogDraft(BaseModel):
    """What the model is asked to write for a blog post; the rest is derived in code."""

    title: str = Field(min_length=1, max_length=200)
    excerpt: str = Field(min_length=1, max_length=600)
    outline: list[str] = Field(default_factory=list, max_length=20)
    body_html: str = Field(min_length=1)
    seo_title: str = Field("", max_length=120)
    meta_desc: str = Field("", max_length=400)


class ProductDraft(BaseModel):
    """What the model is asked to write for a product."""

    title: str = Field(min_length=1, max_length=200)
    short_description: str = Field(min_length=1, max_length=800)
    description_html: str = Field(min_length=1)
    bullet_features: list[str] = Field(default_factory=list, max_length=15)
    seo_title: str = Field("", max_length=120)
    meta_desc: str = Field("", max_length=400)
    image_alt_text: str = Field("", max_length=250)
