r"""Evaluate the four ML models against ground truth the pipeline never reads.

    # a warehouse built by the platform (its marts built, e.g. by `make demo`) and the
    # generator's ground truth:
    PYTHONPATH=. .venv/bin/python benchmarks/evaluate_models.py --as-of 2026-11-24 \
        --duckdb data/warehouse/c360.duckdb --ground-truth data/ground_truth \
        --out benchmarks/out/eval
    # or a world built on the fly the platform's way (generator -> ingestion -> dbt):
    PYTHONPATH=. .venv/bin/python benchmarks/evaluate_models.py --generate-scale 0.05 \
        --out benchmarks/out/eval

On a scratch copy of the warehouse, dbt builds the feature models as of T (= --as-of), then
the point-in-time model again as of T-90d. What it measures:
* production run: the four task callables scoring as of T;
* churn, held-out in time: a model trained as if today were T-90d (the churn training
  snapshot of the T-90d build: features as of T-180d, labels in (T-180d, T-90d]) scores the
  features as of T-90d (the churn training snapshot of the T build); compared with what
  happened in (T-90d, T]: the observable label (no completed order and no session) and the
  ground truth (churn_date <= T), overall and among customers still alive at T-90d; against
  the recency-only baseline (logistic regression on days_since_last_activity);
* fraud: precision@k of the risk ranking against ground-truth fraud actors, vs ranking by
  failed_txn_ratio alone;
* LTV: the production model on the 20 % of customers it never saw, realised spend in
  (T-365d, T] vs predicted (MAE, RMSE, WAPE), against "next 12 months = last 12 months";
* segments: size, inputs, ground-truth churn and fraud rates per segment.
Plots (PNG): calibration curve, score distributions, LTV predicted vs realised, segment
profiles. Metrics also go to metrics.json in --out.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

log = logging.getLogger("evaluate_models")
# the feature models ML scoring reads (dbt builds them on the scratch copy)
FEATURE_MODELS = ("feat_customer_segmentation", "feat_fraud_behavior", "feat_customer_history")


def _fmt(d: dict, keys: list[str] | None = None) -> str:
    keys = keys or list(d)
    return "  ".join(f"{k}={d[k]:.4f}" if isinstance(d[k], float) else f"{k}={d[k]}"
                     for k in keys if k in d)


def precision_at_k(truth, scores, k: int) -> float:
    import numpy as np

    order = np.lexsort((np.arange(len(scores)), -np.asarray(scores)))[:k]
    return float(np.asarray(truth)[order].mean()) if k else float("nan")


def evaluate(db: Path, gt, as_of: date, cfg, out: Path) -> dict:
    """Every measure above on the warehouse ``db`` (rebuilt by dbt as it goes)."""
    import matplotlib

    from include.c360.ml import tasks
    from include.c360.ml.features import training_frame
    from include.c360.offline import run_dbt
    from include.c360.warehouse import DuckDBWarehouse

    matplotlib.use("Agg")
    results: dict = {"as_of": as_of.isoformat()}
    out.mkdir(parents=True, exist_ok=True)
    _build_features_as_of(db, as_of, out)
    wh = DuckDBWarehouse(db)
    try:
        t0 = time.perf_counter()
        summaries = tasks.run_all(as_of.isoformat(), cfg=cfg, wh=wh)
        results["production_run_seconds"] = round(time.perf_counter() - t0, 2)
        results["production"] = summaries
        print(f"production run as of {as_of}: {results['production_run_seconds']} s")
        for name, s in summaries.items():
            print(f"  {name:17s} {s['model_version']}  rows={s['rows']}")
        test_as_of, _, test = training_frame(wh, "churn_training")
        results["fraud"] = evaluate_fraud(wh, gt, as_of, out)
        results["ltv"] = evaluate_ltv(wh, summaries["score_ltv"]["model_version"], as_of, out)
        results["segments"] = evaluate_segments(wh, gt, as_of, out)
    finally:
        wh.close()
    # the churn model as if today were the test snapshot: dbt's point in time of that run
    run_dbt(db, out / "dbt", "run", "--select", "feat_customer_history",
            dbt_vars={"as_of_date": test_as_of.isoformat()})
    wh = DuckDBWarehouse(db)
    try:
        train_as_of, _, train = training_frame(wh, "churn_training")
    finally:
        wh.close()
    results["churn"] = evaluate_churn(train, train_as_of, test, test_as_of, gt, as_of, cfg, out)
    (out / "metrics.json").write_text(json.dumps(_clean(results), indent=2, sort_keys=True))
    print(f"\nplots and metrics.json written to {out}")
    return results


def _build_features_as_of(db: Path, as_of: date, out: Path) -> None:
    """dbt's feature models as of ``as_of``, unless the warehouse holds them already."""
    from include.c360.ml.features import snapshot_dates
    from include.c360.offline import run_dbt
    from include.c360.warehouse import DuckDBWarehouse

    wh = DuckDBWarehouse(db)
    try:
        built = snapshot_dates(wh).get("scoring", (None, None))[0]
    except LookupError:
        built = None
    finally:
        wh.close()
    if built != as_of:
        run_dbt(db, out / "dbt", "run", "--select", *FEATURE_MODELS,
                dbt_vars={"as_of_date": as_of.isoformat()})


