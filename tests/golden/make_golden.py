"""Golden values for `stats.describe`, computed with pandas.

Run: python tests/golden/make_golden.py   (pandas/numpy from tests/requirements.txt)
Writes tests/golden/describe_<fixture>.json, one object per numeric column with:
count, mean, std (ddof=1), var, min, q1/median/q3 (linear interpolation), max, sum,
skewness (Series.skew), kurtosis (Series.kurt), missing, mode (smallest most frequent).
Undefined values are null. tests/e2e/golden.rs compares statbox against these.
"""
import json
import math
import pathlib

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ["sales", "edge", "one_row", "two_rows"]


def clean(x):
    x = float(x)
    return None if math.isnan(x) else x


def describe(series: pd.Series) -> dict:
    s = series.dropna()
    d = s.describe()
    mode = s.mode()
    return {
        "name": series.name,
        "count": int(d["count"]),
        "missing": int(series.isna().sum()),
        "mean": clean(d["mean"]),
        "std": clean(s.std(ddof=1)),
        "var": clean(s.var(ddof=1)),
        "min": clean(d["min"]),
        "q1": clean(s.quantile(0.25)),
        "median": clean(s.quantile(0.5)),
        "q3": clean(s.quantile(0.75)),
        "max": clean(d["max"]),
        "sum": clean(s.sum()),
        "skewness": clean(s.skew()),
        "kurtosis": clean(s.kurt()),
        "mode": clean(mode.iloc[0]) if len(mode) else None,
    }


def main() -> None:
    for name in FIXTURES:
        # round_trip: pandas' default fast float parser is not correctly rounded (off by an
        # ulp on values like 1000000000001.2301); statbox parses correctly rounded, so
        # compare on identical inputs.
        df = pd.read_csv(ROOT / "fixtures" / f"{name}.csv", float_precision="round_trip")
        numeric = df.select_dtypes(include=[np.number])
        out = {
            "source": f"pandas {pd.__version__}, numpy {np.__version__}: tests/golden/make_golden.py",
            "fixture": f"tests/fixtures/{name}.csv",
            "columns": [describe(numeric[c]) for c in numeric.columns],
        }
        (ROOT / "golden" / f"describe_{name}.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
