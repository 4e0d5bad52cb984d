"""scikit-learn's callbacks (``set_callbacks``, scikit-learn >= 1.9) around a search's tasks.

``GridSearchCV`` reports its work to scikit-learn's callbacks as a tree of
tasks: the fit (root), the search, one leaf per (candidate, split)
evaluation, and the refit; auto-propagated callbacks reach the estimators
fitted in the leaves and the refit. A search reports the same tree: one
evaluation leaf per (trial, fold), with ``task_id = trial * n_splits +
fold``. With a per-fold resource (``PartialFit``, ``WarmStart``,
``Subsample``) a fold's model moves through several worker calls, so only the
fit, search and refit tasks are reported.

How this relates to hdsearch's own callbacks: the ``callbacks`` parameter
follows the one protocol, :class:`~hdsearch.callbacks.SearchCallback`, whose
moments are the search's (fit start, waves, fit end) and run in the parent
process. scikit-learn's callbacks (``set_callbacks``) are scikit-learn's
API, with scikit-learn's task tree: they also reach the estimators fitted in
the workers, which get their task through :meth:`FitTasks.worker_kwargs`.
The two are independent; neither calls the other.
"""

from contextlib import contextmanager, nullcontext


def callback_metadata(fit_params):
    """What scikit-learn passes to the hooks as ``metadata``: the sample weights, if any."""
    sample_weight = fit_params.get("sample_weight")
    return None if sample_weight is None else {"sample_weight": sample_weight}


class FitTasks:
    """The task tree of one ``fit`` of ``search``, reported to its scikit-learn callbacks.

    Created at the start of ``fit``, it calls the root task's
    ``on_fit_task_begin``; :meth:`end` calls its ``on_fit_task_end``.

    Parameters
    ----------
    search : HyperDriveSearchCV
        The search being fitted; the ``estimator`` every hook receives.
    X, y : array-like
        The whole data.
    fit_params : dict
        The whole-data parameters of ``fit``.
    """

    def __init__(self, search, X, y, fit_params):
        self.search = search
        self.X, self.y = X, y
        self.metadata = callback_metadata(fit_params)
        self.root = search._init_callback_context(
            max_subtasks=1 + (search.refit is not False)
        ).call_on_fit_task_begin(estimator=search, X=X, y=y, metadata=self.metadata)
        self._search = None
        self._evaluations = {}

    def begin_search(self, max_subtasks):
        """Open the search task, parent of at most ``max_subtasks`` evaluations."""
        self._search = self.root.subcontext(
            task_name="search", max_subtasks=max_subtasks, sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self.search)

    def worker_kwargs(self, trial_id, fold, n_splits):
        """The evaluation task of one (trial, fold) and its caller, for the worker.

        The task is created once, in the parent process, as scikit-learn
        requires.
        """
        key = (trial_id, fold)
        if key not in self._evaluations:
            self._evaluations[key] = self._search.subcontext(
                task_name="candidate-split-evaluation", task_id=trial_id * n_splits + fold
            )
        return {"callback_ctx": self._evaluations[key], "caller": self.search}

    def end_search(self):
        """Close the search task."""
        self._search.call_on_fit_task_end(estimator=self.search)

    @contextmanager
    def refit(self, estimator):
        """Report the refit on the whole data as the refit task.

        The task propagates to ``estimator``; None (a per-fold resource, whose
        refit builds its model step by step) propagates nowhere.
        """
        context = self.root.subcontext(task_name="refit-with-best-params")
        propagation = nullcontext() if estimator is None else context.propagate_callback_context(estimator)
        with propagation:
            context.call_on_fit_task_begin(
                estimator=self.search, X=self.X, y=self.y, metadata=self.metadata
            )
            yield
        context.call_on_fit_task_end(
            estimator=self.search, X=self.X, y=self.y, metadata=self.metadata
        )

    def end(self):
        """Close the root task."""
        self.root.call_on_fit_task_end(
            estimator=self.search, X=self.X, y=self.y, metadata=self.metadata
        )


class NoFitTasks:
    """The stand-in for :class:`FitTasks` when the search has no scikit-learn callbacks."""

    def begin_search(self, max_subtasks):
        """Nothing to report."""

    def worker_kwargs(self, trial_id, fold, n_splits):
        """No task: workers call no hooks."""
        return {}

    def end_search(self):
        """Nothing to report."""

    def refit(self, estimator):
        """Nothing to report around the refit."""
        return nullcontext()

    def end(self):
        """Nothing to report."""


def fit_tasks(search, X, y, fit_params):
    """:class:`FitTasks` when ``search`` has scikit-learn callbacks, else :class:`NoFitTasks`.

    Without callbacks nothing is reported, and the search is not shipped to
    the workers with every task.
    """
    if getattr(search, "_skl_callbacks", None):
        return FitTasks(search, X, y, fit_params)
    return NoFitTasks()
