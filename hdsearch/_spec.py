"""Sweeps described in TOML: read a spec file, check it, build the search and load the data.

The format is documented in ``docs/spec.md``. Every error is a
:class:`SpecError` naming the key (``section.key``) and the line of the spec
file it is on, so the command line can print it without a traceback.
"""

import ast
import importlib
import inspect
import os
import re
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

from . import policy as policies
from . import resource as resources
from . import space as expressions
from .resource.growth import parameter_names
from ._config import did_you_mean
from ._validation import validate_parameters
from .sampling import _SHORTCUTS, make_sampling
from .search import HyperDriveSearchCV
from .space import LogBoundsWarning, LogUniform, log_bounds_message

SECTIONS = {
    "experiment": {"name", "storage", "out"},
    "data": {"dataset", "path", "target"},
    "estimator": {"class", "params", "steps"},
    "search_space": None,  # any parameter name
    "search": {
        "sampling", "scoring", "refit", "cv", "n_jobs", "random_state", "error_score",
        "return_train_score", "verbose", "pre_dispatch", "curves",
    },
    "early_termination": None,  # "type" plus the policy's arguments
    "resource": None,  # "type" plus the resource's arguments
    "limits": {"max_total_runs", "max_concurrent_runs", "max_duration"},
    "preprocessing": {"categorical", "numeric"},
}
REQUIRED = ("data", "estimator", "search_space")
BUNDLED_DATASETS = ("breast_cancer", "diabetes", "digits", "iris", "linnerud", "wine")
EXPRESSIONS = (
    "choice", "randint", "uniform", "quniform", "loguniform", "qloguniform",
    "normal", "qnormal", "lognormal", "qlognormal",
)
POLICIES = {
    "bandit": "BanditPolicy",
    "median_stopping": "MedianStoppingPolicy",
    "truncation_selection": "TruncationSelectionPolicy",
    "halving": "HalvingPolicy",
    "none": None,
}
STEP_KEYS = ("name", "class", "params")
RESOURCES = {"folds": "Folds", "partial_fit": "PartialFit", "warm_start": "WarmStart", "subsample": "Subsample"}
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


class SpecError(ValueError):
    """A problem in a spec file, located by key and line.

    Parameters
    ----------
    message : str
    key : str or None
        ``section`` or ``section.key``.
    line : int or None
        1-based line in the spec file.
    path : str or None
    """

    def __init__(self, message, key=None, line=None, path=None):
        super().__init__(message)
        self.message, self.key, self.line, self.path = message, key, line, path

    def __str__(self):
        where = [part for part in (self.path, self.line and f"line {self.line}") if part]
        key = f" [{self.key}]" if self.key else ""
        return f"{', '.join(where) or 'spec'}:{key} {self.message}"


@dataclass
class Sweep:
    """A spec file, checked: what ``hdsearch run`` needs.

    Parameters
    ----------
    name : str
        Experiment name.
    search : HyperDriveSearchCV
        Unfitted, with ``storage`` still None (the run folder sets it).
    X, y : array-like
    out : Path or None
        Run folder from the spec, or None for the default.
    storage : Path or None
        Store from the spec, or None for ``<run folder>/store.db``.
    """

    name: str
    search: object
    X: object
    y: object
    out: Path | None
    storage: Path | None


class _Locator:
    """Find the line of a ``[section]`` key by scanning the spec text."""

    def __init__(self, text, path):
        self.lines = text.splitlines()
        self.path = path

    def line_of(self, section, key=None, occurrence=0):
        """Line of ``key`` in the ``occurrence``-th ``[section]`` table (its header when not found)."""
        current, seen, header = None, -1, None
        pattern = None if key is None else re.compile(rf"^\s*[\"']?{re.escape(str(key))}[\"']?\s*=")
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if match:
                current = match.group(2).strip()
                if current == section:
                    seen += 1
                    if seen == occurrence:
                        header = number
                continue
            if current == section and seen == occurrence and pattern is not None and pattern.match(line):
                return number
        return header

    def error(self, message, section, key=None, occurrence=0, line_key=None):
        """A :class:`SpecError` at ``section.key``."""
        line = self.line_of(section, line_key or key, occurrence)
        name = section if key is None else f"{section}.{key}"
        return SpecError(message, name, line, self.path)


