"""Every function of the package: against independent truth (closed forms, Wick's theorem,
the exact correlators within the sampling error), and bit for bit against the `nnqft`
binary's --json output with the same settings."""

import math
import threading
import time
from fractions import Fraction

import numpy as np
import pytest

import nnqft


def strip_dense(d):
    return {k: v for k, v in d.items() if k != "dense"}


# ---------------------------------------------------------------- kernel


def test_kernel_erf_matches_the_closed_form():
    xs = [-1.0, 0.0, 1.0]
    k = nnqft.kernel(arch="erf", inputs=xs)
    assert k.shape == (3, 3) and k.dtype == np.float64
    sw, sb = 1.0, 1.0
    s = lambda a, b: sb**2 + sw**2 * a * b
    for i, a in enumerate(xs):
        for j, b in enumerate(xs):
            m2 = (2 / math.pi) * math.asin(
                2 * s(a, b) / math.sqrt((1 + 2 * s(a, a)) * (1 + 2 * s(b, b)))
            )
            assert k[i, j] == pytest.approx(sb**2 + sw**2 * m2, rel=1e-13)


def test_kernel_takes_arrays_and_points_in_d_dimensions(cli):
    pts = np.array([[0.1, 0.2], [0.3, -0.4], [1.0, 0.5]])
    k = nnqft.kernel("relu", pts, d_in=2, sigma_b=0.5)
    assert np.array_equal(k, k.T)
    ref = cli.json(["kernel", "--arch", "relu", "--d-in", "2", "--sigma-b", "0.5",
                    "--inputs", "0.1,0.2;0.3,-0.4;1.0,0.5"])
    assert np.array_equal(k, np.array(ref["kernel"]))
    # lists of points and the LIST string give the same
    assert np.array_equal(k, nnqft.kernel("relu", pts.tolist(), d_in=2, sigma_b=0.5))
    assert np.array_equal(k, nnqft.kernel("relu", "0.1,0.2;0.3,-0.4;1.0,0.5", d_in=2,
                                          sigma_b=0.5))


# ---------------------------------------------------------------- exact


def test_exact_is_the_cli_json_bit_for_bit(cli):
    d = nnqft.exact(arch="relu", width=20)
    ref = cli.json(["exact", "--arch", "relu", "--width", "20"])
    assert strip_dense(d) == ref


def test_exact_dense_arrays_are_symmetric_and_match_wick():
    xs = [0.2, 0.5, 0.9]
    d = nnqft.exact("erf", 5, inputs=xs)
    k = nnqft.kernel("erf", xs)
    g4 = d["dense"]["gp"]["4"]
    assert g4.shape == (3, 3, 3, 3)
    # Wick's theorem from the kernel, independently of the library's tables
    wick = (np.einsum("ab,cd->abcd", k, k) + np.einsum("ac,bd->abcd", k, k)
            + np.einsum("ad,bc->abcd", k, k))
    assert np.allclose(g4, wick, rtol=1e-12)
    g6 = d["dense"]["correlators"]["6"]
    assert g6.shape == (3,) * 6
    for perm in [(1, 0, 2, 3, 4, 5), (5, 4, 3, 2, 1, 0), (2, 3, 0, 1, 5, 4)]:
        assert np.array_equal(g6, g6.transpose(perm))
    # the 2-point function is K at every width (docs/conventions.md section 2)
    assert np.allclose(d["dense"]["correlators"]["2"], k, rtol=1e-12)
    # every multiset entry sits at its indices
    for e in d["connected"]["4"]:
        assert d["dense"]["connected"]["4"][tuple(e["index"])] == e["mean"]


# ---------------------------------------------------------------- sample


SAMPLE = dict(arch="erf", width=5, nets=20_000, experiments=4, seed=7, npt=[2, 4])
SAMPLE_ARGS = ["sample", "--arch", "erf", "--width", "5", "--nets", "20000",
               "--experiments", "4", "--seed", "7", "--npt", "2,4"]


@pytest.mark.parametrize("estimator", ["conditional", "direct"])
def test_sample_is_the_cli_json_bit_for_bit(cli, estimator):
    d = nnqft.sample(**SAMPLE, estimator=estimator, threads=2)
    ref = cli.json([*SAMPLE_ARGS, "--estimator", estimator])
    assert strip_dense(d) == ref
    assert d["estimator"] == estimator


