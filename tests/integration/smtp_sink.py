"""How the notifications stories reach the devstack's SMTP sink: the real mailer's settings."""

from __future__ import annotations


def sink_mailer_settings(port: int) -> dict:
    """SmtpMailer's arguments for the sink on loopback `port`: plain SMTP, no login."""
    return dict(
        host="127.0.0.1",
        port=port,
        sender="Union Match <noreply@unionmatch.local>",
        starttls=False,
        username=None,
        password=None,
        timeout=5,
    )
