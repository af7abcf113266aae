"""The transparency log (issue 18): checked against an independent implementation of RFC 9162's
definitions written here, tamper detection, signed heads and C2SP checkpoints, key rotation, the
public API's answers to bad input, and the standalone verifier run against a live server."""
from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from disclosure import merkle
from disclosure.db_guards import install_guards, remove_guards
from disclosure.models import FeedEvent, SignedTreeHead, TransparencyLeaf, TransparencyNode
from disclosure.selectors import transparency as sel
from disclosure.services.expiry import records_expire
from disclosure.services.transparency import tlog_backfill, tlog_verify, tree_head_sign
from tests.conftest import Staff, call_command_en, penalty, publish_record, standard_details

VERIFIER = Path(settings.BASE_DIR) / "docs" / "verify_transparency.py"


# -- RFC 9162 section 2.1, written from the text, recursively (not the code under test) ----------------
def H(data: bytes) -> bytes:  # noqa: N802
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def MTH(d: list[bytes]) -> bytes:  # noqa: N802
    if not d:
        return H(b"")
    if len(d) == 1:
        return H(b"\x00" + d[0])
    k = k_of(len(d))
    return H(b"\x01" + MTH(d[:k]) + MTH(d[k:]))


def PATH(m: int, d: list[bytes]) -> list[bytes]:  # noqa: N802
    if len(d) == 1:
        return []
    k = k_of(len(d))
    return PATH(m, d[:k]) + [MTH(d[k:])] if m < k else PATH(m - k, d[k:]) + [MTH(d[:k])]


def SUBPROOF(m: int, d: list[bytes], b: bool) -> list[bytes]:  # noqa: N802
    n = len(d)
    if m == n:
        return [] if b else [MTH(d)]
    k = k_of(n)
    return SUBPROOF(m, d[:k], b) + [MTH(d[k:])] if m <= k else SUBPROOF(m - k, d[k:], False) + [MTH(d[:k])]


def PROOF(m: int, d: list[bytes]) -> list[bytes]:  # noqa: N802
    return SUBPROOF(m, d, True)


def in_memory(leaves: list[bytes]) -> dict[merkle.Part, bytes]:
    """Every perfect subtree of ``leaves`` by (level, index), computed with MTH."""
    out: dict[merkle.Part, bytes] = {}
    level = 0
    while (1 << level) <= len(leaves):
        size = 1 << level
        for i in range(len(leaves) // size):
            out[(level, i)] = MTH(leaves[i * size:(i + 1) * size])
        level += 1
    return out


# -- the arithmetic ---------------------------------------------------------------------------------------
def test_roots_and_proofs_match_rfc_9162_for_every_size_up_to_70() -> None:
    data = [f"leaf {i}".encode() for i in range(70)]
    stored = in_memory(data)
    frontier: list[tuple[int, int, bytes]] = []
    for i, leaf in enumerate(data):
        frontier, completed = merkle.frontier_after(frontier, i, merkle.leaf_hash(leaf))
        for level, index, h in completed:
            assert stored[(level, index)] == h and level >= 1
    for n in range(1, 71):
        d = data[:n]
        root = MTH(d)
        assert merkle.root_plan(n).resolve(stored)[0] == root
        for m in range(n):
            path = merkle.inclusion_plan(m, n).resolve(stored)
            assert path == PATH(m, d)
            assert merkle.verify_inclusion(index=m, size=n, leaf=merkle.leaf_hash(d[m]), proof=path, root=root)
        for m in range(1, n + 1):
            proof = merkle.consistency_plan(m, n).resolve(stored)
            assert proof == PROOF(m, d)
            assert merkle.verify_consistency(first=m, second=n, first_root=MTH(data[:m]), second_root=root,
                                             proof=proof)


@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n), st.integers(0, n - 1))))
@hsettings(max_examples=150, deadline=None)
def test_random_sizes_match_rfc_9162(args: tuple[int, int, int]) -> None:
    n, m, index = args
    data = [i.to_bytes(4, "big") for i in range(n)]
    stored = in_memory(data)
    assert merkle.consistency_plan(m, n).resolve(stored) == PROOF(m, data)
    assert merkle.inclusion_plan(index, n).resolve(stored) == PATH(index, data)
    # A proof is O(log n) stored hashes, whatever n.
    assert len(merkle.inclusion_plan(index, n).parts()) <= 2 * n.bit_length()
    assert len(merkle.consistency_plan(m, n).parts()) <= 2 * n.bit_length() + 2


