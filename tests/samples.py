"""Drafts a model might return, for tests."""

META = ("Learn how to pick running shoes for flat feet: what arch support means, which cushioning helps, "
        "and how to test a pair in the shop before you buy.")


def blog_draft(**overrides) -> dict:
    draft = {
        "title": "Running Shoes for Flat Feet: A Practical Buying Guide",
        "excerpt": "Flat feet need the right support. Here is how to choose running shoes that keep you comfortable.",
        "outline": ["Why flat feet need support", "What to look for", "Testing a pair"],
        "body_html": ("<h2>Why flat feet need support</h2><p>Running shoes for flat feet limit overpronation.</p>"
                      "<h2>What to look for</h2><ul><li>Stability</li><li>Firm midsole</li></ul>"
                      "<h3>Testing a pair</h3><p>Walk, jog and check the heel.</p>"),
        "seo_title": "Running Shoes for Flat Feet: How to Choose",
        "meta_desc": META,
    }
    draft.update(overrides)
    return draft


def product_draft(**overrides) -> dict:
    draft = {
        "title": "TrailFlex Stability Running Shoe",
        "short_description": "A light stability shoe with a firm midsole for runners with flat feet.",
        "description_html": "<p>The TrailFlex keeps your stride steady.</p><h3>Features</h3><ul><li>Firm</li></ul>",
        "bullet_features": ["Firm midsole", "Breathable mesh"],
        "seo_title": "TrailFlex Stability Running Shoe for Flat Feet",
        "meta_desc": META,
        "image_alt_text": "Blue TrailFlex running shoe seen from the side",
    }
    draft.update(overrides)
    return draft
