"""Buy-till-you-die models: BG/NBD (how many more purchases, and whether the customer is still
"alive") and Gamma-Gamma (how much a purchase is worth), fitted by maximum likelihood.

The likelihoods are the published ones: Fader, Hardie and Lee, "Counting Your Customers the Easy
Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 2005 (equations 6, 10 and
the probability alive of their technical note), and Fader, Hardie and Lee, "RFM and CLV: Using
Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 2005 (the
Gamma-Gamma submodel). The ``lifetimes`` package implements the same formulas but is archived and
no longer installs cleanly (its data sets need ``pkg_resources``), so the few lines it would give
are written here with scipy and checked against the papers' published CDNOW estimates.

A customer summary is ``x`` (repeat purchases: purchase days after the first), ``t_x`` (time from
the first to the last purchase), ``T`` (time from the first purchase to the end of observation)
and, for Gamma-Gamma, ``m_x`` (the mean value of the repeat purchases). Time is in any unit, the
same for all; the parameters that carry a time (α, and the horizon of a prediction) follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

Array = NDArray[np.float64]


class FitFailed(ValueError):
    """The optimiser did not converge, or the data cannot identify the model."""


def _arrays(*values: ArrayLike) -> list[Array]:
    return [np.asarray(value, dtype=np.float64) for value in values]


# Bounds of the log-parameters for the fallback search: parameters between 6e-6 and 1.6e5.
LOG_BOUND = 12.0


def _minimise(negative_log_likelihood, start: Array) -> Array:  # type: ignore[no-untyped-def]
    # In log space every parameter stays positive; Nelder-Mead needs no gradient and is what the
    # reference implementations use for these small, smooth problems.
    result = minimize(
        negative_log_likelihood,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20_000, "maxfev": 40_000},
    )
    if not result.success:
        # When the likelihood keeps rising towards an edge (customers none of whom seem to drop
        # out drive BG/NBD's a towards 0), Nelder-Mead wanders a flat ridge until its budget is
        # spent. Bounded quasi-Newton searches, from the start and from Nelder-Mead's best point,
        # settle on the edge; the better of them is the fit.
        bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
        searches = [
            minimize(negative_log_likelihood, np.clip(origin, -LOG_BOUND, LOG_BOUND), method="L-BFGS-B", bounds=bounds)
            for origin in (start, result.x)
        ]
        settled = [search for search in searches if search.success and np.isfinite(search.fun)]
        if settled:
            result = min(settled, key=lambda search: search.fun)
    if not result.success or not np.all(np.isfinite(result.x)):
        raise FitFailed(str(result.message))
    return np.exp(result.x)


@dataclass(frozen=True)
class BetaGeo:
    """A fitted BG/NBD model: purchase rate ~ Gamma(r, α), dropout probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    @classmethod
    def fit(cls, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BetaGeo:
        x_, t_x_, T_ = _arrays(x, t_x, T)
        if len(x_) < 3 or not np.any(x_ > 0):
            raise FitFailed("BG/NBD needs customers, some of them with repeat purchases")
        # Times scaled so the longest history is 10: the optimiser then starts near the optimum.
        scale = 10.0 / float(np.max(T_))
        t_x_s, T_s = t_x_ * scale, T_ * scale

        def negative(log_params: Array) -> float:
            r, alpha, a, b = np.exp(log_params)
            return -float(np.mean(bg_nbd_log_likelihood(r, alpha, a, b, x_, t_x_s, T_s)))

        r, alpha, a, b = _minimise(negative, np.zeros(4))
        return cls(r=float(r), alpha=float(alpha / scale), a=float(a), b=float(b))

    def expected_purchases(self, t: float, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
        """E[purchases in the next ``t``] of customers with history (x, t_x, T) (equation 10)."""
        x_, t_x_, T_ = _arrays(x, t_x, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        hyp = hyp2f1(r + x_, b + x_, a + b + x_ - 1, t / (alpha + T_ + t))
        first = (a + b + x_ - 1) / (a - 1) * (1 - ((alpha + T_) / (alpha + t + T_)) ** (r + x_) * hyp)
        return first / (1 + self._dropout_odds(x_, t_x_, T_))

    def probability_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
        """P(the customer has not dropped out | x, t_x, T); 1 for a customer without repeat purchases."""
        x_, t_x_, T_ = _arrays(x, t_x, T)
        return 1 / (1 + self._dropout_odds(x_, t_x_, T_))

    def _dropout_odds(self, x: Array, t_x: Array, T: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = self.a / (self.b + x - 1) * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x)
        return np.where(x > 0, odds, 0.0)


def bg_nbd_log_likelihood(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: Array,
    t_x: Array,
    T: Array,
) -> Array:
    """Each customer's log-likelihood under BG/NBD (Fader, Hardie and Lee 2005, equation 6)."""
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x)
    repeat = x > 0
    return a1 + a2 + np.where(repeat, np.logaddexp(a3, np.where(repeat, a4, a3)), a3)


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma model of the value of a customer's purchases: p (shape of a purchase's
    value), q and v (shape and scale of the customer's mean value)."""

    p: float
    q: float
    v: float

    @classmethod
    def fit(cls, x: ArrayLike, m_x: ArrayLike) -> GammaGamma:
        """Fitted on customers with repeat purchases (x > 0) and a positive mean value."""
        x_, m_ = _arrays(x, m_x)
        keep = (x_ > 0) & (m_ > 0)
        x_, m_ = x_[keep], m_[keep]
        if len(x_) < 3:
            raise FitFailed("Gamma-Gamma needs at least three customers with repeat purchases")

        def negative(log_params: Array) -> float:
            p, q, v = np.exp(log_params)
            return -float(np.mean(gamma_gamma_log_likelihood(p, q, v, x_, m_)))

        p, q, v = _minimise(negative, np.zeros(3))
        return cls(p=float(p), q=float(q), v=float(v))

    def expected_value(self, x: ArrayLike, m_x: ArrayLike) -> Array:
        """E[a purchase's value | x, m_x]: the population mean shrunk towards the customer's own; a
        customer without repeat purchases gets the population mean p·v/(q−1)."""
        x_, m_ = _arrays(x, m_x)
        m_ = np.where(x_ > 0, m_, 0.0)
        if self.q <= 1:
            raise FitFailed("the expected value needs q > 1")
        return self.p * (self.v + x_ * m_) / (self.p * x_ + self.q - 1)


def gamma_gamma_log_likelihood(p: float, q: float, v: float, x: Array, m_x: Array) -> Array:
    """Each customer's log-likelihood of their mean repeat-purchase value ``m_x`` over ``x`` purchases."""
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(x * m_x + v)
    )
