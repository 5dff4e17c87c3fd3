"""The ``analyze`` command: a thin Typer layer over the library.

Each command parses options and calls a plain library function (``analyze``, ``train``, ``evaluate``)
that returns data. No analysis logic lives here.

Exit codes: 0 success; 2 refused input or usage (the message names file, row and column); 1 an
unexpected internal error (``--debug`` shows the traceback); 130 interrupted.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from .codebook import REASONS
from .errors import InputError

COMMANDS = ("run", "train", "evaluate", "reasons")

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    help="NPS with intervals and the reasons behind it. `analyze FILE` is short for `analyze run FILE`.",
)
console = Console()
err = Console(stderr=True)


class Period(str, Enum):
    week = "week"
    month = "month"
    quarter = "quarter"


# Options shared by several commands, defined once.
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", help="Model folder; default: the shipped model. 'none' disables reasons.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for errors.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing, non-empty output folder.")]
TextColOpt = Annotated[Optional[str], typer.Option("--text-col", help="Text column (default: text).")]
FoldsOpt = Annotated[int, typer.Option("--folds", min=2, max=20, help="Cross-validation folds.")]


def _fail(exc: BaseException, debug: bool) -> None:
    if debug:
        raise exc
    if isinstance(exc, InputError):
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if isinstance(exc, KeyboardInterrupt):
        err.print("interrupted", markup=False)
        raise typer.Exit(130)
    err.print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
              markup=False, highlight=False)
    raise typer.Exit(1)


REASON_EPILOG = "Reasons (default model; `analyze reasons` for full definitions): " + "; ".join(
    f"{reason}: {text.split(':')[0].split(';')[0].rstrip('.')}" for reason, text in REASONS.items())


@app.command("run", epilog=REASON_EPILOG)
def run_cli(
    file: Annotated[Path, typer.Argument(help="Survey export: CSV/TSV/TXT, .xlsx, .parquet or .jsonl.")],
    comments: Annotated[Optional[Path], typer.Option(
        "--comments", help="Separate comments file, joined to FILE by id (see --on).")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="Id column joining FILE and --comments.")] = None,
    score_col: Annotated[Optional[str], typer.Option("--score-col", help="Score column (0-10).")] = None,
    comment_col: Annotated[Optional[str], typer.Option("--comment-col", help="Comment column.")] = None,
    id_col: Annotated[Optional[str], typer.Option("--id-col", help="Respondent id column.")] = None,
    date_col: Annotated[Optional[str], typer.Option("--date-col", help="Response date column.")] = None,
    group_col: Annotated[Optional[list[str]], typer.Option(
        "--group-col", help="Column to break the NPS down by (repeatable).")] = None,
    period: Annotated[Period, typer.Option("--period", help="Period for the NPS trend.")] = Period.month,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Write responses.csv, rejects.csv, summary.json and tables here.")] = None,
    model: ModelOpt = None,
    force: ForceOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Analyse a survey export: NPS with its 95% interval, segments, and reasons per segment."""
    from .outputs import write_result
    from .pipeline import analyze
    from .render import render_result

    try:
        result = analyze(file, comments=comments, on=on, score_col=score_col, comment_col=comment_col,
                         id_col=id_col, date_col=date_col, group_cols=tuple(group_col or ()),
                         period=period.value, model=_model_arg(model))
        # Files first: a terminal that goes away (``| head``) must not cost the outputs.
        if out is not None:
            write_result(result, out, force=force, inputs=(file, comments))
        render_result(result, console)
        if out is not None:
            console.print(f"Wrote {out}/ (responses.csv, rejects.csv, summary.json)")
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - people see one line; --debug more
        _fail(exc, debug)


def _model_arg(model: str | None):
    if model is None:
        return "default"
    if model.lower() == "none":
        return None
    return model


@app.command("train")
def train_cli(
    labelled: Annotated[Path, typer.Argument(help="CSV with a text column, reasons (';'-joined ids) "
                                                  "and optionally score.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the model and its card to.")],
    text_col: TextColOpt = None,
    folds: FoldsOpt = 5,
    name: Annotated[Optional[str], typer.Option("--name", help="Model name for the card.")] = None,
    add_corpus: Annotated[Optional[Path], typer.Option(
        "--add-corpus", help="Also train on this labelled corpus (e.g. data/corpus.csv), with your rows "
                             "weighted --own-weight times and domain adaptation.")] = None,
    own_weight: Annotated[float, typer.Option(
        "--own-weight", min=0.1, help="Weight of each of your rows against a corpus row.")] = 3.0,
    spacy_model: Annotated[str, typer.Option(
        "--spacy-model", help="Installed spaCy pipeline (name or path) for tokens and lemmas; the default "
                              "'blank' needs none. A model trained with one needs it wherever it runs.")
    ] = "blank",
    force: ForceOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Train a reason model on labelled comments, report cross-validation, save model + card."""
    from .train import render_report, train

    try:
        model, report = train(labelled, out=out, text_col=text_col, folds=folds, name=name,
                              force=force, command=" ".join(["analyze", *sys.argv[1:]]),
                              add_corpus=add_corpus, own_weight=own_weight, spacy_model=spacy_model)
        render_report(report, console, title=f"Cross-validation ({folds} folds)")
        console.print(f"Saved model to {out}/ (model.skops, card.json, card.md)")
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001
        _fail(exc, debug)


@app.command("evaluate")
def evaluate_cli(
    labelled: Annotated[Path, typer.Argument(help="Held-out labelled CSV (text, reasons, score).")],
    model: ModelOpt = None,
    text_col: TextColOpt = None,
    json_out: Annotated[Optional[Path], typer.Option(
        "--json", help="Also write the report, intervals included, to this JSON file.")] = None,
    debug: DebugOpt = False,
) -> None:
    """Score a model on held-out labelled comments: micro/macro F1, per label, per segment."""
    from .train import evaluate, render_report, write_report_json

    try:
        chosen = _model_arg(model)
        if chosen is None:
            raise InputError("--model none: there is no model to evaluate; give a model folder or "
                             "leave --model out for the default")
        report = evaluate(labelled, model=chosen, text_col=text_col)
        render_report(report, console, title="Held-out evaluation")
        if json_out is not None:
            write_report_json(report, json_out)
            console.print(f"Wrote {json_out}")
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001
        _fail(exc, debug)


@app.command("reasons")
def reasons_cli() -> None:
    """List the default reason ids and their definitions."""
    for reason, text in REASONS.items():
        console.print(f"[bold]{reason}[/bold]: {text}", highlight=False)


def main() -> None:
    """Console entry point: ``analyze FILE ...`` means ``analyze run FILE ...``."""
    argv = sys.argv[1:]
    if argv and argv[0] not in COMMANDS and argv[0] not in ("--help", "-h"):
        sys.argv.insert(1, "run")
    app()
