"""Training and evaluating reason models on labelled comments.

A labelled file is a table with a text column, ``reasons`` (``;``-joined ids, empty for none) and
optionally ``score`` (0-10) and ``weight``. Any label set works: analysts bring their own taxonomy.
:func:`train` reports multi-label stratified k-fold cross-validation before fitting the final model on
everything; :func:`evaluate` gives the same report for a saved model on held-out data.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.pipeline import Pipeline

from .aggregate import NO_COMMENT, NO_REASON
from .card import format_interval
from .classify import ReasonClassifier
from .codebook import REASONS
from .errors import InputError
from .features import TextFeaturizer
from .model import ReasonModel, resolve_model, save_model
from .read import read_all
from .validate import parse_scores, segments_of

LABEL_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .\-/]*$")
# Ids that ``analyze`` gives its own rows (comments with no reason, rows with no comment): a label of the
# same name would be counted together with them.
RESERVED_IDS = (NO_REASON, NO_COMMENT)
MIN_ROWS = 20
RANDOM_STATE = 0


def make_pipeline(**params) -> Pipeline:
    """The text → reasons pipeline; ``params`` use scikit-learn's ``step__param`` names."""
    pipe = Pipeline([("features", TextFeaturizer()), ("classifier", ReasonClassifier(n_jobs=-1))])
    return pipe.set_params(**params) if params else pipe


@dataclass
class LabelledData:
    """Labelled comments ready for training: features frame, indicator matrix, label ids."""

    frame: pd.DataFrame  # columns: text, score (float, NaN if absent)
    Y: np.ndarray
    labels: list[str]
    weights: np.ndarray | None
    source: str
    sha256: str

    @property
    def label_counts(self) -> dict[str, int]:
        return {label: int(n) for label, n in zip(self.labels, self.Y.sum(axis=0))}


def _column(frame: pd.DataFrame, name: str | None) -> str | None:
    """The frame's column called ``name`` regardless of case (``Score``, ``TEXT``); an exact match wins."""
    if name is None or name in frame.columns:
        return name
    return next((c for c in frame.columns if str(c).casefold() == name.casefold()), None)


def load_labelled(source, text_col: str | None = None, labels: list[str] | None = None) -> LabelledData:
    """Read and check a labelled file (path or DataFrame); refuse malformed rows with their row number."""
    table, frame, bad = read_all(source)
    where = table.source
    if bad:
        b = bad[0]
        raise InputError(f"unreadable row ({b.reason}); {len(bad)} such rows", path=where, row=b.row)
    if frame.empty:
        raise InputError("no labelled rows", path=where)
    text_col = (_column(frame, text_col) if text_col else
                next(filter(None, (_column(frame, c) for c in ("text", "comment", "comments", "verbatim"))),
                     None))
    if text_col is None:
        raise InputError(f"no text column (use --text-col); columns are: {list(frame.columns)}",
                         path=where)
    reasons_col = _column(frame, "reasons")
    if reasons_col is None:
        raise InputError(f"no 'reasons' column; columns are: {list(frame.columns)}", path=where)
    texts = frame[text_col].astype(str)
    parsed: list[list[str]] = []
    for row, text, raw in zip(frame.index, texts, frame[reasons_col].astype(str)):
        ids = sorted({r.strip() for r in raw.split(";") if r.strip()})
        for rid in ids:
            if not LABEL_ID.match(rid):
                raise InputError(f"invalid reason id {rid!r}", path=where, row=int(row), column=reasons_col)
            if rid in RESERVED_IDS:
                raise InputError(f"reason id {rid!r} is reserved: analyze gives it to comments without a "
                                 "reason / rows without a comment. Rename the label", path=where,
                                 row=int(row), column=reasons_col)
        if ids and not text.strip():
            raise InputError("row has reasons but no text", path=where, row=int(row), column=text_col)
        parsed.append(ids)
    scores = pd.Series(np.nan, index=frame.index)
    score_col = _column(frame, "score")
    if score_col is not None:
        s, problems = parse_scores(frame[score_col])
        # parse_scores calls a blank and the usual spellings of one ("N/A", "none", "-") a missing
        # score, as analyze does: such a row simply has no score. Anything else that is not 0-10 is wrong.
        broken = s.isna() & (problems != "missing score")
        if broken.any():
            row = int(broken[broken].index[0])
            raise InputError(problems[row], path=where, row=row, column=score_col)
        scores = s.astype("float64")
    weights = None
    weight_col = _column(frame, "weight")
    if weight_col is not None:
        weights = pd.to_numeric(frame[weight_col], errors="coerce").to_numpy(dtype=float)
        bad_weight = ~np.isfinite(weights) | (weights < 0)  # blank or text is NaN; "inf" parses as inf
        if bad_weight.any():
            first = int(np.flatnonzero(bad_weight)[0])
            value = str(frame[weight_col].iloc[first])
            raise InputError(f"weights must be numbers >= 0 (finite), not {value!r}; "
                             f"{int(bad_weight.sum())} such rows", path=where,
                             row=int(frame.index[first]), column=weight_col)
    found = sorted({r for ids in parsed for r in ids})
    label_ids = list(labels) if labels is not None else found
    index = {label: i for i, label in enumerate(label_ids)}
    Y = np.zeros((len(parsed), len(label_ids)), dtype=np.int64)
    for i, ids in enumerate(parsed):
        for rid in ids:
            if rid in index:
                Y[i, index[rid]] = 1
    digest = hashlib.sha256(pd.util.hash_pandas_object(
        pd.DataFrame({"t": texts.to_numpy(), "r": frame[reasons_col].astype(str).to_numpy(),
                      "s": scores.to_numpy()}), index=False).to_numpy().tobytes()).hexdigest()
    data = pd.DataFrame({"text": texts.to_numpy(), "score": scores.to_numpy()}, index=frame.index)
    return LabelledData(data, Y, label_ids, weights, where, digest)


