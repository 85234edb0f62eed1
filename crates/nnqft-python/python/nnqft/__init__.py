"""nnqft: the neural-network / quantum-field-theory toolkit from Python.

Every function mirrors a command of the ``nnqft`` binary: keyword arguments carry the
command's flag names with underscores (``sigma_w``, ``d_in``, ...), results are numpy arrays
or plain dicts with the keys of the command's ``--json`` output (same seed, same bits), and
bad input raises ``ValueError`` with the command's one-line message. Correlator dicts carry,
besides the multiset lists, dense symmetric arrays of shape ``(k,) * n`` under ``"dense"``.
Conventions: docs/conventions.md of the nnqft repository.

>>> import nnqft
>>> nnqft.kernel("erf", [-1.0, 0.0, 1.0]).shape
(3, 3)
"""

from ._nnqft import (
    __version__,
    action,
    diagrams,
    evaluate,
    exact,
    fit,
    kernel,
    merge,
    predict,
    rg,
    sample,
)

__all__ = [
    "__version__",
    "action",
    "diagrams",
    "evaluate",
    "exact",
    "fit",
    "kernel",
    "merge",
    "predict",
    "rg",
    "sample",
]
