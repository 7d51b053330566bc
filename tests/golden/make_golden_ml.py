"""Golden values for the ML plugin, from scikit-learn (tests/requirements.txt pins it).

Writes:
  tests/fixtures/ml/{iris,wine,breast_cancer,diabetes}.csv  the datasets that ship with
      scikit-learn, with a `split` column (train/test from train_test_split(test_size=0.2,
      random_state=42, stratified for classification)) so statbox uses the same split;
  tests/golden/ml.json  per (dataset, model type): scikit-learn's test score with the
      pipeline statbox uses by default (StandardScaler, then the model with the same
      hyperparameters); for the closed-form and convex models also coefficients and test
      predictions; sklearn.metrics on fixed predictions.

Run: make golden (or python tests/golden/make_golden_ml.py from the repository root).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import clone, datasets, metrics
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ml"
SEED = 42


def load(name):
    if name == "iris":
        d = datasets.load_iris()
        target = pd.Series(np.array(d.target_names)[d.target], name="species")
        return d, target, "classification"
    if name == "wine":
        d = datasets.load_wine()
        return d, pd.Series(d.target, name="cultivar"), "classification"
    if name == "breast_cancer":
        d = datasets.load_breast_cancer()
        return d, pd.Series(d.target, name="benign"), "classification"
    d = datasets.load_diabetes()
    return d, pd.Series(d.target, name="progression"), "regression"


def export(name):
    d, target, task = load(name)
    X = pd.DataFrame(d.data, columns=d.feature_names)
    idx = np.arange(len(X))
    strat = target if task == "classification" else None
    train_idx, test_idx = train_test_split(idx, test_size=0.2, random_state=SEED, stratify=strat)
    # Table order, so the k-th test prediction is the k-th test row of the CSV.
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    split = np.array(["train"] * len(X), dtype=object)
    split[test_idx] = "test"
    frame = X.copy()
    frame[target.name] = target
    frame["split"] = split
    FIXTURES.mkdir(parents=True, exist_ok=True)
    frame.to_csv(FIXTURES / f"{name}.csv", index=False, float_format="%.17g")
    return X.values, target.values, train_idx, test_idx, task, target.name


def regression_models():
    return {
        "linear": (LinearRegression(), {}),
        "ridge": (Ridge(alpha=1.0), {}),
        # Converged tightly on both sides, so coefficients can be compared to 1e-6.
        "lasso": (Lasso(alpha=1.0, tol=1e-10, max_iter=100000), {"tol": 1e-10, "max_iter": 100000}),
        "elasticnet": (
            ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-10, max_iter=100000),
            {"alpha": 0.1, "l1_ratio": 0.5, "tol": 1e-10, "max_iter": 100000},
        ),
        "polynomial": (None, {"degree": 2}),
        "decision_tree": (DecisionTreeRegressor(max_depth=4, random_state=SEED), {"max_depth": 4}),
        "random_forest": (RandomForestRegressor(n_estimators=100, random_state=SEED), {}),
        "gradient_boosting": (GradientBoostingRegressor(random_state=SEED), {}),
        "mlp_regression": (
            MLPRegressor(hidden_layer_sizes=(100,), max_iter=200, early_stopping=True, random_state=SEED),
            {},
        ),
    }


def classification_models():
    return {
        "logistic": (LogisticRegression(C=1.0, max_iter=100), {}),
        "decision_tree": (DecisionTreeClassifier(random_state=SEED), {}),
        "random_forest": (RandomForestClassifier(n_estimators=100, random_state=SEED), {}),
        "gradient_boosting": (GradientBoostingClassifier(random_state=SEED), {}),
        "svm": (SVC(C=1.0, kernel="rbf", gamma="scale"), {}),
        "naive_bayes": (GaussianNB(), {}),
        "mlp_classification": (
            MLPClassifier(hidden_layer_sizes=(100,), max_iter=200, early_stopping=True, random_state=SEED),
            {},
        ),
    }


def run_models(name):
    X, y, tr, te, task, target = export(name)
    if task == "classification":
        # Class indices in sorted-label order (what statbox predicts into); also sidesteps
        # an MLPClassifier early-stopping bug with string labels in scikit-learn 1.7.
        y = np.unique(y, return_inverse=True)[1]
    out = []
    models = regression_models() if task == "regression" else classification_models()
    for model_type, (est, params) in models.items():
        if model_type == "polynomial":
            pipe = make_pipeline(StandardScaler(), PolynomialFeatures(degree=2, include_bias=False), LinearRegression())
        else:
            pipe = make_pipeline(StandardScaler(), est)
        pipe.fit(X[tr], y[tr])
        pred = pipe.predict(X[te])
        entry = {"dataset": name, "target": target, "task": task, "model": model_type, "params": params,
                 "n_test": int(len(te))}
        if task == "regression":
            entry["metric"] = "r2"
            entry["score"] = float(metrics.r2_score(y[te], pred))
        else:
            entry["metric"] = "accuracy"
            entry["score"] = float(metrics.accuracy_score(y[te], pred))
        if model_type in ("decision_tree", "random_forest", "gradient_boosting"):
            # Equally good splits are broken by the feature order (random_state) and by
            # float rounding, so scikit-learn's own score moves with the seed: record the
            # range over ten seeds.
            scores = []
            for seed in range(10):
                p = clone(pipe).set_params(**{pipe.steps[-1][0] + "__random_state": seed})
                p.fit(X[tr], y[tr])
                pr = p.predict(X[te])
                scores.append(metrics.r2_score(y[te], pr) if task == "regression" else metrics.accuracy_score(y[te], pr))
            entry["seed_scores"] = [float(v) for v in scores]
        if model_type in ("linear", "ridge", "lasso", "elasticnet", "polynomial"):
            entry["test_predictions"] = [float(v) for v in pred]
            if model_type != "polynomial":
                entry["coef"] = [float(v) for v in pipe[-1].coef_]
                entry["intercept"] = float(pipe[-1].intercept_)
        if model_type == "naive_bayes":
            entry["test_probabilities"] = pipe.predict_proba(X[te]).tolist()
        if model_type == "logistic":
            # lbfgs stops at tol=1e-4 by default, short of the optimum; statbox converges
            # further, so probabilities are compared against the converged fit.
            exact = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, tol=1e-12, max_iter=100000))
            exact.fit(X[tr], y[tr])
            entry["test_probabilities"] = exact.predict_proba(X[te]).tolist()
        out.append(entry)
    return out


def metric_cases():
    rng = np.random.default_rng(7)
    cases = []
    # Binary with scores, ties included.
    y = rng.integers(0, 2, 60)
    score = np.round(rng.random(60) * 0.6 + y * 0.3, 1)
    pred = (score >= 0.5).astype(int)
    cases.append({
        "kind": "binary", "classes": 2, "y_true": y.tolist(), "y_pred": pred.tolist(),
        "y_score": [[1 - s, s] for s in score.tolist()],
        "accuracy": metrics.accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred, zero_division=0),
        "recall": metrics.recall_score(y, pred, zero_division=0),
        "f1": metrics.f1_score(y, pred, zero_division=0),
        "roc_auc": metrics.roc_auc_score(y, score),
        "confusion_matrix": metrics.confusion_matrix(y, pred).tolist(),
    })
    # Multiclass with probabilities; one class never predicted (zero_division).
    y = rng.integers(0, 4, 80)
    raw = rng.random((80, 4)) + np.eye(4)[y] * 0.8
    raw[:, 3] *= 0.3
    prob = raw / raw.sum(axis=1, keepdims=True)
    pred = prob.argmax(axis=1)
    cases.append({
        "kind": "multiclass", "classes": 4, "y_true": y.tolist(), "y_pred": pred.tolist(),
        "y_score": prob.tolist(),
        "accuracy": metrics.accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred, average="weighted", zero_division=0),
        "recall": metrics.recall_score(y, pred, average="weighted", zero_division=0),
        "f1": metrics.f1_score(y, pred, average="weighted", zero_division=0),
        "roc_auc": metrics.roc_auc_score(y, prob, multi_class="ovr", average="macro"),
        "confusion_matrix": metrics.confusion_matrix(y, pred, labels=[0, 1, 2, 3]).tolist(),
    })
    yt = rng.normal(10, 3, 50)
    yp = yt + rng.normal(0.5, 1.5, 50)
    cases.append({
        "kind": "regression", "y_true": yt.tolist(), "y_pred": yp.tolist(),
        "mse": metrics.mean_squared_error(yt, yp),
        "mae": metrics.mean_absolute_error(yt, yp),
        "r2": metrics.r2_score(yt, yp),
        "explained_variance": metrics.explained_variance_score(yt, yp),
    })
    return cases


def main():
    import sklearn
    models = []
    for name in ("iris", "wine", "breast_cancer", "diabetes"):
        models.extend(run_models(name))
    golden = {
        "source": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; tests/golden/make_golden_ml.py",
        "models": models,
        "metrics": metric_cases(),
    }
    path = ROOT / "tests" / "golden" / "ml.json"
    path.write_text(json.dumps(golden, indent=1) + "\n")
    for m in models:
        print(f"{m['dataset']:14} {m['model']:20} {m['metric']} {m['score']:.4f}")


if __name__ == "__main__":
    main()
