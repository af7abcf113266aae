"""The apps' layers point one way (backend/layers.py), and the plain-string seams between them hold."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend import layers
from disclosure.kinds import RecordKind
from scheduler.rules import CORRECTION_REPLY, DEFAULT_RULES, QUERY_REPLY, REPAIR_REPLY, STATEMENT_REPLY
from scheduler.subjects import deadline_subjects


def test_no_app_imports_a_layer_above_it(capsys: pytest.CaptureFixture[str]) -> None:
    wrong = layers.upward(layers.imports())
    assert wrong == [], "\n".join(map(str, wrong))
    assert layers.main() == 0
    printed = capsys.readouterr().out
    assert "1 scheduler    imports backend\n" in printed  # the scheduler knows no app above it
    assert "0 backend      imports (no other app)" in printed


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for app in ("backend", "scheduler", "disclosure", "inspections", "reports"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def test_the_check_finds_every_form_of_upward_import(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "scheduler/sweep.py": """
            from typing import TYPE_CHECKING
            from backend.errors import ApplicationError
            if TYPE_CHECKING:
                from disclosure.models import User
            def later():
                import reports.selectors
        """,
        "disclosure/services/x.py": "from inspections import models\n",
        "inspections/a.py": "from reports.pdf import font\n",  # sideways, same layer
        "reports/b.py": "from disclosure.models import Record\nfrom backend.urls import urlpatterns\n",
        "backend/urls.py": "from reports import views\n",  # the project's wiring may
        "backend/errors.py": "from . import ids\nfrom ..disclosure import models\n",
        "disclosure/migrations/0001.py": "from reports import selectors\n",  # frozen history
    })
    wrong = {(i.module, i.target) for i in layers.upward(layers.imports(root))}
    assert wrong == {
        ("scheduler.sweep", "disclosure.models"),
        ("scheduler.sweep", "reports.selectors"),
        ("disclosure.services.x", "inspections"),
        ("inspections.a", "reports.pdf"),
        ("reports.b", "backend.urls"),
        ("backend.errors", "disclosure"),
    }
    assert layers.main(root) == 1


def test_every_record_kind_has_its_rule_and_every_rule_names_a_kind_or_a_reply() -> None:
    keys = {rule.key for rule in DEFAULT_RULES}
    assert keys == set(RecordKind.values) | {QUERY_REPLY, CORRECTION_REPLY, STATEMENT_REPLY, REPAIR_REPLY}
    assert all(rule.display_months for rule in DEFAULT_RULES if rule.key in RecordKind.values)


def test_the_apps_registered_their_deadline_subjects() -> None:
    assert {s.kind for s in deadline_subjects()} == {"record", "request", "calendar"}
