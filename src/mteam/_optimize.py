"""Maximum likelihood over n positive parameters, in pure Python (not public API).

Every model in `mteam.membership` has parameters that must be positive, so the search runs
over their logarithms u = ln θ, where it is unconstrained. Two searches:

* **BFGS** (a quasi-Newton method) when the model gives the gradient of its log-likelihood
  (with its value, in one evaluation): the gradient in log space is θ ⊙ ∇ℓ(θ); the
  inverse-Hessian estimate H starts as the identity and is updated only when the curvature
  condition holds; steps are backtracked until the Armijo condition holds. It converges when
  the largest component of the log-space gradient is below `gtol` × (1 + |ℓ|), or when the
  gain the quasi-Newton step predicts, gᵀHg / 2 (an estimate of ℓ(θ*) − ℓ(θ)), is below
  1e-15 × (1 + |ℓ|): a likelihood summed over thousands of profiles is exact only to about
  that, so near the maximum its changes are rounding and no line search can make progress
  (the gradient, a sum of terms that do not cancel, stays accurate).
* **Nelder–Mead** (the downhill simplex), which needs values only: the fallback when BFGS does
  not converge. It converges when the simplex is narrower than 1e-10 in every log-parameter
  and its values differ by less than 1e-12 × (1 + |value|). A model without an analytic
  gradient is searched by BFGS on central differences first.

The starts are tried in order, a later one only when the searches from the earlier ones did
not converge. A point with some |u_i| > 25 counts as infinitely bad, and a maximum with some
|u_i| > 18 (θ_i below 1.5e-8 or above 6.6e7), or where ℓ is no lower with one θ_i moved
e^8 times further from 1, is reported as not converged: such data have no finite maximum.
The result carries its diagnostics as data (method, iterations, the gradient norm at the
optimum, converged, a message); nothing here raises on a failed search.

The observed information is minus the Hessian of ℓ at the optimum, by central differences of
the analytic gradient (of values when there is none); its inverse is the covariance of the
estimates (None when it is not positive definite).

Examples:
    >>> from mteam._optimize import maximise_positive
    >>> # ℓ(θ) = −(θ₁ − 2)² − (θ₂ − 3)², with its gradient
    >>> fit = maximise_positive(
    ...     lambda t: -((t[0] - 2) ** 2) - (t[1] - 3) ** 2,
    ...     [(1.0, 1.0)],
    ...     value_and_gradient=lambda t: (
    ...         -((t[0] - 2) ** 2) - (t[1] - 3) ** 2,
    ...         (-2 * (t[0] - 2), -2 * (t[1] - 3)),
    ...     ),
    ... )
    >>> [round(v, 6) for v in fit.parameters], fit.diagnostics.method, fit.diagnostics.converged
    ([2.0, 3.0], 'bfgs', True)
    >>> [round(v, 4) for v in fit.standard_errors]  # (−H)⁻¹ = diag(1/2, 1/2)
    [0.7071, 0.7071]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Final

import attrs

__all__ = [
    "Diagnostics",
    "MaximumLikelihood",
    "hessian",
    "hessian_from_gradient",
    "invert",
    "maximise_positive",
    "nelder_mead",
]

Point = tuple[float, ...]
Objective = Callable[[Point], float]
Gradient = Callable[[Point], Sequence[float]]
ValueAndGradient = Callable[[Point], tuple[float, Sequence[float]]]

_BOUND: Final = 25.0
_EDGE: Final = 18.0  # a maximum with some θ beyond e^±18 is taken as running off to 0 or ∞
_PROBE: Final = 8.0  # how far (in ln θ) past a maximum it is checked to be one
_RESOLUTION: Final = 1e-15  # relative: changes of a sum of many logs below this are rounding


@attrs.frozen
class Diagnostics:
    """How a search went.

    Attributes:
        method: `"bfgs"` or `"nelder-mead"` (the search whose result was kept).
        iterations: Iterations of that search.
        gradient_norm: The largest component of the log-space gradient of ℓ at the optimum
            (by central differences when the model has no analytic gradient).
        converged: Whether the search met its tolerances.
        message: What happened, in words.
    """

    method: str
    iterations: int
    gradient_norm: float
    converged: bool
    message: str


@attrs.frozen
class MaximumLikelihood:
    """The maximum of a log-likelihood over positive parameters.

    Attributes:
        parameters: θ at the maximum.
        log_likelihood: ℓ(θ).
        covariance: (−H)⁻¹ at the maximum, or None when −H is not positive definite.
        standard_errors: The square roots of the covariance's diagonal (None each when the
            covariance is None).
        diagnostics: How the search went.
    """

    parameters: Point
    log_likelihood: float
    covariance: tuple[Point, ...] | None
    standard_errors: tuple[float | None, ...]
    diagnostics: Diagnostics


def nelder_mead(
    f: Objective,
    start: Sequence[float],
    *,
    step: float = 0.5,
    max_iterations: int = 4000,
) -> tuple[Point, float, int, bool]:
    """Minimise f from `start` by the downhill simplex; (point, value, iterations, converged).

    Reflection 2c − w, expansion 3c − 2w, inside contraction (c + w)/2 and shrinking towards
    the best point, where c is the centroid of all but the worst point w.

    Examples:
        >>> point, value, _, converged = nelder_mead(lambda p: (p[0] - 1) ** 2, [0.0])
        >>> round(point[0], 8), converged
        (1.0, True)
    """
    n = len(start)
    x0 = tuple(float(v) for v in start)
    simplex = [x0] + [tuple(v + step * (j == i) for j, v in enumerate(x0)) for i in range(n)]
    values = [f(p) for p in simplex]
    for iteration in range(1, max_iterations + 1):
        order = sorted(range(n + 1), key=lambda i: values[i])
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        best = simplex[0]
        width = max(max(abs(p[j] - best[j]) for j in range(n)) for p in simplex[1:])
        if width < 1e-10 and values[-1] - values[0] <= 1e-12 * (1 + abs(values[0])):
            return best, values[0], iteration, True
        worst = simplex[-1]
        c = tuple(sum(p[j] for p in simplex[:-1]) / n for j in range(n))
        reflect = tuple(2 * c[j] - worst[j] for j in range(n))
        fr = f(reflect)
        if fr < values[0]:
            expand = tuple(3 * c[j] - 2 * worst[j] for j in range(n))
            fe = f(expand)
            simplex[-1], values[-1] = (expand, fe) if fe < fr else (reflect, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflect, fr
        else:
            contract = tuple((c[j] + worst[j]) / 2 for j in range(n))
            fc = f(contract)
            if fc < values[-1]:
                simplex[-1], values[-1] = contract, fc
            else:
                simplex = [best] + [
                    tuple((p[j] + best[j]) / 2 for j in range(n)) for p in simplex[1:]
                ]
                values = [values[0]] + [f(p) for p in simplex[1:]]
    return simplex[0], values[0], max_iterations, False


def _line_search(
    fg: Callable[[Point], tuple[float, list[float]]],
    x: Point,
    fx: float,
    d: Sequence[float],
    slope: float,
) -> tuple[Point, float, list[float]] | None:
    """Backtrack along d from a step of 1 (at most 2 in any ln θ) until Armijo's condition."""
    longest = max(abs(v) for v in d)
    step = min(1.0, 2.0 / longest) if longest > 0 else 1.0
    while step >= 1e-16:
        y = tuple(v + step * w for v, w in zip(x, d, strict=True))
        fy, gy = fg(y)
        if fy <= fx + 1e-4 * step * slope:
            return y, fy, gy
        step /= 2
    return None


