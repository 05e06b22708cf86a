"""Web processes cancel a runaway database statement and answer 503 with a message."""

import pytest
from django.db import OperationalError, connection, transaction

from audiomuse.api.errors import exception_handler
from audiomuse.web_limits import web_statement_timeout_apply


@pytest.fixture
def restored_database_options():
    saved = dict(connection.settings_dict.get("OPTIONS", {}))
    yield
    connection.close()
    connection.settings_dict["OPTIONS"] = saved


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("seconds", "shown"), [(7, "7s"), (0, "0")])  # 0: no limit
def test_a_web_process_connects_with_the_statement_timeout(settings, restored_database_options, seconds, shown):
    settings.WEB_STATEMENT_TIMEOUT_SECONDS = seconds
    connection.close()
    web_statement_timeout_apply()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == shown


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_statement_is_a_503_naming_the_setting(settings):
    settings.WEB_STATEMENT_TIMEOUT_SECONDS = 30
    with pytest.raises(OperationalError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(5)")
    response = exception_handler(caught.value, {"request": None})
    assert response.status_code == 503
    assert "WEB_STATEMENT_TIMEOUT_SECONDS" in response.data["error"]
    assert "30 s" in response.data["error"]
