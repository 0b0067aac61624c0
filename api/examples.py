"""OpenAPI examples: what a WordPress plugin or a script sends and gets back."""

CONTENT_REQUEST = {
    "minimal": {"summary": "Topic only", "value": {"topic": "How to choose trail running shoes"}},
    "full": {"summary": "Every field", "value": {
        "topic": "How to choose trail running shoes", "keywords": ["trail running shoes", "grip"],
        "tone": "friendly", "length": "short", "language": "en", "brand_profile": None,
        "sections": ["Why grip matters", "Fit and comfort"], "provider": None, "model": None, "use_cache": True}},
}
PRODUCT_REQUEST = {
    "product": {"summary": "A product", "value": {
        "name": "TrailFlex 2 running shoe", "category": "Shoes", "features": ["Vibram sole", "280 g"],
        "attributes": {"color": "blue", "size": "42"}, "audience": "trail runners", "tone": "persuasive",
        "language": "en"}},
}
GENERATION_RESULT = {
    "success": True, "error": None, "kind": "content", "status": "succeeded", "item_id": 42,
    "provider": "local", "model": "SmolLM2-135M-Instruct", "prompt_tokens": 412, "completion_tokens": 690,
    "tokens": 1102, "latency_ms": 5210, "cache_hit": False, "warnings": [], "error_kind": None,
    "retryable": False, "retry_after": None, "brand_score": None, "created_at": "2026-11-30T06:00:00Z",
    "data": {"title": "How to Choose Trail Running Shoes", "excerpt": "Grip, fit and protection, explained.",
             "outline": ["Why grip matters", "Fit and comfort"], "body_html": "<h2>Why grip matters</h2><p>…</p>",
             "meta": {"seo_title": "How to Choose Trail Running Shoes",
                      "meta_desc": "Grip, fit and protection: what to look for in trail running shoes, how they "
                                   "should fit, and when to replace them, explained step by step.",
                      "slug": "how-to-choose-trail-running-shoes"},
             "headings": ["Why grip matters", "Fit and comfort"], "internal_links": [],
             "schema_ld_json": {"@context": "https://schema.org", "@type": "BlogPosting"}},
}
BRAND_TRAINING = {
    "posts": {"summary": "Two published posts", "value": {
        "texts": [{"text": "<p>We test every shoe on our own trails before we sell it. You get the honest verdict: "
                           "where it grips, where it slips.</p>", "html": True, "title": "Our shoe tests",
                   "source": "https://shop.example.com/our-shoe-tests"},
                  {"text": "Short runs count. Ten minutes before work is enough to build the habit, and we show you "
                           "how.", "title": "Ten-minute runs"}],
        "language": "en", "describe": True}},
}