def test_a_wrong_proof_is_refused() -> None:
    data = [bytes([i]) for i in range(11)]
    stored = in_memory(data)
    proof = merkle.consistency_plan(6, 11).resolve(stored)
    assert not merkle.verify_consistency(first=6, second=11, first_root=MTH(data[:6]), second_root=MTH(data),
                                         proof=proof[:-1])
    forked = [*data[:3], b"forged", *data[4:]]
    assert not merkle.verify_consistency(first=6, second=11, first_root=MTH(data[:6]), second_root=MTH(forked),
                                         proof=merkle.consistency_plan(6, 11).resolve(in_memory(forked)))
    path = merkle.inclusion_plan(4, 11).resolve(stored)
    assert not merkle.verify_inclusion(index=5, size=11, leaf=merkle.leaf_hash(data[4]), proof=path, root=MTH(data))
    assert merkle.key_part(merkle.node_key(5, 123)) == (5, 123)


# -- the log over the feed ------------------------------------------------------------------------------------
def _publish(client: APIClient, **overrides: Any) -> int:
    pk = int(client.post("/api/v1/records/", penalty(**overrides), format="json").json()["id"])
    assert client.post(f"/api/v1/records/{pk}/publish/", {}, format="json").status_code == 200
    return pk


GROUNDS = {"reason": "复议", "legal_basis": "复议决定", "document_number": "复〔2026〕1号"}


def every_kind_of_event(clerk: Staff, clock: Callable[..., None]) -> dict[str, tuple[int, int]]:
    """Publish, change, correct, revoke and expire through the real services; (record, version) of each."""
    clock("2026-09-29")
    staff = clerk.client()
    a = _publish(staff, content="联系电话13812345678")
    staff.post(f"/api/v1/records/{a}/change/", {**GROUNDS, "changes": {"title": "新标题"}}, format="json")
    staff.post(f"/api/v1/records/{a}/change/", {**GROUNDS, "type": "correction", "changes": {"title": "更正标题"}},
               format="json")
    staff.post(f"/api/v1/records/{a}/revoke/", GROUNDS, format="json")
    b = _publish(staff, penalty_types=["criticism"])
    clock("2027-01-05")
    assert records_expire() == 1
    events = {e.action: (e.record_id, e.version.number) for e in FeedEvent.objects.select_related("version")}
    assert set(events) == {"publish", "change", "correct", "revoke", "expire"} and events["publish"][0] in (a, b)
    return events


def _leaves() -> list[bytes]:
    return [bytes(c) for c in TransparencyLeaf.objects.order_by("index").values_list("content", flat=True)]


@pytest.mark.django_db
def test_every_event_is_a_frozen_leaf_and_the_stored_tree_is_rfc_9162(clerk: Staff, clock: Any) -> None:
    every_kind_of_event(clerk, clock)
    for extra in range(9):
        _publish(clerk.client(), title=f"案件{extra}")
    leaves = _leaves()
    events = list(FeedEvent.objects.select_related("version").order_by("position"))
    assert len(leaves) == len(events) == 15
    for leaf, event in zip(leaves, events, strict=True):
        shown = json.loads(leaf)
        assert (shown["position"], shown["record"], shown["version"], shown["action"]) == (
            event.position, event.record_id, event.version.number, event.action)
        assert leaf.decode() == json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    first = json.loads(leaves[0])
    assert first["payload"]["content"] == "联系电话138****5678"  # masked, as the public saw it
    # Each leaf stores its hash; about one subtree per leaf is stored, never more than n.
    assert TransparencyNode.objects.count() == len(leaves) - bin(len(leaves)).count("1")
    for n in range(1, len(leaves) + 1):
        assert sel.tree_root(n) == MTH(leaves[:n])
        for m in range(n):
            assert sel.inclusion_path(index=m, size=n) == PATH(m, leaves[:n])
        for m in range(1, n + 1):
            assert sel.consistency_path(first=m, second=n) == PROOF(m, leaves[:n])
    head = tree_head_sign()
    assert tlog_verify(progress=False).ok
    assert tree_head_sign().pk == head.pk  # unchanged tree: the same head


@pytest.mark.django_db
def test_a_proof_fetch_is_one_query(clerk: Staff, clock: Any, django_assert_num_queries: Any) -> None:
    clock("2026-09-29")
    for i in range(13):
        _publish(clerk.client(), title=f"案件{i}")
    with django_assert_num_queries(1):
        sel.inclusion_path(index=5, size=13)
    with django_assert_num_queries(1):
        sel.consistency_path(first=6, second=13)


