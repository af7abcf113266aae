"""The apps' layers and the one direction their imports may point.

Each layer may import from the layers below it, never from one above::

    3  inspections, reports    the 双随机 draw and results; the bureau's audit and reports
    2  disclosure              records, requests, agencies and staff, the public side
    1  scheduler               the working-day calendar, the rule table, the deadline sweep, notices
    0  backend                 what every app shares: errors, environment, ids, PDF fonts, canonical JSON

Apps of one layer do not import each other either. The project's wiring (``PROJECT``: settings,
the root URLconf, the site-level health view, the WSGI entry) composes the apps and so may import
any of them; nothing imports it. A lower layer that must act on a higher one's objects is given a
hook (a registry, a signal), never an import, and every import counts: one inside a function or
under ``TYPE_CHECKING`` hides a cycle just as well.

``python -m backend.layers`` prints which apps each app imports and exits 1 on an upward import;
``bin/test`` runs it, and ``tests/test_layers.py`` proves it catches one.
"""
from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LAYERS: tuple[tuple[str, ...], ...] = (("backend",), ("scheduler",), ("disclosure",), ("inspections", "reports"))
PROJECT: tuple[str, ...] = ("backend.settings", "backend.urls", "backend.views", "backend.wsgi")
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    line: int
    target: str  # the imported module, dotted

    def __str__(self) -> str:
        return f"{self.module.replace('.', '/')}.py:{self.line} imports {self.target}"


def _layer_of(module: str) -> int | None:
    top = module.split(".")[0]
    return next((i for i, apps in enumerate(LAYERS) if top in apps), None)


def _is_project(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in PROJECT)


def _modules(root: Path) -> Iterator[tuple[str, Path]]:
    for app in (a for apps in LAYERS for a in apps):
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            if "migrations" in relative.parts:
                continue  # a migration is frozen history; it may name any app's code of its day
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            yield ".".join(parts), path


def imports(root: Path = ROOT) -> list[Import]:
    """Every import of one app's code by another's, at any depth of the module (functions too)."""
    found: list[Import] = []
    for module, path in _modules(root):
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against the importing package
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base]
            else:
                continue
            found.extend(Import(module, node.lineno, t) for t in targets
                         if _layer_of(t) is not None and t.split(".")[0] != module.split(".")[0])
    return found


def upward(found: list[Import]) -> list[Import]:
    """The imports that point up a layer, or sideways to another app of the same layer."""
    wrong = []
    for imp in found:
        if _is_project(imp.module):
            continue
        if _is_project(imp.target):
            wrong.append(imp)
            continue
        mine, theirs = _layer_of(imp.module), _layer_of(imp.target)
        assert mine is not None and theirs is not None
        if theirs >= mine:
            wrong.append(imp)
    return wrong


def main(root: Path = ROOT) -> int:
    found = imports(root)
    uses: dict[str, set[str]] = defaultdict(set)
    for imp in found:
        if not _is_project(imp.module):
            uses[imp.module.split(".")[0]].add(imp.target.split(".")[0])
    for level, apps in reversed(list(enumerate(LAYERS))):
        for app in apps:
            print(f"  {level} {app:<12} imports {', '.join(sorted(uses[app])) or '(no other app)'}")
    wrong = upward(found)
    for imp in wrong:
        print(f"upward import: {imp}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
