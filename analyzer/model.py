"""A reason model on disk and in memory: pipeline + label ids + model card, saved safely with skops.

A model folder holds ``model.skops`` (the fitted scikit-learn ``Pipeline``), ``card.json`` (labels and
their definitions, training data size and hash, CV metrics, thresholds, library versions, date) and
``card.md`` (the same for people). Loading never unpickles: skops rebuilds only the types on an explicit
trusted list, and refuses any file that names another type.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ModelError

MODEL_FILE = "model.skops"
CARD_JSON = "card.json"
CARD_MD = "card.md"
# Bumped whenever a saved model would be read wrongly by this code. 2: the score block gained the exact
# score (3 + 11 features), so a format-1 model no longer matches the featurizer's output. 3: the card
# holds the SHA-256 of model.skops (``model_sha256``); without it a card cannot vouch for its model file.
# 4: texts are lower-cased and their apostrophes normalised before featurising, so a format-3 model's
# weights were learned on other tokens ("Didnt" is now "do not").
FORMAT_VERSION = 4

# Every type a reason model may contain. Anything else in a file means it is not one of ours (or has
# been tampered with), and it is refused rather than loaded.
TRUSTED_TYPES = [
    "analyzer.classify.ReasonClassifier",
    "analyzer.features.TextFeaturizer",
    "sklearn.pipeline.Pipeline",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "builtins.slice",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "numpy.ndarray",
    "builtins.tuple",
    "builtins.list",
    "builtins.dict",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.NoneType",
]


def default_model_path() -> Path | None:
    """Where the shipped model lives: ``$NPS_ANALYZER_MODEL``, else ``models/default`` of the repo."""
    env = os.environ.get("NPS_ANALYZER_MODEL")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "models" / "default", here / "default_model"):
        if (candidate / MODEL_FILE).exists():
            return candidate
    return None


@dataclass
class ReasonModel:
    """A fitted text → reasons pipeline with its label ids and model card."""

    pipeline: object
    labels: list[str]
    card: dict = field(default_factory=dict)
    name: str = "model"

    @property
    def thresholds(self) -> dict[str, float]:
        clf = self.pipeline[-1]
        return {label: float(t) for label, t in zip(self.labels, clf.thresholds_)}

    @property
    def decision_rules(self) -> dict:
        """How probabilities become reasons besides the thresholds (see ``ReasonClassifier.decide``)."""
        clf = self.pipeline[-1]
        pairs = getattr(clf, "exclusive_pairs_", [])
        return {"relative_threshold": float(getattr(clf, "relative_threshold_", 0.0)),
                "exclusive_pairs": [[self.labels[i], self.labels[j]] for i, j in pairs]}

    def predict_proba(self, texts, scores=None) -> pd.DataFrame:
        frame = pd.DataFrame({"text": list(texts)})
        if scores is not None:
            frame["score"] = np.asarray(scores, dtype=float)
        proba = self.pipeline.predict_proba(frame)
        clf = self.pipeline[-1]
        if len(self.labels) == 1 and not getattr(clf, "multilabel_", True) and proba.shape[1] == 2:
            # A one-label model: scikit-learn reads its (n, 1) indicator as a binary target, so the
            # classifier gives [absent, present] probabilities. The label's own is the second column.
            proba = proba[:, 1:]
        return pd.DataFrame(proba, columns=self.labels)

    def predict(self, texts, scores=None) -> list[list[str]]:
        hits = self.pipeline[-1].decide(self.predict_proba(texts, scores).to_numpy())
        return [[label for label, hit in zip(self.labels, row) if hit] for row in hits]

    @property
    def max_chars(self) -> int:
        return int(getattr(self.pipeline[0], "max_chars", 0) or 0)

    def predict_frame(self, text: pd.Series, scores: pd.Series):
        """Reasons for the comments of one chunk: ``(reasons ';'-joined, probabilities, language)``.

        Empty comments get no reasons and NaN probabilities: they are "no comment", not "no reason".
        Comments detected as non-English get the same treatment, so they never carry confident English
        reasons.
        """
        from .language import detect_languages

        stripped = text.fillna("").astype(str).str.strip()
        lang = detect_languages(stripped)
        scorable = (stripped != "") & (lang == "en")
        proba = pd.DataFrame(np.nan, index=text.index, columns=self.labels)
        reasons = pd.Series("", index=text.index, dtype=object)
        if scorable.any():
            p = self.predict_proba(stripped[scorable].tolist(), scores[scorable].to_numpy())
            p.index = stripped.index[scorable]
            proba.loc[scorable] = p
            hits = self.pipeline[-1].decide(p.to_numpy())
            joined = [";".join(label for label, hit in zip(self.labels, row) if hit) for row in hits]
            reasons[scorable] = joined
        return reasons, proba, lang


def resolve_model(model) -> ReasonModel | None:
    if model is None or model is False:
        return None
    if isinstance(model, ReasonModel):
        return model
    if isinstance(model, str) and model == "default":
        path = default_model_path()
        return load_model(path) if path is not None else None
    return load_model(Path(model))


# --------------------------------------------------------------------------------------------------
# Saving and loading


def library_versions() -> dict[str, str]:
    import sklearn
    import skops
    import spacy

    return {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__, "skops": skops.__version__,
            "numpy": np.__version__, "analyzer_format": str(FORMAT_VERSION)}


def save_model(model: ReasonModel, folder, *, force: bool = True) -> Path:
    """Write ``model.skops`` + ``card.json`` + ``card.md`` into ``folder`` (each file atomically)."""
    import skops.io as sio

    from .outputs import atomic_write_bytes, atomic_write_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    card = dict(model.card)
    card.setdefault("labels", model.labels)
    card["thresholds"] = model.thresholds
    card["decision_rules"] = model.decision_rules
    card["versions"] = library_versions()
    card["format_version"] = FORMAT_VERSION
    data = sio.dumps(model.pipeline, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    # Ties the card to this very file: labels and thresholds in a card mean nothing for another model.
    card["model_sha256"] = hashlib.sha256(data).hexdigest()
    atomic_write_bytes(folder / MODEL_FILE, data)
    atomic_write_text(folder / CARD_JSON, json.dumps(card, indent=2, sort_keys=True) + "\n")
    from .card import render_card_markdown
    atomic_write_text(folder / CARD_MD, render_card_markdown(card))
    return folder


def load_model(folder) -> ReasonModel:
    """Load a model folder (or a ``.skops`` file beside its ``card.json``), refusing untrusted content."""
    import skops.io as sio

    path = Path(folder)
    # A folder may be named "something.skops" too (``--out mdl.skops``): only a file is the model file.
    file = path if path.suffix == ".skops" and not path.is_dir() else path / MODEL_FILE
    folder = file.parent
    where = str(file)
    if not file.exists():
        raise ModelError("no model here (expected model.skops and card.json)", path=str(path))
    card_file = folder / CARD_JSON
    if not card_file.exists():
        raise ModelError("model card card.json is missing; a model without its card is refused",
                         path=str(folder))
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"model card is not valid JSON ({exc})", path=str(card_file)) from None
    _check_versions(card, str(folder))
    data = file.read_bytes()
    if not zipfile.is_zipfile(file):
        kind = "a pickle" if data[:1] == b"\x80" else "not a skops archive"
        raise ModelError(f"refused: {kind}. Only skops model files are loaded", path=where)
    try:
        named = types_in_archive(data) | set(sio.get_untrusted_types(data=data))
    except Exception as exc:  # a truncated or corrupt zip raises many types
        raise ModelError(f"refused: unreadable or truncated model archive ({type(exc).__name__})",
                         path=where) from None
    # Check every type the archive names, not only those skops itself distrusts: a file holding some
    # other (default-trusted) scikit-learn estimator is still not a reason model.
    unexpected = sorted(named - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelError(f"refused: the file contains types that a reason model never holds: "
                         f"{', '.join(unexpected[:5])}", path=where)
    expected = card.get("model_sha256")
    if not expected:
        raise ModelError("model card has no model.skops hash: it was saved by an older version. "
                         "Retrain it: analyze train LABELLED.csv --out FOLDER", path=str(card_file))
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelError("refused: card.json and model.skops belong to different models (the file's "
                         "SHA-256 is not the one in the card). Retrain, or copy the whole model folder",
                         path=str(folder))
    try:
        pipeline = sio.loads(data, trusted=TRUSTED_TYPES)
    except Exception as exc:
        raise ModelError(f"refused: the model archive could not be loaded ({type(exc).__name__}: {exc})",
                         path=where) from None
    labels = list(card.get("labels", []))
    if not labels or not hasattr(pipeline, "predict_proba"):
        raise ModelError("refused: the card lists no labels or the file holds no classifier", path=where)
    n_out = len(getattr(pipeline[-1], "thresholds_", []))
    if n_out != len(labels):
        raise ModelError(f"refused: card lists {len(labels)} labels but the model has {n_out}",
                         path=where)
    return ReasonModel(pipeline=pipeline, labels=labels, card=card, name=card.get("name", folder.name))


def types_in_archive(data: bytes) -> set[str]:
    """Every ``module.Class`` that a skops archive's schema names."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _check_versions(card: dict, where: str) -> None:
    import sklearn

    saved = card.get("versions", {})
    fmt = str(saved.get("analyzer_format", ""))
    major_minor = ".".join(sklearn.__version__.split(".")[:2])
    saved_sklearn = ".".join(str(saved.get("scikit-learn", "")).split(".")[:2])
    if fmt != str(FORMAT_VERSION) or saved_sklearn != major_minor:
        raise ModelError(
            f"model was saved with scikit-learn {saved.get('scikit-learn', '?')} (format {fmt or '?'}); "
            f"this installation has scikit-learn {sklearn.__version__} (format {FORMAT_VERSION}). "
            "Retrain it: analyze train LABELLED.csv --out FOLDER", path=where)
