"""The backend registry: plug-ins found through installed metadata, broken ones skipped, clear unknown-id errors."""

from __future__ import annotations

import importlib
import logging
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.backends.animatic import AnimaticBackend
from shotline.backends.builtin import builtin_spec
from shotline.backends.registry import BackendRegistry, BackendSpec
from shotline.core.errors import UnknownBackend
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo
from tests.backends.kit import context, request


def _plugin_dist(site: Path, name: str, entry_points: str) -> None:
    """Install (as far as importlib.metadata can tell) a distribution that only declares entry points."""
    dist_info = site / f"{name}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[shotline.backends]\n{entry_points}\n")


def test_animatic_is_found_through_installed_entry_points() -> None:
    registry = BackendRegistry()
    assert "animatic" in registry.ids()
    assert registry.spec("animatic") is builtin_spec("animatic")
    assert registry.info("animatic").kind is BackendKind.OFFLINE


def test_unknown_backend_names_the_ones_available() -> None:
    registry = BackendRegistry()
    with pytest.raises(UnknownBackend, match=r"No backend called 'sora-9'\. Available: animatic"):
        registry.spec("sora-9")


def test_broken_plugins_are_logged_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _plugin_dist(
        tmp_path,
        "shotline_broken_plugins",
        "missing = shotline_no_such_module_anywhere:SPEC\nnot_a_spec = json:dumps\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()

    with caplog.at_level(logging.WARNING, logger="shotline.backends.registry"):
        registry = BackendRegistry()

    assert registry.ids() == ["animatic"]
    logged = caplog.text
    assert "'missing'" in logged and "failed to load" in logged
    assert "'not_a_spec'" in logged and "not a BackendSpec" in logged


def test_builtins_come_first_and_a_plugin_cannot_take_their_id(caplog: pytest.LogCaptureFixture) -> None:
    own = BackendSpec(info=replace(builtin_spec("animatic").info, name="My animatic"), create=AnimaticBackend)
    with caplog.at_level(logging.WARNING, logger="shotline.backends.registry"):
        registry = BackendRegistry([own])
    assert registry.info("animatic").name == "My animatic"
    assert "already registered" in caplog.text


def test_create_builds_a_working_backend(tmp_path: Path) -> None:
    backend = BackendRegistry(discover=False, builtins=[builtin_spec("animatic")]).create("animatic", context(tmp_path))
    assert isinstance(backend, GenerationBackend)
    assert backend.info.id == "animatic"


def test_a_plugin_price_per_second_is_the_fallback_estimate() -> None:
    paid = BackendInfo(
        id="paid",
        name="Paid",
        kind=BackendKind.CLOUD,
        models=(ModelInfo(id="fast", label="Fast", price_per_second=Decimal("0.15")),),
    )
    registry = BackendRegistry(
        [builtin_spec("animatic"), BackendSpec(info=paid, create=AnimaticBackend)], discover=False
    )
    eight_seconds = request(backend="paid", model="fast", duration_us=8_000_000)
    assert registry.estimate(eight_seconds) == Decimal("1.2")
    assert registry.estimate(replace(eight_seconds, duration_us=2_500_000)) == Decimal("0.375")
    assert registry.estimate(replace(eight_seconds, model="gone")) is None
    assert registry.estimate(request()) is None
    assert registry.estimate(replace(eight_seconds, backend="unknown")) is None
