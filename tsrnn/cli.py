"""``tsrnn forecast``: forecast a bundled dataset or a CSV column from the command line."""

import argparse
import contextlib
import os
import sys
import time

DESCRIPTION = """Forecast a time series with a recurrent network.

With no data argument, forecasts the bundled CO2 series (statsmodels' Mauna
Loa record). With --csv FILE --column NAME [--date-column NAME], forecasts
your own; the dates must be regular (a frequency pandas can infer)."""


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _number_below(high, example):
    """An argparse type: a number strictly between 0 and ``high``."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not 0 < value < high:
            raise argparse.ArgumentTypeError(f"must be between 0 and {high:g} (e.g. {example}), "
                                             f"got {value:g}")
        return value
    return parse


_coverage = _number_below(1, "0.9")
_level = _number_below(100, "80 for a percentage")


def decimals(values):
    """The fewest decimals that write every value of the series exactly, at most what gives
    five significant digits to its largest values (data stored as computed floats)."""
    import numpy as np

    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    size = np.abs(values).max() if len(values) else 0.0
    most = max(1, 4 - int(np.floor(np.log10(size)))) if size > 0 else 1
    for d in range(most + 1):
        if np.all(np.abs(np.round(values, d) - values) <= 1e-9 * np.maximum(1, np.abs(values))):
            return d
    return most


def check_writable(path, option):
    """Exit with one line unless ``path`` can be written (checked before training)."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise SystemExit(f"tsrnn: {option} {path} is a directory, not a file")
    if not os.path.isdir(folder):
        raise SystemExit(f"tsrnn: cannot write {option} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise SystemExit(f"tsrnn: cannot write {option} {path}: permission denied")


def build_parser():
    """The argument parser of ``tsrnn``."""
    from .datasets import DATASETS

    parser = argparse.ArgumentParser(prog="tsrnn", description="tsrnn command line")
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("forecast", description=DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       help="forecast a series")
    src = f.add_mutually_exclusive_group()
    src.add_argument("--dataset", choices=DATASETS, default=None,
                     help="a bundled real series (default: co2)")
    src.add_argument("--csv", metavar="FILE", help="a CSV file with your series")
    f.add_argument("--column", help="the CSV column to forecast (default: the last numeric one)")
    f.add_argument("--date-column", help="the CSV column of dates (default: row numbers)")
    f.add_argument("--horizon", type=_positive_int, default=None, help="steps to forecast "
                   "(default: one season, or 10)")
    f.add_argument("--strategy", choices=["direct", "recursive", "seq2seq"], default="direct")
    f.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm")
    f.add_argument("--epochs", type=_positive_int, default=100, help="maximum training epochs")
    band = f.add_mutually_exclusive_group()
    band.add_argument("--coverage", type=_coverage, default=0.9,
                      help="prediction interval coverage (default 0.9)")
    band.add_argument("--levels", type=_level, nargs="+", metavar="PERCENT",
                      help="several intervals at once, e.g. --levels 80 95")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--plot", metavar="PNG", help="save a plot of history and forecast")
    f.add_argument("--output", metavar="CSV", help="save the forecast and interval as CSV")
    f.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    return parser


def load_series(args):
    """The series named by the arguments, as a pandas Series."""
    import pandas as pd

    from . import datasets

    if args.csv is None:
        name = args.dataset or "co2"
        y = datasets.load(name)
        return y.iloc[:, 0] if isinstance(y, pd.DataFrame) else y
    try:
        frame = pd.read_csv(args.csv)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise SystemExit(f"tsrnn: cannot read {args.csv}: {e}") from None
    if args.date_column:
        if args.date_column not in frame.columns:
            raise SystemExit(f"tsrnn: no column {args.date_column!r} in {args.csv}; columns: "
                             f"{list(frame.columns)}")
        try:
            frame = frame.set_index(pd.DatetimeIndex(pd.to_datetime(frame.pop(args.date_column))))
        except (ValueError, TypeError) as e:
            raise SystemExit(f"tsrnn: column {args.date_column!r} does not hold dates: {e}") \
                from None
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    column = args.column or (numeric[-1] if numeric else None)
    if column is None or column not in frame.columns:
        raise SystemExit(f"tsrnn: no numeric column {column!r} in {args.csv}; columns: "
                         f"{list(frame.columns)}")
    if args.column is None and len(numeric) > 1:
        print(f"forecasting column {column!r}, the last numeric one; the others "
              f"({', '.join(map(repr, numeric[:-1]))}) are not used: choose with --column",
              file=sys.stderr)
    y = frame[column]
    if args.date_column:
        y.index.name = args.date_column
    return y


def main(argv=None):
    """Entry point of the ``tsrnn`` console script."""
    args = build_parser().parse_args(argv)
    for path, option in ((args.output, "--output"), (args.plot, "--plot")):
        if path:
            check_writable(path, option)
    from . import RNNForecaster
    from .forecasting.index import as_index, seasonal_period

    y = load_series(args)
    try:
        period = seasonal_period(as_index(y.index))
        horizon = args.horizon or (period if period > 1 else 10)
        fc = RNNForecaster(horizon=horizon, strategy=args.strategy, cell=args.cell,
                           max_epochs=args.epochs, coverage=args.coverage,
                           random_state=args.seed, verbose=0 if args.quiet else 1)
        print(f"training a {args.cell.upper()} ({args.strategy}) on {len(y)} observations of "
              f"{y.name!r}, horizon {horizon}", file=sys.stderr)
        from .kernels import cached

        if not cached(args.cell):
            print(f"compiling the {args.cell.upper()} kernels for this machine: this happens "
                  "once (Numba caches them on disk) and takes about 15-30 seconds", file=sys.stderr)
        start = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):  # progress on stderr, the forecast on stdout
            fc.fit(y)
        if fc.regressor_ is not None:
            # The first pass's epochs (one more pass then learns the held-out windows).
            epochs = len(fc.regressor_.validation_loss_curve_) or fc.regressor_.n_epochs_
            stopped = (" (early stopping: the held-out windows' loss stopped improving)"
                       if epochs < args.epochs else "")
            print(f"trained in {time.perf_counter() - start:.1f}s, {epochs} epochs{stopped}",
                  file=sys.stderr)
        coverage = [v / 100 for v in args.levels] if args.levels else args.coverage
        result = fc.predict_interval(horizon, coverage=coverage)
    except ValueError as e:
        raise SystemExit(f"tsrnn: {e}") from None
    import pandas as pd

    # The CSV names its time column: the input's, or what the index holds.
    result.index.name = y.index.name or ("step" if isinstance(result.index, pd.RangeIndex)
                                         else "date")
    d = decimals(y.to_numpy())
    print(result.to_string(float_format=lambda v: f"{v:.{d}f}"))
    try:
        if args.output:
            result.to_csv(args.output, float_format=f"%.{max(d, 1) + 2}f")
            print(f"forecast saved to {args.output}", file=sys.stderr)
        if args.plot:
            from .plotting import plot_forecast

            plot_forecast(y, result, args.plot, last=max(4 * horizon, 60))
            print(f"plot saved to {args.plot}", file=sys.stderr)
    except (OSError, ImportError) as e:
        raise SystemExit(f"tsrnn: {e}") from None
    return 0
