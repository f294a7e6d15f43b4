"""Tests of course_utils.scaling: the power-law fit, Chinchilla's arithmetic, the GPT family and the sweep file."""
import json
import math

import numpy as np
import pytest
from scipy.optimize import curve_fit, minimize_scalar

from course_utils.config import data_dir
from course_utils.scaling import (CHINCHILLA, CHINCHILLA_TABLE2, CHINCHILLA_TABLE3, RUN_FIELDS, SWEEP_FIELDS,
                                  SWEEP_FILE, ChinchillaFit, allocate_by_ratio, chinchilla_loss, compute_optimal,
                                  compute_optimal_exponents, family_configs, fit_power_law, load_sweep,
                                  non_embedding_params, power_law, train_family)


# ---------------------------------------------------------------------------------- power laws
def test_power_law_values():
    assert power_law(100, 1.0, 10.0, 0.5) == pytest.approx(2.0)
    np.testing.assert_allclose(power_law([1, 4], 0.0, 2.0, 0.5), [2.0, 1.0])


@pytest.mark.parametrize("E, A, alpha", [(1.5, 20.0, 0.3), (0.0, 5.0, 0.8), (2.2, 300.0, 0.07)])
def test_fit_recovers_a_known_law(E, A, alpha):
    N = np.geomspace(1e3, 1e7, 8)
    fit = fit_power_law(N, power_law(N, E, A, alpha))
    assert fit.E == pytest.approx(E, abs=1e-4)
    assert fit.alpha == pytest.approx(alpha, rel=1e-4)
    assert fit.A == pytest.approx(A, rel=1e-3)
    assert fit.rmse < 1e-6
    np.testing.assert_allclose(fit.predict(N), power_law(N, E, A, alpha), rtol=1e-6)


def test_fit_agrees_with_scipy_curve_fit_on_noisy_losses():
    rng = np.random.default_rng(0)
    N = np.geomspace(2e3, 2e6, 7)
    L = power_law(N, 1.4, 12.0, 0.35) + rng.normal(0, 0.01, N.size)
    ours = fit_power_law(N, L)
    (E, A, alpha), _ = curve_fit(lambda n, E, A, a: E + A * n ** -a, N, L, p0=[1.0, 10.0, 0.3], maxfev=20000)
    assert ours.E == pytest.approx(E, abs=1e-4) and ours.alpha == pytest.approx(alpha, abs=1e-4)
    assert ours.rmse == pytest.approx(math.sqrt(np.mean((E + A * N ** -alpha - L) ** 2)), rel=1e-4)


def test_fit_without_floor_is_a_straight_line_in_log_log():
    N = np.array([10.0, 100.0, 1000.0])
    fit = fit_power_law(N, 3.0 * N ** -0.25, floor=False)
    assert fit.E == 0 and fit.alpha == pytest.approx(0.25, rel=1e-5)
    slope, _ = np.polyfit(np.log(N), np.log(3.0 * N ** -0.25), 1)
    assert -slope == pytest.approx(fit.alpha, rel=1e-5)


def test_fit_keeps_the_floor_non_negative():
    N = np.geomspace(10, 1e3, 6)
    fit = fit_power_law(N, 5.0 * N ** -0.5 - 0.05)          # the best unconstrained floor would be negative
    assert fit.E == 0


@pytest.mark.parametrize("N, L, kwargs, error, match", [
    ([1, 2], [3, 2], {}, ValueError, "at least 3"),
    ([1, 2, 3], [3, 2], {}, ValueError, "one loss per size"),
    ([1, 2, -3], [3, 2, 1], {}, ValueError, "positive"),
    ([1, 2, 3], [3, 2, float("nan")], {}, ValueError, "positive"),
    ([2, 2, 2], [3, 2, 1], {}, ValueError, "different sizes"),
    ("abc", [3, 2, 1], {}, TypeError, "numbers"),
    ([1, 2, 3], [3, 2, 1], {"alpha_range": (1, 0.5)}, ValueError, "low < high"),
    ([[1, 2], [3, 4]], [3, 2, 1, 0.5], {}, ValueError, "flat list")])
def test_fit_rejects_bad_input(N, L, kwargs, error, match):
    with pytest.raises(error, match=match):
        fit_power_law(N, L, **kwargs)


# ---------------------------------------------------------------------------------- Chinchilla
def test_exponents_from_the_fit_match_table2_approach3():
    a, b = compute_optimal_exponents()
    assert a + b == pytest.approx(1.0)
    table_a, table_b = CHINCHILLA_TABLE2["approach 3"]
    assert abs(a - table_a) < 0.015 and abs(b - table_b) < 0.015   # α, β published to two decimals


def test_closed_form_optimum_is_the_numerical_minimum():
    for C in (1e20, 5.76e23, 1e26):
        N, D = compute_optimal(C)
        assert 6 * N * D == pytest.approx(C)
        best = minimize_scalar(lambda logn: chinchilla_loss(math.exp(logn), C / (6 * math.exp(logn))),
                               bounds=(math.log(1e6), math.log(1e15)), method="bounded",
                               options={"xatol": 1e-10})
        assert math.exp(best.x) == pytest.approx(N, rel=1e-3)
    Ns, Ds = compute_optimal([1e20, 1e22])
    assert Ns.shape == (2,) and Ds[1] > Ds[0]


