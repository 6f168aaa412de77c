"""Codebook mode: answers mapped onto officers' themes, the rest grouped into proposed themes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from analysis.cli import themes_command
from analysis.codebook import (
    METHOD_MODEL,
    METHOD_SIMILARITY,
    CodebookResult,
    map_to_codebook,
    segments,
)
from analysis.codebook_embeddings import METHOD_SUFFIX
from analysis.codebook_file import Codebook, CodebookError, read_codebook
from analysis.codebook_scoring import one_vs_rest
from analysis.errors import AnalysisError
from analysis.types import ThemeParams
from tests.analysis.corpora import QUESTION, TOPICS, planted_answers

PARAMS = ThemeParams(question_text=QUESTION)  # the default method: meaning and words
WORDS = ThemeParams(question_text=QUESTION, method="tfidf")

# Written the way an officer would describe the partnership's priorities: few words, no examples.
PRIORITIES = {
    "buses": ("Bus services", "Bus routes, fares, timetables and reliability."),
    "potholes": ("Road repairs", "Potholes and the state of road surfaces."),
    "youth": ("Activities for young people", "Youth clubs and things for teenagers to do."),
    "gp": ("Access to GPs", "Doctor and GP appointments, waiting at the health centre."),
    "lighting": ("Street lighting", "Broken or missing street lights and dark paths."),
}


def _codebook(topics: list[str] | None = None, examples: int = 0) -> Codebook:
    themes = []
    for topic in topics or list(PRIORITIES):
        label, description = PRIORITIES[topic]
        # The last phrasings of each topic, so answers built from the first ones are not copies.
        chosen = list(TOPICS[topic][-examples:]) if examples else []
        themes.append({"id": topic, "label": label, "description": description, "examples": chosen})
    return Codebook.from_json({"themes": themes})


def _pairs(rows: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [(answer_id, text) for answer_id, text, _ in rows]


def _accuracy(result: CodebookResult, rows: list[tuple[str, str, str]]) -> float:
    planted = {answer_id: topic for answer_id, _, topic in rows}
    hits = sum(a.primary == planted[a.id] for a in result.assignments)
    return hits / len(rows)


def test_labels_and_descriptions_alone_map_planted_topics() -> None:
    rows = planted_answers()
    result = map_to_codebook(_pairs(rows), _codebook(), PARAMS)
    assert result.method == METHOD_SIMILARITY + METHOD_SUFFIX
    assert _accuracy(result, rows) >= 0.9
    assert [theme.id for theme in result.themes] == list(PRIORITIES)  # codebook order


def test_examples_train_a_model_and_map_better_or_as_well() -> None:
    rows = planted_answers()
    plain = map_to_codebook(_pairs(rows), _codebook(), PARAMS)
    trained = map_to_codebook(_pairs(rows), _codebook(examples=3), PARAMS)
    assert trained.method == METHOD_MODEL + METHOD_SUFFIX
    assert _accuracy(trained, rows) >= max(0.95, _accuracy(plain, rows))


def test_too_few_examples_fall_back_to_similarity() -> None:
    result = map_to_codebook(_pairs(planted_answers()), _codebook(examples=2), PARAMS)
    assert result.method == METHOD_SIMILARITY + METHOD_SUFFIX


def test_an_answer_raising_two_points_gets_both_themes() -> None:
    answers = [
        ("both", "The buses are always late. And the potholes on our road are dangerous."),
        ("contrast", "More youth clubs for teenagers, but fix the street lights first"),
        ("one", "The number 7 bus never turns up and the fares are too expensive"),
    ] + _pairs(planted_answers())
    result = map_to_codebook(answers, _codebook(examples=3), PARAMS)
    by_id = {a.id: a for a in result.assignments}
    assert set(by_id["both"].themes) == {"buses", "potholes"}
    assert set(by_id["contrast"].themes) == {"youth", "lighting"}
    assert by_id["one"].themes == ("buses",)
    assert by_id["one"].primary == "buses"


@pytest.mark.parametrize("params", [PARAMS, WORDS], ids=["default", "words"])
def test_answers_that_fit_no_theme_are_grouped_into_proposed_themes(params) -> None:
    rows = planted_answers()
    result = map_to_codebook(_pairs(rows), _codebook(["buses", "potholes", "youth"]), params)
    planted = {answer_id: topic for answer_id, _, topic in rows}
    outside = [a for a in result.assignments if planted[a.id] in {"gp", "lighting"}]
    inside = [a for a in result.assignments if planted[a.id] not in {"gp", "lighting"}]
    gp = [a for a in outside if planted[a.id] == "gp"]
    assert not any(a.themes for a in gp)
    # By meaning, broken street lights sit close to road repairs: with the default method 11 of
    # the 18 lighting answers join the potholes theme; by words alone nearly none do.
    share = 0.6 if params is PARAMS else 0.9
    assert sum(not a.themes for a in outside) >= share * len(outside)
    assert sum(bool(a.themes) for a in inside) >= 0.95 * len(inside)
    assert all(not a.proposed for a in result.assignments if a.themes)
    assert result.unmatched == sum(not a.themes for a in result.assignments)

    assert len(result.proposed) >= 2
    assert all(theme.id.startswith("new") for theme in result.proposed)
    labels = " ".join(f"{theme.label} {' '.join(theme.terms)}" for theme in result.proposed)
    assert "street light" in labels.lower()
    assert "GP" in labels or "doctor" in labels.lower()
    # Each proposed theme is mostly one of the two planted topics left out of the codebook.
    for theme in result.proposed:
        members = [planted[a.id] for a in outside if theme.id in a.proposed]
        assert members
        assert max(members.count("gp"), members.count("lighting")) >= 0.8 * len(members)
        assert theme.share == round(theme.size / len(rows), 4)


def test_proposed_ids_never_clash_with_codebook_ids() -> None:
    data = {"themes": [{"id": "new1", "label": "Bus services", "description": "Bus fares"}]}
    result = map_to_codebook(_pairs(planted_answers()), Codebook.from_json(data), PARAMS)
    assert result.proposed
    assert all(not theme.id.startswith("new1") or theme.id == "new1" for theme in result.proposed)
    assert "new1" not in {theme.id for theme in result.proposed}


def test_non_answers_fit_nothing_and_are_not_proposed() -> None:
    answers = [("n1", "N/A"), ("n2", "no"), ("n3", ""), ("n4", "Don't know")]
    result = map_to_codebook(answers + _pairs(planted_answers()), _codebook(["buses"]), PARAMS)
    by_id = {a.id: a for a in result.assignments}
    for answer_id in ("n1", "n2", "n3", "n4"):
        assert by_id[answer_id].themes == ()
        assert by_id[answer_id].primary is None
        assert by_id[answer_id].proposed == ()


def test_sizes_count_every_respondent_and_shares_have_intervals() -> None:
    text = "Bring back the Sunday bus service"
    answers = [(f"d{i}", text) for i in range(6)] + _pairs(planted_answers())
    result = map_to_codebook(answers, _codebook(), PARAMS)
    by_id = {a.id: a for a in result.assignments}
    assert {by_id[f"d{i}"].themes for i in range(6)} == {("buses",)}
    for theme in result.themes:
        size = sum(theme.id in a.themes for a in result.assignments)
        assert theme.size == size
        assert theme.share == round(size / len(answers), 4)
        assert theme.interval[0] <= theme.share <= theme.interval[1]
        assert 1 <= len(theme.quotes) <= 3
        assert all(theme.id in by_id[quote].themes for quote in theme.quotes)
    buses = next(theme for theme in result.themes if theme.id == "buses")
    assert buses.size >= 18 + 6
    assert len(set(buses.quotes)) == len(buses.quotes)


def test_result_is_json_and_deterministic() -> None:
    answers = _pairs(planted_answers())
    first = map_to_codebook(answers, _codebook(["buses", "gp"], examples=3), PARAMS).to_json()
    second = map_to_codebook(answers, _codebook(["buses", "gp"], examples=3), PARAMS).to_json()
    assert first == second
    assert json.loads(json.dumps(first)) == first
    assert set(first) == {"themes", "proposed_themes", "assignments", "unmatched", "method"}
    assert [a["id"] for a in first["assignments"]] == [answer_id for answer_id, _ in answers]
    assert set(first["assignments"][0]) == {"id", "themes", "primary", "proposed"}


def test_no_substantive_answers_gives_empty_themes() -> None:
    result = map_to_codebook([("1", "n/a"), ("2", "No")], _codebook(), PARAMS)
    assert all(theme.size == 0 and theme.quotes == () for theme in result.themes)
    assert result.unmatched == 0
    assert result.proposed == ()


def test_segments_split_sentences_and_contrasts() -> None:
    assert segments("Buses are late. Potholes too!") == ["Buses are late.", "Potholes too!"]
    assert segments("More buses however the roads need fixing") == [
        "More buses",
        "however the roads need fixing",
    ]
    assert segments("One point only") == ["One point only"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], 'must be a JSON object with a "themes" list'),
        ({"themes": []}, "has no themes"),
        ({"themes": ["Buses"]}, "Theme 1 in the codebook is not an object"),
        ({"themes": [{"label": "Buses"}]}, 'Theme 1 in the codebook has no "id"'),
        ({"themes": [{"id": " ", "label": "Buses"}]}, 'has no "id"'),
        ({"themes": [{"id": "a", "label": "B"}, {"id": "a", "label": "R"}]}, 'repeats the id "a"'),
        ({"themes": [{"id": "a"}]}, 'Theme 1 in the codebook ("a") has no "label"'),
        ({"themes": [{"id": "a", "label": "X", "examples": "bus"}]}, '"examples" of theme "a"'),
        ({"themes": [{"id": "a", "label": "X", "description": 3}]}, '"description" of theme "a"'),
    ],
)  # fmt: skip
def test_bad_codebooks_are_refused_in_plain_english(data: object, message: str) -> None:
    with pytest.raises(CodebookError) as raised:
        Codebook.from_json(data)
    assert message in str(raised.value)
    assert isinstance(raised.value, AnalysisError)


def test_numeric_ids_are_kept_as_text() -> None:
    codebook = Codebook.from_json({"themes": [{"id": 7, "label": "Buses"}]})
    assert codebook.themes[0].id == "7"


def test_a_theme_with_no_usable_words_is_refused_by_words_alone() -> None:
    codebook = Codebook.from_json({"themes": [{"id": "x", "label": "Other things"}]})
    with pytest.raises(CodebookError, match='Theme "x" has no words'):
        map_to_codebook(_pairs(planted_answers()), codebook, WORDS)


def test_a_label_of_common_words_is_matched_by_meaning() -> None:
    # ArgKP key points such as "It is not fair" are all stop words: by meaning they still say
    # something, so the default method maps onto them instead of refusing the codebook.
    data = {
        "themes": [
            {"id": "buses", "label": "Buses"},
            {"id": "unfair", "label": "It is not fair"},
        ]
    }
    answers = [("a", "The number 7 bus never comes"), ("b", "It's so unfair on us all")]
    result = map_to_codebook(answers + _pairs(planted_answers()), Codebook.from_json(data), PARAMS)
    by_id = {a.id: a for a in result.assignments}
    assert by_id["a"].primary == "buses"
    assert by_id["b"].primary == "unfair"


def test_read_codebook_reports_file_problems(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="There is no codebook file"):
        read_codebook(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"themes": [{"id": "a",}]}', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"broken.json is not valid JSON \(.* line 1"):
        read_codebook(broken)
    duplicate = tmp_path / "dup.json"
    duplicate.write_text(
        json.dumps({"themes": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}),
        encoding="utf-8",
    )
    with pytest.raises(CodebookError, match='Theme 2 in dup.json repeats the id "a"'):
        read_codebook(duplicate)
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"themes": [{"id": "a", "label": "Caf\xe9"}]}'.encode("latin-1"))
    with pytest.raises(CodebookError, match="not UTF-8"):
        read_codebook(latin)


# The command, as `engage themes ... --codebook FILE` runs it.


def _write_inputs(tmp_path: Path, codebook: object) -> tuple[list[str], Path]:
    source = tmp_path / "answers.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for answer_id, text, _ in planted_answers():
            handle.write(json.dumps({"id": answer_id, "text": text}) + "\n")
        handle.write(json.dumps({"id": "blank", "text": "N/A"}) + "\n")
    codebook_path = tmp_path / "codebook.json"
    if isinstance(codebook, str):
        codebook_path.write_text(codebook, encoding="utf-8")
    else:
        codebook_path.write_text(json.dumps(codebook), encoding="utf-8")
    output = tmp_path / "out.json"
    args = [str(source), "--text-column", "text", "--id-column", "id", "--question", QUESTION]
    args += ["--codebook", str(codebook_path), "--output", str(output)]
    return args, output


def test_cli_returns_codebook_ids_in_assignments(tmp_path: Path) -> None:
    themes = [
        {"id": topic, "label": label, "description": description}
        for topic, (label, description) in PRIORITIES.items()
        if topic != "lighting"
    ]
    args, output = _write_inputs(tmp_path, {"themes": themes})
    result = CliRunner().invoke(themes_command, args)

    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text(encoding="utf-8"))
    assert [theme["id"] for theme in data["themes"]] == ["buses", "potholes", "youth", "gp"]
    assert len(data["assignments"]) == 91
    used = {theme for a in data["assignments"] for theme in a["themes"]}
    assert used == {"buses", "potholes", "youth", "gp"}
    assert data["assignments"][-1] == {"id": "blank", "themes": [], "primary": None, "proposed": []}
    assert data["proposed_themes"]  # street lighting answers fit none of these four
    line = result.output.strip()
    assert line.startswith("Mapped 91 answers to 4 codebook themes (")
    assert f"new themes proposed); wrote {output}." in line


@pytest.mark.parametrize(
    ("codebook", "message"),
    [
        ("{not json", "codebook.json is not valid JSON"),
        ({"themes": [{"label": "Buses"}]}, 'Theme 1 in codebook.json has no "id"'),
        (
            {"themes": [{"id": "b", "label": "Buses"}, {"id": "b", "label": "Roads"}]},
            'Theme 2 in codebook.json repeats the id "b"',
        ),
    ],
)
def test_cli_bad_codebook_exits_2(tmp_path: Path, codebook: object, message: str) -> None:
    args, output = _write_inputs(tmp_path, codebook)
    result = CliRunner().invoke(themes_command, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not output.exists()


def test_cli_refuses_k_with_a_codebook(tmp_path: Path) -> None:
    args, output = _write_inputs(tmp_path, {"themes": [{"id": "b", "label": "Buses"}]})
    result = CliRunner().invoke(themes_command, [*args, "--k", "3"])
    assert result.exit_code == 2
    assert "--k cannot be used with --codebook" in result.output
    assert not output.exists()


def test_a_theme_with_too_few_examples_keeps_similarity_for_itself_alone() -> None:
    """One theme with 2 examples no longer switches the classifier off for the whole codebook."""

    rows = planted_answers()
    themes = []
    for n, (topic, (label, description)) in enumerate(PRIORITIES.items()):
        chosen = list(TOPICS[topic][-(2 if n == 0 else 3) :])
        themes.append({"id": topic, "label": label, "description": description, "examples": chosen})
    result = map_to_codebook(_pairs(rows), Codebook.from_json({"themes": themes}), PARAMS)
    assert result.method == METHOD_MODEL + METHOD_SUFFIX
    assert _accuracy(result, rows) >= 0.95
    # The rule itself: a model for each theme with enough examples, none for the one without.
    labels = [{0}, {1}, {1}, {1}, {2}, {2}, {2}]
    x = np.eye(7)
    models = one_vs_rest(x, labels, np.array([False, True, True]), lambda: LogisticRegression())
    assert models is not None
    assert [m is None for m in models] == [True, False, False]
    assert one_vs_rest(x, labels, np.array([False, False, False]), LogisticRegression) is None