def evaluate_churn(train, train_as_of: date, test, test_as_of: date, gt, as_of: date, cfg,
                   out: Path) -> dict:
    """The time-split churn model and the recency baseline against the observable label and
    the ground truth; a calibration plot."""
    import numpy as np
    import pandas as pd

    from include.c360.ml import models

    fitted = models.fit_churn(train, cfg)
    baseline = models.recency_baseline_pipeline(cfg).fit(
        models.recency_only(train), train["churned"].to_numpy())
    p = models.predict_churn(fitted, test)
    pb = baseline.predict_proba(models.recency_only(test))[:, 1]
    y_obs = test["churned"].to_numpy()
    truth = test[["customer_id"]].merge(gt, on="customer_id", how="left")
    churn_date = pd.to_datetime(truth["churn_date"])
    y_true = (churn_date.notna() & (churn_date <= pd.Timestamp(as_of))).to_numpy().astype(int)
    alive = (churn_date.isna() | (churn_date > pd.Timestamp(test_as_of))).to_numpy()
    churn = {
        "train_features_as_of": train_as_of.isoformat(),
        "test_features_as_of": test_as_of.isoformat(),
        "test_customers": int(len(test)),
        "observable_churn_rate": float(y_obs.mean()),
        "true_churn_rate": float(y_true.mean()),
        "alive_at_test_as_of": int(alive.sum()),
        "true_churn_rate_alive": float(y_true[alive].mean()) if alive.any() else float("nan"),
    }
    for label_name, y, mask in (("observable", y_obs, slice(None)),
                                ("truth", y_true, slice(None)),
                                ("truth_alive", y_true, alive)):
        churn[f"model_{label_name}"] = models.classification_metrics(y[mask], p[mask])
        churn[f"baseline_{label_name}"] = models.classification_metrics(y[mask], pb[mask])
    high = p > cfg.churn_high_risk
    churn["model_high_risk_share"] = float(np.mean(high))
    churn["model_high_risk_precision_truth"] = (
        float(y_true[high].mean()) if high.any() else float("nan"))
    print(f"\nchurn (train features {train_as_of}, test features {test_as_of}, outcome to "
          f"{as_of}; {len(test)} customers)")
    print(f"  churn rate: observable {churn['observable_churn_rate']:.3f}, ground truth "
          f"{churn['true_churn_rate']:.3f}; alive at {test_as_of}: {int(alive.sum())} "
          f"(true churn {churn['true_churn_rate_alive']:.3f})")
    keys = ["accuracy", "roc_auc", "brier"]
    for label_name in ("observable", "truth", "truth_alive"):
        print(f"  vs {label_name:11s} model    {_fmt(churn[f'model_{label_name}'], keys)}")
        print(f"  {'':14s} baseline {_fmt(churn[f'baseline_{label_name}'], keys)}")
    print(f"  share scored > {cfg.churn_high_risk}: {churn['model_high_risk_share']:.3f}, of "
          f"whom truly churned: {churn['model_high_risk_precision_truth']:.3f}")
    _plot_churn(p, pb, y_obs, test_as_of, as_of, cfg, out)
    return churn


def _plot_churn(p, pb, y_obs, test_as_of: date, as_of: date, cfg, out: Path) -> None:
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.calibration import calibration_curve

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for scores, name in ((p, "model"), (pb, "recency baseline")):
        frac, mean_pred = calibration_curve(y_obs, scores, n_bins=10, strategy="quantile")
        axes[0].plot(mean_pred, frac, marker="o", label=name)
    axes[0].plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    axes[0].set(title=f"Churn calibration (outcome ({test_as_of}, {as_of}])",
                xlabel="predicted probability", ylabel="observed churn share")
    axes[0].legend()
    bins = np.linspace(0, 1, 41)
    axes[1].hist(p[y_obs == 0], bins=bins, alpha=0.6, label="stayed active")
    axes[1].hist(p[y_obs == 1], bins=bins, alpha=0.6, label="churned (observable)")
    axes[1].axvline(cfg.churn_high_risk, color="k", ls="--", lw=1)
    axes[1].set(title="Churn probability by outcome", xlabel="churn probability",
                ylabel="customers")
    axes[1].legend()
    fig.tight_layout()
    fig.savefig(out / "churn_calibration_and_distribution.png", dpi=110)
    plt.close(fig)


