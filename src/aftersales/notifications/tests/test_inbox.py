"""The inbox page: every signed-in user sees his own messages only, and marks them read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.core.testing import make_user
from aftersales.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def test_the_inbox_needs_a_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["agent", "dispatcher", "engineer", "lead", "manager", "admin"])
def test_every_role_has_an_inbox_in_the_menu(client, role):
    user = make_user(role)
    response = _client(client, user).get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert reverse("notifications:inbox") in [i["url"] for i in response.context["nav_items"]]


def test_one_sees_only_his_own_messages_and_the_text_is_escaped(client):
    me, other = make_user("engineer"), make_user("engineer")
    Notification.objects.create(recipient=me, subject="<b>mine</b>", body="body")
    Notification.objects.create(recipient=other, subject="theirs")
    html = _client(client, me).get(reverse("notifications:inbox")).content.decode()
    assert "&lt;b&gt;mine&lt;/b&gt;" in html and "theirs" not in html


def test_mark_read_one_and_all_and_not_someone_elses(client):
    me, other = make_user("engineer"), make_user("engineer")
    a = Notification.objects.create(recipient=me, subject="a")
    b = Notification.objects.create(recipient=me, subject="b")
    theirs = Notification.objects.create(recipient=other, subject="c")
    c = _client(client, me)
    assert c.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    response = c.post(reverse("notifications:read", args=[a.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="notification-{a.pk}"' in response.content.decode()
    a.refresh_from_db()
    assert a.read_at is not None
    assert c.get(reverse("notifications:inbox") + "?unread=1").context["unread"] == 1
    c.post(reverse("notifications:read_all"))
    b.refresh_from_db()
    theirs.refresh_from_db()
    assert b.read_at is not None and theirs.read_at is None
    assert c.get(reverse("notifications:read", args=[a.pk])).status_code == 405


def test_open_goes_to_the_message_link_inside_the_site_only(client):
    me = make_user("engineer")
    inside = Notification.objects.create(recipient=me, subject="a", url="/requests/1/")
    outside = Notification.objects.create(recipient=me, subject="b", url="https://evil.example/")
    c = _client(client, me)
    assert c.post(reverse("notifications:open", args=[inside.pk]))["Location"] == "/requests/1/"
    assert c.post(reverse("notifications:open", args=[outside.pk]))["Location"] == reverse("notifications:inbox")
    inside.refresh_from_db()
    assert inside.read_at is not None