def read_spec(path):
    """Parse a spec file into a :class:`Sweep`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    sweep : Sweep

    Raises
    ------
    SpecError
        For a missing file, a TOML syntax error (with TOML's line and
        column) or any invalid key or value (with its key and line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read the spec file: {exc.strerror or exc}", path=str(path)) from None
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"TOML syntax error: {exc}", path=str(path)) from None
    return build_sweep(spec, _Locator(text, str(path)), path.parent, path.stem)


def build_sweep(spec, locate, base, default_name):
    """Check a parsed spec and build its search and data.

    Parameters
    ----------
    spec : dict
        As ``tomllib`` parsed it.
    locate : _Locator
    base : Path
        Directory relative paths in the spec are read from.
    default_name : str
        Experiment name when ``[experiment] name`` is absent.

    Returns
    -------
    sweep : Sweep
    """
    _check_sections(spec, locate)
    experiment = spec.get("experiment", {})
    name = _string(experiment, "name", default_name, locate, "experiment")
    estimator = _estimator(spec["estimator"], locate)
    space = _space(spec["search_space"], estimator, locate)
    policy = _policy(spec.get("early_termination", {}), locate)
    resource = _resource(spec.get("resource", {}), estimator, space, locate)
    X, y = _data(spec["data"], base, locate)
    if "preprocessing" in spec:
        estimator, space, resource = _with_preprocessing(spec, estimator, space, resource, locate)
    search = _search(spec, estimator, space, policy, resource, locate, name)
    return Sweep(
        name=name, search=search, X=X, y=y,
        out=_optional_path(experiment, "out", base, locate),
        storage=_optional_path(experiment, "storage", base, locate),
    )


# ---------------------------------------------------------------- sections


def _check_sections(spec, locate):
    for section, value in spec.items():
        if section not in SECTIONS:
            raise locate.error(
                f"unknown section{did_you_mean(section, SECTIONS)} Sections: {sorted(SECTIONS)}", section
            )
        if not isinstance(value, dict):
            raise locate.error("must be a table, e.g. [" + section + "]", section, line_key=section)
        allowed = SECTIONS[section]
        for key in value if allowed is not None else ():
            if key not in allowed:
                raise locate.error(
                    f"unknown key{did_you_mean(key, allowed)} [{section}] takes {sorted(allowed)}", section, key
                )
    for section in REQUIRED:
        if section not in spec:
            raise SpecError(f"the spec needs a [{section}] table (see docs/spec.md)", section, None, locate.path)


def _string(table, key, default, locate, section):
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise locate.error(f"must be a non-empty string, got {value!r}", section, key)
    return value


def _optional_path(table, key, base, locate):
    if key not in table:
        return None
    return base / _string(table, key, None, locate, "experiment")


# --------------------------------------------------------------- estimator


def _estimator(table, locate):
    if "steps" in table:
        if "class" in table or "params" in table:
            raise locate.error("give either class (+ params) or steps, not both", "estimator", "steps")
        return _pipeline(table["steps"], locate)
    if "class" not in table:
        raise locate.error("needs class = \"module.Class\" (or steps for a Pipeline)", "estimator")
    return _instance(table, locate, "estimator", 0)


def _pipeline(steps, locate):
    from sklearn.pipeline import Pipeline

    if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
        raise locate.error("must be a non-empty array of tables with name and class", "estimator", "steps")
    pairs = []
    for index, step in enumerate(steps):
        for key in step:
            if key not in STEP_KEYS:
                raise locate.error(
                    f"unknown key in step {index + 1}{did_you_mean(key, STEP_KEYS)} A step takes name, class, params",
                    "estimator.steps", key, occurrence=index,
                )
        name = step.get("name")
        if not isinstance(name, str) or not name or "__" in name:
            raise locate.error(
                f"step {index + 1} needs a name without '__', got {name!r}", "estimator.steps", "name", index
            )
        pairs.append((name, _instance(step, locate, "estimator.steps", index)))
    try:
        return Pipeline(pairs)
    except (TypeError, ValueError) as exc:
        raise locate.error(str(exc), "estimator", "steps") from None


def _instance(table, locate, section, occurrence):
    cls = _import_class(table.get("class"), locate, section, occurrence)
    params = table.get("params", {})
    if not isinstance(params, dict):
        raise locate.error(f"must be a table of parameters, got {params!r}", section, "params", occurrence)
    try:
        return cls(**params)
    except TypeError as exc:
        hint = _closest_parameter(cls, exc, params)
        raise locate.error(
            f"{cls.__name__} rejects these parameters: {exc}{hint}", section, "params", occurrence
        ) from None


def _closest_parameter(cls, exc, params):
    """``"; did you mean 'max_iter'?"`` for the unknown keyword ``exc`` names, or ``""``."""
    unknown = _unknown_keyword(exc, params)
    if unknown is None:
        return ""
    try:
        names = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return ""
    hint = did_you_mean(unknown, names)
    return "" if hint == "." else hint


def _import_class(dotted, locate, section, occurrence):
    if not isinstance(dotted, str) or "." not in dotted:
        raise locate.error(
            f"must be an import path such as \"sklearn.svm.SVC\", got {dotted!r}", section, "class", occurrence
        )
    module_name, _, attribute = dotted.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise locate.error(f"cannot import {dotted!r}: {exc}", section, "class", occurrence) from None
    if not (isinstance(cls, type) and hasattr(cls, "fit")):
        raise locate.error(f"{dotted!r} is not an estimator class (no fit method)", section, "class", occurrence)
    return cls


# ------------------------------------------------------------------- space


def _space(table, estimator, locate):
    if not table:
        raise locate.error("needs at least one parameter, e.g. C = \"loguniform(-3, 3)\"", "search_space")
    valid = set(estimator.get_params(deep=True)) | parameter_names(estimator)
    space = {}
    for name, value in table.items():
        if name not in valid:
            raise locate.error(
                f"{type(estimator).__name__} has no parameter {name!r}{did_you_mean(name, valid)} "
                f"Valid: {sorted(valid)}", "search_space", name,
            )
        space[name] = _expression(name, value, locate)
        _warn_if_log_bounds_look_real(name, space[name], locate)
    return space


def _warn_if_log_bounds_look_real(name, expression, locate):
    """Warn, at the key's line and with a spelling TOML takes, as :class:`~hdsearch.space.Space` would in Python."""
    if not (isinstance(expression, LogUniform) and expression.bounds_look_real()):
        return
    spelling = expression.spelling_with_log_bounds()
    message = log_bounds_message(name, expression, [f'{name} = "{spelling}"'] if spelling else [])
    warnings.warn(str(locate.error(message, "search_space", name)), LogBoundsWarning, stacklevel=2)


