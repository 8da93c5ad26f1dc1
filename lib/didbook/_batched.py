"""Retired private name of :mod:`didbook.fast`; kept only until the chapter ``inference_few_clusters`` imports
``didbook.fast`` (then delete this file)."""

from .fast import *  # noqa: F403
from .fast import __all__  # noqa: F401
