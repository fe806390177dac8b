"""Maximum-likelihood fits of lognormal, normal and gamma distributions to left-censored data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labtox.stats._common import (
    DEFAULT_PROBS,
    CensoredDataError,
    InsufficientDataError,
    prepare,
    quantile_label,
)

__all__ = ["CensoredMLEResult", "censored_mle", "lognormal_mean_profile_ci", "finney_g"]

_DISTS = ("lognorm", "norm", "gamma")


def _norm_family_nll(theta: np.ndarray, yd: np.ndarray, yc: np.ndarray,
                     lower: np.ndarray | None) -> tuple[float, np.ndarray]:
    """Negative log-likelihood and gradient in (mu, log sigma) for normal data on y scale.

    Detects contribute log φ; non-detects log Φ(z_c) (left-censored), or
    log(Φ(z_c) - Φ(z_lower)) when ``lower`` is given (interval-censored).
    """
    from scipy import special

    mu, ls = float(theta[0]), float(theta[1])
    s = np.exp(ls)
    zd = (yd - mu) / s
    ll = np.sum(-0.5 * zd ** 2 - ls - 0.5 * np.log(2 * np.pi))
    g_mu = np.sum(zd) / s
    g_ls = np.sum(zd ** 2 - 1.0)
    if yc.size:
        zc = (yc - mu) / s
        if lower is None:
            logcdf = special.log_ndtr(zc)
            lam = np.exp(-0.5 * zc ** 2 - 0.5 * np.log(2 * np.pi) - logcdf)
            ll += np.sum(logcdf)
            g_mu += np.sum(-lam) / s
            g_ls += np.sum(-lam * zc)
        else:
            za = (lower - mu) / s
            D = special.ndtr(zc) - special.ndtr(za)
            D = np.maximum(D, 1e-300)
            pc = np.exp(-0.5 * zc ** 2) / np.sqrt(2 * np.pi)
            pa = np.exp(-0.5 * za ** 2) / np.sqrt(2 * np.pi)
            ll += np.sum(np.log(D))
            g_mu += np.sum(-(pc - pa) / D) / s
            zpa = np.where(np.isfinite(za), za * pa, 0.0)
            g_ls += np.sum(-(zc * pc - zpa) / D)
    return -float(ll), -np.array([g_mu, g_ls])


def finney_g(m: float, z: float) -> float:
    """Finney's (1941) series ``g_m(z)`` used by the minimum-variance unbiased lognormal mean.

    ``g_m(z) = Σ_i m^i (m+2i) / (m(m+2)···(m+2i)) · (m/(m+1))^i · z^i / i!``
    (Gilbert 1987, eq. 13.4), summed in log space.
    """
    from scipy.special import gammaln

    if z == 0:
        return 1.0
    i = np.arange(int(max(200, 4 * abs(z) + 200)))
    lt = (i * np.log(m) + np.log(m + 2 * i)
          - ((i + 1) * np.log(2) + gammaln(m / 2 + i + 1) - gammaln(m / 2))
          + i * np.log(m / (m + 1)) + i * np.log(abs(z)) - gammaln(i + 1))
    return float(np.sum(np.exp(lt) * np.sign(z) ** i))


def _gamma_nll(theta: np.ndarray, xd: np.ndarray, xc: np.ndarray) -> float:
    from scipy import stats

    k, sc = np.exp(theta)
    ll = np.sum(stats.gamma.logpdf(xd, k, scale=sc))
    if xc.size:
        ll += np.sum(stats.gamma.logcdf(xc, k, scale=sc))
    return -float(ll) if np.isfinite(ll) else 1e300


def _num_hessian(grad, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    k = theta.size
    H = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h * max(1.0, abs(theta[i]))
        H[:, i] = (grad(theta + e) - grad(theta - e)) / (2 * e[i])
    return 0.5 * (H + H.T)


def _num_grad(f, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.empty(theta.size)
    for i in range(theta.size):
        e = np.zeros(theta.size)
        e[i] = h * max(1.0, abs(theta[i]))
        g[i] = (f(theta + e) - f(theta - e)) / (2 * e[i])
    return g


@dataclass(frozen=True)
class CensoredMLEResult:
    """Result of :func:`censored_mle`.

    Attributes
    ----------
    dist
        ``"lognorm"``, ``"norm"`` or ``"gamma"``.
    params
        ``{"meanlog", "sdlog"}``, ``{"mean", "sd"}`` or ``{"shape", "scale"}``.
    params_se, params_ci
        Wald standard errors and confidence intervals (inverse observed information;
        for positive parameters the interval is computed on the log scale).
    mean, sd, median, quantiles
        Of the fitted distribution.
    se_mean
        Delta-method standard error of ``mean`` (from the observed information).
    se_mean_nada
        ``sd / sqrt(n)``: the lognormal "se" tabulated for NADA ``cenmle`` in the reference
        values (a crude figure, kept for comparison); for ``norm`` NADA's se equals
        ``se_mean``.
    mean_ci, mean_ci_method
        Confidence interval on the mean: profile likelihood for ``lognorm`` (EnvStats
        ``elnormAltCensored(ci.method="profile.likelihood")``), Wald otherwise.
    mean_qmvue, sd_qmvue
        ``lognorm`` only: quasi minimum-variance unbiased estimates (El-Shaarawi 1989; EnvStats
        ``elnormAltCensored(method="qmvue")``): Finney's MVUE formulas with the ML estimates
        ``μ̂, σ̂²`` and ``m = n − 1``: ``exp(μ̂)·g_m(σ̂²/2)`` and
        ``exp(2μ̂)·[g_m(2σ̂²) − g_m((n−2)σ̂²/(n−1))]`` for the variance.
    mean_ci_cox
        ``lognorm`` only: NADA ``mean(cenmle)`` interval,
        ``exp(log(mean) ± z·sqrt(σ²/n + σ⁴/(2(n+1))))``.
    loglik
        Maximised log-likelihood (densities in the original units, as ``survreg``).
    covariance, covariance_parameters
        Inverse observed information on the scale the likelihood is maximised on:
        ``("meanlog", "log(sdlog)")``, ``("mean", "log(sd)")`` or
        ``("log(shape)", "log(scale)")``.
    """

    dist: str
    n: int
    n_censored: int
    params: dict[str, float]
    params_se: dict[str, float]
    params_ci: dict[str, tuple[float, float]]
    mean: float
    se_mean: float
    sd: float
    median: float
    quantiles: dict[float, float]
    loglik: float
    conf_level: float
    mean_ci: tuple[float, float]
    mean_ci_method: str
    mean_ci_cox: tuple[float, float] | None
    covariance: np.ndarray = field(repr=False)
    covariance_parameters: tuple[str, str] = ("", "")
    se_mean_nada: float = float("nan")
    mean_qmvue: float = float("nan")
    sd_qmvue: float = float("nan")
    lower_bound: float | None = None
    converged: bool = True
    method: str = "censored maximum likelihood"
    warnings: tuple[str, ...] = ()

    @property
    def cv(self) -> float:
        """Coefficient of variation of the fitted distribution."""
        return self.sd / self.mean

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per parameter or statistic with estimate, se and CI."""
        rows = []
        for k, v in self.params.items():
            lo, hi = self.params_ci[k]
            rows.append({"statistic": k, "estimate": v, "se": self.params_se[k],
                         "ci_low": lo, "ci_high": hi, "ci_method": "wald"})
        rows.append({"statistic": "mean", "estimate": self.mean, "se": self.se_mean,
                     "ci_low": self.mean_ci[0], "ci_high": self.mean_ci[1],
                     "ci_method": self.mean_ci_method})
        rows.append({"statistic": "sd", "estimate": self.sd, "se": np.nan, "ci_low": np.nan,
                     "ci_high": np.nan, "ci_method": ""})
        for p, v in self.quantiles.items():
            rows.append({"statistic": quantile_label(p), "estimate": v, "se": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "ci_method": ""})
        rows.append({"statistic": "loglik", "estimate": self.loglik, "se": np.nan,
                     "ci_low": np.nan, "ci_high": np.nan, "ci_method": ""})
        df = pd.DataFrame(rows)
        df.insert(0, "dist", self.dist)
        return df