def test_chinchilla_beats_gopher_at_the_same_compute():
    assert chinchilla_loss(70e9, 1.4e12) < chinchilla_loss(280e9, 300e9)
    assert chinchilla_loss(1e30, 1e30) == pytest.approx(CHINCHILLA.E, abs=1e-3)


def test_twenty_tokens_per_parameter_reproduces_table3():
    for n, c, d in CHINCHILLA_TABLE3:
        N, D = allocate_by_ratio(c, 20)
        assert N == pytest.approx(n, rel=0.10) and D == pytest.approx(d, rel=0.10)
        assert 6 * n * d == pytest.approx(c, rel=0.05)          # the table's rows satisfy C = 6ND
    N, D = allocate_by_ratio(5.76e23)
    assert N == pytest.approx(70e9, rel=0.02) and D == pytest.approx(1.4e12, rel=0.02)   # Chinchilla itself


def test_chinchilla_functions_reject_bad_input():
    with pytest.raises(ValueError, match="C"):
        compute_optimal(-1)
    with pytest.raises(ValueError, match="tokens_per_param"):
        allocate_by_ratio(1e20, 0)
    with pytest.raises(TypeError, match="ChinchillaFit"):
        compute_optimal(1e20, fit={"E": 1})
    with pytest.raises(ValueError, match="D"):
        chinchilla_loss(1e9, 0)
    assert ChinchillaFit(1, 2, 3, 0.5, 0.5).as_dict()["B"] == 3


# ---------------------------------------------------------------------------------- the family of GPTs
def test_family_configs_and_non_embedding_params():
    from course_utils.gpt import GPT
    configs = family_configs([8, 16, 32, 64])
    assert [c.n_heads for c in configs] == [1, 1, 2, 4]
    assert all(c.n_layers == 2 and c.n_ctx == 64 and c.vocab_size == 65 for c in configs)
    for c in configs[:2]:
        model = GPT(c)
        embeddings = model.token_embedding.weight.numel() + model.position_embedding.weight.numel()
        assert non_embedding_params(c) == sum(p.numel() for p in model.parameters()) - embeddings
    with pytest.raises(ValueError, match="increase"):
        family_configs([16, 8])
    with pytest.raises(ValueError, match="positive integers"):
        family_configs([8, 0])
    with pytest.raises(TypeError, match="list of widths"):
        family_configs(16)
    with pytest.raises(ValueError, match="heads"):
        family_configs([50])
    with pytest.raises(TypeError, match="GPTConfig"):
        non_embedding_params({"d_model": 8})


def test_train_family_gives_one_row_per_model():
    import torch
    ids = torch.randint(0, 65, (5000,))
    rows = train_family(family_configs([8, 16], n_ctx=16), ids[:4000], ids[4000:], steps=3, batch_size=2, lr=1e-2,
                        eval_windows=5)
    assert [r["d_model"] for r in rows] == [8, 16]
    assert all(set(RUN_FIELDS) <= set(r) and r["tokens"] == 3 * 2 * 16 and r["val_loss"] > 0 for r in rows)
    with pytest.raises(TypeError, match="GPTConfig"):
        train_family([], ids, ids, steps=3, batch_size=2, lr=1e-2)


# ---------------------------------------------------------------------------------- the sweep data file
def test_the_shipped_sweep_has_its_shape_and_provenance():
    path = data_dir() / SWEEP_FILE
    assert path.is_file(), "data/scaling/sweep.json is missing: run `make bench-scaling`"
    runs, provenance = load_sweep()
    assert set(SWEEP_FIELDS) - {"runs"} <= set(provenance)
    assert provenance["command"].startswith("python benchmarks/bench_scaling.py")
    machine = provenance["machine"]
    assert {"cpu", "cpu_cores", "torch", "python", "device"} <= set(machine)
    assert "/" not in machine["cpu"] or machine["cpu"].count("/") < 2          # a CPU name, not a path
    assert {"steps", "batch_size", "n_ctx", "tokens", "lr", "seed"} <= set(provenance["budget"])
    assert len(runs) >= 6 and list(runs["d_model"]) == sorted(runs["d_model"])
    assert (runs["tokens"] == provenance["budget"]["tokens"]).all()             # one budget for every model
    assert runs["n_params"].is_monotonic_increasing and (runs["val_loss"] > 0).all()
    assert (runs["non_embedding_params"] < runs["n_params"]).all()


def test_load_sweep_rejects_broken_files(tmp_path):
    bad = tmp_path / "sweep.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_sweep(bad)
    bad.write_text(json.dumps({"runs": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="lacks the field"):
        load_sweep(bad)
    record = {k: "x" for k in SWEEP_FIELDS}
    record["runs"] = [{"d_model": 8}]
    bad.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ValueError, match="every run needs"):
        load_sweep(bad)
    with pytest.raises(FileNotFoundError, match="make bench-scaling"):
        load_sweep(tmp_path / "absent.json")
    with pytest.raises(TypeError, match="path"):
        load_sweep(3)


def test_train_family_sets_and_restores_threads():
    import torch
    ids = torch.randint(0, 65, (3000,))
    before = torch.get_num_threads()
    train_family(family_configs([8], n_ctx=16), ids[:2000], ids[2000:], steps=2, batch_size=2, lr=1e-2,
                 eval_windows=2, threads=1)
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads"):
        train_family(family_configs([8], n_ctx=16), ids, ids, steps=2, batch_size=2, lr=1e-2, threads=0)