def _bfgs(
    fg: Callable[[Point], tuple[float, list[float]]],
    start: Point,
    *,
    gtol: float,
    max_iterations: int,
) -> tuple[Point, float, int, bool, str]:
    n = len(start)
    x = start
    fx, g = fg(x)
    h = [[float(i == j) for j in range(n)] for i in range(n)]
    updated = False
    stalled = 0
    for iteration in range(1, max_iterations + 1):
        if not math.isfinite(fx):
            return x, fx, iteration, False, "the start is outside the parameters' range"
        if max(abs(v) for v in g) <= gtol * (1 + abs(fx)):
            return x, fx, iteration, True, "the gradient vanished"
        d = [-sum(h[i][j] * g[j] for j in range(n)) for i in range(n)]
        slope = sum(d[i] * g[i] for i in range(n))
        if slope >= 0:  # not a descent direction: restart from steepest descent
            h = [[float(i == j) for j in range(n)] for i in range(n)]
            updated = False
            d = [-v for v in g]
            slope = -sum(v * v for v in g)
        if updated and -slope / 2 <= _RESOLUTION * (1 + abs(fx)):
            # −slope/2 = gᵀHg/2 is the quasi-Newton estimate of f(x) − f(x*): below the
            # objective's rounding, no line search can find a lower point
            return x, fx, iteration, True, "the predicted gain is below the objective's rounding"
        found = _line_search(fg, x, fx, d, slope)
        if found is None:
            return x, fx, iteration, False, "the line search found no lower point"
        y, fy, gy = found
        s = [y[i] - x[i] for i in range(n)]
        dg = [gy[i] - g[i] for i in range(n)]
        sy = sum(s[i] * dg[i] for i in range(n))
        if sy > 1e-300:
            hy = [sum(h[i][j] * dg[j] for j in range(n)) for i in range(n)]
            yhy = sum(dg[i] * hy[i] for i in range(n))
            rho = 1 / sy
            h = [
                [
                    h[i][j]
                    + (1 + yhy * rho) * rho * s[i] * s[j]
                    - rho * (hy[i] * s[j] + s[i] * hy[j])
                    for j in range(n)
                ]
                for i in range(n)
            ]
            updated = True
        stalled = stalled + 1 if fx - fy <= _RESOLUTION * (1 + abs(fx)) else 0
        x, fx, g = y, fy, gy
        if stalled >= 5:
            return x, fx, iteration, False, "no progress in five iterations"
    return x, fx, max_iterations, False, f"no convergence in {max_iterations} iterations"


