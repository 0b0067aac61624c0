"""`python -m core brand create/score`: profiles from files and scores as JSON for scripts."""

import json

from core.brand import profiles
from core.cli import main
from tests.brand_corpus import passages


def _files(tmp_path, language: str, style: str, part: str) -> list[str]:
    paths = []
    for index, text in enumerate(passages(language, style, part)):
        path = tmp_path / f"{language}_{style}_{part}_{index}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def test_create_and_score_as_json(engine, tmp_path, capsys):
    samples = _files(tmp_path, "de", "blog", "train")
    assert main(["brand", "create", "Laufblog", "--language", "de", "--samples", *samples]) == 0
    assert "Created 'Laufblog' (v2) from 4 samples" in capsys.readouterr().out
    profile = profiles.get_profile(engine, "laufblog")
    assert profile.language == "de" and "de" in profile.references and len(profiles.samples(engine, profile.id)) == 4
    own, legal = tmp_path / "own.md", tmp_path / "legal.html"
    own.write_text("# Heute\n\n" + "\n\n".join(passages("de", "blog", "heldout")), encoding="utf-8")
    legal.write_text("<p>" + "</p><p>".join(passages("de", "legal", "heldout")) + "</p>", encoding="utf-8")
    short = _files(tmp_path, "de", "blog", "heldout")[0]
    assert main(["brand", "score", "Laufblog", "--text-file", str(own), str(legal), short, "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in results] == [str(own), str(legal), short]
    assert results[0]["score"] >= 90 and results[0]["reasons"] == []
    assert results[1]["score"] < results[0]["score"] and results[1]["reasons"]
    assert results[2]["score"] is None and results[2]["reasons"][0].startswith("too short to score")


def test_plain_output_and_errors(engine, tmp_path, capsys):
    samples = _files(tmp_path, "en", "legal", "train")
    assert main(["brand", "create", "Terms", "--samples", *samples]) == 0
    blog = tmp_path / "blog.txt"
    blog.write_text("\n\n".join(passages("en", "blog", "heldout")), encoding="utf-8")
    capsys.readouterr()
    assert main(["brand", "score", "Terms", "--text-file", str(blog)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{blog}: ") and out[0].endswith("off-voice")
    assert out[1].startswith("  - reads about as much like other kinds of writing as like your samples: more ")
    assert main(["brand", "score", "Nope", "--text-file", str(blog)]) == 1
    assert "no brand profile named 'Nope'" in capsys.readouterr().err
    assert main(["brand", "create", "Terms", "--samples", *samples]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["brand", "create", "Other", "--samples", str(tmp_path / "missing.txt")]) == 1
    assert "Cannot read" in capsys.readouterr().err
    assert main(["brand", "score", "Terms", "--language", "fr", "--text-file", str(blog), "--json"]) == 0
    assert "no French samples yet" in json.loads(capsys.readouterr().out)[0]["reasons"][0]


def test_a_missing_file_is_reported_in_its_object_and_the_batch_goes_on(engine, tmp_path, capsys):
    assert main(["brand", "create", "Terms", "--samples", *_files(tmp_path, "en", "legal", "train")]) == 0
    blog = tmp_path / "blog.txt"
    blog.write_text("\n\n".join(passages("en", "blog", "heldout")), encoding="utf-8")
    missing = str(tmp_path / "missing.txt")
    capsys.readouterr()
    assert main(["brand", "score", "Terms", "--text-file", missing, str(blog), "--json"]) == 1
    results = json.loads(capsys.readouterr().out)
    assert results[0]["file"] == missing and results[0]["score"] is None and "Cannot read" in results[0]["error"]
    assert results[1]["file"] == str(blog) and results[1]["score"] is not None and "error" not in results[1]


def test_japanese_samples_are_counted_in_characters(engine, tmp_path, capsys):
    from core.brand.voiceprint import pool_passages

    text = "\n\n".join(pool_passages("ja")[:9])
    path = tmp_path / "ja.txt"
    path.write_text(text, encoding="utf-8")
    assert main(["brand", "create", "Nihon", "--language", "ja", "--samples", str(path)]) == 0
    out = capsys.readouterr().out
    count = len("".join(text.split()))
    assert f"from 1 sample, {count} characters." in out, out
    assert profiles.sample_length(text, "ja") == (count, "characters") and count > 1000
