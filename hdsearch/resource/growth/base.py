"""The base of growth adapters: how one kind of estimator grows a ``WarmStart`` parameter.

:class:`Growth` has one abstract method, :meth:`Growth.grow`; the rest are
answers with safe defaults (no staged reading, no merged calls) that the
adapters for boosting models override.
"""

from abc import ABC, abstractmethod

from ..base import fit_model, on_known_rows
from .estimators import split_param

#: What continuing a boosting model costs per round it holds, in rounds
#: trained: it predicts every held tree on the training rows first. Measured on
#: HistGradientBoostingRegressor, 27,000 rows: a warm-start call from 100 to
#: 120 iterations spent 0.090 s predicting the 100 trees and 0.034 s growing
#: the 20 new ones (0.0009 s against 0.0017 s a tree).
BOOSTING_HELD_STEP_COST = 0.5


class Growth(ABC):
    """How fold models of one kind grow ``param``, chosen once per search by ``WarmStart.check``.

    Adapters hold only ``param`` and ``kind``, so they pickle with the
    resource to the workers.

    Parameters
    ----------
    param : str
        The growing parameter, with its pipeline prefix.
    kind : tuple of type, default=None
        What :func:`~hdsearch.resource.growth.estimators.kind_of` said of the
        estimator the adapter was chosen for.
    """

    #: What a call that continues a model pays per step it holds, in steps
    #: trained (see ``BaseResource.held_step_cost``).
    held_step_cost = 0.0
    #: Whether growing in steps gives the model one fit gives, so the refit of
    #: the best trial is one fit to the last value.
    refits_in_one_fit = False
    #: Whether a view of the last round predicts bit for bit what the model does.
    views_last_step = True
    #: Parameters (unprefixed) that decide :meth:`grows_in_one_call`.
    grouping_names = ()

    def __init__(self, param, kind=None):
        self.param = param
        self.kind = kind

    @property
    def name(self):
        """The parameter's own name, without its pipeline prefix."""
        return self.param.rpartition("__")[2]

    @property
    def prefix(self):
        """The pipeline prefix of ``param`` (``"clf__"``), or ``""``."""
        return self.param[: len(self.param) - len(self.name)]

    def owner(self, model):
        """The estimator in ``model`` that owns ``param`` (None for a pipeline step before the last)."""
        return split_param(model, self.param)[0]

    def check(self, estimator, param_names):
        """Raise ValueError for settings under which this growth would be wrong; may warn.

        Parameters
        ----------
        estimator : estimator
        param_names : iterable of str
            Names in ``param_distributions``.
        """

    def check_fit_params(self, estimator, fit_params):
        """Raise ValueError for parameters of ``fit`` under which this growth would be wrong.

        Parameters
        ----------
        estimator : estimator
        fit_params : dict
        """

    def prepare(self, model):
        """A fresh fold model, set up to grow (``warm_start=True``, per-round seeds).

        Parameters
        ----------
        model : estimator

        Returns
        -------
        model : estimator
        """
        return model

    @abstractmethod
    def grow(self, model, target, fold, fresh):
        """Train ``model`` until ``param`` is ``target``, and return the model.

        Parameters
        ----------
        model : estimator
            The fold model at an earlier value, or unfitted.
        target : int or float
            The value after this call.
        fold : TrainingFold
            The training rows of the fold, with their fit parameters.
        fresh : bool
            Whether ``model`` is unfitted.

        Returns
        -------
        model : estimator
        """

    def scores_from_one_fit(self, model):
        """Whether one fit of ``model`` to any value can be scored at every value before it, bit for bit.

        ``model`` is a fold model with the trial's parameters (its settings,
        such as subsampling or early stopping, decide); the answer is a bool.
        """
        return False

    def grows_in_one_call(self, model):
        """Whether one call can take ``model`` (a fold model) from any value to any later one, exactly."""
        return self.scores_from_one_fit(model)

    def grouping_params(self):
        """The parameters, named as in a search space, whose values decide :meth:`grows_in_one_call`.

        Returns
        -------
        tuple of str
        """
        return tuple(self.prefix + name for name in self.grouping_names)

    def round_views(self, model, rounds, cheap_only=True):
        """Views of the fitted ``model`` after each of ``rounds``, without retraining; None when not possible.

        Parameters
        ----------
        model : estimator
        rounds : list of int
            Increasing values, none above the model's.
        cheap_only : bool, default=True
            False reads them however dear (they are scored values).

        Returns
        -------
        list of RoundView or None
        """
        return None

    def _fit_to(self, model, target, fold):
        """Set ``param`` to ``target`` and call ``fit``: the estimator decides whether it continues."""
        model.set_params(**{self.param: target})
        with on_known_rows(fold):
            fit_model(model, fold.X, fold.y, fold.fit_params)
        fold.validated = True
        return model

    def __repr__(self):
        return f"{type(self).__name__}({self.param!r})"