def hessian(
    f: Objective, x: Sequence[float], rel: float = 1e-4, *, floor: float = 1.0
) -> list[list[float]]:
    """The Hessian of f at x by central differences, step `rel` × max(floor, |x_i|).

    Examples:
        >>> [[round(v, 6) for v in row] for row in hessian(lambda p: p[0] ** 2 * p[1], [1, 2])]
        [[4.0, 2.0], [2.0, 0.0]]
    """
    n = len(x)
    p = [float(v) for v in x]
    h = [rel * max(floor, abs(v)) for v in p]

    def at(*moves: tuple[int, float]) -> float:
        q = list(p)
        for i, m in moves:
            q[i] += m
        return f(tuple(q))

    f0 = f(tuple(p))
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        out[i][i] = (at((i, h[i])) - 2 * f0 + at((i, -h[i]))) / (h[i] * h[i])
        for j in range(i):
            v = (
                at((i, h[i]), (j, h[j]))
                - at((i, h[i]), (j, -h[j]))
                - at((i, -h[i]), (j, h[j]))
                + at((i, -h[i]), (j, -h[j]))
            ) / (4 * h[i] * h[j])
            out[i][j] = out[j][i] = v
    return out


def invert(matrix: Sequence[Sequence[float]]) -> list[list[float]] | None:
    """The inverse by Gauss–Jordan elimination with partial pivoting; None if singular.

    Examples:
        >>> invert([[2.0, 0.0], [0.0, 4.0]])
        [[0.5, 0.0], [0.0, 0.25]]
        >>> invert([[1.0, 2.0], [2.0, 4.0]]) is None
        True
    """
    n = len(matrix)
    a = [
        [float(v) for v in row] + [float(i == j) for j in range(n)] for i, row in enumerate(matrix)
    ]
    scale = max((abs(v) for row in matrix for v in row), default=0.0)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if not abs(a[pivot][col]) > 1e-14 * scale:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        a[col] = [v / p for v in a[col]]
        for r in range(n):
            if r != col and a[r][col]:
                factor = a[r][col]
                a[r] = [v - factor * w for v, w in zip(a[r], a[col], strict=True)]
    return [row[n:] for row in a]


