"""Publishing cost against a real local WordPress, side by side with a bare REST call; link ranking speed.

Run: .venv/bin/python benchmarks/wordpress.py [--posts 20] [--corpus 2000]
Needs the Debian packages from .ci/run (wordpress, mariadb-server, php-cli, ...).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from core.assemble import build_content  # noqa: E402
from core.auth import create_user  # noqa: E402
from core.db import engine_for, session_scope, upgrade  # noqa: E402
from core.models import ContentItem  # noqa: E402
from core.schemas import BlogDraft, ContentRequest  # noqa: E402
from core.wordpress import PublishOptions, add_site, publish, rank_posts  # noqa: E402
from tests.samples import blog_draft  # noqa: E402
from tests.wordpress.harness import missing_packages, run_script, start_wordpress  # noqa: E402


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


def approved_items(engine, count: int) -> list[int]:
    ids = []
    with session_scope(engine) as session:
        for n in range(count):
            request = ContentRequest(topic=f"Benchmark post {n}", keywords=["running shoes"])
            data = build_content(BlogDraft(**blog_draft(title=f"Benchmark Running Shoes Post {n} {time.time_ns()}")),
                                 request).model_dump(mode="json")
            item = ContentItem(type="content", status="approved", title=data["title"], author="bench@example.com",
                               request_json=request.model_dump(mode="json"), data_json=data)
            session.add(item)
            session.flush()
            ids.append(item.id)
    return ids


def summary(name: str, samples: list[float]) -> str:
    return f"{name:<44} median {statistics.median(samples):8.1f} ms   p90 {sorted(samples)[int(len(samples) * 0.9)]:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--corpus", type=int, default=2000)
    args = parser.parse_args()
    if missing_packages():
        sys.exit(f"missing Debian packages: {' '.join(missing_packages())}")
    os.environ["CONTENTCRAFT_SECRET_KEY"] = Fernet.generate_key().decode()
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/bench.db"
    upgrade(url)
    engine = engine_for(url)
    editor = create_user(engine, email="bench@example.com", password="bench-pass-1", role="editor")

    start_ms, wp = timed(start_wordpress)
    try:
        stop_ms, _ = timed(wp.stop)
        restart_ms, _ = timed(wp.start)
        add_site(engine, None, name="bench", url=wp.url, username=wp.user, app_password=wp.app_password)
        ids = approved_items(engine, args.posts * 2)
        create, update, raw_create, raw_update = [], [], [], []
        with httpx.Client(base_url=f"{wp.url}/wp-json", auth=(wp.user, wp.app_password), trust_env=False,
                          timeout=30) as raw:
            for n, item_id in enumerate(ids[:args.posts]):
                ms, result = timed(publish, engine, editor, item_id, "bench", PublishOptions(status="publish"))
                create.append(ms)
                update.append(timed(publish, engine, editor, item_id, "bench", PublishOptions(status="publish"))[0])
                body = {"title": f"Raw post {n}", "content": "<p>x</p>", "status": "publish", "slug": f"raw-{n}-{time.time_ns()}"}
                ms, response = timed(raw.post, "/wp/v2/posts", json=body)
                raw_create.append(ms)
                raw_update.append(timed(raw.post, f"/wp/v2/posts/{response.json()['id']}", json=body)[0])
    finally:
        run_script("stop.sh", wp.dir, WP_PURGE="1")

    corpus = [{"title": f"Post {i} about {'running shoes' if i % 50 == 0 else 'garden tools'} and topic {i % 97}",
               "link": f"https://b.example.com/{i}", "excerpt": "Some words about the subject " * 4}
              for i in range(args.corpus)]
    rank_ms = [timed(rank_posts, "choosing running shoes for flat feet", corpus)[0] for _ in range(5)]

    print(f"WordPress start (fresh install) {start_ms:7.0f} ms · stop {stop_ms:5.0f} ms · restart {restart_ms:5.0f} ms")
    print(summary("publish() new post (users/me, schema, create)", create))
    print(summary("bare POST /wp/v2/posts (one request)", raw_create))
    print(summary("publish() again (users/me, schema, update)", update))
    print(summary("bare POST /wp/v2/posts/ID (update)", raw_update))
    print(f"ratio publish()/bare: create {statistics.median(create) / statistics.median(raw_create):.2f}x, "
          f"update {statistics.median(update) / statistics.median(raw_update):.2f}x")
    print(f"BM25 ranking over {args.corpus} posts: median {statistics.median(rank_ms):.1f} ms")


if __name__ == "__main__":
    main()