def _expression(name, value, locate):
    """``"loguniform(-3, 3)"`` or an array (a choice) as an hdsearch expression."""
    if isinstance(value, list):
        if not value:
            raise locate.error("an empty array has no option to choose", "search_space", name)
        return expressions.choice(value)
    if not isinstance(value, str):
        raise locate.error(
            f"must be an expression string such as \"uniform(0, 1)\" or an array of options, got {value!r}",
            "search_space", name,
        )
    function, arguments = _parse_call(value, name, locate)
    try:
        return getattr(expressions, function)(*arguments)
    except (TypeError, ValueError) as exc:
        raise locate.error(f"{value}: {exc}", "search_space", name) from None


def _parse_call(text, name, locate):
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        node = None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords):
        raise locate.error(
            f"{text!r} is not an expression call such as \"loguniform(-3, 3)\"; expressions: {', '.join(EXPRESSIONS)}",
            "search_space", name,
        )
    if node.func.id not in EXPRESSIONS:
        raise locate.error(
            f"unknown expression {node.func.id!r}; expressions: {', '.join(EXPRESSIONS)}", "search_space", name
        )
    try:
        arguments = [ast.literal_eval(argument) for argument in node.args]
    except ValueError:
        raise locate.error(f"{text!r}: arguments must be literal numbers, strings or lists", "search_space", name) from None
    return node.func.id, arguments


# ------------------------------------------------------ policy and resource


