"""LCBench's learning-curve surrogate as a scikit-learn estimator (issue 25).

The surrogate (YAHPO Gym's ONNX model of LCBench: MLPs on OpenML tasks, 52
epochs, 7 hyperparameters) lives in ``../shared/lcbench/`` beside the
project, or wherever ``HDSEARCH_LCBENCH`` points. It runs offline with
``onnxruntime``.

:class:`LCBenchMLP` stands for one MLP: ``partial_fit`` trains one epoch,
``fit`` trains ``max_epochs``, ``score`` is the validation accuracy (in
[0, 1]) the surrogate predicts at the epochs trained so far. ``X`` and ``y``
are ignored (pass :func:`dummy_data` and :func:`one_split`). Every epoch
trained in this process is counted in :data:`EPOCHS_TRAINED`, keyed by
task, so a benchmark counts epochs trained rather than epochs recorded (run
the search with ``n_jobs=1`` or the threading backend for the count to see
every epoch).

Usage::

    from lcbench import LCBenchMLP, lcbench_space, dummy_data, one_split
    X, y = dummy_data()
    search = HyperDriveSearchCV(LCBenchMLP(task="167168"), lcbench_space(),
                                resource=PartialFit(52), cv=one_split(), ...)
"""

import json
import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

#: The tasks issue 25 lets us tune on; the acceptance runs on others.
TUNING_TASKS = ("167168", "189873", "189906")
#: Epochs of a full LCBench run.
MAX_EPOCHS = 52
#: The order of the surrogate's continuous inputs.
CONTINUOUS = ("epoch", "batch_size", "learning_rate", "momentum", "weight_decay", "num_layers", "max_units",
              "max_dropout")
#: Output columns of the surrogate, per row.
OUTPUTS = ("time", "val_accuracy", "val_cross_entropy", "val_balanced_accuracy", "test_cross_entropy",
           "test_balanced_accuracy")
#: Epochs trained in this process, per task.
EPOCHS_TRAINED = Counter()


def data_dir():
    """The directory holding ``model.onnx``, ``config_space.json`` and ``encoding.json``."""
    default = Path(__file__).resolve().parents[2] / "shared" / "lcbench"
    return Path(os.environ.get("HDSEARCH_LCBENCH", default))


@lru_cache(maxsize=1)
def _session():
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(data_dir() / "model.onnx"), options,
                                        providers=["CPUExecutionProvider"])


@lru_cache(maxsize=1)
def _task_codes():
    with open(data_dir() / "encoding.json") as file:
        return json.load(file)["OpenML_task_id"]


@lru_cache(maxsize=1)
def config_space():
    """The hyperparameters' ranges: ``{name: (lower, upper, log, is_int)}``, task id left out."""
    with open(data_dir() / "config_space.json") as file:
        entries = json.load(file)["hyperparameters"]
    return {
        entry["name"]: (entry["lower"], entry["upper"], entry["log"], entry["type"] == "uniform_int")
        for entry in entries
        if entry["name"] not in ("OpenML_task_id", "epoch")
    }


def curves(task, configs, output="val_accuracy"):
    """The surrogate's curves of ``configs`` on ``task``: an array (n_configs, 52).

    Parameters
    ----------
    task : str
        OpenML task id, a key of ``encoding.json``.
    configs : list of dict
        Hyperparameter values by name (raw values, as in ``config_space.json``).
    output : str, default="val_accuracy"
        One of :data:`OUTPUTS`. Accuracies are returned in [0, 1].

    Returns
    -------
    ndarray of shape (n_configs, 52)
    """
    code = _task_codes()[str(task)]
    epochs = np.arange(1, MAX_EPOCHS + 1, dtype=np.float32)
    rows = np.empty((len(configs) * MAX_EPOCHS, len(CONTINUOUS)), dtype=np.float32)
    for i, config in enumerate(configs):
        block = rows[i * MAX_EPOCHS:(i + 1) * MAX_EPOCHS]
        block[:, 0] = epochs
        for j, name in enumerate(CONTINUOUS[1:], start=1):
            block[:, j] = config[name]
    codes = np.full((len(rows), 1), code, dtype=np.int32)
    out = _session().run(None, {"x_cat": codes, "x_cont": rows})[0]
    values = out[:, OUTPUTS.index(output)].astype(np.float64).reshape(len(configs), MAX_EPOCHS)
    return values / 100.0 if "accuracy" in output else values


class LCBenchMLP(BaseEstimator):
    """One LCBench MLP whose training is replaced by the surrogate's learning curve.

    Parameters
    ----------
    task : str, default="167168"
        OpenML task id.
    batch_size, learning_rate, momentum, weight_decay, num_layers, max_units, max_dropout
        The MLP's hyperparameters (defaults: the config space's defaults).
    max_epochs : int, default=52
        Epochs ``fit`` trains.
    """

    def __init__(self, task="167168", batch_size=91, learning_rate=0.0031622777, momentum=0.545,
                 weight_decay=0.050005, num_layers=3, max_units=256, max_dropout=0.5, max_epochs=MAX_EPOCHS):
        self.task = task
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.num_layers = num_layers
        self.max_units = max_units
        self.max_dropout = max_dropout
        self.max_epochs = max_epochs

    def _config(self):
        return {name: getattr(self, name) for name in CONTINUOUS[1:]}

    def partial_fit(self, X=None, y=None, classes=None, **fit_params):
        """Train one more epoch (at most 52)."""
        if not hasattr(self, "curve_"):
            self.curve_ = curves(self.task, [self._config()])[0]
            self.epochs_trained_ = 0
        if self.epochs_trained_ >= MAX_EPOCHS:
            raise ValueError(f"LCBenchMLP: at most {MAX_EPOCHS} epochs, got one more")
        self.epochs_trained_ += 1
        EPOCHS_TRAINED[self.task] += 1
        return self

    def fit(self, X=None, y=None, **fit_params):
        """Train ``max_epochs`` epochs from scratch."""
        for name in ("curve_", "epochs_trained_"):
            self.__dict__.pop(name, None)
        for _ in range(self.max_epochs):
            self.partial_fit(X, y)
        return self

    def score(self, X=None, y=None, sample_weight=None):
        """Validation accuracy at the epochs trained so far, in [0, 1]."""
        return float(self.curve_[self.epochs_trained_ - 1])

    def predict(self, X):
        """Not a real model: a constant, so that scikit-learn's checks of a fitted estimator pass."""
        return np.zeros(len(X))


def dummy_data(n=2):
    """``X, y`` for a search over :class:`LCBenchMLP` (the values are ignored)."""
    return np.zeros((n, 1)), np.arange(n) % 2


def one_split(n=2):
    """One train/test split over :func:`dummy_data` (LCBench reports one validation score)."""
    half = n // 2
    return [(np.arange(half), np.arange(half, n))]


def lcbench_space():
    """The search space in HyperDrive's expressions, with the config space's ranges and log scales."""
    from hdsearch import loguniform, qloguniform, quniform, uniform

    space = {}
    for name, (low, high, log, is_int) in config_space().items():
        if is_int and log:
            space[name] = qloguniform(np.log(low), np.log(high), 1)
        elif is_int:
            space[name] = quniform(low, high, 1)
        elif log:
            space[name] = loguniform(np.log(low), np.log(high))
        else:
            space[name] = uniform(low, high)
    return space
