"""Outlook .msg files for tests, written as Outlook lays them out ([MS-OXMSG]: a compound file with
a property stream, one storage per recipient and attachment, strings as UTF-16LE streams) by
extract-msg's own compound-file writer, so the reader is tested against the documented layout."""

from __future__ import annotations

import io
import struct

from extract_msg.ole_writer import OleWriter

UNICODE = "001F"


def _text(value: str) -> bytes:
    return value.encode("utf-16-le")


def _integer_property(tag: int, value: int) -> bytes:
    return struct.pack("<IIQ", tag, 6, value)  # flags: readable and writable


def outlook_message(
    *,
    subject: str,
    body: str,
    sender: str,
    sender_name: str = "",
    to: list[str],
    cc: list[str] = (),  # type: ignore[assignment]
    message_id: str = "",
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    writer = OleWriter()
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        writer.addEntry(f"__nameid_version1.0/{stream}", b"")
    recipients = [(address, 1) for address in to] + [(address, 2) for address in cc]
    header = b"\0" * 8 + struct.pack("<IIII", len(recipients), len(attachments), len(recipients), len(attachments))
    writer.addEntry("__properties_version1.0", header + b"\0" * 8)
    for tag, value in (
        ("001A", "IPM.Note"),
        ("0037", subject),
        ("1000", body),
        ("0C1F", sender),
        ("0C1A", sender_name),
    ):
        writer.addEntry(f"__substg1.0_{tag}{UNICODE}", _text(value))
    if message_id:
        writer.addEntry(f"__substg1.0_1035{UNICODE}", _text(message_id))
    writer.addEntry(f"__substg1.0_0E04{UNICODE}", _text("; ".join(to)))
    for index, (address, kind) in enumerate(recipients):
        storage = f"__recip_version1.0_#{index:08X}"
        writer.addEntry(storage, storage=True)
        writer.addEntry(f"{storage}/__properties_version1.0", b"\0" * 8 + _integer_property(0x0C150003, kind))
        writer.addEntry(f"{storage}/__substg1.0_39FE{UNICODE}", _text(address))
        writer.addEntry(f"{storage}/__substg1.0_3001{UNICODE}", _text(address))
    for index, (name, data) in enumerate(attachments):
        storage = f"__attach_version1.0_#{index:08X}"
        writer.addEntry(storage, storage=True)
        writer.addEntry(f"{storage}/__properties_version1.0", b"\0" * 8 + _integer_property(0x37050003, 1))
        writer.addEntry(f"{storage}/__substg1.0_3707{UNICODE}", _text(name))
        writer.addEntry(f"{storage}/__substg1.0_37010102", data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
