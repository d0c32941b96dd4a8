"""Requests no page of ours sends, as an attacker or an odd client would: each gets a clear
answer, never a 500. Some through the real gunicorn, as production serves them."""

import http.client
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from journal.middleware import NOT_UTF8
from tests.factories import UserFactory
from tests.view_helpers import snapshot, text_of

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "utf-16-le", "latin-1", "cp1252"])
def test_a_form_in_another_charset_gets_a_400_page(owner_client, child, charset):
    """charset=utf-16 was Django's UnicodeDecodeError, a bare 500 from gunicorn."""
    before = snapshot()
    body = "type=stress&start_date=2026-01-01&notes=Zoë"  # the client encodes it in `charset`
    url = reverse("event_add", args=[child.pk])
    response = owner_client.post(url, body, content_type=f"{FORM}; charset={charset}")
    assert response.status_code == 400
    assert str(NOT_UTF8) in text_of(response)
    assert "<html" in response.content.decode()
    assert snapshot() == before


def test_a_multipart_form_in_another_charset_gets_a_400_page(anon_client):
    body = '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nx\r\n--b--\r\n'
    content_type = "multipart/form-data; boundary=b; charset=utf-16"
    response = anon_client.post(reverse("login"), body, content_type=content_type)
    assert response.status_code == 400


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8"])
def test_a_form_in_utf8_is_read(owner_client, child, charset):
    url = reverse("event_add", args=[child.pk])
    day = child.today().isoformat()
    body = f"type=stress&start_date={day}&notes=Zoë"
    response = owner_client.post(url, body, content_type=f"{FORM}; charset={charset}")
    assert response.status_code == 302
    assert child.events.get().notes == "Zoë"


@pytest.mark.parametrize(
    ("username", "disposition"),
    [
        ("ana", 'attachment; filename="oms-journal-ana-{day}.json"'),
        ("Zoë", "attachment; filename*=utf-8''oms-journal-Zo%C3%AB-{day}.json"),
        ("李明", "attachment; filename*=utf-8''oms-journal-%E6%9D%8E%E6%98%8E-{day}.json"),
    ],
)
def test_the_account_download_names_its_file_as_rfc_6266_says(client, username, disposition):
    """A non-Latin-1 username was sent as an RFC 2047 blob (=?utf-8?b?...?=)."""
    from django.utils import timezone

    client.force_login(UserFactory(username=username))
    response = client.get(reverse("account_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition.format(day=timezone.localdate())


# --- through gunicorn -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import serving  # noqa: E402 - scripts/serving.py, which the load test serves the app with

SETTINGS = """\
from omstracker.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """The app served by gunicorn on a free port, production settings, its own database."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "served_settings.py").write_text(SETTINGS.format(static_root=str(folder / "static")))
    env = serving.run_env(folder, "served_settings", f"sqlite:///{folder}/db.sqlite3")
    for command in (["migrate"], ["collectstatic", "--noinput"]):
        manage = [sys.executable, "manage.py", *command, "--verbosity=0"]
        subprocess.run(manage, cwd=ROOT, env=env, check=True, stdin=subprocess.DEVNULL)  # noqa: S603
    port = serving.free_port()
    server = serving.start_server(env, port, workers=1, log=folder / "gunicorn.log")
    yield port
    serving.stop_server(server)


def post(port: int, path: str, body: bytes, content_type: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(serving.HOST, port, timeout=30)
    try:
        connection.request("POST", path, body, {"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/children/1/today/"])
@pytest.mark.parametrize("charset", ["utf-16", "latin-1"])
def test_gunicorn_answers_a_form_in_another_charset_with_the_400_page(gunicorn, path, charset):
    body = "username=zo\u00eb&password=x".encode(charset)
    status, page = post(gunicorn, path, body, f"{FORM}; charset={charset}")
    assert status == 400
    assert str(NOT_UTF8) in page