def with_base_corpus(own: LabelledData, corpus: LabelledData, own_weight: float = 3.0) -> LabelledData:
    """The analyst's labelled rows on top of a base corpus, for :class:`TextFeaturizer` ``adapt=True``.

    The analyst's rows are marked ``own`` and weigh ``own_weight`` corpus rows each: they are few, and
    they are the customers the model will be used on.
    """
    unknown = sorted(set(own.labels) - set(corpus.labels))
    if unknown:
        raise InputError(f"reason ids not in the base corpus: {unknown}. Train on your own labels alone "
                         "(without --add-corpus) to use your own taxonomy", path=own.source)
    relabelled = np.zeros((len(own.frame), len(corpus.labels)), dtype=np.int64)
    for j, label in enumerate(own.labels):
        relabelled[:, corpus.labels.index(label)] = own.Y[:, j]
    frame = pd.concat([corpus.frame.assign(own=0), own.frame.assign(own=1)], ignore_index=True)
    base_w = corpus.weights if corpus.weights is not None else np.ones(len(corpus.frame))
    own_w = (own.weights if own.weights is not None else np.ones(len(own.frame))) * own_weight
    digest = hashlib.sha256((corpus.sha256 + own.sha256).encode()).hexdigest()
    return LabelledData(frame, np.vstack([corpus.Y, relabelled]), list(corpus.labels),
                        np.concatenate([base_w, own_w]), own.source, digest)


def _drop_weightless(data: LabelledData) -> LabelledData:
    """Only the rows that weigh something. A row of weight 0 carries nothing, yet left in it would still
    shape the text features (vocabulary, idf) and the cross-validation folds."""
    if data.weights is None or (data.weights > 0).all():
        return data
    keep = data.weights > 0
    return LabelledData(data.frame[keep], data.Y[keep], data.labels, data.weights[keep], data.source,
                        data.sha256)


def _check_trainable(data: LabelledData, folds: int) -> None:
    if len(data.frame) < MIN_ROWS:
        raise InputError(f"only {len(data.frame)} labelled rows; at least {MIN_ROWS} are needed",
                         path=data.source)
    if not data.labels:
        raise InputError("no reason ids in the 'reasons' column", path=data.source)
    if len(data.labels) == 1 and data.label_counts[data.labels[0]] == len(data.frame):
        raise InputError(f"every row has the only reason id {data.labels[0]!r}: there is nothing to tell "
                         "apart. Add rows without it (empty reasons)", path=data.source)
    rare = {label: n for label, n in data.label_counts.items() if n < folds}
    if rare:
        shown = ", ".join(f"{label!r} ({n})" for label, n in sorted(rare.items()))
        raise InputError(f"labels with fewer examples than the {folds} cross-validation folds: {shown}. "
                         "Add examples, merge them into another label, or use fewer --folds",
                         path=data.source)


# --------------------------------------------------------------------------------------------------
# Metrics


BOOTSTRAP_DRAWS = 2000