@pytest.mark.django_db
def test_the_batched_import_appends_the_same_log(clerk: Staff, clock: Any) -> None:
    from disclosure.services.backfill import backfill_import

    clock("2026-10-09")
    _publish(clerk.client())
    header = ("external_id,kind,agency,title,subject_name,subject_code,event_date,content,legal_basis,"
              "document_number,disclosure,published")
    code = penalty()["subject_code"]
    rows = [f"x{i},penalty,lianshan-amr,案{i},某公司,{code},2026-09-28,罚款。,某法,罚〔2026〕{i}号,public,1"
            for i in range(5)]
    report = backfill_import(actor=clerk.user, file_name="b.csv", data="\n".join([header, *rows]).encode(),
                             per_record=False)
    assert report.as_dict()["ok"], report.as_dict()
    assert len(_leaves()) == FeedEvent.objects.count() == 6
    assert sel.tree_root(6) == MTH(_leaves())
    assert tlog_verify(progress=False).ok


# -- tampering ---------------------------------------------------------------------------------------------------
def _tamper(sql: str, params: list[Any]) -> None:
    remove_guards(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    install_guards(connection)


def _signed_log(clerk: Staff, clock: Any, n: int = 7) -> SignedTreeHead:
    clock("2026-09-29")
    for i in range(n):
        _publish(clerk.client(), title=f"案件{i}")
    return tree_head_sign()


def _problems() -> list[str]:
    report = tlog_verify(progress=False)
    return report.problems


@pytest.mark.django_db
def test_the_guards_refuse_update_and_delete(clerk: Staff, clock: Any) -> None:
    from django.db import DatabaseError

    _signed_log(clerk, clock, 2)
    for statement in ("UPDATE disclosure_transparencyleaf SET hash = hash",
                      "DELETE FROM disclosure_transparencynode",
                      "DELETE FROM disclosure_signedtreehead", "UPDATE disclosure_transparencykey SET key_id = key_id"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


@pytest.mark.django_db
def test_an_altered_leaf_is_detected(clerk: Staff, clock: Any) -> None:
    _signed_log(clerk, clock)
    forged = _leaves()[3].replace("案件3".encode(), "案件X".encode())
    _tamper("UPDATE disclosure_transparencyleaf SET content = %s WHERE \"index\" = 3", [forged])
    assert any("leaf 3: its hash" in p for p in _problems())


@pytest.mark.django_db
def test_an_altered_node_is_detected_and_breaks_the_consistency_proof(clerk: Staff, clock: Any) -> None:
    old = _signed_log(clerk, clock, 3)
    for i in range(5):
        _publish(clerk.client(), title=f"后来{i}")
    new = tree_head_sign()
    _tamper("UPDATE disclosure_transparencynode SET hash = %s WHERE key = %s", [b"\x07" * 32, merkle.node_key(1, 0)])
    assert any("node 1/0" in p for p in _problems())
    body = APIClient().get(f"/api/v1/transparency/proof/consistency/?first={old.tree_size}&second={new.tree_size}")
    proof = [base64.b64decode(h) for h in body.json()["proof"]]
    assert not merkle.verify_consistency(first=old.tree_size, second=new.tree_size, proof=proof,
                                         first_root=bytes(old.root_hash), second_root=bytes(new.root_hash))


@pytest.mark.django_db
def test_an_altered_head_time_is_detected(clerk: Staff, clock: Any) -> None:
    """The time is signed: moved by one millisecond, the head no longer verifies; moved off the
    millisecond grid, it cannot be a head this log signed."""
    head = _signed_log(clerk, clock, 2)
    field = SignedTreeHead._meta.get_field("timestamp")
    assert head.timestamp == datetime(2026, 9, 29, 2, tzinfo=UTC)
    later, off_grid = head.timestamp + timedelta(milliseconds=1), head.timestamp + timedelta(microseconds=1)
    _tamper("UPDATE disclosure_signedtreehead SET timestamp = %s WHERE id = %s",
            [field.get_db_prep_value(later, connection), head.pk])
    assert _problems() == ["head of size 2 (2026-09-29T10:00:00.001+08:00): signature does not verify"]
    _tamper("UPDATE disclosure_signedtreehead SET timestamp = %s WHERE id = %s",
            [field.get_db_prep_value(off_grid, connection), head.pk])
    assert _problems() == ["head of size 2 (2026-09-29T02:00:00.000001+00:00): timestamp is not in whole "
                           "milliseconds, so not what was signed"]


@pytest.mark.django_db
def test_a_deleted_leaf_is_detected(clerk: Staff, clock: Any) -> None:
    _signed_log(clerk, clock)
    _tamper("DELETE FROM disclosure_transparencyleaf WHERE \"index\" = 2", [])
    problems = _problems()
    assert any("leaf 2 is missing" in p for p in problems)


@pytest.mark.django_db
def test_a_forked_tree_re_signed_with_the_real_key_is_detected(clerk: Staff, clock: Any) -> None:
    """Someone with database and key access rewrites leaf 2 and every hash above it consistently,
    then signs the forked tree: the new head verifies on its own, but not against the old one."""
    old = _signed_log(clerk, clock, 6)
    leaves = _leaves()
    leaves[2] = leaves[2].replace("案件2".encode(), "案件Z".encode())
    remove_guards(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE disclosure_transparencyleaf SET content = %s, hash = %s WHERE \"index\" = 2",
                       [leaves[2], merkle.leaf_hash(leaves[2])])
        for (level, index), h in in_memory(leaves).items():
            if level:
                cursor.execute("UPDATE disclosure_transparencynode SET hash = %s WHERE key = %s",
                               [h, merkle.node_key(level, index)])
    install_guards(connection)
    _publish(clerk.client(), title="分叉之后")
    forked = tree_head_sign()
    problems = _problems()
    assert any(f"head of size {old.tree_size}" in p and "root hash differs" in p for p in problems)
    assert any("not consistent with the newest head" in p for p in problems)
    proof = sel.consistency_path(first=old.tree_size, second=forked.tree_size)
    assert not merkle.verify_consistency(first=old.tree_size, second=forked.tree_size, proof=proof,
                                         first_root=bytes(old.root_hash), second_root=bytes(forked.root_hash))
    with pytest.raises(Exception, match="broken"):
        call_command_en("transparency_verify", "--no-progress")


@pytest.mark.django_db
def test_a_leaf_that_does_not_describe_its_event_is_detected(clerk: Staff, clock: Any) -> None:
    _signed_log(clerk, clock, 3)
    shown = json.loads(_leaves()[1])
    shown["action"] = "revoke"
    forged = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    _tamper("UPDATE disclosure_transparencyleaf SET content = %s, hash = %s WHERE \"index\" = 1",
            [forged, merkle.leaf_hash(forged)])
    assert any("leaf 1: its bytes do not describe feed event 2" in p for p in _problems())


# -- heads, checkpoints, keys ---------------------------------------------------------------------------------------
def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.mark.django_db
def test_the_checkpoint_is_a_c2sp_signed_note(clerk: Staff, clock: Any) -> None:
    head = _signed_log(clerk, clock, 5)
    response = APIClient().get("/api/v1/transparency/checkpoint")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    note = response.content.decode("utf-8")
    origin = settings.TRANSPARENCY_LOG_ORIGIN
    root = base64.b64encode(MTH(_leaves())).decode()
    body = f"{origin}\n5\n{root}\n"
    assert note.startswith(body + "\n\u2014 " + origin + " ")
    assert note.endswith("\n") and note.count("\n") == 5
    blob = base64.b64decode(note.split("\n")[4].split(" ")[2])
    keys = APIClient().get("/api/v1/transparency/public-keys/").json()
    raw = base64.b64decode(keys[0]["public_key_raw"])
    assert blob[:4] == hashlib.sha256(origin.encode() + b"\n" + b"\x01" + raw).digest()[:4]
    Ed25519PublicKey.from_public_bytes(raw).verify(blob[4:], body.encode())
    name, key_hash, typed = keys[0]["note_verifier_key"].split("+", 2)
    assert (name, key_hash, base64.b64decode(typed)) == (origin, blob[:4].hex(), b"\x01" + raw)
    assert keys[0]["algorithm"] == "ed25519"
    assert base64.b64decode(keys[0]["public_key"]) == Ed25519PublicKey.from_public_bytes(raw).public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert keys[0]["key_id"] == base64.b64encode(hashlib.sha256(base64.b64decode(keys[0]["public_key"])).digest()
                                                 ).decode() == head.key_id
    sth = APIClient().get("/api/v1/transparency/sth/").json()
    signed = json.dumps({k: sth[k] for k in ("key_id", "root_hash", "timestamp", "tree_size")},
                        sort_keys=True, separators=(",", ":")).encode()
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(sth["signature"]), signed)
    assert sth["root_hash"] == root and sth["tree_size"] == 5


def test_the_signed_head_message_is_these_exact_bytes() -> None:
    """What the JSON signature covers, byte for byte: the timestamp is ISO 8601 in Asia/Shanghai with
    exactly three decimals and the offset, whatever zone the stored datetime comes in."""
    at = datetime(2026, 12, 6, 13, 30, 0, 123000, tzinfo=UTC)
    message = sel.head_signed_json(key_id="a2V5", root_hash=bytes(range(32)), timestamp=at, tree_size=5)
    assert message == (b'{"key_id":"a2V5","root_hash":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",'
                       b'"timestamp":"2026-12-06T21:30:00.123+08:00","tree_size":5}')
    assert sel.head_time(at.astimezone(ZoneInfo("America/New_York"))) == "2026-12-06T21:30:00.123+08:00"
    # Whole seconds keep their three zeros; the day rolls over at Beijing midnight, not UTC's.
    assert sel.head_time(datetime(2026, 12, 6, 16, 0, tzinfo=UTC)) == "2026-12-07T00:00:00.000+08:00"
    with pytest.raises(ValueError):
        sel.head_time(at.replace(microsecond=123456))  # a stored time is whole milliseconds: never rounded
    with pytest.raises(ValueError):
        sel.head_time(at.replace(tzinfo=None))  # naive
    # The fixed offset is the project's zone (Asia/Shanghai has no daylight saving).
    assert settings.TIME_ZONE == "Asia/Shanghai"
    for month in range(1, 13):
        moment = datetime(2026, month, 1, tzinfo=UTC)
        assert ZoneInfo(settings.TIME_ZONE).utcoffset(moment) == sel.HEAD_TIME_ZONE.utcoffset(moment)
    # A new head's time: cut (not rounded) to the millisecond, strictly after the newest head's.
    now = at.replace(microsecond=123999)
    assert sel.head_time_next(now=now, newest=None) == at
    assert sel.head_time_next(now=now, newest=at) == at + timedelta(milliseconds=1)
    assert sel.head_time_next(now=now, newest=at + timedelta(seconds=5)) == at + timedelta(seconds=5, milliseconds=1)


@pytest.mark.django_db
def test_the_served_head_time_is_signed_stored_and_shown_exactly(clerk: Staff, superuser: Any) -> None:
    """Through the database (SQLite's text, PostgreSQL's timestamptz) and the API, the signed string
    comes back byte for byte; two heads within one millisecond keep their order."""
    with time_machine.travel(datetime(2026, 12, 6, 13, 30, 0, 123456, tzinfo=UTC), tick=False):
        _publish(clerk.client(), title="案件一")
        first = tree_head_sign()
        _publish(clerk.client(), title="案件二")
        second = tree_head_sign()
    assert sel.head_time(first.timestamp) == "2026-12-06T21:30:00.123+08:00"
    assert sel.head_time(second.timestamp) == "2026-12-06T21:30:00.124+08:00"
    stored = SignedTreeHead.objects.select_related("key").get(pk=second.pk)
    assert stored.timestamp == second.timestamp and stored.timestamp.microsecond == 124000
    sth = APIClient().get("/api/v1/transparency/sth/").json()
    assert sth["timestamp"] == "2026-12-06T21:30:00.124+08:00" and sth["tree_size"] == 2
    exact = (f'{{"key_id":"{stored.key_id}","root_hash":"{sth["root_hash"]}",'
             '"timestamp":"2026-12-06T21:30:00.124+08:00","tree_size":2}').encode()
    assert sel.head_signed_json(key_id=stored.key_id, root_hash=bytes(stored.root_hash), timestamp=stored.timestamp,
                                tree_size=2) == exact
    raw = bytes(stored.key.public_key)
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(sth["signature"]), exact)
    older = APIClient().get("/api/v1/transparency/sth/?tree_size=1").json()
    assert older["timestamp"] == "2026-12-06T21:30:00.123+08:00"
    # The checkpoint carries no time (C2SP tlog-checkpoint: origin, size, root).
    note = APIClient().get("/api/v1/transparency/checkpoint").content.decode()
    assert "2026" not in note.partition("\n\n")[0]
    # The OpenAPI schema documents it as a date-time.
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["components"]["schemas"]["TreeHeadOutput"]["properties"]["timestamp"]["format"] == "date-time"
    # The admin shows the exact string.
    admin = Client()
    admin.force_login(superuser)
    assert "2026-12-06T21:30:00.124+08:00" in admin.get("/admin/disclosure/signedtreehead/").content.decode()
    detail = admin.get(f"/admin/disclosure/signedtreehead/{stored.pk}/change/").content.decode()
    assert "2026-12-06T21:30:00.124+08:00" in detail and sth["root_hash"] in detail
    assert tlog_verify(progress=False).ok