def _fit_norm_family(yd, yc, lower, start):
    from scipy import optimize

    fun = lambda t: _norm_family_nll(t, yd, yc, lower)  # noqa: E731
    res = optimize.minimize(fun, start, jac=True, method="BFGS",
                            options={"gtol": 1e-10, "maxiter": 2000})
    theta = res.x
    # Newton polish (the likelihood is smooth; BFGS may stop a little early)
    grad = lambda t: fun(t)[1]  # noqa: E731
    for _ in range(20):
        H = _num_hessian(grad, theta)
        g = grad(theta)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        new = theta - step
        if not np.all(np.isfinite(new)) or fun(new)[0] > fun(theta)[0] + 1e-12:
            break
        theta = new
        if np.max(np.abs(step)) < 1e-12:
            break
    H = _num_hessian(grad, theta)
    return theta, -fun(theta)[0], H, bool(res.success or np.max(np.abs(grad(theta))) < 1e-6)


def lognormal_mean_profile_ci(yd: np.ndarray, yc: np.ndarray, theta_hat: np.ndarray,
                              loglik_max: float, crit: float, extra: float = 0.0,
                              sides: tuple[float, ...] = (-1.0, 1.0)
                              ) -> tuple[float, float]:
    """Profile-likelihood interval for the lognormal mean ``exp(μ + σ²/2)``.

    Solves ``2·(ℓ_max − ℓ_p(θ)) = crit`` on both sides of the MLE, where ``ℓ_p(θ)`` is the
    log-likelihood maximised over σ with ``μ = log θ − σ²/2`` (Cox 2001; EnvStats
    ``elnormAltCensored``, ``ci.method="profile.likelihood"``). ``extra`` is the constant
    (Jacobian) part of the log-likelihood not included in the normal-scale likelihood.
    """
    from scipy import optimize

    last = {"ls": float(theta_hat[1])}

    def prof(logtheta: float) -> float:
        def nll_s(ls: float) -> float:
            s = np.exp(ls)
            return _norm_family_nll(np.array([logtheta - s * s / 2, ls]), yd, yc, None)[0]

        # Brent's method from the previous solution; bounded search if that fails
        try:
            r = optimize.minimize_scalar(nll_s, bracket=(last["ls"] - 0.1, last["ls"] + 0.1))
            ok = bool(np.isfinite(r.fun)) and abs(r.x - theta_hat[1]) < 6
        except (ValueError, RuntimeError):
            ok = False
        if not ok:
            lo, hi = float(theta_hat[1]) - 4.0, float(theta_hat[1]) + 4.0
            r = optimize.minimize_scalar(nll_s, bounds=(lo, hi), method="bounded",
                                         options={"xatol": 1e-10})
        last["ls"] = float(r.x)
        return -float(r.fun) + extra

    s_hat = np.exp(theta_hat[1])
    lt_hat = theta_hat[0] + s_hat ** 2 / 2
    target = loglik_max - crit / 2

    def f(lt: float) -> float:
        return prof(lt) - target

    bounds = [0.0, float("inf")]
    for direction in sides:
        step = max(0.1, s_hat)
        b = lt_hat
        ok = False
        for _ in range(200):
            b2 = b + direction * step
            if f(b2) < 0:
                ok = True
                break
            b, step = b2, step * 1.6
        if ok:
            root = optimize.brentq(f, min(b, b2), max(b, b2), xtol=1e-12)
            bounds[0 if direction < 0 else 1] = float(np.exp(root))
    return bounds[0], bounds[1]


