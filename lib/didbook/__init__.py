"""didbook: difference-in-differences tools for the teaching book.

Everything a chapter needs is importable from the top level::

    import didbook
    panel = didbook.simulate_city_panel(seed=2024)
    fit = didbook.twfe(panel.data, "income_gap", "platform_treated", "city_id", "year")

Data
    :func:`load_dataset`, :func:`list_datasets` (real public datasets with published results),
    :func:`simulate_city_panel` (the simulated Chinese city panel with known true effects).
Estimation and inference
    :func:`twfe`, :func:`regression_table`, :func:`event_study`, :func:`staggered`,
    :func:`bacon_decomposition`, :func:`placebo_test`, :func:`wild_cluster_bootstrap`,
    :func:`psm_did`, :func:`honest_sensitivity`.
Measurement
    :func:`entropy_weights`, :func:`composite_index`, :func:`gini`, :func:`theil`, :func:`dagum_gini`.
Figures
    :func:`use_book_style` (seaborn style plus a bundled CJK font).
"""

from ._validation import PanelDataError
from .datasets import Dataset, list_datasets, load_dataset
from .plotting import use_book_style

# --- simulated city panel (issue 3) ---

# --- estimation: twfe, tables, event study, placebo, bootstrap (issue 4a) ---

# --- estimation: staggered, psm, honest sensitivity (issue 4b) ---

# --- measurement: indices and inequality (issue 5) ---

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")] + ["__version__"]
