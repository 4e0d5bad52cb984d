"""Integrations with other tools, each a :class:`~hdsearch.callbacks.SearchCallback` in its own module.

Nothing here is imported by ``import hdsearch``: a module is imported when
it is used, and needs its tool's extra (``mlflow``: the ``tracking`` extra).
"""
