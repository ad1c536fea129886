"""BG/NBD and Gamma-Gamma fitted on the CDNOW sample give the published estimates (Fader, Hardie and
Lee 2005: r 0.243, α 4.414, a 0.793, b 2.426; 1.226 purchases expected in 39 weeks for x=2,
t_x=30.43, T=38.86; Gamma-Gamma p 6.25, q 3.74, v 15.44)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from modules.analytics.customer_value.btyd import BetaGeo, FitFailed, GammaGamma

CDNOW = Path(__file__).parent / "data" / "cdnow_summary.csv"


@cache
def cdnow() -> dict[str, list[float]]:
    with CDNOW.open(newline="") as file:
        rows = list(csv.DictReader(file))
    return {column: [float(row[column]) for row in rows] for column in ("x", "t_x", "T", "zbar")}


@cache
def fitted_bg_nbd() -> BetaGeo:
    data = cdnow()
    return BetaGeo.fit(data["x"], data["t_x"], data["T"])


def test_the_sample_has_the_papers_2357_customers():
    assert len(cdnow()["x"]) == 2357
    assert sum(1 for x in cdnow()["x"] if x > 0) == 946


def test_bg_nbd_on_cdnow_gives_the_published_parameters():
    model = fitted_bg_nbd()

    assert (round(model.r, 3), round(model.alpha, 3), round(model.a, 3), round(model.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )


def test_bg_nbd_expects_1_226_purchases_in_39_weeks_for_the_papers_customer():
    expected = fitted_bg_nbd().expected_purchases(39, 2, 30.43, 38.86)

    assert round(float(expected[()]), 3) == 1.226


def test_probability_alive_is_one_without_repeat_purchases_and_falls_with_silence():
    model = fitted_bg_nbd()
    alive = model.probability_alive([0, 2, 2], [0, 30.43, 5.0], [38.86, 38.86, 38.86])

    assert alive[0] == 1.0
    assert 0 < alive[2] < alive[1] < 1


def test_gamma_gamma_on_cdnow_gives_the_published_parameters():
    data = cdnow()
    model = GammaGamma.fit(data["x"], data["zbar"])

    assert (round(model.p, 2), round(model.q, 2)) == (6.25, 3.74)
    # v is 15.4477: the published 15.44 is the same optimum cut, not rounded, to two places.
    assert 15.44 <= model.v < 15.45


def test_too_little_data_is_refused_rather_than_fitted():
    with pytest.raises(FitFailed):
        BetaGeo.fit([0, 0, 0], [0, 0, 0], [10, 10, 10])
    with pytest.raises(FitFailed):
        GammaGamma.fit([1, 0], [10.0, 0.0])


def test_customers_who_never_seem_to_drop_out_still_get_a_fit_at_the_edge():
    # 135 customers (days) whose likelihood keeps rising as a falls towards 0: Nelder-Mead alone
    # spends its budget on the ridge; the bounded search settles there, with a better likelihood.
    with (Path(__file__).parent / "data" / "no_dropout_summary.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    x, t_x, T = ([float(row[column]) for row in rows] for column in ("x", "t_x", "T"))

    model = BetaGeo.fit(x, t_x, T)

    assert model.a < 1e-3 < model.r
    expected = model.expected_purchases(365, x, t_x, T)
    alive = model.probability_alive(x, t_x, T)
    assert all(0 <= value < 100 for value in expected)
    assert all(0 < value <= 1 for value in alive)
    recent, silent = model.probability_alive([5, 5], [690, 100], [700, 700])
    assert silent < recent
