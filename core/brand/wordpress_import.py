"""Samples from a connected WordPress site: its latest published posts."""

import html

from sqlalchemy.engine import Engine

from ..errors import ValidationFailedError
from ..seo import plain_text
from .analysis import html_to_text
from .profiles import SampleIn
from .sources import MIN_SAMPLE_CHARS, sample, tidy
from ..i18n import _

MAX_POSTS = 100  # the REST API's largest page


def from_wordpress(engine: Engine, site_name: str, count: int, language: str | None = None) -> list[SampleIn]:
    """The text of the site's `count` newest published posts, one sample each."""
    from ..wordpress.sites import client_for, get_site

    if not 1 <= count <= MAX_POSTS:
        raise ValidationFailedError(_("Import between 1 and {max_posts} posts at a time.")
                                    .format(max_posts=MAX_POSTS))
    site = get_site(engine, site_name)
    with client_for(site) as client:
        posts = client.get("/wp/v2/posts", status="publish", orderby="date", order="desc", per_page=count,
                           _fields="id,title,link,content")
    found = []
    for post in posts:
        text = tidy(html_to_text(post.get("content", {}).get("rendered", "")))
        if len(text) >= MIN_SAMPLE_CHARS:
            title = html.unescape(plain_text(post.get("title", {}).get("rendered", "")))
            found.append(sample(text, f"wordpress:{post.get('link') or post.get('id')}", language, title))
    if not found:
        raise ValidationFailedError(_("{name} has no published posts with at least {min_sample_chars} characters of "
                                      "text to learn from.")
                                    .format(name=site.name, min_sample_chars=MIN_SAMPLE_CHARS))
    return found