def _covariance(
    loglik: Objective, theta: Point, value_and_gradient: ValueAndGradient | None
) -> tuple[tuple[Point, ...] | None, tuple[float | None, ...]]:
    if value_and_gradient is None:
        h = hessian(loglik, theta, floor=0.0)  # steps relative to θ: they stay positive
    else:
        h = hessian_from_gradient(lambda t: value_and_gradient(t)[1], theta)
    inverse = invert([[-v for v in row] for row in h])
    n = len(theta)
    if inverse is None or any(not math.isfinite(v) for row in inverse for v in row):
        return None, (None,) * n
    if any(inverse[i][i] <= 0 for i in range(n)):
        return None, (None,) * n
    cov = tuple(tuple(row) for row in inverse)
    return cov, tuple(math.sqrt(cov[i][i]) for i in range(n))


def hessian_from_gradient(
    gradient: Gradient, x: Sequence[float], rel: float = 1e-5
) -> list[list[float]]:
    """The Hessian as central differences of the gradient, step `rel` × |x_j|, symmetrised.

    2n gradient evaluations (the Hessian from values takes 2n² + 1), and more accurate: a
    first difference of an exact gradient, not a second difference of values.

    Examples:
        >>> grad = lambda p: (2 * p[0] * p[1], p[0] ** 2)  # of p₀² p₁
        >>> [[round(v, 6) for v in row] for row in hessian_from_gradient(grad, [1, 2])]
        [[4.0, 2.0], [2.0, 0.0]]
    """
    n = len(x)
    p = [float(v) for v in x]
    columns = []
    for j in range(n):
        step = rel * abs(p[j]) or rel
        up, down = list(p), list(p)
        up[j] += step
        down[j] -= step
        g_up, g_down = gradient(tuple(up)), gradient(tuple(down))
        columns.append([(g_up[i] - g_down[i]) / (2 * step) for i in range(n)])
    return [[(columns[j][i] + columns[i][j]) / 2 for j in range(n)] for i in range(n)]


def _runs_off(objective: Objective, u: Point, value: float) -> bool:
    """Whether ℓ is no lower e^8 (about 3,000) times further from 1 in some θ_i.

    Where the likelihood rises towards a boundary (θ_i → 0 or ∞) its log-space gradient
    vanishes there too, so a search can stop on the slope; at a true maximum moving one
    parameter by a factor of 3,000 always lowers the likelihood.
    """
    for i, v in enumerate(u):
        far = tuple(w + math.copysign(_PROBE, v) * (j == i) for j, w in enumerate(u))
        if objective(far) <= value + _RESOLUTION * (1 + abs(value)):
            return True
    return False