def test_sample_agrees_with_exact_within_errors():
    xs = [0.2, 0.6, 1.0]
    s = nnqft.sample("erf", 5, 100_000, experiments=10, seed=3, npt=[2, 4], inputs=xs)
    e = nnqft.exact("erf", 5, npt=[2, 4], inputs=xs)
    z = ((s["dense"]["connected"]["4"] - e["dense"]["connected"]["4"])
         / s["dense"]["connected_stderr"]["4"])
    assert np.all(np.isfinite(z))
    assert np.max(np.abs(z)) < 5.0
    assert np.mean(z**2) < 3.0


def test_sample_reports_progress_to_a_callable_and_a_bar():
    calls = []
    nnqft.sample("relu", 4, 400_000, experiments=2, npt=[2, 4],
                 progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] and calls[-1][1] > 1
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))

    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    bar = Bar()
    nnqft.sample("relu", 4, 400_000, experiments=2, npt=[2, 4], progress=bar)
    assert bar.n == calls[-1][1]


def test_sample_releases_the_gil():
    ticks = []
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    t = threading.Thread(target=counter)
    t.start()
    try:
        start = time.perf_counter()
        nnqft.sample("erf", 5, 2_000_000, experiments=2, npt=[2, 4, 6])
        end = time.perf_counter()
    finally:
        stop.set()
        t.join()
    during = [x for x in ticks if start < x < end]
    assert end - start > 0.3, "the run is too short to tell"
    # the other thread ran all along: ticks every ~5 ms, never a gap of a second
    assert len(during) > (end - start) / 0.05
    gaps = np.diff([start, *during, end])
    assert gaps.max() < 1.0


def test_sample_ctrl_c_raises_keyboard_interrupt_within_a_second(tmp_path):
    import signal
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(
        "import time, nnqft\n"
        "print('start', flush=True)\n"
        "try:\n"
        "    nnqft.sample('erf', 50, 10**9, experiments=2, npt=[2, 4, 6])\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', time.time(), flush=True)\n"
    )
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "start"
    time.sleep(1.0)
    sent = time.time()
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=10)
    word, when = out.split()
    assert word == "interrupted"
    assert float(when) - sent < 1.0


# ---------------------------------------------------------------- merge


def test_merge_of_shards_is_the_one_shot_sample(cli, tmp_path):
    args = ["sample", "--arch", "relu", "--width", "9", "--nets", "18432", "--experiments",
            "2", "--seed", "4", "--npt", "2,4"]
    files = []
    for i in range(3):
        f = tmp_path / f"s{i}.json"
        out = cli.run([*args, "--shard", f"{i}/3", "--out", str(f), "--quiet"])
        assert out.returncode == 0, out.stderr
        files.append(str(f))
    merged = nnqft.merge(list(reversed(files)))
    one = nnqft.sample("relu", 9, 18432, experiments=2, seed=4, npt=[2, 4])
    assert strip_dense(merged) == strip_dense(one)
    assert strip_dense(merged) == cli.json(["merge", *files])
    with pytest.raises(ValueError) as e:
        nnqft.merge(files[:2])
    assert str(e.value) == cli.error(["merge", *files[:2]])


# ---------------------------------------------------------------- diagrams, evaluate


def test_diagrams_coefficients_are_fractions():
    d = nnqft.diagrams(4, 1)
    x = [c for c in d["classes"] if c["monomial"] == "lambda"]
    # the X diagram: -4! lambda with no symmetry factor (docs/conventions.md section 5)
    assert len(x) == 1 and x[0]["coefficient"] == Fraction(-24)
    assert all(isinstance(c["coefficient"], Fraction) for c in d["diagrams"])
    assert isinstance(d["totals"]["lambda"], Fraction)
    assert "\\begin" in d["latex"] or "\\lambda" in d["latex"]
    # second order, connected: the s, t, u bubbles carry (4!)^2/2 lambda^2 / 2 each
    d2 = nnqft.diagrams(2, 2, connected=True)
    assert all(isinstance(v, Fraction) for v in d2["totals"].values())


