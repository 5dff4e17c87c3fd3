"""NPS "why" analyzer: the Net Promoter Score with its interval, and the reasons behind it.

Library first: ``analyze()`` returns DataFrames; the ``analyze`` command is a thin layer over it.
"""

from .aggregate import NPSEstimate, nps_interval
from .classify import ReasonClassifier
from .errors import InputError, ModelError
from .features import TextFeaturizer, build_nlp
from .model import ReasonModel, load_model, save_model
from .outputs import read_responses
from .pipeline import AnalysisResult, analyze
from .read import open_table
from .validate import parse_scores, segment_of

__version__ = "0.1.0"

__all__ = [
    "AnalysisResult", "InputError", "ModelError", "NPSEstimate", "ReasonClassifier", "ReasonModel",
    "TextFeaturizer", "analyze", "build_nlp", "load_model", "nps_interval", "open_table",
    "parse_scores", "read_responses", "save_model", "segment_of",
]
