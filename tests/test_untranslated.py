"""Django 5.2's and django-axes' own strings that their catalogs leave in English are Chinese here
(issue: the pages, the letters and the reports, finished)."""
from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from disclosure.models import User

pytestmark = pytest.mark.django_db


def test_password_rules_in_the_users_api_are_chinese(superuser: User, tree: Any) -> None:
    client = APIClient()
    client.force_authenticate(superuser)
    response = client.post("/api/v1/users/", {"username": "x1", "password": "123", "agency": "city",
                                              "role": "clerk"}, format="json")
    assert response.status_code == 400
    messages = response.json()["errors"]["password"]
    assert "密码太短，至少须包含 10 个字符。" in messages
    assert not any("password" in m.lower() for m in messages), messages


def test_the_admin_speaks_chinese_about_users_and_lockouts(superuser: User, client: Any) -> None:
    client.force_login(superuser)
    index = client.get("/admin/").content.decode()
    assert "登录失败锁定" in index and "登录尝试" in index and "Access attempts" not in index
    add = client.get("/admin/disclosure/user/add/").content.decode()
    assert "创建用户后" in add and "After you’ve created a user" not in add