def censored_mle(values: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray,
                 dist: str = "lognorm", *, lower_bound: float | None = 0.0,
                 probs: Sequence[float] = DEFAULT_PROBS,
                 conf_level: float = 0.95) -> CensoredMLEResult:
    """Fit a distribution to left-censored data by maximum likelihood.

    Detects contribute their density, non-detects the probability of lying below their limit:
    ``ℓ = Σ_detects log f(x_i) + Σ_non-detects log F(DL_j)``.

    Parameters
    ----------
    values, censored
        Observations (limits for non-detects) and non-detect flags.
    dist
        ``"lognorm"`` (NADA ``cenmle`` default, EnvStats ``elnormCensored``), ``"norm"`` or
        ``"gamma"`` (EnvStats ``egammaCensored``).
    lower_bound
        ``dist="norm"`` only. ``0.0`` (default) treats a non-detect as lying in
        ``[0, DL]`` (interval-censored), as NADA ``cenmle(dist="gaussian")`` does because
        concentrations are not negative; ``None`` treats it as ``(-inf, DL]`` (EnvStats
        ``enormCensored``, scipy), which can give a negative mean.
    probs
        Quantile probabilities of the fitted distribution.
    conf_level
        Two-sided confidence level of the intervals.

    Returns
    -------
    CensoredMLEResult
        Parameter intervals are Wald (inverse observed information); the lognormal mean has
        a profile-likelihood interval (``mean_ci``) and NADA's Cox-type interval
        (``mean_ci_cox``).

    Raises
    ------
    CensoredDataError
        Bad input; zero or negative values for ``lognorm``/``gamma``; unknown ``dist``.
    InsufficientDataError
        Fewer than 2 distinct detects (the likelihood has no interior maximum).

    References
    ----------
    Helsel, D.R. (2012). *Statistics for Censored Environmental Data*, 2nd ed., ch. 7.
    Cohen, A.C. (1959). Technometrics 1:217-237. Millard, S.P. (2013). *EnvStats*,
    Springer. El-Shaarawi, A.H. (1989). Inferences about the mean from censored water quality
    data. Water Resour. Res. 25(4):685-690. Gilbert, R.O. (1987). *Statistical Methods for
    Environmental Pollution Monitoring*, ch. 13 (Finney's g). Cox, C. (2001) in USEPA (2009) Unified Guidance, ch. 21 (profile likelihood).

    Examples
    --------
    >>> r = censored_mle([0.5, 0.5, 1, 1.5, 5, 10, 100],
    ...                  [True, False, False, True, False, False, False])
    >>> round(r.params["meanlog"], 4), round(r.params["sdlog"], 4)
    (0.6282, 2.2699)
    """
    from scipy import stats

    if dist not in _DISTS:
        raise CensoredDataError(f"Unknown distribution {dist!r} for censored_mle.",
                                expected=" or ".join(repr(d) for d in _DISTS), found=dist)
    x, c = prepare(values, censored, name="censored_mle", positive=dist != "norm")
    if np.unique(x[~c]).size < 2:
        raise InsufficientDataError(
            "Censored MLE needs at least 2 distinct detected values.",
            expected=">= 2 distinct detects", found=int(np.unique(x[~c]).size),
            hint="Report counts, or use kaplan_meier()/substitution().")
    n, ncen = x.size, int(c.sum())
    warns: list[str] = []
    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    qs = np.asarray(probs, dtype=float)
    if dist in ("lognorm", "norm"):
        logscale = dist == "lognorm"
        y = np.log(x) if logscale else x
        yd, yc = y[~c], y[c]
        lower = None
        if dist == "norm" and lower_bound is not None:
            if np.any(yc <= lower_bound):
                raise CensoredDataError("A detection limit is at or below lower_bound.",
                                        expected=f"limits > {lower_bound}",
                                        found=float(yc.min()))
            lower = np.full(yc.shape, float(lower_bound))
        sd0 = np.std(y, ddof=0)
        start = np.array([np.mean(y), np.log(sd0 if sd0 > 0 else 1.0)])
        theta, ll, H, conv = _fit_norm_family(yd, yc, lower, start)
        jac = float(-np.sum(yd)) if logscale else 0.0  # log-density Jacobian: -log(x)
        ll += jac
        cov = np.linalg.inv(H)
        mu, s = float(theta[0]), float(np.exp(theta[1]))
        se_mu, se_ls = np.sqrt(np.diag(cov))
        s_ci = (s * np.exp(-z * se_ls), s * np.exp(z * se_ls))
        zq = stats.norm.ppf(qs)
        if logscale:
            params = {"meanlog": mu, "sdlog": s}
            params_se = {"meanlog": float(se_mu), "sdlog": float(s * se_ls)}
            params_ci = {"meanlog": (mu - z * se_mu, mu + z * se_mu), "sdlog": s_ci}
            mean = float(np.exp(mu + s * s / 2))
            sd = float(np.sqrt(np.exp(2 * mu + s * s) * (np.exp(s * s) - 1)))
            median = float(np.exp(mu))
            quants = np.exp(mu + zq * s)
            grad = mean * np.array([1.0, s * s])  # d mean / d(mu, log s)
            se_mean = float(np.sqrt(grad @ cov @ grad))
            mean_ci = lognormal_mean_profile_ci(yd, yc, theta, ll, z * z, extra=jac)
            ci_method = "profile likelihood"
            qm = finney_g(n - 1, s * s / 2) * np.exp(mu) if n > 1 else float("nan")
            qv = (np.exp(2 * mu) * (finney_g(n - 1, 2 * s * s)
                                    - finney_g(n - 1, (n - 2) * s * s / (n - 1)))
                  if n > 2 else float("nan"))
            qmvue = (float(qm), float(np.sqrt(qv)) if qv >= 0 else float("nan"))
            gamz = z * np.sqrt(s * s / n + 0.5 * s ** 4 / (n + 1))
            mean_ci_cox = (float(mean * np.exp(-gamz)), float(mean * np.exp(gamz)))
        else:
            params = {"mean": mu, "sd": s}
            params_se = {"mean": float(se_mu), "sd": float(s * se_ls)}
            params_ci = {"mean": (mu - z * se_mu, mu + z * se_mu), "sd": s_ci}
            mean, sd, median = mu, s, mu
            quants = mu + zq * s
            se_mean = float(se_mu)
            mean_ci = params_ci["mean"]
            ci_method = "wald"
            mean_ci_cox = None
            qmvue = (float("nan"), float("nan"))
            if mu < 0:
                warns.append("the fitted normal mean is negative")
    else:
        from scipy import optimize

        xd, xc = x[~c], x[c]
        m0, v0 = np.mean(x), np.var(x)
        k0 = max(m0 * m0 / v0, 0.05) if v0 > 0 else 1.0
        start = np.log([k0, m0 / k0])
        fun = lambda t: _gamma_nll(t, xd, xc)  # noqa: E731
        res = optimize.minimize(fun, start, method="Nelder-Mead",
                                options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
        res = optimize.minimize(fun, res.x, jac=lambda t: _num_grad(fun, t), method="BFGS",
                                options={"gtol": 1e-8})
        theta = res.x
        conv = bool(res.success or np.max(np.abs(_num_grad(fun, theta))) < 1e-5)
        H = _num_hessian(lambda t: _num_grad(fun, t, 1e-5), theta, 1e-4)
        cov = np.linalg.inv(H)
        ll = -fun(theta)
        k, sc = (float(v) for v in np.exp(theta))
        se_lk, se_ls = np.sqrt(np.diag(cov))
        params = {"shape": k, "scale": sc}
        params_se = {"shape": float(k * se_lk), "scale": float(sc * se_ls)}
        params_ci = {"shape": (k * np.exp(-z * se_lk), k * np.exp(z * se_lk)),
                     "scale": (sc * np.exp(-z * se_ls), sc * np.exp(z * se_ls))}
        mean, sd = k * sc, float(np.sqrt(k) * sc)
        median = float(stats.gamma.ppf(0.5, k, scale=sc))
        quants = stats.gamma.ppf(qs, k, scale=sc)
        se_lmean = float(np.sqrt(np.ones(2) @ cov @ np.ones(2)))
        se_mean = mean * se_lmean
        mean_ci = (mean * np.exp(-z * se_lmean), mean * np.exp(z * se_lmean))
        ci_method = "wald (log scale)"
        mean_ci_cox = None
        qmvue = (float("nan"), float("nan"))
    if not conv:
        warns.append("the optimiser did not report convergence; check the estimates")
    if ncen / n > 0.8:
        warns.append(f"{100 * ncen / n:.0f} % non-detects: the fit rests on few detects")
    return CensoredMLEResult(
        dist=dist, n=n, n_censored=ncen, params=params, params_se=params_se,
        params_ci={k_: (float(a), float(b)) for k_, (a, b) in params_ci.items()},
        mean=float(mean), se_mean=float(se_mean), sd=float(sd), median=float(median),
        quantiles={float(p): float(q) for p, q in zip(qs, quants, strict=True)}, loglik=float(ll),
        conf_level=conf_level, mean_ci=(float(mean_ci[0]), float(mean_ci[1])),
        mean_ci_method=ci_method, mean_ci_cox=mean_ci_cox, covariance=cov,
        covariance_parameters={"lognorm": ("meanlog", "log(sdlog)"),
                               "norm": ("mean", "log(sd)"),
                               "gamma": ("log(shape)", "log(scale)")}[dist],
        se_mean_nada=float(sd / np.sqrt(n)) if dist == "lognorm" else float(se_mean),
        mean_qmvue=qmvue[0], sd_qmvue=qmvue[1],
        lower_bound=lower_bound if dist == "norm" else None, converged=conv,
        method=f"censored maximum likelihood, {dist}", warnings=tuple(warns))
