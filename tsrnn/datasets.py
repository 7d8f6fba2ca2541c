"""Real time series shipped with statsmodels, as pandas objects with proper indexes.

Everything loads offline from statsmodels' own files.
"""

import pandas as pd

DATASETS = ("sunspots", "co2", "elnino", "macrodata", "nile")


def load_sunspots():
    """Yearly mean sunspot numbers, 1700-2008.

    Returns
    -------
    pandas.Series
        Indexed by a yearly ``PeriodIndex``; name ``"sunspots"``.
    """
    import statsmodels.api as sm

    d = sm.datasets.sunspots.load_pandas().data
    index = pd.period_range(str(int(d["YEAR"].iloc[0])), periods=len(d), freq="Y")
    return pd.Series(d["SUNACTIVITY"].to_numpy(float), index=index, name="sunspots")


def load_co2():
    """Monthly mean atmospheric CO2 at Mauna Loa (ppm), 1958-2001.

    The weekly record, averaged by month; the few missing months are
    interpolated linearly.

    Returns
    -------
    pandas.Series
        Indexed by a monthly ``DatetimeIndex`` (month start, ``freq="MS"``).
    """
    import statsmodels.api as sm

    weekly = sm.datasets.co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate()
    return monthly.rename("co2").astype(float)


def load_elnino():
    """Monthly sea surface temperature of the El Nino region (degrees C), 1950-2010.

    Returns
    -------
    pandas.Series
        Indexed by a monthly ``PeriodIndex``.
    """
    import statsmodels.api as sm

    d = sm.datasets.elnino.load_pandas().data
    values = d.drop(columns="YEAR").to_numpy(float).ravel()
    index = pd.period_range(f"{int(d['YEAR'].iloc[0])}-01", periods=len(values), freq="M")
    return pd.Series(values, index=index, name="elnino")


def load_macrodata():
    """US quarterly macroeconomic series, 1959Q1-2009Q3.

    Returns
    -------
    pandas.DataFrame
        Real GDP, consumption, investment, government spending, disposable
        income, CPI, M1, the T-bill rate, unemployment, population, inflation
        and the real interest rate, indexed by a quarterly ``PeriodIndex``.
    """
    import statsmodels.api as sm

    d = sm.datasets.macrodata.load_pandas().data
    index = pd.period_range(f"{int(d['year'].iloc[0])}Q{int(d['quarter'].iloc[0])}",
                            periods=len(d), freq="Q")
    return d.drop(columns=["year", "quarter"]).set_axis(index).astype(float)


def load_nile():
    """Yearly flow volume of the Nile at Aswan, 1871-1970.

    Returns
    -------
    pandas.Series
        Indexed by a yearly ``PeriodIndex``.
    """
    import statsmodels.api as sm

    d = sm.datasets.nile.load_pandas().data
    index = pd.period_range(str(int(d["year"].iloc[0])), periods=len(d), freq="Y")
    return pd.Series(d["volume"].to_numpy(float), index=index, name="nile")


def load(name):
    """Load a dataset by name (one of :data:`DATASETS`)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")
    return globals()[f"load_{name}"]()
