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
from .simulate import SCENARIOS, CityPanel, Truth, city_panel_codebook, load_city_panel, simulate_city_panel

# --- estimation: twfe, tables, event study, placebo, bootstrap (issue 4a) ---
from .bootstrap import BootstrapResult, wild_cluster_bootstrap
from .event_study import EventStudyResult, WaldTest, event_study
from .placebo import PlaceboResult, placebo_test
from .tables import RegressionTable, regression_table
from .twfe import FEW_CLUSTERS, FewClustersWarning, TwfeResult, twfe

# --- estimation: staggered, psm, honest sensitivity (issue 4b) ---
from .bacon import BaconResult, bacon_decomposition
from .honest import HonestResult, honest_sensitivity
from .psm import PsmDidResult, psm_did
from .staggered import StaggeredAggregate, StaggeredResult, staggered

# --- measurement: indices and inequality (issue 5) ---
from .indices import (
    PUBLIC_SERVICE_DIMENSIONS, CompositeIndex, EqualizationIndex, composite_index, entropy_weights, equal_weights,
    equalization_index, normalize, pca_weights, public_service_indicators,
)
from .inequality import (
    DagumResult, TheilResult, coefficient_of_variation, dagum_by, dagum_gini, gini, income_ratio, theil,
    urban_rural_theil,
)

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")] + ["__version__"]
