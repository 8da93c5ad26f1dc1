"""didbook: difference-in-differences tools for the teaching book.

Everything a chapter needs is importable from the top level::

    import didbook
    panel = didbook.simulate_city_panel(seed=2024)
    fit = didbook.twfe(panel.data, "income_gap", "platform_treated", "city_id", "year")

Data
    :func:`load_dataset`, :func:`list_datasets` (real public datasets with published results),
    :func:`simulate_city_panel` (the simulated Chinese city panel with known true effects),
    :func:`load_example_panel` (the simulated example of the "Your panel" chapter, package data).
Estimation and inference
    :func:`twfe`, :func:`regression_table`, :func:`event_study`, :func:`staggered`,
    :func:`bacon_decomposition`, :func:`placebo_test`, :func:`wild_cluster_bootstrap`, :func:`monte_carlo`,
    :func:`psm_did`, :func:`honest_sensitivity`; with few treated clusters :func:`cr2_test` (CR2 with
    Imbens-Kolesar df, or CR3), :func:`randomization_t_test` (studentized randomization inference) and
    :func:`conley_taber`.
Beyond the papers' toolkit
    :func:`etwfe`, :func:`two_stage`, :func:`stacked`, :func:`lp_did` (staggered adoption),
    :func:`dcdh` and :func:`twfe_weights` (treatments that switch on and off; TWFE's weights),
    :func:`continuous_did` (a dose), :func:`synthetic_did` and :func:`synthetic_control` (few treated units).
Measurement
    :func:`entropy_weights`, :func:`composite_index`, :func:`gini`, :func:`theil`, :func:`dagum_gini`.
Submodules
    :mod:`didbook.fast` (the batched Monte Carlo fast path: many outcome draws, one design),
    :mod:`didbook.simulate` (the simulation's stages and constants), :mod:`didbook.book` (the book's
    machinery: ``glue_all``, ``check_parameters``, ``use_book_style``; not part of the analysis API).
"""

# Grouped by topic in the module docstring above and in __all__ below; imports are sorted.
from . import book, fast
from ._validation import PanelDataError, prepare_panel
from .bacon import BaconResult, bacon_decomposition
from .bootstrap import BootstrapResult, wild_cluster_bootstrap
from .continuous import ContinuousResult, continuous_did
from .datasets import Dataset, list_datasets, load_dataset, load_example_panel
from .dcdh import DcdhResult, TwfeWeights, dcdh, twfe_weights
from .etwfe import EtwfeResult, etwfe
from .event_study import EventStudyResult, WaldTest, event_study
from .few_clusters import (
    ConleyTaberResult,
    RandomizationTResult,
    SmallSampleResult,
    conley_taber,
    cr2_test,
    randomization_t_test,
)
from .heterogeneity import GapTestResult, permutation_gap_test
from .honest import HonestResult, honest_sensitivity
from .indices import (
    PUBLIC_SERVICE_DIMENSIONS,
    CompositeIndex,
    EqualizationIndex,
    composite_index,
    entropy_weights,
    equal_weights,
    equalization_index,
    normalize,
    pca_weights,
    public_service_indicators,
)
from .inequality import (
    DagumResult,
    TheilResult,
    coefficient_of_variation,
    dagum_by,
    dagum_gini,
    gini,
    income_ratio,
    theil,
    urban_rural_theil,
)
from .lp_did import LpDidResult, lp_did
from .monte_carlo import MonteCarloResult, monte_carlo
from .parameters import ParameterError, ParameterTypeError
from .placebo import PlaceboResult, placebo_test
from .psm import PsmDidResult, psm_did
from .simulate import SCENARIOS, CityPanel, Truth, city_panel_codebook, load_city_panel, simulate_city_panel
from .stacked import StackedResult, stacked
from .staggered import StaggeredAggregate, StaggeredResult, staggered
from .synthetic import SyntheticResult, synthetic_control, synthetic_did
from .tables import RegressionTable, regression_table
from .twfe import FEW_CLUSTERS, FewClustersWarning, TwfeResult, twfe
from .two_stage import TwoStageResult, two_stage

__version__ = "0.1.0"

__all__ = [
    # errors and preparation
    "PanelDataError",
    "prepare_panel",
    "ParameterError",
    "ParameterTypeError",
    # data
    "Dataset",
    "list_datasets",
    "load_dataset",
    "load_example_panel",
    "SCENARIOS",
    "CityPanel",
    "Truth",
    "city_panel_codebook",
    "load_city_panel",
    "simulate_city_panel",
    # estimation and inference
    "twfe",
    "TwfeResult",
    "FEW_CLUSTERS",
    "FewClustersWarning",
    "regression_table",
    "RegressionTable",
    "event_study",
    "EventStudyResult",
    "WaldTest",
    "placebo_test",
    "PlaceboResult",
    "permutation_gap_test",
    "GapTestResult",
    "monte_carlo",
    "MonteCarloResult",
    "wild_cluster_bootstrap",
    "BootstrapResult",
    # few treated clusters (issue 22)
    "cr2_test",
    "SmallSampleResult",
    "randomization_t_test",
    "RandomizationTResult",
    "conley_taber",
    "ConleyTaberResult",
    "staggered",
    "StaggeredResult",
    "StaggeredAggregate",
    "bacon_decomposition",
    "BaconResult",
    "psm_did",
    "PsmDidResult",
    "honest_sensitivity",
    "HonestResult",
    # beyond the papers' toolkit (issue 22; engines: diff-diff)
    "etwfe",
    "EtwfeResult",
    "two_stage",
    "TwoStageResult",
    "stacked",
    "StackedResult",
    "lp_did",
    "LpDidResult",
    "dcdh",
    "DcdhResult",
    "twfe_weights",
    "TwfeWeights",
    "continuous_did",
    "ContinuousResult",
    "synthetic_did",
    "synthetic_control",
    "SyntheticResult",
    # measurement
    "PUBLIC_SERVICE_DIMENSIONS",
    "public_service_indicators",
    "normalize",
    "entropy_weights",
    "pca_weights",
    "equal_weights",
    "composite_index",
    "CompositeIndex",
    "equalization_index",
    "EqualizationIndex",
    "gini",
    "coefficient_of_variation",
    "theil",
    "TheilResult",
    "dagum_gini",
    "DagumResult",
    "dagum_by",
    "urban_rural_theil",
    "income_ratio",
    "__version__",
    # submodules
    "book",
    "fast",
]