def _typed_table(table, choices, section, locate, default):
    """The class name ``type`` selects (any case, with or without ``_``, or the class name) and the other keys."""
    arguments = dict(table)
    kind = arguments.pop("type", default)
    spellings = {_folded(name): name for name in choices}
    spellings.update({_folded(class_name): name for name, class_name in choices.items() if class_name})
    if not isinstance(kind, str) or _folded(kind) not in spellings:
        raise locate.error(
            f"type must be one of {sorted(choices)}, got {kind!r}{did_you_mean(kind, choices)}".rstrip("."),
            section, "type",
        )
    return choices[spellings[_folded(kind)]], arguments


def _folded(name):
    """``"Median_Stopping"``, ``"median-stopping"`` and ``"MedianStopping"`` alike: ``"medianstopping"``."""
    return re.sub(r"[\W_]", "", name.lower())


def _construct(module, class_name, arguments, section, locate):
    cls = getattr(module, class_name)
    try:
        return cls(**arguments)
    except TypeError as exc:
        key = _unknown_keyword(exc, arguments)
        raise locate.error(str(exc), section, key) from None


def _unknown_keyword(exc, arguments):
    match = re.search(r"unexpected (?:keyword )?argument '(\w+)'", str(exc))
    return match.group(1) if match and match.group(1) in arguments else None


def _policy(table, locate):
    class_name, arguments = _typed_table(table, POLICIES, "early_termination", locate, "none")
    if class_name is None:
        if arguments:
            raise locate.error("type = \"none\" takes no arguments", "early_termination", next(iter(arguments)))
        return None
    policy = _construct(policies, class_name, arguments, "early_termination", locate)
    try:
        policies.make_policy(policy)
    except ValueError as exc:
        raise locate.error(str(exc), "early_termination", _named_key(str(exc), arguments)) from None
    return policy


def _resource(table, estimator, space, locate):
    class_name, arguments = _typed_table(table, RESOURCES, "resource", locate, "folds")
    resource = _construct(resources, class_name, arguments, "resource", locate)
    try:
        resource.check(estimator, sorted(space))
    except ValueError as exc:
        raise locate.error(str(exc), "resource", _named_key(str(exc), arguments) or "type") from None
    return resource


def _named_key(message, keys):
    """The first of ``keys`` the message names as ``key=``."""
    return next((key for key in keys if f"{key}=" in message or f"'{key}'" in message), None)


# ----------------------------------------------------------- preprocessing

PREPROCESSING = {
    "categorical": ("one_hot", "ordinal", "passthrough"),
    "numeric": ("standard", "passthrough"),
}
#: The step the [preprocessing] table puts the spec's estimator in.
MODEL_STEP = "model"


def _with_preprocessing(spec, estimator, space, resource, locate):
    """``Pipeline([("preprocessing", ColumnTransformer), ("model", estimator)])``, names moved to match.

    The search space and a ``warm_start`` resource keep naming the spec's
    estimator's parameters; they are prefixed with ``model__`` here.
    """
    from sklearn.pipeline import Pipeline

    if "path" not in spec["data"]:
        raise locate.error(
            "needs [data] path: its columns are chosen by dtype (string columns are categorical), "
            "and a bundled dataset has no column dtypes", "preprocessing",
        )
    pipeline = Pipeline([("preprocessing", _column_transformer(spec["preprocessing"], locate)),
                         (MODEL_STEP, estimator)])
    space = {f"{MODEL_STEP}__{name}": expression for name, expression in space.items()}
    if hasattr(resource, "param"):
        resource = type(resource)(**{**resource._arguments(), "param": f"{MODEL_STEP}__{resource.param}"})
    return pipeline, space, resource


def _column_transformer(table, locate):
    """One-hot (or ordinal-encode) the categorical columns and scale the numeric ones."""
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    choices = {}
    for key, options in PREPROCESSING.items():
        choices[key] = table.get(key, options[0])
        if choices[key] not in options:
            raise locate.error(f"must be one of {list(options)}, got {choices[key]!r}", "preprocessing", key)
    categorical = {
        "one_hot": OneHotEncoder(handle_unknown="ignore", sparse_output=False),
        "ordinal": OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
        "passthrough": "passthrough",
    }[choices["categorical"]]
    numeric = StandardScaler() if choices["numeric"] == "standard" else "passthrough"
    return ColumnTransformer([
        ("categorical", categorical, make_column_selector(dtype_include="category")),
        ("numeric", numeric, make_column_selector(dtype_include="number")),
    ])


