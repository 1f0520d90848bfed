"""Messages a mailbox may hold: replies, auto-replies, bounces, and hostile ones."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime


def reply(
    sender: str,
    subject: str,
    text: str,
    when: datetime,
    *,
    message_id: str,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Alex Morgan <alex@me.example>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    return msg.as_bytes()


def bounce(original_id: str, recipient: str, when: datetime, message_id: str) -> bytes:
    """An RFC 3464 delivery status notification for ``original_id``."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.me.example>\r\n"
        "To: alex@me.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(when)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.me.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\n"
        f"To: {recipient}\r\n"
        "Subject: Thank you\r\n"
        "--B--\r\n"
    ).encode()


def hostile(when: datetime) -> list[bytes]:
    """A huge message, broken MIME, odd encodings, and one with no headers at all."""
    date = format_datetime(when)
    huge = (
        "From: Dana Lee <dana@acme.example>\r\nSubject: slides\r\n"
        f"Date: {date}\r\nMessage-ID: <huge@acme.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\n'
        "--X\r\nContent-Type: text/plain\r\n\r\nHere are the slides we discussed.\r\n"
        "--X\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + ("QUJDRA==\r\n" * 600_000)
        + "--X--\r\n"
    ).encode()
    broken_mime = (
        b"From: someone@unknown.example\r\nSubject: broken\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n@@@not base64@@@\r\n"
    )
    odd_encodings = (
        b"From: =?x-unknown?q?Bj=F6rn?= <bjorn@odd.example>\r\n"
        b"Subject: =?utf-8?b?broken base64?= \xe9t\xe9\r\n"
        b"Date: not a date\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"caf=E9 =ZZ \xff\xfe\r\n"
    )
    no_headers = b"\r\njust some text, no headers we know\r\n"
    binary = bytes(range(256)) * 64
    return [huge, broken_mime, odd_encodings, no_headers, binary]


#: The subject of `hardening`'s first message: NUL, a window title and colours (ESC]0;...BEL,
#: ESC[31m), raw and RFC 2047-encoded.
EVIL_SUBJECT = "Re: slides \x00\x1b]0;pwned\x07 \x1b[31mred\x1b[0m \x9b2J"


def hardening(sender: str, when: datetime) -> list[bytes]:
    """What the hardening issue found breaks things, every message from ``sender`` (a person on
    file, so each reaches the store): control characters in the subject and body, an
    out-of-office reply "back on 9999-12-31", a 5 MB body, broken MIME, odd encodings."""
    date = format_datetime(when)
    head = f"From: Dana Lee <{sender}>\r\nTo: alex@me.example\r\nDate: {date}\r\n"
    escapes = (
        head + "Message-ID: <evil@acme.example>\r\n"
        "Subject: =?utf-8?q?Re=3A_slides_=00=1B]0;pwned=07_=1B[31mred=1B[0m?=\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Thanks \x1b]0;owned\x07\x1b[2J\x1b[31mAlex\x1b[0m, \x00 noted.\r\n"
    ).encode()
    raw_controls = (
        head + "Message-ID: <raw\x01id@acme.example>\r\n"
        "Subject: plain \x1b[5mblink\x1b[0m\x08\x08 \x07bell\r\n\r\n"
        "text with \x1b]2;title\x1b\\ and \x0c form feed\r\n"
    ).encode()
    out_of_office = (
        head + "Message-ID: <ooo9999@acme.example>\r\nSubject: Out of Office: Thank you\r\n"
        "Auto-Submitted: auto-replied\r\n\r\n"
        "I am out of the office and will be back on 9999-12-31.\r\n"
    ).encode()
    huge = (
        head + "Message-ID: <huge5mb@acme.example>\r\nSubject: the 5 MB one\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + ("All the details of the offer, line after line. " * 20 + "\r\n")
        * 5_400
    ).encode()
    broken = (
        head + "Message-ID: <broken@acme.example>\r\nSubject: broken mime\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"  # no boundary at all
        "--b\r\nContent-Type: multipart/alternative; boundary=\r\n\r\n"
        "--\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%%% not base64 \x00\r\n--b"
    ).encode()
    odd = (
        head + "Message-ID: <odd@acme.example>\r\n"
        "Subject: =?x-klingon?q?Qapla=27_=00?= =?utf-8?b?!!notbase64?= =?utf-8?q?caf=C3?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "caf=E9 =00 =1B[31m =ZZ\r\n"
    ).encode() + b"\xff\xfe\x00\x9b\r\n"
    return [escapes, raw_controls, out_of_office, huge, broken, odd]