def evaluate_fraud(wh, gt, as_of: date, out: Path) -> dict:
    """Precision@k and ROC AUC of the risk ranking vs ground-truth actors, against ranking by
    failed_txn_ratio alone; a score distribution plot."""
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.metrics import roc_auc_score

    risk = wh.query_df(
        "select customer_id, risk_score, is_high_risk_customer from ml.customer_risk_scores "
        f"where scored_at = cast('{as_of}' as timestamp) order by customer_id")
    feats = wh.query_df("select customer_id, failed_txn_ratio from "
                        "features.feat_fraud_behavior order by customer_id")
    risk = risk.merge(feats, on="customer_id").merge(
        gt[["customer_id", "is_fraud_actor"]], on="customer_id", how="left")
    actor = risk["is_fraud_actor"].fillna(False).astype(bool).to_numpy()
    n_actors = int(actor.sum())
    fraud = {"scored_customers": int(len(risk)), "fraud_actors": n_actors,
             "flagged": int(risk["is_high_risk_customer"].sum())}
    ks = sorted({k for k in (n_actors, fraud["flagged"], 50, 100) if 0 < k <= len(risk)})
    for k in ks:
        fraud[f"precision_at_{k}"] = precision_at_k(actor, risk["risk_score"], k)
        fraud[f"baseline_failed_ratio_precision_at_{k}"] = precision_at_k(
            actor, risk["failed_txn_ratio"], k)
    if 0 < n_actors < len(risk):
        fraud["roc_auc"] = float(roc_auc_score(actor, risk["risk_score"]))
        fraud["baseline_failed_ratio_roc_auc"] = float(roc_auc_score(actor,
                                                                     risk["failed_txn_ratio"]))
        fraud["recall_of_flag"] = float(actor[risk["is_high_risk_customer"].to_numpy()].sum()
                                        / n_actors)
    print(f"\nfraud ({len(risk)} customers with payments, {n_actors} ground-truth actors, "
          f"{fraud['flagged']} flagged)")
    for k in ks:
        print(f"  precision@{k:<5d} IsolationForest {fraud[f'precision_at_{k}']:.3f}   "
              f"failed_txn_ratio alone {fraud[f'baseline_failed_ratio_precision_at_{k}']:.3f}")
    if "roc_auc" in fraud:
        print(f"  ROC AUC IsolationForest {fraud['roc_auc']:.3f}   failed_txn_ratio alone "
              f"{fraud['baseline_failed_ratio_roc_auc']:.3f}; flag recall "
              f"{fraud['recall_of_flag']:.3f}")
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0, 1, 51)
    ax.hist(risk.loc[~actor, "risk_score"], bins=bins, alpha=0.6, density=True,
            label="other customers")
    ax.hist(risk.loc[actor, "risk_score"], bins=bins, alpha=0.6, density=True,
            label="fraud actors (truth)")
    ax.set(title="IsolationForest risk score", xlabel="risk_score", ylabel="density")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "fraud_risk_distribution.png", dpi=110)
    plt.close(fig)
    return fraud


def evaluate_ltv(wh, ltv_version: str, as_of: date, out: Path) -> dict:
    """The production LTV model on the customers it never saw (its 20 % holdout): realised
    spend of the LTV training window vs predicted, against "next 12 months = last 12"."""
    import matplotlib.pyplot as plt
    import numpy as np

    from include.c360.ml import models
    from include.c360.ml.features import training_frame
    from include.c360.ml.registry import load_artifact

    reg = wh.query_df("select artifact_path from ml.model_registry "
                      f"where model_version = '{ltv_version}'")
    pipeline, meta = load_artifact(reg["artifact_path"].iloc[0])
    _, _, frame = training_frame(wh, "ltv_training")
    hold = models.holdout_mask(frame["customer_id"])
    y = frame.loc[hold, "realised_spend"].to_numpy()
    pred = np.clip(pipeline.predict(frame.loc[hold, meta["features"]].astype("float64")
                                    .to_numpy()), 0, None)
    naive = frame.loc[hold, "spend_365d"].to_numpy()
    ltv = {"features_as_of": str(meta["training_as_of"]), "holdout_customers": int(hold.sum()),
           "model": models.regression_metrics(y, pred),
           "baseline_last_12m": models.regression_metrics(y, naive)}
    print(f"\nLTV 12m (features as of {meta['training_as_of']}, realised spend to {as_of}; "
          f"{int(hold.sum())} held-out customers)")
    lkeys = ["mae", "rmse", "wape", "r2", "actual_mean", "predicted_mean"]
    print(f"  model            {_fmt(ltv['model'], lkeys)}")
    print(f"  last-12m repeat  {_fmt(ltv['baseline_last_12m'], lkeys)}")
    fig, ax = plt.subplots(figsize=(5.5, 5))
    top = max(float(np.quantile(y, 0.995)), float(np.quantile(pred, 0.995)), 1.0)
    ax.scatter(y, pred, s=4, alpha=0.3)
    ax.plot([0, top], [0, top], "k--", lw=1)
    ax.set(xlim=(0, top), ylim=(0, top), title="LTV: predicted vs realised (held-out)",
           xlabel="realised 12-month spend (USD)", ylabel="predicted (USD)")
    fig.tight_layout()
    fig.savefig(out / "ltv_predicted_vs_realised.png", dpi=110)
    plt.close(fig)
    return ltv


