"""Real datasets that ship inside scikit-learn (no download), ready for the experiments.

Both loaders standardise the features with the *training* mean and standard deviation,
split with a seeded permutation, return float64 arrays and (by default) append a column
of ones so that the bias is the last weight.

* :func:`breast_cancer` -- 569 tumours, 30 features, binary label (logistic regression);
* :func:`diabetes` -- 442 patients, 10 features, a real-valued target (least squares);
* :func:`digits` -- 1797 handwritten 8x8 digits, 64 pixel features, 10 classes (the small
  neural-network experiments).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "breast_cancer", "diabetes", "digits"]


@dataclass
class Dataset:
    """A standardised train/test split. ``X_*`` has shape ``(n, d)``, ``y_*`` shape ``(n,)``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list
    name: str

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("booktools.data needs scikit-learn: pip install scikit-learn") from exc
    return datasets


def _split(X, y, names, dataset_name, test_fraction, seed, add_bias, standardize_y,
           y_dtype=np.float64):
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=y_dtype)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    mu, sd = X[train].mean(axis=0), X[train].std(axis=0)
    sd[sd == 0] = 1.0
    Xtr, Xte = (X[train] - mu) / sd, (X[test] - mu) / sd
    ytr, yte = y[train], y[test]
    if standardize_y:
        ym, ys = ytr.mean(), ytr.std()
        ytr, yte = (ytr - ym) / ys, (yte - ym) / ys
    names = list(names)
    if add_bias:
        Xtr = np.hstack([Xtr, np.ones((len(Xtr), 1))])
        Xte = np.hstack([Xte, np.ones((len(Xte), 1))])
        names.append("bias")
    return Dataset(Xtr, ytr, Xte, yte, names, dataset_name)


def breast_cancer(test_fraction: float = 0.2, seed: int = 0, add_bias: bool = True) -> Dataset:
    """Wisconsin breast-cancer data (scikit-learn ``load_breast_cancer``); labels 0/1.

    With the defaults: 455 training and 114 test examples, 30 features + bias.
    """
    d = _sklearn_datasets().load_breast_cancer()
    return _split(d.data, d.target, d.feature_names, "breast_cancer",
                  test_fraction, seed, add_bias, standardize_y=False)


def diabetes(test_fraction: float = 0.2, seed: int = 0, add_bias: bool = True) -> Dataset:
    """Diabetes progression data (scikit-learn ``load_diabetes``); target standardised.

    With the defaults: 354 training and 88 test examples, 10 features + bias.
    """
    d = _sklearn_datasets().load_diabetes()
    return _split(d.data, d.target, d.feature_names, "diabetes",
                  test_fraction, seed, add_bias, standardize_y=True)


def digits(test_fraction: float = 0.25, seed: int = 0) -> Dataset:
    """Handwritten digits (scikit-learn ``load_digits``): 8x8 images, labels 0-9 as integers.

    Pixels are standardised with the training statistics (no bias column: the network's
    layers have their own). With the defaults: 1348 training and 449 test examples.
    """
    d = _sklearn_datasets().load_digits()
    names = [f"pixel_{i}" for i in range(d.data.shape[1])]
    return _split(d.data, d.target, names, "digits", test_fraction, seed,
                  add_bias=False, standardize_y=False, y_dtype=np.int64)