def maximise_positive(  # noqa: C901 - two searches, each with its fallback
    loglik: Objective,
    starts: Sequence[Sequence[float]],
    *,
    value_and_gradient: ValueAndGradient | None = None,
    gtol: float = 1e-9,
    max_iterations: int = 4000,
) -> MaximumLikelihood:
    """Maximise ℓ(θ) over θ > 0 from the first of `starts` (values of θ), then the next ones.

    A later start is tried only when the searches from the earlier ones did not converge;
    the first converged search is kept (or, when none converges, the best value found).

    Args:
        loglik: ℓ(θ); may return −inf (or raise nothing) where θ is impossible.
        starts: Starting values of θ (each positive), the likeliest first.
        value_and_gradient: (ℓ(θ), ∇ℓ(θ)) in one evaluation, if the model has the gradient;
            BFGS uses it, and the observed information is taken from it.
        gtol: BFGS's tolerance on the log-space gradient, relative to 1 + |ℓ|.
        max_iterations: Per search.

    Returns:
        The best maximum found, with its covariance and diagnostics.
    """

    def safe(theta: Point) -> float:
        try:
            value = loglik(theta)
        except (ValueError, OverflowError, ZeroDivisionError):  # at the edge of the domain
            return -math.inf
        return value if math.isfinite(value) else -math.inf

    def objective(u: Point) -> float:
        if max(abs(v) for v in u) > _BOUND:
            return math.inf
        return -safe(tuple(math.exp(v) for v in u))

    def analytic(u: Point) -> tuple[float, list[float]]:
        assert value_and_gradient is not None  # noqa: S101 - only called when there is one
        if max(abs(v) for v in u) > _BOUND:
            return math.inf, [0.0] * len(u)
        theta = tuple(math.exp(v) for v in u)
        try:
            value, grad = value_and_gradient(theta)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.inf, [0.0] * len(u)
        if not math.isfinite(value) or not all(math.isfinite(v) for v in grad):
            return math.inf, [0.0] * len(u)
        # the gradient in log space: ∂ℓ/∂u_i = θ_i ∂ℓ/∂θ_i, negated for the minimisation
        return -value, [-t * v for t, v in zip(theta, grad, strict=True)]

    def numeric(u: Point) -> tuple[float, list[float]]:
        out = []
        for i in range(len(u)):
            h = 1e-6 * max(1.0, abs(u[i]))
            up = tuple(v + h * (j == i) for j, v in enumerate(u))
            down = tuple(v - h * (j == i) for j, v in enumerate(u))
            out.append((objective(up) - objective(down)) / (2 * h))
        return objective(u), out

    fg = analytic if value_and_gradient is not None else numeric
    label = "bfgs" if value_and_gradient is not None else "bfgs (numerical gradient)"
    tolerance = gtol if value_and_gradient is not None else gtol * 100
    best: tuple[Point, float, str, int, bool, str] | None = None
    for start in starts:
        u0 = tuple(math.log(v) for v in start)
        u, value, iterations, converged, message = _bfgs(
            fg, u0, gtol=tolerance, max_iterations=max_iterations
        )
        method = label
        if not converged:
            u, value, iterations, converged = nelder_mead(
                objective, u, max_iterations=max_iterations
            )
            method = "nelder-mead"
            message = f"BFGS stopped ({message}); Nelder–Mead " + (
                "converged" if converged else f"did not converge in {iterations} iterations"
            )
        if (
            not math.isfinite(value)
            or max(abs(v) for v in u) > _EDGE
            or _runs_off(objective, u, value)
        ):
            converged = False
            message = "no finite maximum: a parameter ran to 0 or to infinity"
        if best is None or converged or value < best[1]:  # the first converged, or the best
            best = (u, value, method, iterations, converged, message)
        if converged:
            break
    assert best is not None  # noqa: S101 - callers give at least one start
    u, value, method, iterations, converged, message = best
    _, g = fg(u)
    norm = max(abs(v) for v in g) if all(math.isfinite(v) for v in g) else math.inf
    theta = tuple(math.exp(v) for v in u)
    ll = safe(theta)
    if converged:
        cov, se = _covariance(safe, theta, value_and_gradient)
    else:
        cov, se = None, (None,) * len(theta)
    return MaximumLikelihood(
        theta, ll, cov, se, Diagnostics(method, iterations, norm, converged, message)
    )
