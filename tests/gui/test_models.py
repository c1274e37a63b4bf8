"""Every GUI model passes pytest-qt's model tester and shows what the user needs."""

from __future__ import annotations

import json

from PySide6.QtCore import QModelIndex, Qt

from tokenlab.core import findings as fnd
from tokenlab.core import samples
from tokenlab.core.capability import Capability
from tokenlab.core.inspector import inspect
from tokenlab.core.tokendiff import diff_tokens
from tokenlab.gui.models.capability_edit_model import CapabilityEditModel, split_ops
from tokenlab.gui.models.capability_model import CapabilityMatrixModel
from tokenlab.gui.models.claims_model import ClaimsModel
from tokenlab.gui.models.diff_model import DiffModel
from tokenlab.gui.models.findings_model import FINDING_ROLE, FindingsModel
from tokenlab.gui.models.json_model import JsonTreeModel

NOW = samples.FIXED_NOW_MS + 60_000
DISPLAY = Qt.ItemDataRole.DisplayRole


def _text(model, row: int, column: int, parent: QModelIndex | None = None) -> str:  # type: ignore[no-untyped-def]
    return str(model.data(model.index(row, column, parent or QModelIndex()), DISPLAY))


def test_json_tree_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = JsonTreeModel()
    qtmodeltester.check(model)
    report = inspect(samples.load_sample("ably-jwt"), now_ms=NOW)
    model.set_document(json.loads(report.json_text or "{}"))
    qtmodeltester.check(model)
    assert [_text(model, r, 0) for r in range(model.rowCount())] == ["header", "claims"]
    claims = model.index(1, 0)
    names = [_text(model, r, 0, claims) for r in range(model.rowCount(claims))]
    assert "x-ably-capability" in names
    capability = model.index(names.index("x-ably-capability"), 0, claims)
    # the capability JSON string is expanded into its resources
    assert _text(model, 0, 0, capability) == "chat:*"
    assert _text(model, names.index("x-ably-capability"), 2, claims) == "JSON string"


def test_json_tree_masks_macs(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = JsonTreeModel()
    model.set_document({"keyName": "a.b", "mac": "c2VjcmV0"})
    qtmodeltester.check(model)
    assert _text(model, 1, 1) == "c2VjcmV0"
    model.set_masked(True)
    assert _text(model, 1, 1) != "c2VjcmV0"
    assert _text(model, 0, 1) == "a.b"


def test_findings_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = FindingsModel()
    found = [
        fnd.error("token.expired", "The token expired.", "Renew it.", 40142),
        fnd.info("x.y", "Just so you know."),
    ]
    model.set_findings(found)
    qtmodeltester.check(model)
    assert _text(model, 0, 0) == "Error"
    assert "40142" in _text(model, 0, 3)
    tip = model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert "40142 Token expired (401)" in tip and "Fix: Renew it." in tip
    assert model.data(model.index(1, 0), FINDING_ROLE) is found[1]
    assert not model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole).isNull()


def test_capability_matrix_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = CapabilityMatrixModel()
    qtmodeltester.check(model)
    requested = Capability.parse({"chat:*": ["publish", "presence"], "news": ["subscribe"]})
    granted = requested.intersect(Capability.parse({"chat:*": ["publish"]}))
    model.set_capability(granted, requested)
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    publish, presence = 0, 2
    assert model.cell(0, publish) == "granted"
    assert model.cell(0, presence) == "dropped"
    assert model.cell(1, 1) == "dropped"  # news/subscribe: not in the key at all
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "publish"


def test_capability_matrix_wildcard_ops() -> None:
    model = CapabilityMatrixModel()
    model.set_capability(Capability.all())
    assert all(model.cell(0, c) == "granted" for c in range(model.columnCount()))


def test_claims_model_times(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    report = inspect(samples.sample_text("ably-jwt", now_ms=NOW), now_ms=NOW)
    model = ClaimsModel(lambda: NOW)
    model.set_fields(report.header, report.claims, report.times)
    qtmodeltester.check(model)
    names = [_text(model, r, 1) for r in range(model.rowCount())]
    exp = names.index("exp")
    assert "in 1 h" in _text(model, exp, 2)
    assert "UTC:" in model.data(model.index(exp, 2), Qt.ItemDataRole.ToolTipRole)
    model.set_time_format("utc")
    assert _text(model, exp, 2).endswith("Z)")
    assert _text(model, 0, 0) == "Header"


def test_diff_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    diff = diff_tokens(
        samples.sample_text("ably-jwt", now_ms=NOW),
        samples.sample_text("expired-token", now_ms=NOW),
        now_ms=NOW,
    )
    model = DiffModel()
    model.set_changes(diff.changes)
    qtmodeltester.check(model)
    fields = [_text(model, r, 1) for r in range(model.rowCount())]
    assert "claims.x-ably-clientId" in fields
    row = fields.index("claims.x-ably-clientId")
    assert (_text(model, row, 2), _text(model, row, 3)) == ("alice@example.com", "carol")


def test_capability_edit_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = CapabilityEditModel()
    model.from_mapping({"chat:*": ["publish", "subscribe"]})
    qtmodeltester.check(model)
    row = model.add_row("news", "subscribe")
    assert model.setData(model.index(row, 1), "subscribe history")
    assert json.loads(model.to_json()) == {
        "chat:*": ["publish", "subscribe"],
        "news": ["subscribe", "history"],
    }
    model.remove_row(0)
    assert json.loads(model.to_json()) == {"news": ["subscribe", "history"]}
    qtmodeltester.check(model)
    assert split_ops(" publish,subscribe  presence ") == ["publish", "subscribe", "presence"]
