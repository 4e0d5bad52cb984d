"""What the static (matplotlib) charts share: the import, the status styles, the PNG export."""

import io

from ...trials import COMPLETED, FAILED, TERMINATED

_PLOT_EXTRA_MESSAGE = (
    "hdsearch's static charts need matplotlib, which comes with the 'plot' extra: "
    "python -m pip install 'hdsearch[plot]' (or python -m pip install matplotlib)."
)
STATUS_MARKERS = {COMPLETED: "o", TERMINATED: "x", FAILED: "v", "running": "."}
STATUS_COLORS = {COMPLETED: "tab:blue", TERMINATED: "tab:red", FAILED: "black", "running": "tab:gray"}


def figure_png(figure, dpi=100):
    """The PNG bytes of a figure.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    dpi : int, default=100

    Returns
    -------
    png : bytes
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def load_matplotlib():
    """``(Figure, colormap, Normalize)``, imported on first use."""
    try:
        from matplotlib import colormaps
        from matplotlib.colors import Normalize
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(_PLOT_EXTRA_MESSAGE) from exc
    return Figure, colormaps["viridis"], Normalize


def score_label(view):
    """The score axis title: the metric, as a mean CV score."""
    return f"{view.metric} (mean CV score)"


def option_label(option):
    """A tick label for a choice's option: a float to 4 significant digits, anything else as text."""
    return f"{option:.4g}" if isinstance(option, float) else str(option)