@pytest.mark.django_db
def test_key_rotation_keeps_old_heads_verifiable(clerk: Staff, clock: Any) -> None:
    old = _signed_log(clerk, clock, 3)
    new_key = Ed25519PrivateKey.generate()
    seed = new_key.private_bytes_raw()
    with override_settings(TRANSPARENCY_SIGNING_KEY=seed):
        same_size = tree_head_sign()  # a new key signs the same tree again: a head of its own
        assert same_size.pk != old.pk and same_size.key_id != old.key_id
        _publish(clerk.client(), title="轮换之后")
        new = tree_head_sign()
    keys = APIClient().get("/api/v1/transparency/public-keys/").json()
    assert [k["key_id"] for k in keys] == [old.key_id, new.key_id]
    assert base64.b64decode(keys[1]["public_key_raw"]) == _raw(new_key)
    assert tlog_verify(progress=False).ok
    body = APIClient().get(f"/api/v1/transparency/sth/?tree_size={old.tree_size}").json()
    assert body["key_id"] in {old.key_id, new.key_id}
    proof = [base64.b64decode(h) for h in APIClient().get(
        f"/api/v1/transparency/proof/consistency/?first={old.tree_size}").json()["proof"]]
    assert merkle.verify_consistency(first=old.tree_size, second=new.tree_size, proof=proof,
                                     first_root=bytes(old.root_hash), second_root=bytes(new.root_hash))


