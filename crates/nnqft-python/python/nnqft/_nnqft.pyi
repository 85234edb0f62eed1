"""Type stubs of the extension module nnqft._nnqft (re-exported by ``nnqft``)."""

from typing import Any, Callable, Protocol, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

#: Inputs: ``None`` (the architecture's paper inputs), a LIST string as ``--inputs`` takes
#: (``"0.1,0.5"``, ``"0,1;1,0"``, ``"paper"``), a sequence of numbers (one-dimensional
#: points), a sequence of points, or a ``(k,)`` / ``(k, d)`` array.
Inputs = Union[None, str, Sequence[float], Sequence[Sequence[float]], npt.ArrayLike]

#: Correlators: ``"exact"``, the path of a file written by ``nnqft sample``/``nnqft exact``
#: (``--out``), or the dict returned by :func:`sample` or :func:`exact`.
Source = Union[str, dict[str, Any]]

class _Bar(Protocol):
    def update(self, n: int) -> Any: ...

def kernel(
    arch: str,
    inputs: Inputs = None,
    *,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
    bias_dist: str = "normal",
    depth: int = 1,
) -> npt.NDArray[np.float64]:
    """The GP kernel matrix K(x_a, x_b) over the inputs, a (k, k) array (``nnqft kernel``)."""

def exact(
    arch: str,
    width: int,
    *,
    npt: Sequence[int] | None = None,
    inputs: Inputs = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
    bias_dist: str = "normal",
    depth: int = 1,
) -> dict[str, Any]:
    """Exact finite-width correlators and cumulants: the dict of ``nnqft exact --json``
    (keys ``correlators``, ``connected``, ``summary``, ...) plus ``dense``: per n the (k,)*n
    arrays ``correlators``, ``correlators_stderr``, ``gp``, ``connected``, ``connected_stderr``."""

def sample(
    arch: str,
    width: int,
    nets: int,
    *,
    experiments: int = 10,
    seed: int = 1,
    npt: Sequence[int] = (2, 4, 6),
    estimator: str = "conditional",
    threads: int | None = None,
    progress: Callable[[int, int], Any] | _Bar | None = None,
    inputs: Inputs = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
    bias_dist: str = "normal",
    depth: int = 1,
) -> dict[str, Any]:
    """Sample ``nets`` networks and measure their n-point functions: the dict of
    ``nnqft sample --json`` (same seed, same bits) plus ``dense`` as in :func:`exact`.
    The GIL is released while sampling; ``progress(done_blocks, total_blocks)`` (or a tqdm
    bar's ``update``) is called every 100 ms; Ctrl-C raises KeyboardInterrupt within a second."""

def merge(files: Sequence[str]) -> dict[str, Any]:
    """Combine the shard files of one ``nnqft sample --shard I/S --out FILE`` run: the dict
    of ``nnqft merge --json``, identical to the one-shot :func:`sample`."""

def diagrams(
    points: int,
    order: int,
    *,
    vertices: Sequence[str] | None = None,
    connected: bool = False,
    keep_self_energy: bool = False,
    max_diagrams: int = ...,
) -> dict[str, Any]:
    """The Feynman-diagram expansion of G^(n): the dict of ``nnqft diagrams --json`` with
    every coefficient and total a ``fractions.Fraction``, plus ``latex`` (the LaTeX body of
    ``--format latex``) and ``text`` (the listing). ``vertices``: ``["lambda=4", "kappa=6"]``."""

def evaluate(
    arch: str,
    points: int,
    order: int,
    tuple: Sequence[int],
    cutoff: float | str,
    *,
    lambda_: float = 1.0,
    kappa: float = 1.0,
    diagrams: bool = False,
    connected: bool = False,
    keep_self_energy: bool = False,
    inputs: Inputs = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
) -> dict[str, Any]:
    """Every class (or labelled diagram) of G^(n) at the input tuple under the cutoff (a
    number or ``"inf"``): the dict of ``nnqft evaluate --json``."""

def rg(
    arch: str,
    *,
    width: int | None = None,
    cutoffs: Sequence[float] | None = None,
    source: Source | None = None,
    couplings: str = "lambda",
    inputs: Inputs = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
) -> dict[str, Any]:
    """The quartic coupling (and sextic with ``couplings="lambda,kappa"``) against the
    cutoff: the dict of ``nnqft rg --json``."""

def predict(
    arch: str,
    *,
    width: int | None = None,
    cutoff: float = 100.0,
    source: Source | None = None,
    inputs: Inputs = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
) -> dict[str, Any]:
    """The 6-point deviation predicted from the quartic coupling against the measured or
    exact one: the dict of ``nnqft predict --json``."""

def fit(
    arch: str,
    *,
    width: int | None = None,
    models: str = "M0,M1,M2,M3",
    source: Source | None = None,
    train_inputs: Inputs = None,
    test_inputs: Inputs = None,
    cutoff: float | str | None = None,
    weighting: str | None = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
) -> dict[str, Any]:
    """Fit the paper's candidate effective actions (Table 5): the dict of ``nnqft fit --json``."""

def action(
    arch: str,
    width: int,
    *,
    order: int = 1,
    check: bool = False,
    max_condition: float = ...,
    inputs: Inputs = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    d_in: int = 1,
) -> dict[str, Any]:
    """The effective action on the inputs from the exact cumulants: the dict of
    ``nnqft action --json`` plus ``dense`` arrays of ``lambda4`` (and ``lambda6``)."""
