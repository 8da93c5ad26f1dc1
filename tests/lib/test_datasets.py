"""The real-data loader returns the real data with provenance, and refuses unknown names."""

import pandas as pd
import pytest

import didbook


@pytest.mark.parametrize("name", didbook.list_datasets())
def test_each_dataset_has_data_description_source_and_published_values(name):
    ds = didbook.load_dataset(name)
    assert isinstance(ds.data, pd.DataFrame) and len(ds.data) > 100
    assert len(ds.description) > 80
    assert any(str(year) in ds.source for year in range(1990, 2026))
    assert ds.published, "every dataset documents the published results the book replicates"


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(KeyError, match="available datasets: castle"):
        didbook.load_dataset("organ_donation")  # missing the final s


def test_organ_donations_treatment_is_california_from_q3_2011():
    df = didbook.load_dataset("organ_donations").data
    treated = df.loc[df["Treated"] == 1]
    assert set(treated["State"]) == {"California"}
    assert sorted(treated["Quarter"]) == ["Q12012", "Q32011", "Q42011"]
    assert df.shape == (162, 7)


def test_castle_has_the_published_design():
    df = didbook.load_dataset("castle").data
    assert df.shape[0] == 550  # 50 states x 11 years
    assert df["sid"].nunique() == 50 and df["year"].between(2000, 2010).all()
    adopters = df.loc[df["effyear"].notna(), "sid"].nunique()
    assert adopters == 21


def test_loading_twice_gives_independent_copies():
    a = didbook.load_dataset("injury").data
    a.loc[:, "ldurat"] = 0.0
    b = didbook.load_dataset("injury").data
    assert b["ldurat"].ne(0).any()


def test_mpdta_from_the_loader_reproduces_its_published_callaway_santanna_results():
    ds = didbook.load_dataset("mpdta")
    fit = didbook.staggered(ds.data, "lemp", "countyreal", "year", "first.treat", method="cs", est_method="reg")
    published = ds.published["Callaway-Sant'Anna event-study average, never-treated controls, no covariates"]
    assert fit.aggregate("dynamic").estimate == pytest.approx(published[0], abs=6e-5)
    group = ds.published["Callaway-Sant'Anna group average"]
    assert fit.aggregate("group").estimate == pytest.approx(group[0], abs=6e-4)
