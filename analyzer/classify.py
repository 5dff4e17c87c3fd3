"""``ReasonClassifier``: multi-label logistic regression with calibrated probabilities and per-label
decision thresholds chosen by cross-validation.

Each label gets one L2 logistic regression. One round of stratified k-fold cross-validation gives
out-of-fold decision values for every training comment; from them the classifier fits a Platt (sigmoid)
calibration and picks the probability threshold that maximises that label's F1. The final weights are
then fitted on all the data. One CV pass serves both purposes, so training costs (k+1) fits per label.

It is a plain scikit-learn classifier on a numeric feature matrix: put it behind
:class:`~analyzer.features.TextFeaturizer` in a ``Pipeline`` for text. ``y`` may be a multi-label
indicator matrix (the reason model) or a 1-D vector of classes (binary / multiclass).
"""

from __future__ import annotations

import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


def best_f1_threshold(y_true: np.ndarray, proba: np.ndarray, lo: float = 0.1, hi: float = 0.9,
                      sample_weight: np.ndarray | None = None) -> float:
    """The probability cut-off in [lo, hi] that maximises F1 (ties: the middle of the best run).

    With ``sample_weight`` the F1 counts are weighted, so a row weighing w counts as w rows (as in the
    fit); weights of one give exactly the unweighted counts.
    """
    grid = np.round(np.arange(lo, hi + 1e-9, 0.01), 2)
    pos = y_true.astype(bool)
    w = np.ones(len(pos)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    best, best_f1 = 0.5, -1.0
    f1s = []
    for t in grid:
        pred = proba >= t
        tp = w @ (pred & pos)
        denom = w @ pred + w @ pos
        f1s.append(2 * tp / denom if denom else 0.0)
    f1s = np.asarray(f1s)
    top = np.flatnonzero(f1s >= f1s.max() - 1e-12)
    best = float(grid[top[len(top) // 2]])
    best_f1 = float(f1s.max())
    return best if best_f1 > 0 else 0.5


def _weighted_micro(pred: np.ndarray, truth: np.ndarray, w: np.ndarray) -> float:
    """Micro-F1 of indicator matrices with each row counted ``w`` times (0 when nothing is true or
    predicted, as the threshold searches have always scored that case)."""
    denom = w @ pred.sum(axis=1) + w @ truth.sum(axis=1)
    return 2 * (w @ (pred & truth).sum(axis=1)) / denom if denom > 0 else 0.0


def _drop_exclusive(hits: np.ndarray, proba: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Where both labels of an exclusive pair are predicted, keep only the more probable one."""
    hits = hits.copy()
    for i, j in pairs:
        both = hits[:, i] & hits[:, j]
        if both.any():
            i_loses = both & (proba[:, i] < proba[:, j])
            hits[i_loses, i] = False
            hits[both & ~i_loses, j] = False
    return hits


class ReasonClassifier(ClassifierMixin, MultiOutputMixin, BaseEstimator):
    """Multi-label classifier with calibrated ``predict_proba`` and CV-chosen thresholds.

    Parameters
    ----------
    C : inverse L2 regularisation strength of each label's logistic regression.
    class_weight : passed to ``LogisticRegression`` ("balanced" helps rare reasons).
    cv : folds used to calibrate and to choose thresholds (reduced for rare labels, minimum 2).
    calibrate : fit a sigmoid on out-of-fold scores; if False, raw logistic probabilities are used.
    tune_thresholds : choose each label's threshold by CV; if False, 0.5. For a 1-D target ``predict``
        is the most probable class, as usual; a binary target still gets its F1-tuned cut-off in
        ``thresholds_``, which :meth:`decide` applies (a one-label reason model is such a target,
        because scikit-learn reads an ``(n, 1)`` indicator as a binary vector).
    threshold_objective : "micro" (default) picks the thresholds jointly to maximise micro-F1 over all
        labels on the out-of-fold probabilities; "label" maximises each label's own F1. Per-label F1
        pushes rare labels' thresholds down and so over-reports them; micro-F1 weighs every decision
        the same, which is what an analyst counting reasons needs.
    exclusive : learn which labels exclude each other. A pair of labels that is common enough to be
        expected together at least 5 times, yet co-occurs at most a tenth as often as independence
        predicts, is treated as exclusive: when both pass their thresholds, only the more probable is
        kept. It is how a codebook rule like "general praise only when no specific driver is given"
        reaches the decisions, for any taxonomy. Applied only if it raises out-of-fold micro-F1.
    max_iter, random_state, n_jobs : as in scikit-learn (labels are fitted in parallel).
    """

    def __init__(self, C=8.0, class_weight="balanced", cv=5, calibrate=True, tune_thresholds=True,
                 threshold_objective="micro", exclusive=True, max_iter=2000, random_state=0, n_jobs=None):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.calibrate = calibrate
        self.tune_thresholds = tune_thresholds
        self.threshold_objective = threshold_objective
        self.exclusive = exclusive
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.input_tags.sparse = True
        return tags

    # ---------------------------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        X, y = validate_data(self, X, y, accept_sparse="csr", multi_output=True,
                             dtype=[np.float64, np.float32])
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        target = type_of_target(y)
        if target == "multilabel-indicator":
            self.multilabel_ = True
            self.classes_ = np.arange(y.shape[1])
            Y = y.astype(np.int64)
            self._y_dtype = y.dtype
        else:
            check_classification_targets(y)
            if y.ndim != 1:
                raise ValueError(f"unsupported target type {target!r}")
            self.multilabel_ = False
            self.classes_, encoded = np.unique(y, return_inverse=True)
            if len(self.classes_) < 2 or len(np.unique(y[sample_weight > 0])) < 2:
                raise ValueError("ReasonClassifier needs samples of at least two classes; "
                                 "got one class")
            if len(self.classes_) == 2:
                Y = encoded.reshape(-1, 1)
            else:
                Y = np.eye(len(self.classes_), dtype=np.int64)[encoded]
            if isinstance(self.class_weight, dict):
                # One-vs-rest sub-problems have classes 0/1, so class weights become sample weights.
                sample_weight = sample_weight * np.asarray(
                    [self.class_weight.get(c, 1.0) for c in self.classes_])[encoded]
        # A row of weight 0 carries nothing; left in, it would still shift the internal CV folds, and
        # with them the calibration and thresholds. Labels/classes are counted before, so none vanish.
        keep = sample_weight > 0
        if not keep.any():
            raise ValueError("sample_weight is zero for every sample; there is nothing to fit")
        if not keep.all():
            X, Y, sample_weight = X[keep], Y[keep], sample_weight[keep]

        n_outputs = Y.shape[1]
        self.coef_ = np.zeros((n_outputs, X.shape[1]))
        self.intercept_ = np.zeros(n_outputs)
        self.calibration_ = np.tile([1.0, 0.0], (n_outputs, 1))  # proba = sigmoid(a*score + b)
        self.thresholds_ = np.full(n_outputs, 0.5)
        self.constant_ = np.full(n_outputs, np.nan)
        self.n_iter_ = np.zeros(n_outputs, dtype=np.int32)
        if isinstance(self.class_weight, dict) and self.multilabel_:
            raise ValueError("class_weight as a dict is only defined for single-label targets; "
                             "use 'balanced', None, or sample_weight")
        self._lr_class_weight = None if isinstance(self.class_weight, dict) else self.class_weight
        if self.threshold_objective not in ("micro", "label"):
            raise ValueError("threshold_objective must be 'micro' or 'label'")
        self._oof = {}
        # max_nbytes=None: liblinear writes to its inputs, so joblib must not hand it read-only memmaps.
        fitted = Parallel(n_jobs=self.n_jobs, max_nbytes=None)(
            delayed(self._fit_label)(X, Y[:, j], sample_weight) for j in range(n_outputs))
        for j, part in enumerate(fitted):
            for name in ("coef", "intercept", "calibration", "thresholds", "constant", "n_iter"):
                if name in part:
                    getattr(self, f"{name}_")[j] = part[name]
            if "oof" in part:
                self._oof[j] = part["oof"]
        if self.tune_thresholds and self.multilabel_ and self.threshold_objective == "micro":
            self._joint_micro_thresholds(Y, sample_weight)
        self.relative_threshold_ = 0.0
        if self.tune_thresholds and self.multilabel_ and self._oof:
            self._choose_relative_threshold(Y, sample_weight)
        self.exclusive_pairs_ = np.zeros((0, 2), dtype=np.int64)
        if self.exclusive and self.multilabel_ and self._oof:
            self._choose_exclusive_pairs(Y, sample_weight)
        del self._oof
        # Single precision halves the saved model; the weights carry nowhere near 7 significant digits.
        self.coef_ = self.coef_.astype(np.float32)
        return self

    def _new_lr(self):
        return LogisticRegression(C=self.C, class_weight=self._lr_class_weight, solver="liblinear",
                                  max_iter=self.max_iter, random_state=self.random_state)

    def _fit_lr(self, X, y, w):
        lr = self._new_lr()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            lr.fit(X, y, sample_weight=w)
        return lr

    def _fit_label(self, X, y, w) -> dict:
        """Fit one label; returns its parameters (a plain function of the data, so labels can be fitted
        in parallel processes)."""
        positives = int(y.sum())
        if positives == 0 or positives == len(y):
            # A label never (or always) seen: predict its constant rather than fail the whole model.
            return {"constant": float(positives > 0)}
        lr = self._fit_lr(X, y, w)
        out = {"coef": lr.coef_[0], "intercept": lr.intercept_[0], "n_iter": int(np.max(lr.n_iter_))}
        folds = min(self.cv, positives, len(y) - positives)
        if folds < 2 or not (self.calibrate or self.tune_thresholds):
            return out
        oof = np.zeros(len(y))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(np.zeros(len(y)), y):
            if y[train].min() == y[train].max():
                return out
            fold_lr = self._fit_lr(X[train], y[train], w[train])
            oof[test] = fold_lr.decision_function(X[test])
        a, b = 1.0, 0.0
        if self.calibrate:
            platt = LogisticRegression(C=1e4, solver="lbfgs")
            platt.fit(oof.reshape(-1, 1), y, sample_weight=w)
            a, b = platt.coef_[0, 0], platt.intercept_[0]
            out["calibration"] = [a, b]
        if self.tune_thresholds and (self.multilabel_ or len(self.classes_) == 2):
            proba = _sigmoid(a * oof + b)
            out["thresholds"] = best_f1_threshold(y, proba, sample_weight=w)
            if self.multilabel_:
                out["oof"] = proba
        return out

    def _choose_relative_threshold(self, Y, sample_weight) -> None:
        """Pick, by out-of-fold (weighted) micro-F1, how probable a further reason must be relative to
        the most probable one in the same comment (0 = no such rule). A comment usually states one or
        two reasons; weak secondary hits are more often noise than a third reason."""
        labels = sorted(self._oof)
        P = np.column_stack([self._oof[j] for j in labels])
        T = Y[:, labels].astype(bool)
        base = P >= self.thresholds_[labels]
        top = P.max(axis=1, keepdims=True)
        best, best_f = 0.0, -1.0
        for ratio in np.round(np.arange(0.0, 0.71, 0.1), 1):
            pred = base & (P >= ratio * top)
            f = _weighted_micro(pred, T, sample_weight)
            if f > best_f + 1e-9:
                best, best_f = float(ratio), f
        self.relative_threshold_ = best

    def _choose_exclusive_pairs(self, Y, sample_weight) -> None:
        """Find label pairs that (almost) never co-occur although both are common; keep them only if
        enforcing them raises out-of-fold micro-F1. Rows count with their weight throughout."""
        w = sample_weight
        n = w @ Y
        together = (Y * w[:, None]).T @ Y
        expected = np.outer(n, n) / w.sum()
        rows, cols = np.nonzero(np.triu((expected >= 5) & (together <= 0.1 * expected), k=1))
        pairs = np.column_stack([rows, cols]).astype(np.int64)
        if not len(pairs):
            return
        P = np.zeros(Y.shape)
        for j, oof in self._oof.items():
            P[:, j] = oof
        truth = Y.astype(bool)
        base = self._threshold_hits(P)

        def micro(pred):
            return _weighted_micro(pred, truth, w)

        if micro(_drop_exclusive(base, P, pairs)) > micro(base) + 1e-12:
            self.exclusive_pairs_ = pairs

    def _threshold_hits(self, proba: np.ndarray) -> np.ndarray:
        hits = proba >= self.thresholds_
        ratio = getattr(self, "relative_threshold_", 0.0)
        if ratio > 0 and proba.size:
            hits &= proba >= ratio * proba.max(axis=1, keepdims=True)
        return hits

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Multi-label decisions from :meth:`predict_proba` output: each label's threshold, at least
        ``relative_threshold_`` times the comment's most probable label, and of two labels learned to
        exclude each other (``exclusive_pairs_``) only the more probable."""
        check_is_fitted(self, ["thresholds_"])
        proba = np.asarray(proba)
        hits = self._threshold_hits(proba)
        pairs = getattr(self, "exclusive_pairs_", None)
        if pairs is not None and len(pairs):
            hits = _drop_exclusive(hits, proba, pairs)
        return hits

    def _joint_micro_thresholds(self, Y, sample_weight, rounds: int = 2) -> None:
        """Coordinate ascent on (weighted) micro-F1 over the labels' out-of-fold probabilities,
        starting from the per-label optima."""
        grid = np.round(np.arange(0.1, 0.9001, 0.01), 2)
        w = sample_weight
        labels = sorted(self._oof)
        pos = {j: Y[:, j].astype(bool) for j in labels}
        counts = {}
        for j in labels:
            pred = self._oof[j] >= self.thresholds_[j]
            counts[j] = (w @ (pred & pos[j]), w @ pred, w @ pos[j])
        missed = sum(w @ Y[:, j] for j in range(Y.shape[1]) if j not in self._oof)
        for _ in range(rounds):
            for j in labels:
                tp_rest = sum(c[0] for k, c in counts.items() if k != j)
                pred_rest = sum(c[1] for k, c in counts.items() if k != j)
                true_all = sum(c[2] for c in counts.values()) + missed
                best_t, best_f = self.thresholds_[j], -1.0
                for t in grid:
                    pred = self._oof[j] >= t
                    tp = tp_rest + w @ (pred & pos[j])
                    f = 2 * tp / (pred_rest + w @ pred + true_all)
                    if f > best_f + 1e-12:
                        best_t, best_f = float(t), f
                self.thresholds_[j] = best_t
                pred = self._oof[j] >= best_t
                counts[j] = (w @ (pred & pos[j]), w @ pred, w @ pos[j])

    # ---------------------------------------------------------------------------------------------
    def _label_proba(self, X) -> np.ndarray:
        check_is_fitted(self, ["coef_", "thresholds_"])
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=[np.float64, np.float32])
        scores = X @ self.coef_.T + self.intercept_
        proba = _sigmoid(scores * self.calibration_[:, 0] + self.calibration_[:, 1])
        constant = ~np.isnan(self.constant_)
        if constant.any():
            proba[:, constant] = self.constant_[constant]
        return np.asarray(proba)

    def predict_proba(self, X) -> np.ndarray:
        """Multi-label: ``(n_samples, n_labels)`` calibrated probabilities of each label.
        Binary / multiclass: ``(n_samples, n_classes)`` rows summing to 1."""
        proba = self._label_proba(X)
        if self.multilabel_:
            return proba
        if len(self.classes_) == 2:
            return np.column_stack([1 - proba[:, 0], proba[:, 0]])
        total = proba.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return proba / total

    def predict(self, X) -> np.ndarray:
        proba = self._label_proba(X)
        if self.multilabel_:
            return self.decide(proba).astype(self._y_dtype if self._y_dtype.kind in "biu" else np.int64)
        if len(self.classes_) == 2:
            return self.classes_[(proba[:, 0] >= 0.5).astype(int)]
        return self.classes_[np.argmax(proba, axis=1)]
