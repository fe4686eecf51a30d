"""Outgoing e-mail: files in development and tests, SMTP when configured, the recipient's
language, and no header injection."""

import email
import logging
import smtplib
from email import policy

from replan import mail
from tests.conftest import make_settings


def _files(settings):
    return sorted((settings.data_path / "mail").glob("*.eml"))


def test_without_smtp_each_message_is_a_file_and_a_log_line(tmp_path, caplog):
    settings = make_settings(tmp_path)
    message = mail.compose(
        to="a@example.org",
        language="en",
        subject="Hello %(name)s",
        body="Dear %(name)s,\nline two",
        name="Ana",
    )
    with caplog.at_level(logging.INFO, logger="replan.mail"):
        mail.send(settings, message)
    [path] = _files(settings)
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"] == "a@example.org" and parsed["Subject"] == "Hello Ana"
    assert parsed["From"] == settings.smtp_from
    assert parsed["Content-Language"] == "en"
    assert parsed.get_content().startswith("Dear Ana,\nline two")
    assert "mail to a@example.org: Hello Ana" in caplog.text


def test_the_recipients_language_picks_the_catalogue(monkeypatch):
    asked = []

    class Catalogue:
        def __init__(self, lang):
            self.lang = lang

        def gettext(self, message):
            asked.append(self.lang)
            return message.upper() if self.lang == "it" else message

    monkeypatch.setattr(mail.i18n, "translations", Catalogue)
    italian = mail.compose(to="x@example.org", language="it", subject="hi", body="body")
    unknown = mail.compose(to="y@example.org", language="xx", subject="hi", body="body")
    assert (italian.subject, italian.body, italian.language) == ("HI", "BODY", "it")
    assert (unknown.subject, unknown.language) == ("hi", "en")
    assert asked == ["it", "it", "en", "en"]  # subject and body


def test_a_line_break_in_user_text_never_reaches_a_header(tmp_path):
    settings = make_settings(tmp_path)
    message = mail.compose(
        to="a@example.org",
        language="en",
        subject="Case %(title)s",
        body="b",
        title="x\r\nBcc: victim@example.org",
    )
    assert "\n" not in message.subject and "\r" not in message.subject
    mail.send(settings, message)
    parsed = email.message_from_bytes(_files(settings)[0].read_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None


def test_smtp_is_used_when_configured(tmp_path, monkeypatch):
    calls = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            calls.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, context):
            calls.append(("starttls",))

        def login(self, user, password):
            calls.append(("login", user, password))

        def send_message(self, message):
            calls.append(("send", message["To"]))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    settings = make_settings(
        tmp_path, smtp_host="mail.example.org", smtp_port=2525, smtp_user="u", smtp_password="p"
    )
    mail.send(settings, mail.Message(to="a@example.org", subject="s", body="b"))
    assert calls == [
        ("connect", "mail.example.org", 2525),
        ("starttls",),
        ("login", "u", "p"),
        ("send", "a@example.org"),
    ]
    assert _files(settings) == []


def test_a_failing_server_never_stops_the_others(tmp_path, monkeypatch, caplog):
    class Down:
        def __init__(self, *a, **k):
            raise OSError("connection refused")

    monkeypatch.setattr(smtplib, "SMTP", Down)
    settings = make_settings(tmp_path, smtp_host="mail.example.org")
    messages = [mail.Message(to=f"{n}@example.org", subject="s", body="b") for n in "ab"]
    with caplog.at_level(logging.ERROR, logger="replan.mail"):
        assert mail.send_all(settings, messages) == 0
    assert caplog.text.count("could not send") == 2
