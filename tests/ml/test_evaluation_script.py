"""benchmarks/evaluate_models.py end to end on the small generated world: metrics and plots."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "evaluate_models.py"


@pytest.mark.timeout(240)
def test_evaluation_writes_metrics_and_plots(world, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    spec = importlib.util.spec_from_file_location("c360_evaluate_models", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    out = tmp_path / "eval"
    assert module.main(["--duckdb", str(world.db_path), "--ground-truth",
                        str(world.ground_truth), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "baseline" in printed and "precision@" in printed
    for png in ("churn_calibration_and_distribution.png", "fraud_risk_distribution.png",
                "ltv_predicted_vs_realised.png", "segment_profiles.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    metrics = json.loads((out / "metrics.json").read_text())
    churn = metrics["churn"]
    for population in ("all", "active"):
        block = churn[population]
        for name in ("model", "baseline", "oracle", "activity_bound"):
            m = block[name]
            assert 0 <= m["accuracy"] <= 1 and 0 <= m["brier"] <= 1, (population, name)
            assert 0.5 < m["roc_auc"] <= 1, (population, name)
            assert {"high_risk_precision", "high_risk_recall", "high_risk_rate"} <= set(m)
        # the bound knows the generator's rates, the oracle the true churn: neither is beaten
        assert block["activity_bound"]["roc_auc"] >= block["model"]["roc_auc"] - 0.02
        assert block["activity_bound"]["brier"] <= block["model"]["brier"] + 0.01
    assert churn["active"]["customers"] < churn["all"]["customers"]
    assert churn["train_features_as_of"] == "2026-05-28"
    assert churn["test_features_as_of"] == "2026-08-26"
    cal = churn["calibration"]
    assert len(cal["reliability"]) == 10 and 0 <= cal["ece"] < 0.2
    assert set(churn["targets"]) >= {"auc_within_0.05_of_oracle", "accuracy_at_least_0.85"}
    flagged = metrics["flagged"]
    assert 0 < flagged["flagged"] < flagged["payments"]
    assert 0 < flagged["flagged_usd"] != flagged["flagged_summed_in_local_currencies"]
    assert "flagged amount $" in printed and "oracle" in printed
    assert metrics["fraud"]["fraud_actors"] > 0
    assert 0 <= metrics["fraud"][f"precision_at_{metrics['fraud']['fraud_actors']}"] <= 1
    assert metrics["ltv"]["model"]["mae"] >= 0
    assert metrics["segments"]
