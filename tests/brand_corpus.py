"""The brand sample corpora in tests/data/brand, read by passage."""

from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "brand"
STYLES = ("legal", "blog", "product")


def passages(language: str, style: str, part: str = "train") -> list[str]:
    """The passages of one language, style and part ("train" or "heldout")."""
    text = (CORPUS / f"{language}_{style}_{part}.txt").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]
