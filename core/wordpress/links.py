"""Internal links: rank a site's published posts against a new item with BM25, in all ten languages."""

import hashlib
import html
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from ..cache import make_cache
from ..config import get_settings
from ..schemas import InternalLink
from ..seo import plain_text
from .client import TIMEOUT
from .sites import client_for, get_site

POSTS_TTL = 900
# Han, Hiragana, Katakana, Hangul: no spaces between words, so they are indexed as character bigrams.
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_WORD = re.compile(r"\w+")
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_ARABIC_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ۀ": "ه"})
STOPWORDS = set("""
a an and are as at be by for from has have how in is it its of on or that the this to was were what when
which who why will with you your
der die das und ist im in den dem des ein eine einer mit für auf zu von wie nicht sich auch es
el la los las de del y en un una que con por para es se al lo como más su
le la les des du de et en un une est que qui pour dans par sur au aux avec ce ces
il lo la gli le di del della e un una che per con non si da in al
و در به از که این را با آن یک برای است هم تا
في من على إلى عن أن هذا هذه التي الذي مع ما هو هي كان
""".split())


def tokens(text: str) -> list[str]:
    """Index terms of text: words (with a 5-letter prefix as a light stem) and CJK character bigrams."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u200c", "")
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    for word in _WORD.findall(_CJK_RUN.sub(" ", text)):
        if len(word) < 2 or word in STOPWORDS or word.isdigit():
            continue
        out.append(word)
        if len(word) > 6:
            # Shared prefixes stand in for stemming: "marathons"/"marathon", "laufschuhe"/"laufschuh".
            out.append(word[:5] + "…")
    return out


class BM25:
    """Okapi BM25 over a list of documents given as token lists."""

    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.freqs = [Counter(doc) for doc in docs]
        self.lengths = [len(doc) for doc in docs]
        self.avg = (sum(self.lengths) / len(docs)) if docs else 0.0
        df = Counter(term for freq in self.freqs for term in freq)
        n = len(docs)
        self.idf = {term: math.log(1 + (n - count + 0.5) / (count + 0.5)) for term, count in df.items()}

    def scores(self, query: list[str]) -> list[float]:
        """One score per document."""
        terms = Counter(query)
        out = []
        for freq, length in zip(self.freqs, self.lengths):
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg or 1))
            out.append(sum(self.idf[t] * freq[t] * (self.k1 + 1) / (freq[t] + norm) * (1 + math.log(q))
                           for t, q in terms.items() if t in freq))
        return out


@dataclass
class Suggestion:
    """A suggested internal link and how well it matched."""

    title: str
    url: str
    score: float

    def as_link(self) -> InternalLink:
        return InternalLink(title=self.title, url=self.url, anchor=self.title)


def item_query(data: dict, keywords: list[str] | None = None) -> str:
    """The text a new item is matched on: title, keywords, excerpt and headings."""
    parts = [data.get("title", ""), " ".join((keywords or []) * 2), data.get("excerpt", "")
             or data.get("short_description", ""), " ".join(data.get("headings") or [])]
    return " ".join(part for part in parts if part)


def rank_posts(query: str, posts: list[dict], limit: int = 5, exclude_urls: set[str] = frozenset(),
               minimum: int = 3, relative: float = 0.25) -> list[Suggestion]:
    """The best-matching posts (title counted twice, then excerpt), best first.

    Up to limit posts scoring at least `relative` of the best; fewer than `minimum` are topped up
    with the next ones that match at all, so the editor still has a few to choose from.
    """
    posts = [p for p in posts if p.get("link") and p["link"] not in exclude_urls]
    docs = [tokens(f"{p['title']} {p['title']} {p.get('excerpt', '')}") for p in posts]
    scored = sorted(((score, p) for score, p in zip(BM25(docs).scores(tokens(query)), posts) if score > 0),
                    key=lambda pair: -pair[0])
    strong = [pair for pair in scored if pair[0] >= relative * scored[0][0]] if scored else []
    best = (strong if len(strong) >= minimum else scored[:minimum])[:limit]
    return [Suggestion(title=p["title"], url=p["link"], score=round(score, 3)) for score, p in best]


def site_posts(engine: Engine, site_name: str, *, refresh: bool = False, timeout: float = TIMEOUT,
               transport=None) -> list[dict]:
    """The site's published posts (title, link, excerpt as plain text), cached for POSTS_TTL seconds."""
    site = get_site(engine, site_name)
    cache = make_cache(engine, get_settings().redis_url)
    key = hashlib.sha256(f"wp-posts|{site.id}|{site.base_url}".encode()).hexdigest()
    if not refresh and (cached := cache.get(key)) is not None:
        return json.loads(cached)
    with client_for(site, timeout=timeout, transport=transport) as wp:
        raw = wp.published_posts()
    posts = [{"id": p["id"], "title": plain_text(p["title"]["rendered"]), "link": p["link"],
              "excerpt": plain_text(p.get("excerpt", {}).get("rendered", ""))} for p in raw]
    cache.set(key, json.dumps(posts, ensure_ascii=False), POSTS_TTL)
    return posts


def suggest_links(engine: Engine, item, site_name: str, *, limit: int = 5, refresh: bool = False,
                  transport=None) -> list[Suggestion]:
    """The site's posts most relevant to item (a ContentItem), best first, its own post excluded."""
    from .publications import publication_for

    posts = site_posts(engine, site_name, refresh=refresh, transport=transport)
    own = publication_for(engine, item.id, site_name)
    keywords = (item.request_json or {}).get("keywords") or []
    return rank_posts(item_query(item.data_json, keywords), posts, limit, {own.url} if own and own.url else set())


def insert_links(body_html: str, links: list[InternalLink]) -> str:
    """Body with each link on the first unlinked mention of its anchor, the rest listed at the end."""
    leftover = []
    for link in links:
        anchor = (link.anchor or link.title).strip()
        if link.url in body_html:
            continue
        linked = _link_first_mention(body_html, anchor, link.url) if anchor else None
        if linked is None:
            leftover.append(link)
        else:
            body_html = linked
    if leftover:
        items = "".join(f'<li><a href="{html.escape(l.url)}">{html.escape(l.title)}</a></li>' for l in leftover)
        body_html += f'\n<ul class="contentcraft-related">{items}</ul>'
    return body_html


def _link_first_mention(body_html: str, anchor: str, url: str) -> str | None:
    depth = {"a": 0, "h": 0}
    pieces = re.split(r"(<[^>]+>)", body_html)
    pattern = re.compile(re.escape(html.escape(anchor, quote=False)), re.IGNORECASE)
    for i, piece in enumerate(pieces):
        if piece.startswith("<"):
            tag = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            name = tag.group(1).lower() if tag else ""
            kind = "a" if name == "a" else "h" if re.fullmatch(r"h[1-6]", name) else None
            if kind:
                depth[kind] += -1 if piece.startswith("</") else 1
            continue
        if depth["a"] <= 0 and depth["h"] <= 0 and (found := pattern.search(piece)):
            pieces[i] = (piece[:found.start()] + f'<a href="{html.escape(url)}">{found.group(0)}</a>'
                         + piece[found.end():])
            return "".join(pieces)
    return None
