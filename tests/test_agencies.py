"""The agency tree: the shipped file, the idempotent loader, paths and subtrees, and bad input."""
from __future__ import annotations

import copy
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from backend.errors import ApplicationError
from disclosure.models import Agency, AgencyKind, AuditEntry
from disclosure.services.agencies import agencies_default_rows, agencies_load, agency_path_for

REQUIRED_NAMES = [
    "葫芦岛市人民政府",
    "葫芦岛市市场监督管理局",
    "葫芦岛市应急管理局",
    "葫芦岛市生态环境局",
    "葫芦岛市住房和城乡建设局",
    "葫芦岛市自然资源局",
    "葫芦岛市教育局",
    "葫芦岛市卫生健康委员会",
    "葫芦岛市公安局",
    "葫芦岛市民政局",
    "葫芦岛市财政局",
    "葫芦岛市人力资源和社会保障局",
    "葫芦岛市交通运输局",
    "葫芦岛市水利局",
    "葫芦岛市农业农村局",
    "葫芦岛市商务局",
    "葫芦岛市文化旅游和广播电视局",
    "葫芦岛市司法局",
    "葫芦岛市工业和信息化局",
    "葫芦岛市发展和改革委员会",
    "葫芦岛市连山区人民政府",
    "葫芦岛市龙港区人民政府",
    "葫芦岛市南票区人民政府",
    "兴城市人民政府",
    "绥中县人民政府",
    "建昌县人民政府",
    "杨家杖子经济开发区管理委员会",
    "葫芦岛市连山区市场监督管理局",
    "兴城市市场监督管理局",
    "绥中县市场监督管理局",
    "建昌县市场监督管理局",
    "葫芦岛市生态环境局绥中分局",
]

SUMMARY_RE = re.compile(r"Agencies: (\d+) created, (\d+) updated, (\d+) unchanged\.")


def load(path: Path | None = None) -> tuple[int, int, int]:
    out = StringIO()
    args = ["--file", str(path)] if path is not None else []
    with translation.override("en"):
        call_command("load_agencies", *args, stdout=out)
    match = SUMMARY_RE.search(out.getvalue())
    assert match, out.getvalue()
    return int(match[1]), int(match[2]), int(match[3])


def snapshot() -> list[tuple]:
    return list(Agency.objects.order_by("code").values_list("code", "name", "kind", "parent__code", "path",
                                                              "is_market_regulator"))


def load_audits() -> int:
    return AuditEntry.objects.filter(action="agency.load").count()


