"""Adapters: the only modules that touch a third-party engine's internals, one module per engine.

* :mod:`didbook.adapters.pyfixest` -- fitting with :func:`pyfixest.feols` and reading the fitted
  model (coefficient names, covariance matrix, observations, clusters, within R-squared, dropped
  collinear variables, residual degrees of freedom);
* ``didbook.adapters.diff_diff`` and ``didbook.adapters.moderndid`` -- the staggered-adoption and
  honest-sensitivity engines.

An engine upgrade that renames a private attribute breaks one adapter function, and
``tests/lib/test_adapters.py`` pins every adapter function against the engine's public API.
"""
