"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from scripts.local_airflow import free_port


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html", "plain"))
        return part.get_content() if part is not None else ""

    def attachments(self) -> dict[str, str]:
        out = {}
        for part in self.message.iter_attachments():
            content = part.get_content()
            out[part.get_filename()] = (content.decode("utf-8") if isinstance(content, bytes)
                                        else content)
        return out


def smtp_connection(port: int) -> str:
    """``AIRFLOW_CONN_SMTP_DEFAULT`` for a plain SMTP server on 127.0.0.1 (no TLS, no SSL: the
    extras a local server needs)."""
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port,
                       "extra": {"disable_tls": True, "disable_ssl": True,
                                 "from_email": "c360-airflow@localhost", "timeout": 10,
                                 "retry_limit": 0}})


class SmtpSink:
    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        mail = Mail(envelope.mail_from, list(envelope.rcpt_tos),
                    message_from_bytes(envelope.original_content or envelope.content,
                                       policy=policy.default))
        with self._lock:
            self.mails.append(mail)
        return "250 OK"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def connection(self) -> str:
        return smtp_connection(self.port)

    def matching(self, predicate: Callable[[Mail], bool]) -> list[Mail]:
        with self._lock:
            return [m for m in self.mails if predicate(m)]

    def wait_for(self, predicate: Callable[[Mail], bool], count: int = 1,
                 timeout: float = 60.0) -> list[Mail]:
        """The mails matching ``predicate`` once there are at least ``count`` (or on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(predicate)
            if len(found) >= count:
                return found
            time.sleep(0.5)
        return self.matching(predicate)
