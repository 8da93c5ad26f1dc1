"""Capture of warnings raised by the engines (pyfixest, moderndid, diff-diff, statsmodels).

Estimators run their engine inside :class:`_WarningLog` so that nothing reaches stderr (a book
page with stderr output fails the build); the captured messages are listed in the result's
``info`` under the single key :data:`ENGINE_NOTES` (see :func:`_engine_info`).
"""

from __future__ import annotations

import warnings

__all__ = ["ENGINE_NOTES", "_WarningLog", "_engine_info"]

#: The one ``info`` key under which every estimator lists what its engine warned about.
ENGINE_NOTES = "engine_notes"


class _WarningLog:
    """Capture warnings raised by an engine so they do not reach stderr.

    Usable several times; each use appends the new (deduplicated) first lines of the messages
    to :attr:`messages`. Deprecation and future warnings are dropped.

    Examples
    --------
    >>> import warnings
    >>> log = _WarningLog()
    >>> with log:
    ...     warnings.warn("singular fit")
    >>> log.messages
    ['singular fit']
    """

    def __init__(self):
        self.messages: list[str] = []

    def __enter__(self):
        self._cm = warnings.catch_warnings(record=True)
        self._rec = self._cm.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        quiet = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
        msgs = [
            str(w.message).strip().splitlines()[0][:200]
            for w in self._rec
            if not issubclass(w.category, quiet) and str(w.message).strip()
        ]
        self.messages.extend(m for m in dict.fromkeys(msgs) if m not in self.messages)
        return self._cm.__exit__(*exc)


def _engine_info(log: _WarningLog) -> dict:
    """``{ENGINE_NOTES: "msg1; msg2"}`` if the engine warned, else ``{}`` (to splice into ``info``)."""
    return {ENGINE_NOTES: "; ".join(log.messages)} if log.messages else {}
