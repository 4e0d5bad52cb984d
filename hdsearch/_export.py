"""Writing a search's tables to files: ``cv_results_`` as CSV, and the CSV cell of any value.

Shared by the command line's run folder and the tracking integrations, so
neither imports the other.
"""

import csv
import json

import numpy as np


def write_cv_results_csv(path, columns):
    """Write ``cv_results_`` as CSV: one column per key, one row per trial (masked values empty).

    Parameters
    ----------
    path : str or Path
    columns : dict
        A search's ``cv_results_``.
    """
    keys = list(columns)
    n_rows = len(columns["params"])
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(keys)
        for i in range(n_rows):
            writer.writerow([csv_value(columns[key], i) for key in keys])


def csv_value(column, i):
    """The CSV cell of ``column[i]``: empty when masked, JSON for a dict, a plain Python scalar for a numpy one.

    Parameters
    ----------
    column : sequence or masked array
    i : int
    """
    value = column[i]
    if value is np.ma.masked:
        return ""
    return json.dumps(value, default=repr, sort_keys=True) if isinstance(value, dict) else _plain(value)


def _plain(value):
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "ndim", 1) == 0 else value
