"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) and a helper that runs the email worker against it.

The server can be stopped and started again on the same port, so a test can take "the mail server is down" and
"it is back" as they happen in production: connections refused, then accepted.
"""

from __future__ import annotations

import email
import re
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collector:
    """aiosmtpd handler: keep every message it receives."""

    def __init__(self, messages: list[Message], lock: threading.Lock):
        self.messages = messages
        self.lock = lock

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    """An SMTP server on 127.0.0.1 that records what it receives; `start()`/`stop()` may be called repeatedly."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SMTPServer:
        if self._controller is None:
            self._controller = Controller(_Collector(self.messages, self._lock), hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self, to: str | None = None) -> list[Message]:
        """Messages received so far (for one recipient, when given)."""
        with self._lock:
            messages = list(self.messages)
        if to is None:
            return messages
        return [m for m in messages if to.lower() in str(m["To"]).lower()]

    def settings(self) -> override_settings:
        """Settings that point Django's SMTP backend at this server."""
        return override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=self.host,
            EMAIL_PORT=self.port,
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=5,
        )


def run_worker(server: SMTPServer) -> None:
    """Run the email worker once over every ready task (as `make run` runs it, minus the waiting)."""
    with server.settings():
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def body_of(message: Message) -> str:
    """The text body of a received message."""
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        return ""
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


LINK = re.compile(r"https?://\S+/invite/[A-Za-z0-9_-]+/")


def invitation_link_in(message: Message) -> str:
    """The acceptance link in an invitation email."""
    match = LINK.search(body_of(message))
    assert match, "the invitation email carries the acceptance link"
    return match.group(0)


CODE = re.compile(r"\b(\d{6})\b")


def acceptance_code_in(message: Message) -> str:
    """The 6-digit code in an acceptance-code email."""
    match = CODE.search(body_of(message))
    assert match, "the code email carries a 6-digit code"
    return match.group(1)