@pytest.mark.django_db
def test_existing_events_get_their_leaves_from_the_backfill(clerk: Staff, clock: Any) -> None:
    """A database from before the log: events without leaves. The command appends them, in order;
    a publication before it ran appends them itself first."""
    _signed_log(clerk, clock, 4)
    remove_guards(connection)
    with connection.cursor() as cursor:
        for table in ("transparencynode", "transparencyleaf", "signedtreehead", "transparencykey"):
            cursor.execute(f"DELETE FROM disclosure_{table}")  # noqa: S608 - fixed names
    install_guards(connection)
    assert tlog_backfill(progress=False) == 4
    assert tlog_backfill(progress=False) == 0
    assert sel.tree_root(4) == MTH(_leaves())
    remove_guards(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM disclosure_transparencynode")
        cursor.execute("DELETE FROM disclosure_transparencyleaf")
    install_guards(connection)
    _publish(clerk.client(), title="升级之后")
    assert len(_leaves()) == 5 and sel.tree_root(5) == MTH(_leaves())
    tree_head_sign()
    assert tlog_verify(progress=False).ok


def test_production_refuses_to_start_without_a_signing_key() -> None:
    script = "import django; django.setup()"
    env = {k: v for k, v in os.environ.items() if k != "TRANSPARENCY_SIGNING_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.settings.production", "DJANGO_SECRET_KEY": "x" * 50,
             "DJANGO_DEBUG": "0", "DJANGO_ALLOW_LOCAL_CACHE": "1"})
    assert result.returncode != 0 and "TRANSPARENCY_SIGNING_KEY must be set in production" in result.stderr
    bad = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.settings.production", "DJANGO_SECRET_KEY": "x" * 50,
             "DJANGO_DEBUG": "0", "DJANGO_ALLOW_LOCAL_CACHE": "1", "TRANSPARENCY_SIGNING_KEY": "c2hvcnQ="})
    assert bad.returncode != 0 and "32-byte Ed25519 seed" in bad.stderr


