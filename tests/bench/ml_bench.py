"""scikit-learn's side of the ML benchmark (statbox-bench --only-ml, make bench).

Generates the datasets (make_regression / make_classification, fixed seed), writes them
as CSV for statbox, then fits every scikit-learn model on the same training rows and
prints one JSON object: per case, fit seconds and test score. The cases (rows, settings)
come from the Rust side as JSON on argv so both sides run exactly the same thing.
"""

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def estimator(model, params, task):
    p = dict(params)
    if model == "linear":
        return LinearRegression()
    if model == "ridge":
        return Ridge(**p)
    if model == "lasso":
        return Lasso(**p)
    if model == "elasticnet":
        return ElasticNet(**p)
    if model == "polynomial":
        return make_pipeline(PolynomialFeatures(degree=p.get("degree", 2), include_bias=False), LinearRegression())
    if model == "logistic":
        return LogisticRegression(**p)
    if model == "decision_tree":
        return (DecisionTreeRegressor if task == "regression" else DecisionTreeClassifier)(random_state=42, **p)
    if model == "random_forest":
        return (RandomForestRegressor if task == "regression" else RandomForestClassifier)(random_state=42, n_jobs=1, **p)
    if model == "gradient_boosting":
        return (GradientBoostingRegressor if task == "regression" else GradientBoostingClassifier)(random_state=42, **p)
    if model == "svm":
        return SVC(**p)
    if model == "naive_bayes":
        return GaussianNB()
    mlp = MLPRegressor if model == "mlp_regression" else MLPClassifier
    return mlp(hidden_layer_sizes=tuple(p["hidden_layers"]), max_iter=p["epochs"], batch_size=p["batch_size"],
               early_stopping=False, n_iter_no_change=10**6, random_state=42)


def main():
    rows, out_dir, cases = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    X, y = make_regression(n_samples=rows, n_features=20, n_informative=12, noise=20.0, random_state=42)
    reg = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    reg["y"] = y
    Xc, yc = make_classification(n_samples=rows, n_features=20, n_informative=10, n_redundant=4,
                                 class_sep=0.8, flip_y=0.02, random_state=42)
    clf = pd.DataFrame(Xc, columns=[f"x{i}" for i in range(20)])
    clf["y"] = np.where(yc == 1, "yes", "no")
    n_train = int(rows * 0.8)
    for df, name in ((reg, "regression"), (clf, "classification")):
        df["split"] = ["train"] * n_train + ["test"] * (rows - n_train)
        df.to_csv(f"{out_dir}/{name}.csv", index=False, float_format="%.17g")
    results = {}
    for case in cases:
        df = reg if case["task"] == "regression" else clf
        n = case["rows"]
        part = df.iloc[:n]
        cut = int(n * 0.8)
        feats = [f"x{i}" for i in range(20)]
        Xtr, Xte = part[feats].values[:cut], part[feats].values[cut:]
        ytr, yte = part["y"].values[:cut], part["y"].values[cut:]
        scaler = StandardScaler().fit(Xtr)
        Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
        est = estimator(case["model"], case["sklearn_params"], case["task"])
        t = time.perf_counter()
        est.fit(Xtr, ytr)
        fit_s = time.perf_counter() - t
        pred = est.predict(Xte)
        score = r2_score(yte, pred) if case["task"] == "regression" else accuracy_score(yte, pred)
        results[case["key"]] = {"fit_s": fit_s, "score": float(score)}
        print(f"  sklearn {case['key']}: {fit_s:.2f} s", file=sys.stderr, flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
