"""Tests of chapters/booktools, the notebooks' shared helpers."""

import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from gradients import finite_difference_grad
from widget_cells import (BACKGROUNDS, CHROMIUM_ARGS, assert_one_picture_then_html, cell,
                          chromium_or_skip, watch)

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
if str(CHAPTERS) not in sys.path:
    sys.path.insert(0, str(CHAPTERS))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from booktools.widgets import static  # noqa: E402
from booktools import checks, data, functions, plots, problems, runners, widgets  # noqa: E402
from minigrad.optim import SGD, Adagrad, Adam  # noqa: E402
import booktools  # noqa: E402
from minigrad.optim.lr_scheduler import InverseTimeDecay  # noqa: E402

booktools.setup()  # Korean font: figures below must draw without missing-glyph warnings

ALL_FUNCTIONS = [functions.valley(), functions.elongated_bowl(), functions.Quadratic([0.3]),
                 functions.Quadratic([1.0, 2.0, 3.0]), functions.Rosenbrock(),
                 functions.Rosenbrock(a=-0.5, b=10.0), functions.Himmelblau(), functions.SaddleWell()]


def _finite_diff(fn, x, h=1e-6):
    return finite_difference_grad(fn.f, x, h)


# ------------------------------------------------------------------ functions


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=repr)
def test_analytic_gradient_matches_finite_differences(fn):
    rng = np.random.default_rng(1)
    for _ in range(5):
        x = rng.uniform(-2, 2, fn.dim)
        np.testing.assert_allclose(fn.grad(x), _finite_diff(fn, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=repr)
def test_analytic_gradient_matches_minigrad_autograd(fn):
    rng = np.random.default_rng(2)
    for _ in range(5):
        x = rng.uniform(-2, 2, fn.dim)
        np.testing.assert_allclose(fn.autograd_grad(x), fn.grad(x), rtol=1e-12, atol=1e-12)
        assert float(fn.f_tensor(__import__("minigrad").Tensor(x)).data) == pytest.approx(fn.f(x), rel=1e-14)


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=repr)
def test_minimizer_is_stationary_with_the_stated_value(fn):
    for m in np.atleast_2d(getattr(fn, "minimizers", fn.minimizer)):
        np.testing.assert_allclose(fn.grad(m), 0.0, atol=1e-9)
        assert fn.f(m) == pytest.approx(fn.f_min, abs=1e-12)


def test_functions_are_vectorised_over_a_grid():
    fn = functions.Rosenbrock()
    X, Y, Z = fn.grid(17)
    assert Z.shape == (17, 17)
    assert Z[3, 5] == pytest.approx(fn.f([X[3, 5], Y[3, 5]]))
    G = fn.grad(np.stack([X, Y], axis=-1))
    assert G.shape == (17, 17, 2)
    np.testing.assert_allclose(G[4, 9], fn.grad([X[4, 9], Y[4, 9]]))


def test_quadratic_spectrum_and_closed_form():
    v, b = functions.valley(), functions.elongated_bowl()
    np.testing.assert_allclose(v.eigenvalues, [0.1, 2.0])
    np.testing.assert_allclose(b.eigenvalues, [0.2, 4.0])
    assert v.condition_number == pytest.approx(20.0) and b.condition_number == pytest.approx(20.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(v.hessian), v.eigenvalues)
    tr = runners.run_optimizer(b, (-5, -2), 20, SGD, lr=0.4)
    np.testing.assert_allclose(tr.points, b.gd_closed_form((-5, -2), 0.4, np.arange(21)), rtol=1e-12)


@pytest.mark.parametrize("bad", [dict(coeffs=[1.0, -1.0]), dict(coeffs=[])])
def test_quadratic_rejects_bad_coefficients(bad):
    with pytest.raises(ValueError, match="coeffs"):
        functions.Quadratic(**bad)


def test_bad_point_shape_names_the_shape():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        functions.valley().f(np.zeros(3))


# ------------------------------------------------------------------ trajectories


def test_run_optimizer_equals_a_hand_written_loop():
    import minigrad
    fn = functions.Rosenbrock()
    p = minigrad.nn.Parameter(np.array([-1.2, 1.0]))
    opt = Adam([p], lr=0.05)
    pts = [p.data.copy()]
    for _ in range(40):
        opt.zero_grad()
        fn.f_tensor(p).backward()
        opt.step()
        pts.append(p.data.copy())
    tr = runners.run_optimizer(fn, (-1.2, 1.0), 40, Adam, lr=0.05)
    np.testing.assert_allclose(tr.points, np.array(pts), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tr.losses, fn.f(np.array(pts)))
    tr2 = runners.run_optimizer(fn, (-1.2, 1.0), 40, Adam, lr=0.05, grad="autograd")
    np.testing.assert_allclose(tr2.points, tr.points, rtol=1e-12, atol=1e-14)