# -- the API's answers to bad input ------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("query", "status"), [
    ("sth/?tree_size=abc", 400), ("sth/?tree_size=%EF%BC%91", 400), ("sth/?tree_size=-1", 400),
    ("sth/?tree_size=99", 404), ("sth/?tree_size=1%00", 400),
    ("leaves/", 400), ("leaves/?start=x", 400), ("leaves/?start=9", 404), ("leaves/?start=2&end=1", 400),
    ("proof/inclusion/?record={r}", 400), ("proof/inclusion/?record=%D9%A1&version=2", 400),
    ("proof/inclusion/?record=999999&version=2", 404), ("proof/inclusion/?record={r}&version=2&tree_size=0", 400),
    ("proof/inclusion/?record={r}&version=2&tree_size=4", 404),
    ("proof/inclusion/?record={r}&version=1", 404),  # a draft version: never in the log
    ("proof/consistency/", 400), ("proof/consistency/?first=0", 400), ("proof/consistency/?first=3&second=2", 400),
    ("proof/consistency/?first=2&second=50", 404), ("proof/consistency/?first=99999999999999999999", 400),
    ("checkpoint?tree_size=7", 404),
])
def test_bad_queries_answer_400_or_404_in_the_json_error_format(clerk: Staff, clock: Any, query: str,
                                                                  status: int) -> None:
    clock("2026-09-29")
    record = _publish(clerk.client())
    for i in range(2):
        _publish(clerk.client(), title=f"案{i}")
    tree_head_sign()
    response = APIClient().get("/api/v1/transparency/" + query.replace("{r}", str(record)))
    assert response.status_code == status, response.content
    assert "detail" in response.json()