def test_diagrams_is_the_cli_json(cli):
    d = nnqft.diagrams(4, 2, vertices=["lambda=4", "kappa=6"], connected=True)
    ref = cli.json(["diagrams", "--points", "4", "--order", "2", "--vertex", "lambda=4",
                    "--vertex", "kappa=6", "--connected"])
    conv = {k: v for k, v in d.items() if k not in ("latex", "text")}
    for key in ("diagrams", "classes"):
        for item in conv[key]:
            c = item["coefficient"]
            item["coefficient"] = str(c.numerator) if c.denominator == 1 else str(c)
    conv["totals"] = {k: (str(v.numerator) if v.denominator == 1 else str(v))
                      for k, v in conv["totals"].items()}
    assert conv == ref
    latex = cli.run(["diagrams", "--points", "4", "--order", "2", "--vertex", "lambda=4",
                     "--vertex", "kappa=6", "--connected", "--format", "latex"]).stdout
    assert d["latex"] == latex


def test_evaluate_is_the_cli_json(cli):
    d = nnqft.evaluate("gauss", 4, 1, [0, 1, 2, 3], "inf", lambda_=0.5)
    ref = cli.json(["evaluate", "--arch", "gauss", "--points", "4", "--order", "1",
                    "--tuple", "0,1,2,3", "--cutoff", "inf", "--lambda", "0.5"])
    assert d == ref
    assert d["total"] == pytest.approx(sum(t["value"] for t in d["terms"]), rel=1e-12)


# ---------------------------------------------------------------- rg, predict, fit, action


def test_rg_is_the_cli_json(cli):
    d = nnqft.rg("relu", cutoffs=[10.0, 100.0, 1000.0])
    assert d == cli.json(["rg", "--arch", "relu", "--cutoffs", "10,100,1000"])


def test_relu_lambda_falls_like_the_fifth_power_of_the_cutoff():
    # ReLU-net with sb = 0 in d = 1: K(x, y) is proportional to |x||y| on a half line, so
    # I4 = int_{-L}^{L} prod_i K(x_i, y) dy grows like L^5 and lambda = -DeltaG4 / (24 I4)
    # falls like L^-5 (docs/conventions.md section 6).
    d = nnqft.rg("relu", cutoffs=[10.0, 100.0, 1000.0])
    assert d["slope"] == pytest.approx(-5.0, abs=1e-6)
    lam = d["mean_lambda"]
    assert lam[0] / lam[1] == pytest.approx(1e5, rel=1e-6)


def test_rg_reads_a_sample_dict_and_a_file(cli, tmp_path):
    s = nnqft.sample("relu", 20, 20_000, experiments=4, seed=2, npt=[2, 4])
    r = nnqft.rg("relu", cutoffs=[10.0, 100.0], source=s)
    assert r["source"] == "dict" and r["width"] == 20
    f = tmp_path / "m.json"
    out = cli.run(["sample", "--arch", "relu", "--width", "20", "--nets", "20000",
                   "--experiments", "4", "--seed", "2", "--npt", "2,4", "--out", str(f),
                   "--quiet"])
    assert out.returncode == 0, out.stderr
    rf = nnqft.rg("relu", cutoffs=[10.0, 100.0], source=str(f))
    assert rf == cli.json(["rg", "--arch", "relu", "--cutoffs", "10,100", "--source", str(f)])
    assert {k: v for k, v in rf.items() if k != "source"} == \
        {k: v for k, v in r.items() if k != "source"}


def test_predict_is_the_cli_json(cli):
    d = nnqft.predict("erf", width=5)
    assert d == cli.json(["predict", "--arch", "erf", "--width", "5"])
    assert len(d["predicted"]) == len(d["measured"])


def test_fit_is_the_cli_json(cli):
    d = nnqft.fit("erf", models="M0,M1")
    assert d == cli.json(["fit", "--arch", "erf", "--models", "M0,M1"])
    assert [m["name"] for m in d["models"]] == ["M0", "M1"]


