"""`engage themes`: find themes in a file of answers from the command line.

A plain click command, so the web app can mount it (`engage themes`) without this package
importing Flask. Bad input exits with status 2 and a message meant for the person typing.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from analysis.codebook import map_to_codebook
from analysis.codebook_file import read_codebook
from analysis.errors import AnalysisError
from analysis.io import read_answers
from analysis.themes import find_themes
from analysis.types import METHODS, ThemeParams


class BadInput(click.ClickException):
    """A problem with the command's input; exit status 2, like click's own usage errors."""

    exit_code = 2


@click.command("themes")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--text-column", required=True, help="Column (or JSON field) with the answers.")
@click.option("--id-column", required=True, help="Column (or JSON field) with answer ids.")
@click.option("--k", type=click.IntRange(min=1), default=None, help="Number of themes [auto].")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--question", default="", help="Question text; its words are not used as themes.")
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="embeddings",
    show_default=True,
    help="How answers are grouped into themes: by meaning and words (embeddings, with the "
    "model shipped with Engage, or another folder named by ENGAGE_EMBEDDING_MODEL) or by word "
    "counts alone (tfidf). With --codebook it is also how answers are mapped onto the codebook.",
)
@click.option(
    "--codebook",
    "codebook_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='Map answers onto these themes: JSON {"themes": [{"id", "label", ...}]}.',
)
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the themes as JSON.",
)
def themes_command(
    input_path: Path,
    text_column: str,
    id_column: str,
    k: int | None,
    seed: int,
    question: str,
    method: str,
    codebook_path: Path | None,
    output: Path,
) -> None:
    """Find themes in the answers in INPUT (.csv, .tsv, .jsonl or .ndjson).

    With --codebook, map the answers onto the officers' themes instead (several per answer),
    and propose new themes for answers that fit none of them.
    """
    if codebook_path is not None and k is not None:
        raise BadInput("--k cannot be used with --codebook: the codebook sets the themes.")
    params = ThemeParams(k=k, seed=seed, question_text=question, method=method)
    try:
        if codebook_path is None:
            answers = read_answers(input_path, text_column=text_column, id_column=id_column)
            result = find_themes(answers, params)
            data = result.to_json()
            unassigned = sum(1 for assignment in result.assignments if not assignment.themes)
            summary = (
                f"Found {result.k} themes in {len(answers)} answers ({unassigned} not in any theme)"
            )
        else:
            codebook = read_codebook(codebook_path)
            answers = read_answers(input_path, text_column=text_column, id_column=id_column)
            mapped = map_to_codebook(answers, codebook, params)
            data = mapped.to_json()
            summary = (
                f"Mapped {len(answers)} answers to {len(codebook.themes)} codebook themes "
                f"({mapped.unmatched} fit none; {len(mapped.proposed)} new themes proposed)"
            )
    except AnalysisError as error:
        raise BadInput(str(error)) from None
    try:
        with output.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
    except OSError as error:
        raise BadInput(f"Could not write {output}: {error.strerror}.") from None
    click.echo(f"{summary}; wrote {output}.")