@pytest.mark.django_db
def test_the_leaves_and_proofs_answer(clerk: Staff, clock: Any) -> None:
    head = _signed_log(clerk, clock, 5)
    api = APIClient()
    leaves = api.get("/api/v1/transparency/leaves/?start=1&end=3").json()
    assert [(x["index"], x["position"], x["version"]) for x in leaves] == [(1, 2, 2), (2, 3, 2), (3, 4, 2)]
    assert base64.b64decode(leaves[0]["leaf"]) == _leaves()[1]
    record = leaves[1]["record"]
    proof = api.get(f"/api/v1/transparency/proof/inclusion/?record={record}&version=2").json()
    assert proof["tree_size"] == head.tree_size and proof["leaf_index"] == 2
    assert [base64.b64decode(h) for h in proof["audit_path"]] == PATH(2, _leaves())
    assert api.get("/api/v1/transparency/proof/consistency/?first=5&second=5").json() == {
        "first": 5, "second": 5, "proof": []}


def test_the_standalone_verifier_is_short_and_needs_only_the_standard_library_and_cryptography() -> None:
    text = VERIFIER.read_text()
    assert len(text.splitlines()) < 150
    tree = ast.parse(text)
    nodes = list(ast.walk(tree))
    imports = {a.name.split(".")[0] for node in nodes if isinstance(node, ast.Import) for a in node.names}
    imports |= {node.module.split(".")[0] for node in nodes if isinstance(node, ast.ImportFrom) and node.module}
    assert imports <= {"argparse", "base64", "hashlib", "json", "sys", "urllib", "cryptography"}