def test_action_is_the_cli_json(cli):
    xs = [0.1, 0.5, 1.0]
    d = nnqft.action("erf", 10, order=2, check=True, inputs=xs)
    ref = cli.json(["action", "--arch", "erf", "--width", "10", "--order", "2", "--check",
                    "--inputs", "0.1,0.5,1.0"])
    assert strip_dense(d) == ref
    l4 = d["dense"]["lambda4"]
    assert l4.shape == (3, 3, 3, 3) and np.array_equal(l4, l4.transpose(3, 1, 2, 0))


# ---------------------------------------------------------------- errors


ERRORS = [
    # (python call, the same settings on the command line)
    (lambda: nnqft.sample("erf", 0, 100), ["sample", "--arch", "erf", "--width", "0",
                                           "--nets", "100"]),
    (lambda: nnqft.sample("erf", 3, 0), ["sample", "--arch", "erf", "--width", "3",
                                         "--nets", "0"]),
    (lambda: nnqft.sample("erf", 3, 105), ["sample", "--arch", "erf", "--width", "3",
                                           "--nets", "105"]),
    (lambda: nnqft.sample("erf", 3, 100, npt=[2, 3]),
     ["sample", "--arch", "erf", "--width", "3", "--nets", "100", "--npt", "2,3"]),
    (lambda: nnqft.sample("erf", 3, 100, npt=[2, 8]),
     ["sample", "--arch", "erf", "--width", "3", "--nets", "100", "--npt", "2,8"]),
    (lambda: nnqft.sample("erf", 3, 100, experiments=1),
     ["sample", "--arch", "erf", "--width", "3", "--nets", "100", "--experiments", "1"]),
    (lambda: nnqft.sample("erf", 3, 100, sigma_w=0.0),
     ["sample", "--arch", "erf", "--width", "3", "--nets", "100", "--sigma-w", "0"]),
    (lambda: nnqft.sample("erf", 3, 100, sigma_b=-1.0),
     ["sample", "--arch", "erf", "--width", "3", "--nets", "100", "--sigma-b", "-1"]),
    (lambda: nnqft.sample("erf", 3, 100, threads=0),
     ["sample", "--arch", "erf", "--width", "3", "--nets", "100", "--threads", "0"]),
    (lambda: nnqft.kernel("erf", "1,x"), ["kernel", "--arch", "erf", "--inputs", "1,x"]),
    (lambda: nnqft.kernel("erf", [1.0, math.inf]),
     ["kernel", "--arch", "erf", "--inputs", "1,inf"]),
    (lambda: nnqft.kernel("erf", "1,2;3"), ["kernel", "--arch", "erf", "--inputs", "1,2;3"]),
    (lambda: nnqft.kernel("erf", [[1.0, 2.0]], d_in=3),
     ["kernel", "--arch", "erf", "--inputs", "1,2", "--d-in", "3"]),
    (lambda: nnqft.exact("relu", 0), ["exact", "--arch", "relu", "--width", "0"]),
    (lambda: nnqft.diagrams(3, 1), ["diagrams", "--points", "3", "--order", "1"]),
    (lambda: nnqft.diagrams(4, 1, vertices=["lambda"]),
     ["diagrams", "--points", "4", "--order", "1", "--vertex", "lambda"]),
    (lambda: nnqft.evaluate("erf", 4, 1, [0, 1, 2], 10.0),
     ["evaluate", "--arch", "erf", "--points", "4", "--order", "1", "--tuple", "0,1,2",
      "--cutoff", "10"]),
    (lambda: nnqft.evaluate("erf", 4, 1, [0, 1, 2, 9], 10.0),
     ["evaluate", "--arch", "erf", "--points", "4", "--order", "1", "--tuple", "0,1,2,9",
      "--cutoff", "10"]),
    (lambda: nnqft.rg("relu", cutoffs=[10.0, 5.0]),
     ["rg", "--arch", "relu", "--cutoffs", "10,5"]),
    (lambda: nnqft.rg("relu", couplings="mu"), ["rg", "--arch", "relu", "--couplings", "mu"]),
    (lambda: nnqft.predict("erf", cutoff=-1.0), ["predict", "--arch", "erf", "--cutoff", "-1"]),
    (lambda: nnqft.fit("erf", models="M7"), ["fit", "--arch", "erf", "--models", "M7"]),
    (lambda: nnqft.fit("erf", weighting="odd"), ["fit", "--arch", "erf", "--weighting", "odd"]),
    (lambda: nnqft.action("erf", 1), ["action", "--arch", "erf", "--width", "1"]),
    (lambda: nnqft.action("erf", 10, order=3), ["action", "--arch", "erf", "--width", "10",
                                                "--order", "3"]),
]