def f1_intervals(Y_true: np.ndarray, Y_pred: np.ndarray, draws: int = BOOTSTRAP_DRAWS,
                 seed: int = RANDOM_STATE) -> dict:
    """95% bootstrap intervals of micro-F1, macro-F1 and each label's F1.

    Comments are resampled whole, because the reasons of one comment are not independent decisions. The
    interval says how far a figure could move on another sample of the same size from the same
    survey; for cross-validation it leaves out the variation between training sets. Seeded: the same
    data give the same interval every run.

    A label with no true and no predicted comment in a draw has no F1 there (not 0): it is left out of
    that draw's macro average and of its own interval. An interval that is never defined is None.
    """
    true, pred = np.asarray(Y_true, bool), np.asarray(Y_pred, bool)
    n = len(true)
    tp, n_pred, n_true = ((true & pred).astype(float), pred.astype(float), true.astype(float))
    rng = np.random.RandomState(seed)
    micro, macro, per_label = [], [], []
    for start in range(0, draws, 250):  # in blocks: the draws x comments weights stay a few MB
        weights = np.stack([np.bincount(rng.randint(0, n, n), minlength=n)
                            for _ in range(min(250, draws - start))]).astype(float)
        TP, P, T = weights @ tp, weights @ n_pred, weights @ n_true
        defined = (P + T) > 0
        f1 = np.divide(2 * TP, P + T, out=np.full_like(TP, np.nan), where=defined)
        micro.append(_ratio(2 * TP.sum(axis=1), (P + T).sum(axis=1)))
        macro.append(_ratio(np.where(defined, f1, 0.0).sum(axis=1), defined.sum(axis=1)))
        per_label.append(f1)

    def bounds(values):
        """[low, high] of each column over the draws where it is defined."""
        out = []
        for column in values.T:
            column = column[~np.isnan(column)]
            if not len(column):
                out.append(None)
                continue
            low, high = np.percentile(column, [2.5, 97.5])
            out.append([float(np.round(low, 4)), float(np.round(high, 4))])
        return out

    return {"micro_f1": bounds(np.concatenate(micro)[:, None])[0],
            "macro_f1": bounds(np.concatenate(macro)[:, None])[0],
            "per_label": bounds(np.vstack(per_label))}


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN (undefined) where den is 0."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)


def _figure(value) -> float | None:
    """A metric for the report: None when undefined (JSON null; shown as n/a)."""
    return None if value is None or np.isnan(value) else float(value)


def metrics_report(Y_true: np.ndarray, Y_pred: np.ndarray, labels: list[str],
                   scores: np.ndarray | None = None, intervals: bool = True) -> dict:
    """Micro/macro F1 with 95% bootstrap intervals, per-label precision/recall/F1 (with interval) and
    support, and F1 per NPS segment.

    A label that no comment has and none is given is undefined, not F1 0: it is None in its row and
    left out of macro-F1 (so perfect predictions score 1 when a label is absent from the file). With no
    true and no predicted reason at all, micro-F1 is None too.
    """
    Y_true, Y_pred = np.asarray(Y_true), np.asarray(Y_pred)
    report = {"n": int(len(Y_true)), **_micro_macro(Y_true, Y_pred)}
    ci = f1_intervals(Y_true, Y_pred) if intervals and len(Y_true) else None
    if ci:
        report["micro_f1_ci"], report["macro_f1_ci"] = ci["micro_f1"], ci["macro_f1"]
    p, r, f, s = precision_recall_fscore_support(Y_true, Y_pred, average=None, zero_division=0)
    present = (Y_true.sum(axis=0) + Y_pred.sum(axis=0)) > 0
    report["per_label"] = [
        {"label": label, "precision": float(pi) if ok else None, "recall": float(ri) if ok else None,
         "f1": float(fi) if ok else None, "support": int(si)}
        for label, pi, ri, fi, si, ok in zip(labels, p, r, f, s, present)]
    if ci:
        for row, label_ci in zip(report["per_label"], ci["per_label"]):
            row["f1_ci"] = label_ci
    report["by_segment"] = []
    if scores is not None and not np.all(np.isnan(scores)):
        segs = segments_of(pd.Series(scores)).to_numpy()
        for segment in ("promoter", "passive", "detractor"):
            mask = segs == segment
            if mask.any():
                report["by_segment"].append({"segment": segment, "n": int(mask.sum()),
                                             **_micro_macro(Y_true[mask], Y_pred[mask])})
    return report