def _verify(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(VERIFIER), url, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.django_db(transaction=True)
def test_the_standalone_verifier_proves_every_kind_of_event(live_server: Any, clerk: Staff, clock: Any) -> None:
    events = every_kind_of_event(clerk, clock)
    clock("2027-01-05", hour=11)
    first = tree_head_sign()
    _publish(clerk.client(), title="之后")
    head = tree_head_sign()
    key = APIClient().get("/api/v1/transparency/public-keys/").json()[0]["note_verifier_key"]
    for action, (record, version) in events.items():
        result = _verify(live_server.url, "--key", key, "--record", str(record), "--version", str(version),
                         "--since", str(first.tree_size))
        assert result.returncode == 0 and result.stdout.strip().endswith("yes"), (action, result.stdout,
                                                                                  result.stderr)
        assert f"record {record} version {version}: leaf" in result.stdout
        assert f"signed {sel.head_time(head.timestamp)}" in result.stdout
        # An expired record left the public view: its leaves' bytes are withheld, their hashes still prove.
        assert ("content withheld" in result.stdout) == (action in {"expire"} or record == events["expire"][0])
    assert head.tree_size == first.tree_size + 1
    wrong = Ed25519PrivateKey.generate()
    other = sel.note_verifier_key(settings.TRANSPARENCY_LOG_ORIGIN, _raw(wrong))
    no_version = _verify(live_server.url, "--record", str(events["publish"][0]))
    assert no_version.returncode == 1 and "--record needs --version" in no_version.stdout
    refused = _verify(live_server.url, "--key", other)
    assert refused.returncode == 1 and refused.stdout.splitlines()[-1].startswith("no:")
    # The log is altered: the verifier says no.
    remove_guards(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE disclosure_transparencynode SET hash = %s WHERE key = %s",
                       [b"\x01" * 32, merkle.node_key(2, 0)])  # leaves 0-3: on both proofs' paths
    install_guards(connection)
    record, version = events["publish"]
    broken = _verify(live_server.url, "--record", str(record), "--version", str(version),
                     "--since", str(first.tree_size))
    assert broken.returncode == 1 and broken.stdout.splitlines()[-1].startswith("no:"), broken.stdout


@pytest.mark.django_db
def test_the_commands_and_the_daily_job(clerk: Staff, clock: Any) -> None:
    import io

    from backend.schedule import BEAT_SCHEDULE
    from disclosure.tasks import sign_tree_head

    assert BEAT_SCHEDULE["sign-tree-head"]["task"] == sign_tree_head.name == "disclosure.sign_tree_head"
    clock("2026-09-29")
    _publish(clerk.client())
    first = sign_tree_head()
    assert first["tree_size"] == 1 and sign_tree_head() == first  # idempotent for an unchanged tree
    out = io.StringIO()
    call_command_en("transparency_sign", stdout=out)
    assert first["timestamp"] == "2026-09-29T10:00:00.000+08:00"
    assert f"tree_size=1 root_hash={first['root_hash']} timestamp={first['timestamp']} " in out.getvalue()
    assert out.getvalue().splitlines()[-1].startswith("\u2014 ")
    out = io.StringIO()
    call_command_en("transparency_verify", "--no-progress", stdout=out)
    assert "Transparency log intact: 1 leaves, 0 subtree hashes, 1 signed heads verified." in out.getvalue()
    out = io.StringIO()
    call_command_en("transparency_keygen", stdout=out)
    seed = out.getvalue().splitlines()[0].removeprefix("TRANSPARENCY_SIGNING_KEY=")
    assert len(base64.b64decode(seed)) == 32
    assert SignedTreeHead.objects.count() == 1


def test_the_development_key_is_made_once(tmp_path: Path) -> None:
    from backend.env import development_seed

    path = tmp_path / ".transparency-dev-key"
    seed = development_seed(path)
    assert len(seed) == 32 and development_seed(path) == seed
    assert path.stat().st_mode & 0o777 == 0o600 and list(tmp_path.iterdir()) == [path]


# -- what the log shows: only what the portal shows, as it shows it today (review findings) -------------
_GROUNDS = {"reason": "复议", "legal_basis": "复议决定", "document_number": "复〔2026〕1号"}


def _served_leaves() -> list[dict[str, Any]]:
    response = APIClient().get("/api/v1/transparency/leaves/", {"start": 0})
    assert response.status_code == 200, response.content
    return list(response.json())


@pytest.mark.django_db
def test_a_revocation_past_its_display_period_leaves_the_logs_content(clerk: Staff, clock: Any) -> None:
    from disclosure.services.expiry import records_expire

    clock("2026-09-29")
    pk = publish_record(clerk, penalty_types=["criticism"], content="当事人住址某路88号")
    assert clerk.client().post(f"/api/v1/records/{pk}/revoke/", _GROUNDS, format="json").status_code == 200
    assert any(leaf["leaf"] is not None for leaf in _served_leaves())  # shown while the revocation is
    clock("2027-06-05")
    records_expire()
    assert APIClient().get(f"/api/v1/public/records/{pk}/").status_code == 404
    leaves = _served_leaves()
    assert leaves and all(leaf["leaf"] is None and leaf["leaf_hash"] for leaf in leaves)
    tree_head_sign()
    proof = APIClient().get("/api/v1/transparency/proof/inclusion/", {"record": pk, "version": 2}).json()
    assert proof["leaf"] is None and proof["audit_path"] is not None


@pytest.mark.django_db
def test_an_expired_record_leaves_the_logs_content_before_the_expiry_job_runs(clerk: Staff, clock: Any) -> None:
    clock("2026-09-29")
    pk = publish_record(clerk, penalty_types=["criticism"])
    clock("2027-06-05")  # the job has not run: the portal already answers 404 by the date
    assert APIClient().get(f"/api/v1/public/records/{pk}/").status_code == 404
    assert all(leaf["leaf"] is None for leaf in _served_leaves())


@pytest.mark.django_db
def test_a_frozen_leaf_that_a_later_version_re_masks_is_withheld(clerk: Staff, clock: Any) -> None:
    """A correction that makes 张三丰 the natural person de-identifies the name in every old version
    the portal shows; the frozen leaf of version 2 still holds it, so its bytes are withheld."""
    clock("2026-09-29")
    pk = publish_record(clerk, kind="permit", subject_name="王五", title="食品经营许可", subject_code="",
                        subject_type="natural_person", content="申请人张三丰经营食品",
                        details=standard_details("permit", "natural_person"))
    assert "张三丰" in base64.b64decode(_served_leaves()[0]["leaf"]).decode()  # not yet anyone's name
    corrected = clerk.client().post(f"/api/v1/records/{pk}/change/", {
        **_GROUNDS, "type": "correction", "changes": {"subject_name": "张三丰"}}, format="json")
    assert corrected.status_code == 200, corrected.json()
    assert "张三丰" not in APIClient().get(f"/api/v1/public/records/{pk}/").content.decode()
    leaves = _served_leaves()
    assert len(leaves) == 2
    assert not [leaf for leaf in leaves if leaf["leaf"] and "张三丰" in base64.b64decode(leaf["leaf"]).decode()]
    assert leaves[0]["leaf"] is None and leaves[0]["leaf_hash"]


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/plain", "text/plain; charset=utf-8", "*/*", "application/json"])
def test_the_checkpoint_answers_a_client_that_asks_for_text(clerk: Staff, clock: Any, accept: str) -> None:
    clock("2026-09-29")
    publish_record(clerk)
    tree_head_sign()
    response = APIClient().get("/api/v1/transparency/checkpoint", HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().split("\n")[1] == "1"
    missing = APIClient().get("/api/v1/transparency/checkpoint", {"tree_size": 99}, HTTP_ACCEPT=accept)
    assert missing.status_code == 404 and json.loads(missing.content)["detail"]