def test_run_rule_matches_optimizer_and_state_persists():
    fn = functions.valley()

    def heavy_ball(x, g, state, lr, momentum):
        b = g if state["t"] == 1 else momentum * state["b"] + g
        state["b"] = b
        return x - lr * b

    a = runners.run_rule(fn, (-7, 2), 30, heavy_ball, lr=0.1, momentum=0.9)
    b = runners.run_optimizer(fn, (-7, 2), 30, SGD, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(a.points, b.points, rtol=1e-12)
    assert a.points.shape == (31, 2) and a.losses.shape == (31,)


def test_scheduler_is_stepped_after_every_update():
    fn = functions.Quadratic([0.5])  # f = w^2/2, gradient w
    decay, lr = 0.5, 0.1
    tr = runners.run_optimizer(fn, [1.0], 4, SGD, lr=lr,
                                    scheduler=lambda o: InverseTimeDecay(o, decay))
    w, expect = 1.0, [1.0]
    for k in range(4):
        w -= lr / (1 + decay * k) * w
        expect.append(w)
    np.testing.assert_allclose(tr.points[:, 0], expect, rtol=1e-14)


def test_divergence_is_kept_not_raised():
    tr = runners.run_optimizer(functions.valley(), (-7, 2), 30, SGD, lr=1.05)
    assert tr.diverged and abs(tr.points[-1, 1]) > abs(tr.points[0, 1])


def test_runner_errors_are_clear():
    fn = functions.valley()
    with pytest.raises(ValueError, match="exactly one"):
        runners.make_stepper([0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        runners.run_rule(fn, (1.0, 1.0), 2, lambda x, g, s: x[:1])
    with pytest.raises(ValueError, match="Invalid learning rate|lr"):
        runners.run_optimizer(fn, (1.0, 1.0), 2, SGD, lr=-1.0)


def test_minibatch_runner_full_batch_is_gradient_descent():
    ds = data.breast_cancer()
    prob = problems.LogisticRegression(ds.X_train, ds.y_train)
    w0 = np.zeros(prob.dim)
    full = runners.run_minibatch(prob, w0, batch_size=prob.n, epochs=5, optimizer=SGD, lr=0.5)
    gd = runners.run_optimizer(prob, w0, 5, SGD, lr=0.5)
    np.testing.assert_allclose(full.points, gd.points, rtol=1e-12)
    mb = runners.run_minibatch(prob, w0, batch_size=32, epochs=2, optimizer=SGD, lr=0.1)
    assert mb.n_steps == 2 * int(np.ceil(prob.n / 32)) and mb.info["epoch_end"][-1] == mb.n_steps
    assert mb.losses[-1] < 0.2 < mb.losses[0]
    with pytest.raises(ValueError, match="batch_size"):
        runners.run_minibatch(prob, w0, batch_size=0, epochs=1, optimizer=SGD, lr=0.1)


def test_schedule_free_runs_record_the_averaged_point_and_step_from_y():
    # Gradients are taken at y (what the parameter holds while training), the trajectory
    # records x (what eval() gives); both are checked against the three sequences by hand.
    from minigrad.optim import SGDScheduleFree
    fn = functions.Quadratic([1.0, 4.0])
    run = runners.run_optimizer(fn, (1.0, -1.0), 30, SGDScheduleFree, lr=0.1, momentum=0.8)
    x = y = z = np.array([1.0, -1.0])
    for t in range(1, 31):
        z = z - 0.1 * fn.grad(y)
        x = (1 - 1 / t) * x + z / t  # equal weights: x is the running mean of z
        y = 0.2 * z + 0.8 * x
        np.testing.assert_allclose(run.points[t], x, rtol=1e-12, atol=1e-15)
    step, _ = runners.make_stepper([1.0, -1.0], optimizer=SGDScheduleFree, lr=0.1)
    assert step(np.ones(2)) is not None and step.evaluation_point is not None
    plain, _ = runners.make_stepper([1.0], optimizer=SGD, lr=0.1)
    assert plain.evaluation_point is None


def test_train_mlp_evaluates_schedule_free_at_its_average():
    from minigrad.optim import AdamWScheduleFree
    d = data.digits()
    made = []

    def make(params):
        made.append(AdamWScheduleFree(params, lr=0.01))
        return made[0]

    run = runners.train_mlp(d, make, epochs=2, seed=0)
    opt = made[0]
    assert opt.param_groups[0]["train_mode"] is False  # left at x, where it was evaluated
    net = runners._mlp(64, (32,), 10)

    def loss_at_parameters():
        for mine, trained in zip(net.parameters(), opt.param_groups[0]["params"]):
            mine.data = trained.data.copy()
        return runners._evaluate(net, d.X_train, d.y_train)[0]

    assert loss_at_parameters() == pytest.approx(run.train_loss[-1], rel=1e-12)
    opt.train()  # y: a different point with a different loss
    assert abs(loss_at_parameters() - run.train_loss[-1]) > 1e-6
    assert run.train_loss[-1] < 0.5 * run.train_loss[0]


def test_matrix_regression_evaluates_schedule_free_at_x():
    from minigrad.nn import Parameter
    from minigrad.optim import AdamWScheduleFree
    prob = problems.MatrixRegression(seed=0)
    losses = prob.run(lambda ps: AdamWScheduleFree(ps, lr=0.01), 20)
    W = Parameter(prob.W0.copy())
    opt = AdamWScheduleFree([W], lr=0.01)
    opt.train()
    for _ in range(20):
        W.grad = prob.grad(W.data)
        opt.step()
    y_loss = prob.loss(W.data)
    opt.eval()
    assert losses[-1] == pytest.approx(prob.loss(W.data), rel=1e-12)
    assert abs(losses[-1] - y_loss) > 1e-9 * y_loss  # x, not y


# ------------------------------------------------------------------ data / problems


def test_dataset_is_standardised_and_seeded():
    a, b = data.breast_cancer(), data.breast_cancer()
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert a.X_train.shape == (455, 31) and a.X_test.shape == (114, 31)
    np.testing.assert_allclose(a.X_train[:, :-1].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(a.X_train[:, :-1].std(axis=0), 1.0, atol=1e-12)
    assert set(np.unique(a.y_train)) == {0.0, 1.0}
    assert not np.array_equal(data.breast_cancer(seed=1).X_train, a.X_train)
    d = data.diabetes()
    assert d.X_train.shape == (354, 11) and abs(d.y_train.mean()) < 1e-12


@pytest.mark.parametrize("make", [
    lambda ds: problems.LogisticRegression(ds.X_train, ds.y_train, l2=0.01),
    lambda ds: problems.LeastSquares(ds.X_train, (ds.X_train @ np.arange(31) % 3), l2=0.0),
])
def test_problem_gradients(make):
    prob = make(data.breast_cancer())
    rng = np.random.default_rng(3)
    w = rng.normal(0, 0.3, prob.dim)
    np.testing.assert_allclose(prob.grad(w), _finite_diff(prob, w), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(prob.autograd_grad(w), prob.grad(w), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(prob.per_example_grads(w).mean(axis=0), prob.grad(w), atol=1e-12)
    idx = np.array([4, 8, 15, 16, 23, 42])
    np.testing.assert_allclose(prob.minibatch_grad(w, idx), prob.per_example_grads(w)[idx].mean(axis=0),
                               atol=1e-12)


# ------------------------------------------------------------------ checks


def _sgd(x, g, state, lr, momentum=0.0):
    if momentum:
        state["b"] = g if state["t"] == 1 else momentum * state["b"] + g
        g = state["b"]
    return x - lr * g


def test_check_update_accepts_a_correct_rule(capsys):
    checks.check_update(_sgd, "sgd", lr=0.1)
    checks.check_update(_sgd, SGD, lr=0.05, momentum=0.9)
    assert "matches minigrad.optim.SGD" in capsys.readouterr().out


def test_check_update_catches_momentum_without_its_coefficient():
    def seed_momentum(x, g, state, lr, momentum):  # the seed notes' V <- V + lr g
        state["v"] = state.get("v", 0.0) + lr * g
        return x - state["v"]

    with pytest.raises(AssertionError, match=r"step t=2 of problem 1"):
        checks.check_update(seed_momentum, "sgd", lr=0.1, momentum=0.9)


def test_check_update_reports_exceptions_and_rule_references():
    def broken(x, g, state, lr):
        return x - lr * state["missing"]

    with pytest.raises(AssertionError, match="KeyError"):
        checks.check_update(broken, "sgd", lr=0.1)
    with pytest.raises(AssertionError, match="differs"):
        checks.check_update(lambda x, g, s, lr: x - 2 * lr * g, _sgd, lr=0.1)
    with pytest.raises(ValueError, match="unknown reference"):
        checks.check_update(_sgd, "sgdd", lr=0.1)


def test_check_update_adagrad_reference():
    def adagrad(x, g, state, lr, eps=1e-10):
        state["G"] = state.get("G", 0.0) + g * g
        return x - lr * g / (np.sqrt(state["G"]) + eps)

    checks.check_update(adagrad, "adagrad", lr=0.3, quiet=True)
    checks.check_update(adagrad, Adagrad, lr=0.3, quiet=True)


# ------------------------------------------------------------------ widgets


def _static():
    return widgets.static_explorer(functions.valley(), (-7, 2), 30, optimizer=SGD,
                                   grid={"lr": [0.1, 0.5, 0.95, 1.05], "momentum": [0.0, 0.5]},
                                   initial={"lr": 0.95})


def test_static_explorer_payload_has_the_right_shape():
    s = _static()
    m = re.search(r'<script type="application/json">(.*?)</script>', s.html, re.S)
    payload = json.loads(m.group(1).replace("<\\/", "</"))
    assert payload == s.data
    assert [p["name"] for p in payload["params"]] == ["lr", "momentum"]
    assert len(payload["runs"]) == 4 * 2
    for run in payload["runs"]:
        assert len(run) == 4 and all(len(static.unpack(series)) == 31 for series in run[:3])
        assert len(run[3]) == 2
    # runs are in row-major order of the grid: (lr=0.95, momentum=0.5) is index 2*2+1
    expect = runners.run_optimizer(functions.valley(), (-7, 2), 30, SGD, lr=0.95, momentum=0.5)
    x, _ = static.from_pixels(payload["panels"]["traj"],
                              static.decode_pixels(static.unpack(payload["runs"][5][0])), 0.0)
    span = np.ptp(payload["panels"]["traj"]["xlim"]) / np.ptp(payload["panels"]["traj"]["box"][::2])
    np.testing.assert_allclose(x, expect.points[:, 0], rtol=0, atol=span / (2 * static.SUBPIXEL) + 1e-12)
    gap = expect.losses - functions.valley().f_min
    assert payload["runs"][5][3] == [float(f"{gap[0]:.6g}"), float(f"{gap[-1]:.6g}")]
    W, H = payload["width"], payload["height"]
    for panel in payload["panels"].values():
        x0, y0, x1, y1 = panel["box"]
        assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
    assert 'value="2"' in s.html  # initial lr=0.95 is the third grid value


def test_static_explorer_is_self_contained_and_keeps_its_picture_out_of_the_html():
    s = _static()
    html = s.html
    assert not re.search(r"https?:", html), "no network requests allowed"
    assert "<script src" not in html and "<link" not in html
    assert "data:image" not in html and "base64" not in html, "no picture inline"
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 1 and 'class="bt-img"' in imgs[0] and "src=" not in imgs[0], imgs
    assert s.images == [s.png] and s.image_bytes == len(s.png)
    assert s.size_bytes == len(html.encode())


@pytest.mark.parametrize("last_expression", [False, True], ids=["display", "last-expression"])
def test_static_explorer_shows_its_picture_as_an_image_output_before_the_html(last_expression):
    """One image/png output (myst-nb writes it to a file under _images/), then the HTML,
    whether the cell calls display() or ends with the explorer."""
    assert_one_picture_then_html(_static(), last_expression=last_expression)


def test_static_explorer_diverging_runs_are_json_safe():
    s = widgets.static_explorer(functions.valley(), (-7, 2), 500, optimizer=SGD, grid={"lr": [3.0]})
    json.dumps(s.data, allow_nan=False)
    assert s.data["runs"][0][3][1] is None, "the readout's last gap of a diverged run is null"
    assert None in static.unpack(s.data["runs"][0][2]), "an overflowed loss is not drawn"


def test_explorer_encoding_round_trip_is_within_its_bound():
    rng = np.random.default_rng(3)
    P = np.concatenate([rng.uniform(-50, 800, 500), [0.0, 1e-9, -0.124, 1e3 + 1 / 7]])
    P_with_gaps = np.concatenate([P[:10], [np.nan, np.inf, -np.inf], P[10:]])
    deltas = static.encode_pixels(P_with_gaps)
    assert all(d is None or isinstance(d, int) for d in deltas)
    assert deltas[10:13] == [None, None, None], "positions that cannot be drawn are null"
    back = static.decode_pixels(deltas)
    assert np.all(np.isnan(back[10:13]))
    err = np.abs(np.delete(back, [10, 11, 12]) - P)
    assert err.max() <= 0.5 / static.SUBPIXEL + 1e-12, err.max()
    assert err.max() > 0.25 / static.SUBPIXEL, "guard: the test points do get quantised"
    # far outside the figure: clamped where the scrubber clamps, still drawn off-panel
    assert static.decode_pixels(static.encode_pixels([1e30, -1e30])).tolist() == [1e4, -1e4]
    with pytest.raises(ValueError):
        static.encode_pixels(["a"])


@pytest.mark.parametrize("deltas", [[], [0], [None], [15, -16, 16, -17], [None, 0, None],
                                    [2**40, -(2**40), 31, 32, -32, -33, 1023, 1024]])
def test_explorer_packing_round_trips(deltas):
    text = static.pack(deltas)
    assert static.unpack(text) == deltas
    assert re.fullmatch(r"[A-Za-z0-9_~-]*", text), "safe inside JSON and HTML"
    assert len(static.pack([v for v in range(-16, 16)])) == 32, "small deltas: one character each"


def test_explorer_packing_rejects_bad_input():
    with pytest.raises(TypeError, match="integers"):
        static.pack([1.5])
    with pytest.raises(ValueError, match="not a character"):
        static.unpack("A!")
    with pytest.raises(ValueError, match="ends inside"):
        static.unpack("Ag")


def test_explorer_payload_draws_every_run_within_a_quarter_pixel():
    s = _static()
    panels = s.data["panels"]
    traj, loss = panels["traj"], panels["loss"]
    for run, combo in zip(s.data["runs"], s.trajectories):
        tr = s.trajectories[combo]
        X, Y = static.to_pixels(traj, tr.points[:, 0], tr.points[:, 1])
        run = [static.unpack(series) for series in run[:3]]
        np.testing.assert_allclose(static.decode_pixels(run[0]), X, atol=0.5 / static.SUBPIXEL)
        np.testing.assert_allclose(static.decode_pixels(run[1]), Y, atol=0.5 / static.SUBPIXEL)
        gap = tr.losses - functions.valley().f_min
        _, G = static.to_pixels(loss, np.arange(len(gap)), gap)
        np.testing.assert_allclose(static.decode_pixels(run[2]), G, atol=0.5 / static.SUBPIXEL)
        # back in data coordinates: a quarter pixel is a relative error of the log gap
        _, g_back = static.from_pixels(loss, 0.0, static.decode_pixels(run[2]))
        decades = np.log10(loss["ylim"][1] / loss["ylim"][0]) / (loss["box"][3] - loss["box"][1])
        ok = gap > 0
        assert np.all(np.abs(np.log10(g_back[ok] / gap[ok])) <= decades * 0.5 / static.SUBPIXEL + 1e-9)
    # smaller than the numbers themselves (6 significant digits each, the old payload)
    plain = json.dumps([[[float(f"{v:.6g}") for v in series] for series in
                         (tr.points[:, 0], tr.points[:, 1], tr.losses)] for tr in s.trajectories.values()])
    assert len(json.dumps(s.data["runs"])) < 0.25 * len(plain)


def test_explorer_image_is_2x_and_described_in_the_editions_language(monkeypatch):
    from booktools import fonts
    for lang in ("ko", "en"):
        monkeypatch.setenv("BOOK_LANG", lang)
        s = widgets.static_explorer(functions.valley(), (-7, 2), 10, optimizer=SGD, grid={"lr": [0.1, 0.5]})
        w, h = fonts._png_size(s.png)
        assert (w, h) == (2 * s.data["width"], 2 * s.data["height"]), "the image has 2 pixels per CSS pixel"
        assert f'max-width:{s.data["width"]}px' in s.html
        from PIL import Image
        image = Image.open(io.BytesIO(s.png))
        assert image.mode == "P" and len(image.getcolors()) <= 64, "a 64-colour palette image"
        alt = re.search(r'<img [^>]*alt="([^"]*)"', s.html).group(1)
        assert len(alt) > 40 and "η" in alt
        assert bool(re.search("[\uac00-\ud7a3]", alt)) == (lang == "ko"), alt


def test_live_explorer_redraws_and_changes_the_image():
    pytest.importorskip("ipywidgets")
    live = widgets.live_explorer(functions.valley(), (-7, 2), 30, optimizer=SGD,
                                 controls={"lr": (0.01, 1.2, 0.01, 0.95), "momentum": (0.0, 0.9, 0.1, 0.0)})
    first = live.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    live.controls["lr"].value = 0.3  # via the observer, as a slider drag would
    assert live.trajectory.info["lr"] == 0.3 and live.image.value != first
    live.update(lr=0.5, momentum=0.5)
    ref = runners.run_optimizer(functions.valley(), (-7, 2), 30, SGD, lr=0.5, momentum=0.5)
    np.testing.assert_allclose(live.trajectory.points, ref.points)
    with pytest.raises(KeyError, match="no control"):
        live.update(beta=0.1)


def test_plots_draw_without_error():
    fn = functions.Himmelblau()
    trs = [runners.run_optimizer(fn, (0, 0), 20, SGD, lr=0.01),
           runners.run_optimizer(fn, (-1, 1), 20, Adam, lr=0.2)]
    fig = plots.comparison(fn, {"A": trs[:1], "B": trs[1:]}, with_loss=True)
    assert len([a for a in fig.axes if a.get_visible()]) == 3
    assert plots.bi("반복", "iteration") == "반복 · iteration"


def test_check_update_with_a_scheduler_reference():
    def inverse_time(x, g, state, lr, decay):
        return x - lr / (1.0 + decay * (state["t"] - 1)) * g

    sched = lambda o: InverseTimeDecay(o, 0.5)  # noqa: E731
    checks.check_update(inverse_time, "sgd", lr=0.2, scheduler=sched, rule_kwargs={"decay": 0.5}, quiet=True)

    def off_by_one(x, g, state, lr, decay):  # counts the first step as t=1 instead of 0
        return x - lr / (1.0 + decay * state["t"]) * g

    with pytest.raises(AssertionError, match="step t=1"):
        checks.check_update(off_by_one, "sgd", lr=0.2, scheduler=sched, rule_kwargs={"decay": 0.5})
    with pytest.raises(ValueError, match="optimizer reference"):
        checks.check_update(inverse_time, _sgd, lr=0.2, scheduler=sched, rule_kwargs={"decay": 0.5})


def test_explorers_with_transform_booleans_and_invalid_combinations():
    pytest.importorskip("ipywidgets")
    fn = functions.Rosenbrock()
    betas = lambda v: {"lr": v["lr"], "betas": (v["beta1"], 0.999)}  # noqa: E731
    s = widgets.static_explorer(fn, (-1.5, 2.0), 50, optimizer=Adam, transform=betas,
                                grid={"lr": [0.05, 0.1], "beta1": [0.0, 0.9]})
    ref = runners.run_optimizer(fn, (-1.5, 2.0), 50, Adam, lr=0.1, betas=(0.9, 0.999))
    np.testing.assert_allclose(s.trajectories[(0.1, 0.9)].points, ref.points)
    # nesterov without momentum is invalid in minigrad/PyTorch: shown as a message, not a crash
    s2 = widgets.static_explorer(fn, (-1.5, 2.0), 20, optimizer=SGD, fixed={"lr": 1e-3},
                                 grid={"momentum": [0.0, 0.9], "nesterov": [False, True]})
    assert s2.data["runs"][1] is None and "nesterov" in s2.data["errors"]["1"].lower()
    assert s2.data["params"][1]["values"] == [False, True]
    live = widgets.live_explorer(fn, (-1.5, 2.0), 20, optimizer=SGD, fixed={"lr": 1e-3},
                                 controls={"momentum": (0.0, 0.9, 0.1, 0.0), "nesterov": False})
    live.update(nesterov=True)
    assert live.trajectory is None and "nesterov" in live.readout.value.lower()
    live.update(momentum=0.5)
    assert live.trajectory is not None and live.trajectory.info["nesterov"] is True


@pytest.mark.parametrize("layout", ["book", "jupyterlab"])
def test_static_explorer_runs_in_a_real_browser(tmp_path, layout):
    """The scrubber's JavaScript finds its picture in its cell's output (an image file in the
    book, a data URL in JupyterLab), hides it and shows it behind the drawing, draws the true
    trajectory, reacts to the sliders and raises nothing (Chromium); two explorers in one
    cell's output each take their own picture."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = chromium_or_skip()
    s = widgets.static_explorer(functions.valley(), (-7, 2), 30, optimizer=SGD,
                                grid={"lr": [0.5, 0.95, 1.05], "momentum": [0.0, 0.5]},
                                initial={"lr": 0.95, "momentum": 0.0})
    other = widgets.static_explorer(functions.Rosenbrock(), (-1.5, 2.0), 20, optimizer=SGD,
                                    grid={"lr": [1e-3, 2e-3]})
    assert other.png != s.png
    (tmp_path / "chapters").mkdir()
    page_file = tmp_path / "chapters" / "explorer.html"
    page_file.write_text("<!doctype html><meta charset='utf-8'><body style='width:760px'>"
                         f"{cell(layout, [s, other], tmp_path / '_images')}</body>", encoding="utf-8")
    errors = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        watch(page, errors)
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        first, second = (page.locator(".booktools-static-explorer").nth(i) for i in range(2))
        backgrounds = [first.evaluate(BACKGROUNDS), second.evaluate(BACKGROUNDS)]
        readout = first.locator(".bt-readout").inner_text()
        path0 = first.locator(".bt-path").get_attribute("d")
        first.locator("input[type=range]").first.evaluate(
            "el => { el.value = 2; el.dispatchEvent(new Event('input')); }")
        diverged = first.locator(".bt-readout").inner_text()
        path1 = first.locator(".bt-path").get_attribute("d")
        other_path = second.locator(".bt-path").get_attribute("d")
        browser.close()
    assert errors == []
    for k, (bg, w) in enumerate(zip(backgrounds, (s, other))):
        assert len(bg["outside"]) == 2 and all(bg["hidden"]), bg
        assert bg["src"] == bg["outside"][k] and bg["loaded"], bg     # its own picture
        assert bg["natural"] == [2 * w.data["width"], 2 * w.data["height"]]
        assert bg["alt"] == w.alt
        assert bg["src"].startswith("../_images/" if layout == "book" else "data:image/png;base64,")
    gap = s.trajectories[(0.95, 0.0)].losses[-1]
    assert "η = 0.95" in readout and f"{gap:.3g}" in readout
    assert path0.startswith("M") and path0.count("L") == 30
    # decoded by the browser: the true trajectory, to the encoding's bound (+ 1 decimal)
    drawn = np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path0)]).reshape(-1, 2)
    tr = s.trajectories[(0.95, 0.0)]
    X, Y = static.to_pixels(s.data["panels"]["traj"], tr.points[:, 0], tr.points[:, 1])
    assert np.max(np.abs(drawn - np.c_[X, Y])) <= 0.5 / static.SUBPIXEL + 0.05 + 1e-9
    assert "η = 1.05" in diverged and "diverged" in diverged and path1 != path0
    assert other_path.startswith("M") and other_path.count("L") == 20


def test_diverging_runs_draw_without_warnings():
    # pytest turns RuntimeWarning into errors (pyproject), and the book build fails on stderr
    fn = functions.valley()
    wild = [runners.run_optimizer(fn, (-7, 2), n, SGD, lr=3.0) for n in (100, 600)]
    assert not np.all(np.isfinite(wild[1].losses))
    live = widgets.live_explorer(fn, (-7, 2), 30, optimizer=SGD, references=wild,
                                 controls={"lr": (0.01, 5.0, 0.01, 0.5)})
    live.update(lr=5.0)
    assert live.trajectory.diverged
    widgets.static_explorer(fn, (-7, 2), 300, optimizer=SGD, grid={"lr": [0.5, 4.0]}, references=wild)
    plots.comparison(fn, {"wild": wild}, with_loss=True).canvas.draw()


# ------------------------------------------------------------------ claim (numbers in the prose)
@pytest.mark.parametrize("value, quoted", [(18.62, "18.6"), (417, "417"), (0.1812, "18%"),
                                           (0.05, "< 0.1"), (10.3, "≈ 10"), (3.0, "3x"),
                                           (1234.4, "1,234"), (-0.25, "−0.25"), (1.49e-8, "1.5e-8")])
def test_claim_accepts_what_rounds_to_the_quoted_number(value, quoted, capsys):
    assert checks.claim("a number", value, quoted) is None  # no echo under a figure cell
    assert capsys.readouterr().out.startswith("✔ a number")


@pytest.mark.parametrize("value, quoted", [(18.66, "18.6"), (418, "417"), (0.1851, "18%"),
                                           (0.1, "< 0.1"), (11.0, "≈ 10"), (float("nan"), "1"),
                                           (1.56e-8, "1.5e-8"), (2e-9, "1.5e-8")])
def test_claim_rejects_what_the_prose_does_not_say(value, quoted):
    with pytest.raises(AssertionError, match="the prose says"):
        checks.claim("a number", value, quoted)


def test_claim_of_a_fact_and_an_unreadable_quote():
    checks.claim("a fact", True)
    with pytest.raises(AssertionError, match="does not hold: a false fact"):
        checks.claim("a false fact", False)
    with pytest.raises(ValueError, match="cannot read the quoted number 'about ten'"):
        checks.claim("x", 1.0, "about ten")


# ------------------------------------------------------------------ small networks on real data
def test_digits_is_the_packaged_dataset_split_and_standardised():
    d = data.digits()
    assert d.X_train.shape == (1348, 64) and d.X_test.shape == (449, 64)
    assert d.y_train.dtype == np.int64 and set(np.unique(d.y_train)) == set(range(10))
    used = d.X_train.std(axis=0) > 0
    np.testing.assert_allclose(d.X_train[:, used].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train[:, used].std(axis=0), 1.0, rtol=1e-12)


def test_train_mlp_same_seed_same_network_whatever_the_optimizer():
    from minigrad.optim import SGD, Adam
    d = data.digits()
    a = runners.train_mlp(d, SGD, lr=0.1, epochs=3, seed=3)
    b = runners.train_mlp(d, Adam, lr=1e-3, epochs=1, seed=3)
    assert a.train_loss[0] == b.train_loss[0] and a.test_accuracy[0] == b.test_accuracy[0]
    again = runners.train_mlp(d, SGD, lr=0.1, epochs=3, seed=3)
    np.testing.assert_array_equal(a.step_loss, again.step_loss)
    assert a.train_loss[-1] < 0.5 * a.train_loss[0] and a.test_accuracy[-1] > 0.85
    assert len(a.train_loss) == 4 and len(a.step_loss) == 3 * int(np.ceil(1348 / 32))


def test_train_mlp_first_update_is_plain_sgd_on_the_first_batch():
    # One SGD update from the seeded network equals a hand-computed step on the same batch.
    import minigrad as mg
    import minigrad.nn.functional as F
    from minigrad.optim import SGD
    d = data.digits()
    run = runners.train_mlp(d, SGD, lr=0.5, epochs=1, batch_size=len(d.y_train), seed=7)
    mg.manual_seed(7)
    model = runners._mlp(64, (32,), 10)
    loss = F.cross_entropy(model(mg.Tensor(d.X_train)), d.y_train)
    loss.backward()
    for p in model.parameters():
        p.data -= 0.5 * p.grad
    with mg.no_grad():
        after = float(F.cross_entropy(model(mg.Tensor(d.X_train)), d.y_train).item())
    assert run.step_loss[0] == pytest.approx(float(loss.item()), rel=1e-12)
    assert run.train_loss[1] == pytest.approx(after, rel=1e-12)


def test_train_mlp_rejects_bad_settings_and_spread_draws_mean_and_band():
    from minigrad.optim import SGD
    d = data.digits()
    with pytest.raises(ValueError, match="batch_size must be an integer in \\[1, 1348\\], got 0"):
        runners.train_mlp(d, SGD, lr=0.1, batch_size=0)
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        runners.train_mlp(d, SGD, lr=0.1, epochs=0)
    runs = runners.train_mlp_seeds(d, SGD, seeds=[0, 1], lr=0.1, epochs=2)
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    mean = plots.spread(ax, runs)
    np.testing.assert_allclose(mean, (runs[0].train_loss + runs[1].train_loss) / 2)
    assert len(ax.collections) == 1 and ax.get_yscale() == "log"
    plt.close(fig)


def test_both_explorers_scale_the_loss_axis_by_one_rule():
    from booktools.widgets.common import loss_axis_limits
    fn = functions.valley()
    ref = runners.run_optimizer(fn, (-7, 2), 30, SGD, lr=0.3)
    live = widgets.live_explorer(fn, (-7, 2), 30, optimizer=SGD, references=[ref],
                                 controls={"lr": (0.05, 1.2, 0.05, 0.9)})
    first = runners.run_optimizer(fn, (-7, 2), 30, SGD, lr=0.9)
    np.testing.assert_allclose(live.lax.get_ylim(), loss_axis_limits(fn, (-7, 2), [ref, first]))
    static = widgets.static_explorer(fn, (-7, 2), 30, optimizer=SGD, references=[ref],
                                     grid={"lr": [0.3, 0.9, 1.5]})
    runs = list(static.trajectories.values()) + [ref]
    np.testing.assert_allclose(static.data["panels"]["loss"]["ylim"], loss_axis_limits(fn, (-7, 2), runs))
    # a diverging run (lr = 1.5: |1 - 2 lr| = 2 per step along y) is capped at 1e6 x the starting gap, x 3
    gap0 = fn.f(np.array([-7.0, 2.0])) - fn.f_min
    assert static.data["panels"]["loss"]["ylim"][1] == pytest.approx(3 * 1e6 * gap0)


def test_static_explorer_script_is_the_shipped_js_files():
    here = CHAPTERS / "booktools" / "widgets"
    shared, js = ((here / f).read_text(encoding="utf-8") for f in ("shared.js", "static_explorer.js"))
    ex = widgets.static_explorer(functions.valley(), (-7, 2), 10, optimizer=SGD, grid={"lr": [0.1, 0.5]})
    uid = ex.html.split('id="', 1)[1].split('"', 1)[0]
    assert f"<script>{shared}\n{js.replace('__ID__', uid)}</script>" in ex.html
    assert "__ID__" not in ex.html


def test_the_widget_scripts_share_one_copy_of_their_common_code():
    """shared.js holds what the three widget scripts have in common (finding the background
    images, the integer-stream decoder, the pixel mapping); none carries a copy of its own."""
    here = CHAPTERS / "booktools" / "widgets"
    shared = (here / "shared.js").read_text(encoding="utf-8")
    assert shared.startswith("//") and "window.bookWidgets = " in shared and "__ID__" not in shared
    for name in ("function backgrounds", "function codes", "function unzigzag", "function px"):
        assert shared.count(name) == 1, name
    for name in ("static_explorer.js", "curves_explorer.js", "race_static.js"):
        js = (here / name).read_text(encoding="utf-8")
        assert "var W = window.bookWidgets;" in js and "W.backgrounds(root, " in js, name
        assert "compareDocumentPosition" not in js, f"{name}: its own backgrounds()"
        assert "indexOf" not in js and "Math.log10" not in js, f"{name}: its own decoder / px()"


# --- test functions added for chapters 3 and 4 ----------------------------------------------

def test_rotated_quadratic_hessian_matches_finite_differences_and_rotation():
    from booktools.functions import Quadratic, RotatedQuadratic

    f = RotatedQuadratic((0.1, 2.0), 45.0)
    x = np.array([0.7, -1.3])
    fd = np.array([(f.f(x + 1e-6 * e) - f.f(x - 1e-6 * e)) / 2e-6 for e in np.eye(2)])
    assert np.allclose(f.grad(x), fd, rtol=1e-7)
    assert np.allclose(f.autograd_grad(x), f.grad(x))
    assert np.allclose(np.linalg.eigvalsh(f.hessian), [0.1, 2.0])
    assert abs(f.hessian[0, 1]) > 0.9                      # the axes are really turned
    aligned = RotatedQuadratic((0.1, 2.0), 0.0)
    assert np.allclose(aligned.f(x), Quadratic([0.05, 1.0]).f(x))
    with pytest.raises(ValueError, match="eigenvalues"):
        RotatedQuadratic((0.1, -2.0))


def test_lessard_counterexample_is_smooth_strongly_convex_and_heavy_ball_cycles():
    from booktools.functions import LessardCounterexample
    from booktools.runners import run_optimizer
    from minigrad.optim import SGD

    f = LessardCounterexample()
    for b in (1.0, 2.0):                                    # C^1 at the joints
        assert np.isclose(f.f([b - 1e-9]), f.f([b + 1e-9]))
        assert np.isclose(f.grad(np.array([b - 1e-9])), f.grad(np.array([b + 1e-9])), atol=1e-6)
    xs = np.linspace(-3, 4, 701)[:, None]
    slopes = np.diff(f.grad(xs)[:, 0]) / np.diff(xs[:, 0])
    assert slopes.min() >= 1 - 1e-9 and slopes.max() <= 25 + 1e-9   # m = 1, L = 25
    heavy = run_optimizer(f, [3.3], 300, SGD, lr=1 / 9, momentum=4 / 9)
    assert np.allclose(heavy.points[-3:], heavy.points[-6:-3]) and np.ptp(heavy.points[-3:]) > 1


def test_worst_case_quadratic_minimiser_and_lower_bound():
    from booktools.functions import WorstCaseQuadratic

    f = WorstCaseQuadratic(11, L=2.0)
    assert np.allclose(f.grad(f.minimizer), 0, atol=1e-12)
    assert np.isclose(f.f(f.minimizer), f.f_star)
    assert np.linalg.eigvalsh(f.hessian).max() <= f.L        # L-smooth
    with pytest.raises(ValueError, match="k must"):
        WorstCaseQuadratic(0)
