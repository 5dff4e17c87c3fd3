"""Text features: a small spaCy pipeline and a scikit-learn transformer over it.

The pipeline is ``spacy.blank("en")`` plus the lookup lemmatizer from ``spacy-lookups-data`` and two
components registered here, so notebooks, training and ``analyze`` all build the identical pipeline
without downloading anything:

* ``nps_negation`` marks tokens inside the scope of a negation ("not *working*", "never *once failed*"),
  because "working" and "not working" are opposite reasons.
* ``nps_cues`` finds domain cue phrases (waiting, being put on hold, something set up wrongly, no
  instructions, a bill that surprised...) with a ``PhraseMatcher``. Cues generalise across industries:
  "still waiting for the engineer" and "still waiting for my card" share the cue ``cue_wait``.

:class:`TextFeaturizer` turns texts (and optionally scores) into one sparse matrix: TF-IDF over lemma
n-grams with negation and cue tokens, TF-IDF over character n-grams (robust to typos), and the segment.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import re
import warnings as _warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
import spacy
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

NEGATIONS = {"not", "no", "never", "n't", "nt", "nothing", "nobody", "none", "nor", "neither", "without",
             "cannot", "hardly", "barely", "noone", "nowhere", "dont", "didnt", "wasnt", "isnt",
             "doesnt", "cant", "wont", "havent", "hasnt", "werent", "arent", "couldnt", "shouldnt"}
# A negation reaches forward until punctuation, a contrast word, or this many tokens.
NEGATION_WINDOW = 4
SCOPE_BREAKS = {"but", "however", "although", "though", "yet", "except", "and", "so", "because",
                "which", "whereas", "while"}

# Domain cue phrases, grouped by what they signal. Matched on lower-cased tokens. They name situations
# rather than industries so that one cue serves telecom, banking, SaaS and retail alike.
CUE_PHRASES: dict[str, list[str]] = {
    "wait": ["still waiting", "waiting for", "waiting on", "wait", "waited", "waiting", "weeks",
             "months", "took ages", "took forever", "long time", "delayed", "delay", "delays", "late",
             "no show", "no-show", "didn't turn up", "did not turn up", "never turned up", "never showed",
             "didn't show", "never arrived", "not arrived", "hasn't arrived", "yet to", "still not",
             "still no", "still haven't", "still don't", "rescheduled", "postponed", "missed appointment",
             "overdue", "days later", "weeks later", "months later", "eventually", "finally", "took",
             "chasing", "ages", "still"],
    "support_bad": ["on hold", "hold for", "passed around", "passed from", "pass me", "transferred",
                    "no one", "nobody", "call back", "callback", "called back", "chase", "chased",
                    "repeat myself", "rude", "unhelpful", "useless", "clueless", "no communication",
                    "lack of communication", "poor communication", "never replied",
                    "no reply", "no response", "ignored", "fobbed off", "customer service", "call centre",
                    "conflicting", "different answers", "no idea", "no one knows", "hung up",
                    "complaint", "complaints", "no help", "not helpful", "lied", "misinformed",
                    # Not being kept informed is the support complaint that rides along with a wait.
                    "no update", "no updates", "not updated", "not been updated", "not kept informed",
                    "kept in the dark", "no information", "unable to tell", "couldn't tell me",
                    "can't tell me", "cannot tell me", "no one can tell", "nobody can tell",
                    "false promises", "broken promises", "messed around", "messed about",
                    "different reasons", "different story", "no coordination", "not interested",
                    "don't care", "doesn't care", "didn't care", "pass the buck", "fobbed"],
    # Neutral words for contact with the company: they say *that* people were involved, not how it went,
    # so they must not vote for good or poor support by themselves.
    "contact": ["customer service", "call centre", "call center", "helpline", "chat", "emails", "email",
                "phoned", "called", "calls", "rang", "spoke to", "told me", "agent", "advisor", "adviser",
                "staff", "engineer", "team", "support", "technician", "installer"],
    "wrong": ["wrong", "incorrect", "incorrectly", "by mistake", "mistake", "mistakes", "error", "reorder",
              "re-order", "redone", "lost my order", "messed up my order", "cancelled it",
              "errors", "mix up", "mix-up", "mixup", "messed up", "wrongly", "cancelled my order",
              "order was cancelled", "order cancelled", "duplicate", "twice", "instead of",
              "not what i ordered", "set up wrong", "misspelt", "misspelled", "applied", "activated",
              "provisioned", "sent the", "cancelled"],
    "training": ["no instructions", "instructions", "didn't know how", "don't know how", "no idea how",
                 "how to use", "how to set", "how it works", "how to", "figure out", "figure it out",
                 "work it out", "worked it out", "tutorial", "training", "onboarding", "guide", "manual",
                 "documentation", "docs", "explained how", "show me how", "showed me", "walk me through",
                 "walkthrough", "youtube", "google"],
    "bill": ["bill", "billed", "billing", "charged", "charge", "charges", "invoice", "fee", "fees",
             "contract", "tariff", "plan", "package", "bundle", "discount", "offer", "promotion",
             "cashback", "price rise", "direct debit", "hidden", "not told", "wasn't told", "unexpected",
             "surprise", "refund", "renewal", "subscription", "terms", "small print", "overcharged"],
    "price": ["price", "prices", "expensive", "cheap", "cheaper", "value for money", "cost", "costs",
              "costly", "pricey", "affordable", "good value", "great value", "deal", "competitive",
              "overpriced", "money"],
    "fault": ["not working", "doesn't work", "does not work", "stopped working", "faulty", "broken",
              "crash", "crashes", "crashing", "bug", "bugs", "buggy", "outage", "outages", "drops",
              "dropping", "drop out", "dropouts", "disconnect", "disconnects", "slow", "glitch",
              "glitches", "down again", "intermittent", "no signal", "poor signal", "fault", "faults",
              "won't load", "keeps", "fails", "failed", "failing", "dead", "freezes", "lag", "patchy"],
    "works": ["works well", "works perfectly", "works fine", "works great", "reliable", "fast",
              "no problems", "no issues", "no problem", "never had a problem", "good quality", "stable",
              "speed", "speeds", "works", "working", "quality", "consistent", "never once"],
    "easy": ["easy", "simple", "straightforward", "smooth", "smoothly", "seamless", "hassle free",
             "hassle-free", "painless", "effortless", "no hassle", "quick", "quickly", "efficient",
             "swift", "user friendly", "intuitive", "convenient"],
    "hard": ["hassle", "complicated", "difficult", "hard to", "confusing", "nightmare", "long winded",
             "long-winded", "several attempts", "multiple attempts", "kept failing", "hoops",
             "convoluted", "faff", "awkward", "clunky", "struggle", "struggled", "painful",
             "complex", "so many steps", "too many steps"],
    "staff_good": ["helpful", "friendly", "polite", "professional", "knowledgeable", "patient",
                   "courteous", "kept me informed", "kept me updated", "lovely", "went above",
                   "sorted it", "sorted out", "understanding", "responsive", "attentive", "kind",
                   "explained", "reassuring", "went the extra mile", "thank you", "thanks to"],
    "praise": ["great service", "excellent", "brilliant", "happy", "very good", "great", "love",
               "amazing", "fantastic", "satisfied", "good service", "good", "superb", "perfect",
               "wonderful", "outstanding", "pleased", "impressed", "best"],
    "complaint": ["awful", "terrible", "rubbish", "appalling", "worst", "disgusting", "shocking",
                  "poor service", "dreadful", "horrendous", "poor", "bad", "disappointed", "unhappy",
                  "fed up", "joke", "shambles", "diabolical", "atrocious", "pathetic"],
    "other": ["only provider", "no choice", "no other option", "recommended by", "recommended me",
              "friend", "family", "too early", "too soon", "haven't used", "not used", "damage",
              "damaged", "loyal", "years", "ethical", "area"],
}

TIME_UNITS = ["day", "days", "week", "weeks", "wk", "wks", "month", "months", "hour", "hours", "hrs",
              "fortnight", "year", "years"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
          "sept", "oct", "nov", "dec"]
# Token patterns for cues that phrases cannot express: a stated duration ("6 weeks", "three months") or
# a calendar date ("on the 18th", "12 April") often means a wait even when no waiting word is used.
CUE_PATTERNS: dict[str, list[list[dict]]] = {
    "duration": [[{"LIKE_NUM": True}, {"LOWER": {"IN": TIME_UNITS}}],
                 [{"LOWER": {"IN": ["a", "one", "several", "few", "couple", "many"]}},
                  {"LOWER": {"IN": TIME_UNITS}}]],
    "date": [[{"LOWER": {"REGEX": r"^\d{1,2}(st|nd|rd|th)$"}}],
             [{"LIKE_NUM": True}, {"LOWER": {"IN": MONTHS[:12]}}],
             [{"LOWER": {"IN": MONTHS[:12]}}, {"LIKE_NUM": True}],
             [{"TEXT": {"REGEX": r"^\d{1,2}[/.]\d{1,2}([/.]\d{2,4})?$"}}]],
    "not_yet": [[{"LOWER": "yet"}], [{"LOWER": "still"}, {"OP": "?"}, {"LOWER": {"IN": list(NEGATIONS)}}],
                [{"LOWER": "still"}, {"LOWER": {"IN": ["without", "waiting", "no", "not", "nothing"]}}]],
}

TOKEN_NORMALISE = re.compile(r"[^\w']+")

# Real exports often do not carry the plain apostrophe the corpus was written with: phones type a curly
# one, and a cp1252 round trip turns it into U+FFFD ("didn\ufffdt"). Left alone, "didn’t" is no negation
# and "I\ufffdve" becomes three tokens, so both are mapped back to a plain apostrophe before featurising.
QUOTE_VARIANTS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
BROKEN_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\ufffd(?=(?:s|t|d|m|ll|re|ve)\b)", re.I)
# Some survey tools export comments HTML-escaped ("didn&#39;t", "fast &amp; friendly").
HTML_ENTITY = re.compile(r"&(?:#\d{1,6}|#x[0-9a-f]{1,6}|[a-z]{2,8});", re.I)


def normalise_text(text: str) -> str:
    """The text as featurised: HTML entities decoded, and apostrophe variants (curly, backtick, a
    broken-encoding U+FFFD inside a contraction) made a plain apostrophe."""
    if "&" in text and HTML_ENTITY.search(text):
        text = html.unescape(text)
    return BROKEN_APOSTROPHE.sub("'", text.translate(QUOTE_VARIANTS))


@Language.factory("nps_negation", default_config={"window": NEGATION_WINDOW})
def make_negation(nlp: Language, name: str, window: int):
    return NegationScope(window)


class NegationScope:
    """Sets ``token._.negated`` on tokens that follow a negation cue within its scope."""

    def __init__(self, window: int):
        self.window = window
        if not Token.has_extension("negated"):
            Token.set_extension("negated", default=False)

    def __call__(self, doc: Doc) -> Doc:
        remaining = 0
        for token in doc:
            lower = token.lower_
            if token.is_punct or lower in SCOPE_BREAKS:
                remaining = 0
                continue
            if remaining:
                token._.negated = True
                remaining -= 1
            # The norm unifies "n't", "nt" (from "didnt") and "n’t" as "not".
            if lower in NEGATIONS or token.norm_ in NEGATIONS:
                remaining = self.window
        return doc


@Language.factory("nps_cues")
def make_cues(nlp: Language, name: str):
    return CueMatcher(nlp)


class CueMatcher:
    """Adds ``doc._.cues``: one ``cue_<group>`` (or ``cue_<group>_neg``) per matched phrase."""

    def __init__(self, nlp: Language):
        # NORM rather than LOWER, so "didn't turn up" also matches "didnt turn up" and "didn’t turn up".
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for group, phrases in CUE_PHRASES.items():
            self.matcher.add(group, [nlp.make_doc(p) for p in phrases])
        self.patterns = Matcher(nlp.vocab)
        for group, patterns in CUE_PATTERNS.items():
            self.patterns.add(group, patterns)
        if not Doc.has_extension("cues"):
            Doc.set_extension("cues", default=None)

    def __call__(self, doc: Doc) -> Doc:
        cues = []
        strings = doc.vocab.strings
        for match_id, start, _end in [*self.matcher(doc), *self.patterns(doc)]:
            group = strings[match_id]
            negated = doc[start]._.negated if Token.has_extension("negated") else False
            cues.append(f"cue_{group}_neg" if negated else f"cue_{group}")
        doc._.cues = cues
        return doc


@functools.lru_cache(maxsize=4)
def build_nlp(spacy_model: str = "blank") -> Language:
    """The feature pipeline. ``"blank"`` needs no download; any installed pipeline name also works."""
    if spacy_model == "blank":
        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    else:
        try:
            nlp = spacy.load(spacy_model, exclude=["ner", "parser", "textcat"])
        except OSError as exc:
            from .errors import ModelError
            raise ModelError(f"spaCy pipeline {spacy_model!r} is not installed here ({exc}). Install it, "
                             "or use the default features (train with --spacy-model blank)") from None
    nlp.add_pipe("nps_negation")
    nlp.add_pipe("nps_cues")
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        nlp.initialize()
    return nlp


def doc_tokens(doc: Doc) -> str:
    """Feature tokens of a doc as one space-joined string (lemmas, ``not_`` marks, cues)."""
    out = []
    for token in doc:
        if token.is_punct or token.is_space:
            continue
        if token.like_num:
            lemma = "<num>"
        else:
            lemma = TOKEN_NORMALISE.sub("", (token.lemma_ or token.text).lower())
            if not lemma:
                continue
        out.append(f"not_{lemma}" if token._.negated else lemma)
    out.extend(doc._.cues or ())
    return " ".join(out)


def _with_segment(tokens: str, score: float) -> str:
    if score != score:  # NaN: no score
        return tokens
    seg = "pro" if score >= 9 else "pas" if score >= 7 else "det"
    extra = [f"{seg}_{t}" for t in tokens.split() if t.startswith("cue_")]
    return " ".join([tokens, *extra]) if extra else tokens


def _own_flags(X, n: int) -> np.ndarray:
    """1 for the analyst's own rows (see ``TextFeaturizer(adapt=True)``), 0 for base-corpus rows."""
    if isinstance(X, pd.DataFrame) and "own" in X.columns:
        return pd.to_numeric(X["own"], errors="coerce").fillna(1).to_numpy(dtype=float)
    return np.ones(n)