def _micro_macro(Y_true: np.ndarray, Y_pred: np.ndarray) -> dict:
    """Micro- and macro-F1, None when undefined; macro over the labels that are true or predicted."""
    return {"micro_f1": _figure(f1_score(Y_true, Y_pred, average="micro", zero_division=np.nan)),
            "macro_f1": _figure(f1_score(Y_true, Y_pred, average="macro", zero_division=np.nan))}


def decided_reasons(model: ReasonModel, frame: pd.DataFrame, labels: list[str]) -> np.ndarray:
    """The reasons ``analyze`` gives these comments, as an indicator matrix over ``labels``.

    Scored through :meth:`ReasonModel.predict_frame`, as a real run is: an empty or non-English comment
    gets no reasons there, whatever the classifier would say about it.
    """
    reasons, _, _ = model.predict_frame(frame["text"], frame["score"])
    index = {label: i for i, label in enumerate(labels)}
    Y = np.zeros((len(frame), len(labels)), dtype=np.int64)
    for i, joined in enumerate(reasons):
        for rid in filter(None, joined.split(";")):
            Y[i, index[rid]] = 1
    return Y


def cross_validate(data: LabelledData, folds: int = 5, pipeline: Pipeline | None = None) -> dict:
    """Multi-label stratified k-fold CV of a pipeline: the metrics of its out-of-fold predictions."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    data = _drop_weightless(data)
    pipeline = pipeline if pipeline is not None else make_pipeline()
    if data.Y.shape[1] == 1:  # iterstrat wants two labels or more; one label is plain stratification
        splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE).split(
            np.zeros(len(data.Y)), data.Y[:, 0])
    else:
        splits = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE).split(
            np.zeros(len(data.Y)), data.Y)
    # With a base corpus, what matters is how well the analyst's own comments are coded.
    rows = (data.frame["own"] == 1).to_numpy() if "own" in data.frame else np.ones(len(data.Y), bool)
    oof = np.zeros_like(data.Y)
    for train_idx, test_idx in splits:
        fold = clone(pipeline)
        fit_params = {}
        if data.weights is not None:
            fit_params["classifier__sample_weight"] = data.weights[train_idx]
        fold.fit(data.frame.iloc[train_idx], data.Y[train_idx], **fit_params)
        scored = test_idx[rows[test_idx]]
        oof[scored] = decided_reasons(ReasonModel(pipeline=fold, labels=list(data.labels)),
                                 data.frame.iloc[scored], data.labels)
    report = metrics_report(data.Y[rows], oof[rows], data.labels, data.frame["score"].to_numpy()[rows])
    report["folds"] = folds
    return report


def fit_model(data: LabelledData, name: str = "model", pipeline: Pipeline | None = None) -> ReasonModel:
    data = _drop_weightless(data)
    pipeline = pipeline if pipeline is not None else make_pipeline()
    fit_params = {}
    if data.weights is not None:
        fit_params["classifier__sample_weight"] = data.weights
    pipeline.fit(data.frame, data.Y, **fit_params)
    return ReasonModel(pipeline=pipeline, labels=list(data.labels), name=name)


def train(labelled, out=None, *, text_col: str | None = None, folds: int = 5, name: str | None = None,
          force: bool = False, command: str = "", pipeline: Pipeline | None = None,
          trained_at: str | None = None, add_corpus=None, own_weight: float = 3.0,
          spacy_model: str = "blank") -> tuple[ReasonModel, dict]:
    """Cross-validate, fit on all rows, and (with ``out``) save model + card. Returns both.

    With ``add_corpus`` (a labelled file, e.g. the shipped ``data/corpus.csv``) the analyst's rows are
    trained on top of it with domain adaptation; the CV report then scores the analyst's rows only.
    ``spacy_model`` names an installed spaCy pipeline (or a path to one) to take tokens and lemmas
    from instead of ``spacy.blank("en")``; the saved model then needs that pipeline wherever it is used.
    """
    from .outputs import OutputFolder, check_output_folder

    if out is not None:
        check_output_folder(out, force)  # refuse an existing --out now, not after minutes of training
    data = _drop_weightless(load_labelled(labelled, text_col=text_col))
    _check_trainable(data, folds)
    if spacy_model != "blank":
        from .features import build_nlp
        build_nlp(spacy_model)  # refuse a missing pipeline before minutes of cross-validation
    if add_corpus is not None:
        data = with_base_corpus(data, load_labelled(add_corpus), own_weight)
    if pipeline is None:
        pipeline = make_pipeline(features__adapt=add_corpus is not None, features__spacy_model=spacy_model)
    report = cross_validate(data, folds, pipeline)
    name = name or (Path(out).name if out is not None else "model")
    model = fit_model(data, name=name, pipeline=pipeline)
    model.card = {
        "name": name,
        "description": "Multi-label classifier of the reasons given in NPS comments: spaCy features "
                       "(lookup lemmas, negation scope, cue phrases) + character n-grams + segment and score, "
                       "one calibrated logistic regression per reason with a CV-chosen threshold.",
        "labels": list(data.labels),
        "definitions": {label: REASONS.get(label, "") for label in data.labels},
        "training_data": {"source": Path(str(data.source)).name, "rows": int(len(data.frame)),
                          "sha256": data.sha256, "label_counts": data.label_counts,
                          "base_corpus": None if add_corpus is None else Path(str(add_corpus)).name,
                          "own_weight": None if add_corpus is None else own_weight},
        "cross_validation": report,
        "params": {k: _jsonable(v) for k, v in model.pipeline.get_params(deep=True).items()
                   if "__" in k},
        "command": command,
        "trained": trained_at or _dt.date.today().isoformat(),
    }
    if out is not None:
        with OutputFolder(out, force=force) as staging:
            save_model(model, staging)
    return model, report


def _jsonable(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, tuple):
        return list(v)
    return repr(v)


def evaluate(labelled, model="default", text_col: str | None = None) -> dict:
    """Score a saved model on held-out labelled data (same report as training CV)."""
    reason_model = resolve_model(model)
    if reason_model is None:
        raise InputError("no model to evaluate; pass --model FOLDER")
    data = load_labelled(labelled, text_col=text_col)
    labels = list(reason_model.labels) + [label for label in data.labels
                                          if label not in reason_model.labels]
    truth = np.zeros((len(data.frame), len(labels)), dtype=np.int64)
    for j, label in enumerate(data.labels):
        truth[:, labels.index(label)] = data.Y[:, j]
    Y_pred = decided_reasons(reason_model, data.frame, labels)
    report = metrics_report(truth, Y_pred, labels, data.frame["score"].to_numpy())
    report["model"] = reason_model.name
    unknown = [label for label in data.labels if label not in reason_model.labels]
    if unknown:
        report["labels_unknown_to_model"] = unknown
    return report


def write_report_json(report: dict, path) -> None:
    """The report as JSON: sorted keys, so the same evaluation gives the same bytes."""
    import json

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                          encoding="utf-8")


def _shown(value) -> str:
    """A metric as printed: n/a when it is undefined (no true and no predicted reason to score)."""
    return "n/a" if value is None else f"{value:.3f}"


def render_report(report: dict, console, title: str = "Evaluation") -> None:
    from rich.table import Table

    micro, macro = report.get("micro_f1_ci"), report.get("macro_f1_ci")
    console.print(f"[bold]{title}[/bold]: n = {report['n']}, micro-F1 {_shown(report['micro_f1'])}"
                  f"{format_interval(micro)}, macro-F1 {_shown(report['macro_f1'])}{format_interval(macro)}"
                  + (" (95% bootstrap intervals)" if micro or macro else ""), highlight=False)
    table = Table(show_edge=False)
    columns = ["label", "precision", "recall", "F1", "95% interval", "support"]
    with_ci = all("f1_ci" in row for row in report["per_label"])
    for col in columns if with_ci else [c for c in columns if c != "95% interval"]:
        table.add_column(col, justify="left" if col == "label" else "right")
    for row in report["per_label"]:
        cells = [row["label"], _shown(row["precision"]), _shown(row["recall"]), _shown(row["f1"])]
        if with_ci:
            cells.append(format_interval(row["f1_ci"]).strip())
        table.add_row(*cells, str(row["support"]))
    console.print(table)
    if report.get("by_segment"):
        seg = Table(show_edge=False)
        for col in ("segment", "n", "micro-F1", "macro-F1"):
            seg.add_column(col, justify="left" if col == "segment" else "right")
        for row in report["by_segment"]:
            seg.add_row(row["segment"], str(row["n"]), _shown(row["micro_f1"]), _shown(row["macro_f1"]))
        console.print(seg)
    if report.get("labels_unknown_to_model"):
        console.print(f"Labels in the file the model does not know: {report['labels_unknown_to_model']}")
