"""Turns a model's draft into finished, SEO-valid content, deterministically."""

from . import seo
from .errors import InvalidOutputError
from .images import ImagePolicy
from .text import cut
from .schemas import (BlogDraft, ContentData, ContentRequest, MetaData, ProductData, ProductDraft,
                      ProductRequest)
from .i18n import _


KEEP_IMAGES = ImagePolicy(keep_external=True)


def _meta(seo_title_source: str, slug_source: str, *description_sources: str) -> MetaData:
    description = seo.meta_description(*description_sources)
    if description is None:
        raise InvalidOutputError(_("The meta description could not be brought to 140–160 characters."))
    return MetaData(seo_title=seo.seo_title(seo_title_source), meta_desc=description,
                    slug=seo.make_slug(slug_source))


def build_content(draft: BlogDraft, request: ContentRequest) -> ContentData:
    """A ContentData from a blog draft: sanitised body, fitted meta, slug, headings and JSON-LD."""
    title = seo.plain_text(draft.title)
    body = seo.sanitize_html(draft.body_html, KEEP_IMAGES)  # apply_images decides on them once the result is final
    body_text = seo.plain_text(body)
    if not body_text:
        raise InvalidOutputError(_("The article body is empty after removing unsafe HTML."))
    excerpt = seo.plain_text(draft.excerpt)
    meta = _meta(draft.seo_title or title, title, draft.meta_desc, excerpt, body_text)
    return ContentData(
        title=title, excerpt=excerpt, outline=[seo.plain_text(o) for o in draft.outline if seo.plain_text(o)],
        body_html=body, meta=meta, headings=seo.extract_headings(body), internal_links=[],
        schema_ld_json=seo.blog_json_ld(title=title, description=meta.meta_desc, language=request.language,
                                        keywords=request.keywords, body_text=body_text),
    )


def build_product(draft: ProductDraft, request: ProductRequest) -> ProductData:
    """A ProductData from a product draft."""
    title = seo.plain_text(draft.title)
    body = seo.sanitize_html(draft.description_html, KEEP_IMAGES)
    # An empty short description (markup only) is rebuilt from the long one's first sentences.
    short = seo.plain_text(draft.short_description) or (seo.fit_length(seo.plain_text(body), 1, 300) or "")
    meta = _meta(draft.seo_title or title, request.name, draft.meta_desc, short, seo.plain_text(body))
    alt = seo.fit_length(seo.plain_text(draft.image_alt_text) or f"{title}", 1, 125) or cut(title, 125)
    return ProductData(
        title=title, short_description=short, description_html=body,
        bullet_features=[seo.plain_text(b) for b in draft.bullet_features if seo.plain_text(b)],
        meta=meta, image_alt_text=alt,
        schema_ld_json=seo.product_json_ld(name=title, description=short, category=request.category,
                                           language=request.language),
    )


def apply_seo_options(data: ContentData | ProductData, settings) -> None:
    """Honour the admin's SEO switches: JSON-LD on or off, model-written alt text or the product title."""
    if not settings.seo_schema:
        data.schema_ld_json = {}
    if isinstance(data, ProductData) and not settings.seo_alt_text:
        data.image_alt_text = cut(data.title, 125)


def apply_images(data: ContentData | ProductData, images: ImagePolicy) -> list[str]:
    """Remove the images `images` does not allow from the result's HTML; returns their src, for the warning."""
    field = "body_html" if isinstance(data, ContentData) else "description_html"
    cleaned, dropped = seo.clean_body(getattr(data, field), images)
    setattr(data, field, cleaned)
    return dropped
