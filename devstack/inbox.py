"""The SMTP sink's inbox page: the messages it received (to, subject, date) and one of them as its
recipient would read it, the HTML alternative in a sandboxed frame and the plain text beside it.
Everything a message brings is escaped; its HTML runs nowhere but in the frame, without scripts."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

# The frame's document: inline styles and data images, nothing fetched, no script, no form, and a
# sandbox of its own should someone open it outside the frame.
MESSAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox "
    "allow-popups allow-popups-to-escape-sandbox"
)
# Its links open in a new tab, as a mail client opens them, rather than inside the frame.
FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
# The inbox: its own inline style and frames of its own origin, nothing else.
INBOX_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri "
    "'none'; form-action 'none'"
)

_STYLE = """
body { font-family: Arial, sans-serif; margin: 0; display: flex; height: 100vh; color: #1d2733; }
nav { width: 34%; overflow-y: auto; border-right: 1px solid #ccd; }
main { flex: 1; overflow-y: auto; padding: 0 16px; }
nav a { display: block; padding: 8px 12px; border-bottom: 1px solid #eef; color: inherit;
text-decoration: none; }
nav a.open { background: #e8f0fb; }
.to, .date { font-size: 12px; color: #667; }
iframe { width: 100%; height: 60vh; border: 1px solid #ccd; }
pre { white-space: pre-wrap; background: #f6f7f9; padding: 8px; }
"""


def _addresses(people: list[dict]) -> str:
    return ", ".join(
        f"{p['Name']} <{p['Address']}>" if p.get("Name") else p["Address"] for p in people
    )


def _row(message: dict, open_id: str | None) -> str:
    opened = ' class="open"' if message["ID"] == open_id else ""
    return (
        f'<a href="/?id={quote(message["ID"])}"{opened}><div '
        f'class="to">{escape(_addresses(message["To"]))}</div>'
        f"<div>{escape(message['Subject']) or '(no subject)'}</div><div "
        f'class="date">{escape(message.get("Date") or message["Created"])}</div></a>'
    )


def _message(message: dict) -> str:
    link = quote(message["ID"])
    frame = (
        f'<iframe sandbox="{FRAME_SANDBOX}" title="the email\'s HTML" '
        f'src="/api/v1/message/{link}/html"></iframe>'
    )
    return f"""<h2>{escape(message["Subject"])}</h2>
<p>From: {escape(_addresses([message["From"]]))}<br>To:
{escape(_addresses(message["To"]))}<br>Date: {escape(message.get("Date", ""))}
<br><a href="/api/v1/message/{link}/raw">raw message</a></p>
<h3>HTML</h3>
{frame}
<h3>Plain text</h3>
<pre>{escape(message["Text"])}</pre>"""


def inbox_page(messages: list[dict], opened: dict | None) -> str:
    rows = (
        "".join(_row(m, opened["ID"] if opened else None) for m in messages)
        or "<p>&nbsp;No emails yet.</p>"
    )
    body = _message(opened) if opened else "<p>Choose an email on the left.</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Inbox: {len(messages)} emails (Union Match SMTP sink)</title>
<style>{_STYLE}</style></head>
<body><nav>{rows}</nav><main>{body}</main></body></html>
"""


def framed(html: str) -> str:
    """The email's HTML as the frame shows it: its links open a new tab."""
    head = html.lower().find("<head>")
    if head < 0:
        return '<base target="_blank">' + html
    return html[: head + 6] + '<base target="_blank">' + html[head + 6 :]