def write_rows(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def descendants_by_walk(agency: Agency) -> set[str]:
    """The strict descendants of ``agency``, found by following parent links (not paths)."""
    parent_of = dict(Agency.objects.values_list("code", "parent__code"))
    found = set()
    for code in parent_of:
        up = parent_of[code]
        while up is not None:
            if up == agency.code:
                found.add(code)
                break
            up = parent_of[up]
    return found


def test_default_file_is_well_formed():
    rows = agencies_default_rows()
    codes = [row["code"] for row in rows]
    assert len(rows) >= 45
    assert len(set(codes)) == len(codes)
    seen: set[str] = set()
    for row in rows:  # parents come before children
        assert row["parent"] is None or row["parent"] in seen, row
        assert row["kind"] in AgencyKind.values
        seen.add(row["code"])
    assert {row["kind"] for row in rows} == set(AgencyKind.values)


@pytest.mark.django_db
def test_load_default_file():
    created, updated, unchanged = load()
    total = Agency.objects.count()
    assert total >= 45
    assert (created, updated, unchanged) == (total, 0, 0)

    names = set(Agency.objects.values_list("name", flat=True))
    assert len(REQUIRED_NAMES) >= 30
    assert not set(REQUIRED_NAMES) - names

    regulators = list(Agency.objects.filter(is_market_regulator=True))
    assert [a.name for a in regulators] == ["葫芦岛市市场监督管理局"]
    assert regulators[0].parent.code == "city"

    root = Agency.objects.get(parent__isnull=True)
    assert (root.code, root.name, root.kind, root.path) == ("city", "葫芦岛市人民政府", AgencyKind.GOVERNMENT, "city/")
    assert Agency.objects.get(code="city-amr").path == "city/city-amr/"
    assert max(a.depth for a in Agency.objects.all()) >= 4
    zone = Agency.objects.get(name="杨家杖子经济开发区管理委员会")
    assert zone.kind == AgencyKind.DEVELOPMENT_ZONE and zone.parent == root
    branch = Agency.objects.get(name="葫芦岛市生态环境局绥中分局")
    assert branch.kind == AgencyKind.DISPATCHED_BODY and branch.parent.name == "葫芦岛市生态环境局"
    for county in ("葫芦岛市连山区人民政府", "兴城市人民政府", "绥中县人民政府", "建昌县人民政府"):
        assert Agency.objects.get(name=county).parent == root

    entries = list(AuditEntry.objects.filter(action="agency.load"))
    assert len(entries) == 1
    assert entries[0].object_type == "agency"
    assert entries[0].detail == {"created": total, "updated": 0, "unchanged": 0}


@pytest.mark.django_db
def test_second_run_changes_nothing():
    load()
    before = snapshot()
    audits = load_audits()
    assert load() == (0, 0, len(before))
    assert snapshot() == before
    assert load_audits() == audits == 1


@pytest.mark.django_db
def test_paths_and_subtrees():
    load()
    agencies = list(Agency.objects.select_related("parent"))
    for agency in agencies:
        assert agency.path == agency_path_for(code=agency.code, parent=agency.parent)
        subtree = set(Agency.objects.filter(path__startswith=agency.path).values_list("code", flat=True))
        assert subtree == descendants_by_walk(agency) | {agency.code}, agency.code
    lianshan = Agency.objects.get(code="lianshan")
    assert set(Agency.objects.filter(path__startswith=lianshan.path).values_list("code", flat=True)) == {
        "lianshan", "lianshan-amr", "lianshan-amr-gangtun", "lianshan-amr-yangjiao",
        "lianshan-emergency", "lianshan-housing", "lianshan-education",
    }
    # "city-eco" is a prefix of "city-eco-lianshan" as a code, but not as a path.
    eco = Agency.objects.get(code="city-eco")
    assert Agency.objects.get(code="city-eco-lianshan").path == "city/city-eco/city-eco-lianshan/"
    assert not Agency.objects.filter(path__startswith=eco.path).filter(code__startswith="lianshan").exists()


@pytest.mark.django_db
def test_reparenting_moves_the_whole_subtree():
    load()
    rows = agencies_default_rows()
    for row in rows:
        if row["code"] == "lianshan-amr":
            row["parent"] = "longgang"
    result = agencies_load(rows=rows)
    assert (result.created, result.updated, result.unchanged) == (0, 1, len(rows) - 1)

    moved = Agency.objects.get(code="lianshan-amr")
    assert moved.parent.code == "longgang"
    assert moved.path == "city/longgang/lianshan-amr/"
    assert Agency.objects.get(code="lianshan-amr-gangtun").path == "city/longgang/lianshan-amr/lianshan-amr-gangtun/"
    longgang = set(Agency.objects.filter(path__startswith="city/longgang/").values_list("code", flat=True))
    assert {"lianshan-amr", "lianshan-amr-gangtun", "lianshan-amr-yangjiao"} <= longgang
    lianshan = set(Agency.objects.filter(path__startswith="city/lianshan/").values_list("code", flat=True))
    assert lianshan.isdisjoint({"lianshan-amr", "lianshan-amr-gangtun", "lianshan-amr-yangjiao"})
    for agency in Agency.objects.select_related("parent"):
        assert agency.path == agency_path_for(code=agency.code, parent=agency.parent)
    assert load_audits() == 2
    assert AuditEntry.objects.filter(action="agency.load").order_by("-id").first().detail == {
        "created": 0, "updated": 1, "unchanged": len(rows) - 1,
    }


@pytest.mark.django_db
def test_moving_a_body_moves_descendants_not_in_the_rows():
    load()
    # Only the moved row is given; its children and grandchildren follow it anyway.
    row = next(r for r in agencies_default_rows() if r["code"] == "lianshan")
    row = {**row, "parent": "city-amr"}
    result = agencies_load(rows=[row])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Agency.objects.get(code="lianshan-amr-gangtun").path == (
        "city/city-amr/lianshan/lianshan-amr/lianshan-amr-gangtun/"
    )
    assert Agency.objects.filter(path__startswith="city/lianshan/").count() == 0
    # ...and loading the default file moves it back.
    assert load() == (0, 1, Agency.objects.count() - 1)
    assert Agency.objects.get(code="lianshan-amr-gangtun").path == "city/lianshan/lianshan-amr/lianshan-amr-gangtun/"


@pytest.mark.django_db
def test_load_updates_names_and_creates_new_bodies():
    load()
    rows = agencies_default_rows()
    rows[1] = {**rows[1], "name": rows[1]["name"] + "（更名）"}
    rows.append({"code": "lianshan-amr-enforcement", "name": "葫芦岛市连山区市场监督管理局综合行政执法队",
                 "parent": "lianshan-amr", "kind": "internal_body", "is_market_regulator": False})
    result = agencies_load(rows=rows)
    assert (result.created, result.updated, result.unchanged) == (1, 1, len(rows) - 2)
    new = Agency.objects.get(code="lianshan-amr-enforcement")
    assert new.path == "city/lianshan/lianshan-amr/lianshan-amr-enforcement/"
    assert new.depth == 4


@pytest.mark.django_db
def test_rows_may_come_in_any_order():
    rows = list(reversed(agencies_default_rows()))
    result = agencies_load(rows=rows)
    assert result.created == len(rows)
    for agency in Agency.objects.select_related("parent"):
        assert agency.path == agency_path_for(code=agency.code, parent=agency.parent)


def _unknown_parent(rows):
    rows.append({"code": "bad-orphan", "name": "孤立机构", "parent": "no-such-agency", "kind": "department",
                 "is_market_regulator": False})
    return ["bad-orphan", "no-such-agency"]


def _duplicate_code(rows):
    rows.append({"code": "city-amr", "name": "重复的机构", "parent": "city", "kind": "department",
                 "is_market_regulator": False})
    return ["city-amr", f"Row {len(rows)}", "duplicate"]


def _cycle(rows):
    # The city bureau made a child of its own branch office.
    for row in rows:
        if row["code"] == "city-eco":
            row["parent"] = "city-eco-lianshan"
    return ["city-eco", "cycle"]


def _bad_kind(rows):
    rows.append({"code": "bad-kind", "name": "类型错误", "parent": "city", "kind": "ministry",
                 "is_market_regulator": False})
    return ["bad-kind", "ministry"]


def _second_regulator(rows):
    rows.append({"code": "bad-regulator", "name": "第二个市场监管局", "parent": "city", "kind": "department",
                 "is_market_regulator": True})
    return ["bad-regulator"]


BAD_FILES = [_unknown_parent, _duplicate_code, _cycle, _bad_kind, _second_regulator]


@pytest.mark.django_db
@pytest.mark.parametrize("spoil", BAD_FILES, ids=lambda f: f.__name__.strip("_"))
def test_bad_file_changes_nothing(tmp_path, spoil):
    load()
    before, audits = snapshot(), load_audits()
    rows = agencies_default_rows()
    # A valid new body and a renamed one first: they must not be written either.
    rows.insert(1, {"code": "city-new-office", "name": "新设机构", "parent": "city", "kind": "department",
                    "is_market_regulator": False})
    rows[2] = {**rows[2], "name": "改名"}
    expected = spoil(rows)
    with pytest.raises(CommandError) as excinfo, translation.override("en"):
        call_command("load_agencies", "--file", str(write_rows(tmp_path, rows)), stdout=StringIO())
    for text in expected:
        assert text in str(excinfo.value)
    assert snapshot() == before
    assert load_audits() == audits


@pytest.mark.django_db
@pytest.mark.parametrize("spoil", BAD_FILES, ids=lambda f: f.__name__.strip("_"))
def test_bad_file_on_empty_database(tmp_path, spoil):
    rows = agencies_default_rows()
    expected = spoil(rows)
    with pytest.raises(CommandError) as excinfo, translation.override("en"):
        call_command("load_agencies", "--file", str(write_rows(tmp_path, rows)), stdout=StringIO())
    assert expected[0] in str(excinfo.value)
    assert Agency.objects.count() == 0
    assert load_audits() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content", ["not json", '{"code": "city"}', "[1, 2]", '[{"code": "Bad Code", "name": "x", "kind": "government"}]'],
)
def test_malformed_file(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_agencies", "--file", str(path), stdout=StringIO())
    assert Agency.objects.count() == 0


@pytest.mark.django_db
def test_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("load_agencies", "--file", str(tmp_path / "missing.json"), stdout=StringIO())


@pytest.mark.django_db
def test_cycle_through_existing_descendant_is_refused():
    load()
    before = snapshot()
    # Only "lianshan" is in the rows; its grandchild, which it is made a child of, is only in the database.
    row = next(r for r in agencies_default_rows() if r["code"] == "lianshan")
    with pytest.raises(ApplicationError, match="lianshan"):
        agencies_load(rows=[{**row, "parent": "lianshan-amr-gangtun"}])
    assert snapshot() == before


@pytest.mark.django_db
def test_service_is_idempotent_and_audits_once():
    rows = agencies_default_rows()
    first = agencies_load(rows=copy.deepcopy(rows))
    second = agencies_load(rows=copy.deepcopy(rows))
    assert first.created == len(rows) and first.changed
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))
    assert not second.changed
    assert load_audits() == 1


def test_agency_path_for():
    root = Agency(code="city", path="city/")
    assert agency_path_for(code="city", parent=None) == "city/"
    assert agency_path_for(code="city-amr", parent=root) == "city/city-amr/"
