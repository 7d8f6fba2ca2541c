"""``tsrnn forecast``: forecast a bundled dataset or a CSV column from the command line."""

import argparse
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


def _coverage(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (e.g. 0.9), got {value}")
    return value


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
    f.add_argument("--coverage", type=_coverage, default=0.9, help="prediction interval coverage")
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
    return frame[column]


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
        start = time.perf_counter()
        fc.fit(y)
        print(f"trained in {time.perf_counter() - start:.1f}s "
              f"({fc.regressor_.n_epochs_} epochs)", file=sys.stderr)
        result = fc.predict_interval(horizon)
    except ValueError as e:
        raise SystemExit(f"tsrnn: {e}") from None
    print(result.to_string(float_format=lambda v: f"{v:.4g}"))
    try:
        if args.output:
            result.to_csv(args.output)
            print(f"forecast saved to {args.output}", file=sys.stderr)
        if args.plot:
            from .plotting import plot_forecast

            plot_forecast(y, result, args.plot, last=max(4 * horizon, 60))
            print(f"plot saved to {args.plot}", file=sys.stderr)
    except (OSError, ImportError) as e:
        raise SystemExit(f"tsrnn: {e}") from None
    return 0
