"""nnqft from Python in a few minutes: the GP kernel, exact against sampled 4-point
functions, the non-Gaussianity m_4 against the width N, the diagram expansion and the
running of the quartic coupling lambda. Run: python examples/python/quickstart.py
(the same steps as a notebook: quickstart.ipynb)."""

import matplotlib

matplotlib.use("Agg")  # a file, no window
import matplotlib.pyplot as plt
import numpy as np

import nnqft

# 1. The GP kernel of Erf-net over three inputs: a (3, 3) numpy array.
K = nnqft.kernel(arch="erf", inputs=[-1.0, 0.0, 1.0])
print("Erf-net kernel:\n", K)

# 2. Exact finite-width 4-point function against a sampled one (with error bars).
xs = [0.2, 0.6, 1.0]
exact = nnqft.exact(arch="erf", width=5, npt=[2, 4], inputs=xs)
sampled = nnqft.sample(arch="erf", width=5, nets=200_000, seed=1, npt=[2, 4], inputs=xs)
g4, g4_err = sampled["dense"]["connected"]["4"], sampled["dense"]["connected_stderr"]["4"]
g4_exact = exact["dense"]["connected"]["4"]
print("connected G4 at (x1, x1, x2, x3): exact %.5e, sampled %.5e +- %.1e"
      % (g4_exact[0, 0, 1, 2], g4[0, 0, 1, 2], g4_err[0, 0, 1, 2]))
z = (g4 - g4_exact) / g4_err
print("largest |sampled - exact| / error over all entries: %.2f" % np.abs(z).max())

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
entries = exact["connected"]["4"]
idx = np.arange(len(entries))
ax1.plot(idx, [e["mean"] for e in entries], "k_", ms=12, label="exact")
ax1.errorbar(idx, [e["mean"] for e in sampled["connected"]["4"]],
             yerr=[e["stderr"] for e in sampled["connected"]["4"]], fmt="o", ms=3,
             label="sampled (200k nets)")
ax1.set_xlabel("entry (sorted index multiset)")
ax1.set_ylabel("connected G4")
ax1.legend()

# 3. m_4 = mean |G4 - G4_GP| / G4_GP against the width: exact falls like 1/N.
widths = [2, 5, 10, 20, 50, 100, 200]
m4 = [nnqft.exact("erf", n, npt=[4])["summary"]["4"]["signal"] for n in widths]
ax2.loglog(widths, m4, "o-", label="exact")
ax2.loglog(widths, m4[0] * widths[0] / np.array(widths), "--", label="1/N")
ax2.set_xlabel("width N")
ax2.set_ylabel("m_4")
ax2.legend()
fig.tight_layout()
fig.savefig("quickstart.png", dpi=80)
print("wrote quickstart.png")

# 4. The Feynman-diagram expansion of G4 to first order, exact coefficients.
d = nnqft.diagrams(points=4, order=1)
for c in d["classes"]:
    print("class %d: %s x %s  (LaTeX: %s)" % (c["id"], c["coefficient"], c["monomial"],
                                             c["latex"]))

# 5. The running of the quartic coupling of ReLU-net with the cutoff L.
r = nnqft.rg(arch="relu", cutoffs=[10.0, 100.0, 1000.0, 10000.0])
for L, lam in zip(r["cutoffs"], r["mean_lambda"]):
    print("L = %8g: lambda = %.4e" % (L, lam))
print("slope of log|lambda| against log L: %.4f" % r["slope"])