def evaluate_segments(wh, gt, as_of: date, out: Path) -> dict:
    """Size, mean inputs and ground-truth churn/fraud rates per segment; a profile plot."""
    import matplotlib.pyplot as plt
    import pandas as pd

    seg = wh.query_df(
        "select s.customer_segment, s.cluster_id, f.* from ml.customer_segments s "
        "join features.feat_customer_segmentation f on s.customer_id = f.customer_id "
        f"where s.scored_at = cast('{as_of}' as timestamp)")
    seg = seg.merge(gt[["customer_id", "churned_by_as_of", "is_fraud_actor"]],
                    on="customer_id", how="left")
    numeric = [c for c in seg.columns if c not in ("customer_segment", "cluster_id",
                                                    "customer_id", "feature_date")
               and pd.api.types.is_numeric_dtype(seg[c])]
    seg[["churned_by_as_of", "is_fraud_actor"]] = seg[["churned_by_as_of",
                                                      "is_fraud_actor"]].astype(float)
    profile = seg.groupby(["cluster_id", "customer_segment"])[numeric].mean()
    profile.insert(0, "customers", seg.groupby(["cluster_id", "customer_segment"]).size())
    print("\nsegments (means of the 0-1 inputs; churned/fraud from ground truth)")
    show = ["customers", "recency_norm", "frequency_norm", "monetary_norm", "tenure_norm",
            "session_frequency_norm", "churned_by_as_of", "is_fraud_actor"]
    with pd.option_context("display.width", 160, "display.precision", 3):
        print(profile[[c for c in show if c in profile.columns]].to_string())
    inputs = [c for c in numeric if c not in ("churned_by_as_of", "is_fraud_actor")]
    fig, ax = plt.subplots(figsize=(max(8, len(inputs) * 0.7), 1 + 0.6 * len(profile)))
    im = ax.imshow(profile[inputs].to_numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(inputs)), inputs, rotation=45, ha="right")
    ax.set_yticks(range(len(profile)),
                  [f"{cid} {name} ({n})" for (cid, name), n in profile["customers"].items()])
    fig.colorbar(im, ax=ax, label="mean input (0-1)")
    ax.set_title("Segment profiles (KMeans centroids in input units)")
    fig.tight_layout()
    fig.savefig(out / "segment_profiles.png", dpi=110)
    plt.close(fig)
    return {f"{cid}:{name}": {k: (float(v) if k != "customers" else int(v))
                              for k, v in row.items()}
            for (cid, name), row in profile.iterrows()}


def _clean(value):
    import math

    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 6)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for PNGs + JSON")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--duckdb", type=Path, help="a platform-built warehouse (copied)")
    parser.add_argument("--ground-truth", type=Path, help="dir with customers.parquet")
    parser.add_argument("--generate-scale", type=float,
                        help="build a world of this scale the platform's way instead")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    import pandas as pd

    from include.c360.ml.config import MLConfig

    args.out.mkdir(parents=True, exist_ok=True)
    scratch = args.out / "evaluation.duckdb"
    scratch.unlink(missing_ok=True)
    if args.generate_scale:
        from include.c360.offline import build_warehouse

        t0 = time.perf_counter()
        world = build_warehouse(args.out / "world", args.generate_scale, args.as_of, args.seed)
        world.dbt("run", "--select", *(f"+{m}" for m in FEATURE_MODELS))
        shutil.copyfile(world.db_path, scratch)
        gt_dir = world.ground_truth
        print(f"world (generator scale {args.generate_scale} -> ingestion -> dbt): "
              f"{world.raw_rows} in {time.perf_counter() - t0:.1f} s")
    else:
        if not (args.duckdb and args.ground_truth):
            parser.error("give --duckdb and --ground-truth, or --generate-scale")
        shutil.copyfile(args.duckdb, scratch)  # never write into the evaluated warehouse
        gt_dir = args.ground_truth
    gt = pd.read_parquet(gt_dir / "customers.parquet")
    missing = {"customer_id", "churn_date", "churned_by_as_of", "is_fraud_actor"} - set(gt)
    if missing:
        raise SystemExit(f"{gt_dir / 'customers.parquet'} lacks columns {sorted(missing)}")
    evaluate(scratch, gt, args.as_of, MLConfig(models_dir=args.out / "models"), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
