"""The admin page of background tasks: lists them by status and retries a failed one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from aftersales.core.testing import make_user
from aftersales.notifications.task_admin import retry_failed

pytestmark = pytest.mark.django_db


def _row(status: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [], "kwargs": {"limit": 10}}, task_path="aftersales.sla.tasks.sla_sweep",
        backend_name="default", run_after=get_date_max(), exception_class_path="builtins.OSError",
        traceback="Traceback: boom")


def test_the_task_list_shows_queued_running_and_failed_tasks(client):
    admin = make_user("admin", is_staff=True, is_superuser=True)
    for status in (TaskResultStatus.READY, TaskResultStatus.RUNNING, TaskResultStatus.FAILED):
        _row(status)
    client.force_login(admin)
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    assert client.get(url + "?status__exact=FAILED").context["cl"].result_count == 1


def test_retry_enqueues_a_fresh_copy_of_a_failed_task_only(client, monkeypatch):
    calls = []
    import aftersales.sla.sweep as sweep

    monkeypatch.setattr(sweep, "run_sweep", lambda **kw: calls.append(kw) or sweep.SweepResult())
    failed, ready = _row(TaskResultStatus.FAILED), _row(TaskResultStatus.READY)
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:django_tasks_database_dbtaskresult_changelist"),
                           {"action": "retry", "_selected_action": [str(failed.pk), str(ready.pk)]})
    assert response.status_code == 302
    # The test settings run tasks immediately: the retried sweep ran once, with its arguments.
    assert calls == [{"limit": 10}]
    assert retry_failed(DBTaskResult.objects.filter(pk=ready.pk)) == 0
