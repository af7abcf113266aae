"""The one scoping function against a naive oracle, over random agency trees and grants."""
from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure.models import Agency, AgencyKind, Role, User
from disclosure.selectors.access import ACT, VIEW, agencies_for
from disclosure.services.users import membership_set

pytestmark = pytest.mark.django_db


@st.composite
def trees(draw: Any) -> list[int | None]:
    """parents[i] is the index of node i's parent (always an earlier node), None for a root."""
    size = draw(st.integers(min_value=1, max_value=14))
    parents: list[int | None] = [None]
    for i in range(1, size):
        parents.append(draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))))
    return parents


def descendants(parents: list[int | None], node: int) -> set[int]:
    found = {node}
    changed = True
    while changed:
        changed = False
        for child, parent in enumerate(parents):
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=trees(), data=st.data())
def test_a_grant_covers_exactly_the_subtree(parents: list[int | None], data: Any) -> None:
    with transaction.atomic():
        nodes: list[Agency] = []
        for i, parent in enumerate(parents):
            # Codes that are prefixes of each other ("a1", "a10") must not leak into each other's subtree.
            code = f"a{i}"
            above = nodes[parent] if parent is not None else None
            nodes.append(Agency.objects.create(
                code=code, name=code, kind=AgencyKind.DEPARTMENT, parent=above,
                path=(above.path if above else "") + code + "/",
            ))
        granted = data.draw(st.integers(min_value=0, max_value=len(parents) - 1))
        role = data.draw(st.sampled_from([Role.CLERK, Role.VIEWER, Role.AGENCY_ADMIN]))
        user = User.objects.create_user(username="u")
        membership_set(user=user, agency=nodes[granted], role=role)

        expected = {nodes[i].code for i in descendants(parents, granted)}
        assert set(agencies_for(user, VIEW).values_list("code", flat=True)) == expected
        acting = set(agencies_for(user, ACT).values_list("code", flat=True))
        assert acting == (set() if role == Role.VIEWER else expected)
        transaction.set_rollback(True)


def test_scope_is_one_query(clerk: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        codes = set(agencies_for(clerk.user, VIEW).values_list("code", flat=True))
    assert codes == {"lianshan-amr", "lianshan-amr-station"}