def texts_and_scores(X) -> tuple[list[str], np.ndarray | None]:
    """Accept a DataFrame with ``text`` (and optionally ``score``) or a 1-D sequence of strings."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ValueError("a DataFrame input needs a 'text' column")
        texts = X["text"].fillna("").astype(str).tolist()
        scores = (pd.to_numeric(X["score"], errors="coerce").to_numpy(dtype=float)
                  if "score" in X.columns else None)
        return texts, scores
    if isinstance(X, str):
        raise ValueError("expected a sequence of texts, got a single string")
    arr = np.asarray(X, dtype=object)
    if arr.ndim != 1:
        raise ValueError("expected a 1-D sequence of texts or a DataFrame with a 'text' column")
    return ["" if v is None else str(v) for v in arr], None


class TextFeaturizer(TransformerMixin, BaseEstimator):
    """Texts (+ optional 0-10 scores) → sparse features for :class:`~analyzer.classify.ReasonClassifier`.

    Parameters
    ----------
    spacy_model : "blank" or the name of an installed spaCy pipeline.
    word_ngrams, char_ngrams : n-gram ranges for the lemma and character TF-IDF blocks.
    min_df : minimum document frequency for both vocabularies.
    max_word_features, max_char_features : vocabulary caps (they bound the model's size).
    use_score : add the NPS segment of the score (three indicators) and the score itself (eleven).
    max_chars : texts are cut to this many characters for featurising (outputs keep the full text).
    segment_cues : also add each cue token conjoined with the respondent's segment ("det_cue_wait").
    adapt : domain adaptation for retraining on a base corpus plus an analyst's own labels ("frustratingly
        easy" feature augmentation, Daumé 2007). Rows of the input's ``own`` column (1 = the analyst's
        data) get a second, private copy of their text features, so the model can learn how this
        company's customers use words on top of what the corpus taught it. Rows without an ``own``
        column, i.e. everything analysed later, count as the analyst's own.
    """

    def __init__(self, spacy_model="blank", word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=2,
                 max_word_features=20000, max_char_features=20000, use_score=True, max_chars=5000,
                 segment_cues=True, adapt=False):
        self.spacy_model = spacy_model
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.use_score = use_score
        self.max_chars = max_chars
        self.segment_cues = segment_cues
        self.adapt = adapt

    def _prepare(self, X):
        texts, scores = texts_and_scores(X)
        # Lower-cased for spaCy too: the lookup lemmatizer and the contraction rules are case-sensitive,
        # so "Engineers" or "DIDNT" (shouted or sentence-initial) would otherwise miss "engineer" and "not".
        texts = [normalise_text(t[: self.max_chars]).lower() for t in texts]
        nlp = build_nlp(self.spacy_model)
        lemmas = [doc_tokens(doc) for doc in nlp.pipe(texts, batch_size=512)]
        if self.segment_cues and scores is not None:
            # Cue x segment: "service" or a support cue means different reasons from a detractor and
            # from a promoter, an interaction a linear model cannot form by itself.
            lemmas = [_with_segment(tokens, score) for tokens, score in zip(lemmas, scores)]
        chars = [" ".join(t.split()) for t in texts]
        return lemmas, chars, scores

    def fit(self, X, y=None):
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None):
        lemmas, chars, scores = self._prepare(X)
        self.word_vectorizer_ = TfidfVectorizer(
            token_pattern=r"\S+", lowercase=False, ngram_range=tuple(self.word_ngrams),
            min_df=self.min_df, max_features=self.max_word_features, sublinear_tf=True,
            dtype=np.float32)
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(self.char_ngrams), min_df=self.min_df,
            max_features=self.max_char_features, sublinear_tf=True, dtype=np.float32)
        words = self.word_vectorizer_.fit_transform(lemmas)
        chars_m = self.char_vectorizer_.fit_transform(chars)
        # The n-grams cut by min_df/max_features are kept only for introspection and would make up most
        # of a saved model's size (scikit-learn's docs say they can be dropped).
        for vectorizer in (self.word_vectorizer_, self.char_vectorizer_):
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
            # numpy integer indices would each be stored as a separate array by skops: plain ints are
            # stored inline, which keeps the model file a few MB instead of tens.
            vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        return self._stack(words, chars_m, scores, _own_flags(X, words.shape[0]))

    def transform(self, X):
        check_is_fitted(self, ["word_vectorizer_", "char_vectorizer_"])
        lemmas, chars, scores = self._prepare(X)
        return self._stack(self.word_vectorizer_.transform(lemmas),
                           self.char_vectorizer_.transform(chars), scores, _own_flags(X, len(lemmas)))

    def _stack(self, words, chars, scores, own):
        blocks = [words, chars]
        if self.adapt:
            mask = sp.diags(own.astype(np.float32))
            blocks += [mask @ words, mask @ chars]
        if self.use_score:
            # The segment, and the exact score within it: a 0 and a 6 are both detractors but tend to
            # give different reasons (a 0 is more often a wait or a fight with support).
            seg = np.zeros((words.shape[0], 3 + 11), dtype=np.float32)
            if scores is not None:
                s = np.asarray(scores, dtype=float)
                seg[:, 0] = s >= 9
                seg[:, 1] = (s >= 7) & (s < 9)
                seg[:, 2] = s <= 6  # NaN compares False: no score, no segment feature
                with np.errstate(invalid="ignore"):
                    given = np.flatnonzero((s >= 0) & (s <= 10) & (s == np.round(s)))
                seg[given, 3 + s[given].astype(int)] = 1
            blocks.append(sp.csr_matrix(seg))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    # Persistence: skops stores a dict entry by entry, so two vocabularies of ~20k terms become ~80k
    # nodes that take seconds to audit and load. Stored as one JSON list of terms (in index order) per
    # vectorizer they load in milliseconds; the objects in memory are untouched.
    _VECTORIZERS = ("word_vectorizer_", "char_vectorizer_")

    def __getstate__(self):
        # A copy: for non-scikit-learn classes BaseEstimator hands back the live __dict__.
        state = dict(super().__getstate__())
        for name in self._VECTORIZERS:
            vectorizer = state.get(name)
            if vectorizer is not None and hasattr(vectorizer, "vocabulary_"):
                vocabulary = vectorizer.vocabulary_
                vectorizer = copy.copy(vectorizer)
                del vectorizer.vocabulary_
                state[name] = vectorizer
                state[f"{name}terms"] = json.dumps(sorted(vocabulary, key=vocabulary.get),
                                                   ensure_ascii=False)
        return state

    def __setstate__(self, state):
        state = dict(state)
        for name in self._VECTORIZERS:
            terms = state.pop(f"{name}terms", None)
            if terms is not None:
                state[name].vocabulary_ = {term: i for i, term in enumerate(json.loads(terms))}
        super().__setstate__(state)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, ["word_vectorizer_", "char_vectorizer_"])
        names = [f"w:{n}" for n in self.word_vectorizer_.get_feature_names_out()]
        names += [f"c:{n}" for n in self.char_vectorizer_.get_feature_names_out()]
        if self.adapt:
            names += [f"own:{n}" for n in names]
        if self.use_score:
            names += ["segment=promoter", "segment=passive", "segment=detractor"]
            names += [f"score={k}" for k in range(11)]
        return np.asarray(names, dtype=object)
