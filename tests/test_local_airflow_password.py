"""The local Airflow's admin password: random per Airflow home, or C360_AIRFLOW_PASSWORD; never
a fixed default (the server-side check, a login with admin/admin refused, is in
test_local_airflow.py)."""

from __future__ import annotations

import stat

import pytest

from scripts.local_airflow import password


def test_a_random_password_per_airflow_home_kept_in_it(tmp_path, monkeypatch):
    monkeypatch.delenv("C360_AIRFLOW_PASSWORD", raising=False)
    one, two = tmp_path / "one", tmp_path / "two"
    first = password(one)
    assert len(first) >= 32 and first != "admin"
    assert password(one) == first  # stable for that home (every component, every start)
    assert password(two) != first
    secret = one / ".admin_password"
    assert secret.read_text().strip() == first
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_the_environment_chooses_it_but_not_admin(tmp_path, monkeypatch):
    monkeypatch.setenv("C360_AIRFLOW_PASSWORD", "correct horse battery staple")
    assert password(tmp_path) == "correct horse battery staple"
    assert not (tmp_path / ".admin_password").exists()
    monkeypatch.setenv("C360_AIRFLOW_PASSWORD", "admin")
    with pytest.raises(SystemExit, match="other than the user name"):
        password(tmp_path)