@pytest.mark.parametrize("call,args", ERRORS)
def test_errors_are_value_errors_with_the_cli_message(cli, call, args):
    with pytest.raises(ValueError) as e:
        call()
    assert str(e.value) == cli.error(args)
    assert "\n" not in str(e.value)


def test_unknown_names_are_value_errors():
    with pytest.raises(ValueError, match="unknown activation"):
        nnqft.kernel("softsign-nope", [0.0])
    with pytest.raises(ValueError, match="unknown estimator"):
        nnqft.sample("erf", 3, 100, estimator="x")


# ---------------------------------------------------------------- activations and depth


def test_zoo_and_uniform_bias_are_the_cli_json_bit_for_bit(cli):
    for arch, bias in [("tanh", "normal"), ("cos", "uniform"), ("leaky-relu:0.2", "normal")]:
        k = nnqft.kernel(arch=arch, inputs=[-1.0, 0.5], bias_dist=bias)
        ref = cli.json(["kernel", "--arch", arch, "--inputs", "-1,0.5", "--bias-dist", bias])
        assert k.tolist() == ref["kernel"]
        d = nnqft.exact(arch=arch, width=5, inputs=[-1.0, 0.5], bias_dist=bias)
        ref = cli.json(["exact", "--arch", arch, "--width", "5", "--inputs", "-1,0.5",
                        "--bias-dist", bias])
        assert strip_dense(d) == ref
        s = nnqft.sample(arch=arch, width=5, nets=4000, seed=3, inputs=[-1.0, 0.5],
                         bias_dist=bias, threads=2)
        ref = cli.json(["sample", "--arch", arch, "--width", "5", "--nets", "4000", "--seed", "3",
                        "--inputs", "-1,0.5", "--bias-dist", bias])
        assert strip_dense(s) == ref


def test_cos_net_kernel_is_translation_invariant():
    # K = sb^2 + (sW^2 / 2) exp(-|x - x'|^2 / 2) in d = 1 (docs/conventions.md section 10).
    k = nnqft.kernel(arch="cos", inputs=[0.3, 1.1, 5.0], bias_dist="uniform")
    for a, xa in enumerate([0.3, 1.1, 5.0]):
        for b, xb in enumerate([0.3, 1.1, 5.0]):
            assert abs(k[a, b] - (1.0 + 0.5 * math.exp(-((xa - xb) ** 2) / 2))) < 1e-14


def test_depth_is_the_cli_json_and_the_relu_kurtosis(cli):
    # ReLU-net, sb = 0, one input: connected G4 / (3 K^2) = 5 L / n at order 1/n.
    d = nnqft.exact(arch="relu", width=50, depth=3, inputs=[0.7])
    ref = cli.json(["exact", "--arch", "relu", "--width", "50", "--depth", "3", "--inputs", "0.7"])
    assert strip_dense(d) == ref
    k = d["correlators"]["2"][0]["mean"]
    c4 = d["connected"]["4"][0]["mean"]
    assert abs(c4 / (3 * k * k) - 5 * 3 / 50) < 1e-10


def test_bad_activation_bias_and_depth_are_value_errors(cli):
    for kwargs, args in [
        (dict(arch="tan"), ["kernel", "--arch", "tan"]),
        (dict(arch="leaky-relu:x"), ["kernel", "--arch", "leaky-relu:x"]),
    ]:
        with pytest.raises(ValueError) as e:
            nnqft.kernel(**kwargs)
        assert "tanh" in str(e.value) and "leaky-relu:A" in str(e.value)
        out = cli.run(args)
        assert out.returncode != 0 and "leaky-relu:A" in out.stderr.splitlines()[0]
    with pytest.raises(ValueError, match="normal, uniform"):
        nnqft.kernel(arch="cos", bias_dist="cauchy")
    with pytest.raises(ValueError, match="depth"):
        nnqft.kernel(arch="erf", depth=0)