# -------------------------------------------------------------------- data


def _data(table, base, locate):
    if ("dataset" in table) == ("path" in table):
        raise locate.error("give either dataset (a scikit-learn dataset name) or path (+ target)", "data")
    if "dataset" in table:
        if "target" in table:
            raise locate.error("a bundled dataset has its own target; remove target", "data", "target")
        return _bundled(table["dataset"], locate)
    return _table_file(table, base, locate)


def _bundled(name, locate):
    if name not in BUNDLED_DATASETS:
        raise locate.error(f"unknown dataset {name!r}; bundled: {', '.join(BUNDLED_DATASETS)}", "data", "dataset")
    import sklearn.datasets

    return getattr(sklearn.datasets, f"load_{name}")(return_X_y=True)


def _table_file(table, base, locate):
    file = base / _string(table, "path", None, locate, "data")
    target = _string(table, "target", None, locate, "data")
    readers = {".csv": "read_csv", ".parquet": "read_parquet", ".pq": "read_parquet"}
    if file.suffix.lower() not in readers:
        raise locate.error(f"{file.name}: expected a .csv or .parquet file", "data", "path")
    if not file.is_file():
        raise locate.error(f"no such file: {file}", "data", "path")
    try:
        import pandas
    except ImportError:
        raise locate.error("reading a CSV or Parquet file needs pandas: pip install pandas", "data", "path") from None
    try:
        frame = getattr(pandas, readers[file.suffix.lower()])(file)
    except (ImportError, ValueError, OSError) as exc:
        raise locate.error(f"cannot read {file.name}: {exc}", "data", "path") from None
    if target not in frame.columns:
        raise locate.error(f"column {target!r} is not in {file.name}; columns: {list(frame.columns)}", "data", "target")
    return _strings_as_categories(frame.drop(columns=[target])), frame[target].to_numpy()


def _strings_as_categories(features):
    """String columns as pandas ``category``: what ``categorical_features="from_dtype"`` and [preprocessing] read."""
    strings = features.select_dtypes(include=["object", "string"]).columns
    return features.astype({column: "category" for column in strings})


# ------------------------------------------------------------------ search


def _search(spec, estimator, space, policy, resource, locate, name):
    settings = dict(spec.get("search", {}))
    if isinstance(settings.get("sampling"), str) and settings["sampling"].lower() in _SHORTCUTS:
        settings["sampling"] = settings["sampling"].lower()  # "Random" as "random"
    limits = spec.get("limits", {})
    _check_scoring(estimator, settings.get("scoring"), locate)
    _check_sampling(settings.get("sampling", "random"), locate)
    search = HyperDriveSearchCV(
        estimator, space, policy=policy, resource=resource, progress_bar=True, experiment_name=name,
        **settings, **limits,
    )
    _validate(search, {**{k: "search" for k in settings}, **{k: "limits" for k in limits}}, locate)
    return search


def _check_scoring(estimator, scoring, locate):
    from sklearn.metrics import check_scoring

    if isinstance(scoring, list):
        scoring = tuple(scoring)
    try:
        check_scoring(estimator, scoring)
    except (TypeError, ValueError) as exc:
        raise locate.error(str(exc), "search", "scoring") from None


def _check_sampling(sampling, locate):
    try:
        make_sampling(sampling)
    except (NotImplementedError, TypeError, ValueError) as exc:
        raise locate.error(str(exc), "search", "sampling") from None


def _validate(search, sections, locate):
    """Check the search's parameters as ``fit`` will, naming the spec key at fault."""
    try:
        validate_parameters(search, type(search)._parameter_constraints)
    except ValueError as exc:
        key = _named_key(str(exc), sections)
        raise locate.error(str(exc), sections.get(key, "search"), key) from None


def default_run_folder(name):
    """``runs/<name>`` under the current directory."""
    return Path(os.getcwd()) / "runs" / name
