"""The English catalogue is complete: no entry left empty or fuzzy (a fuzzy entry is gettext's
guess from a similar older string, and is not used), and every placeholder of a msgid is in its
translation."""

import re
from pathlib import Path

import cchc

PO = Path(cchc.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\{ ?\w+ ?\}\}")


def entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        strings: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgid_plural ", "msgstr")):
                key, _, rest = line.partition(" ")
                strings[key] = rest.strip()[1:-1]
            elif line.startswith('"') and key:
                strings[key] += line[1:-1]
        if "msgid" in strings:
            yield flags, strings


def test_every_message_has_an_english_translation():
    missing = [
        s["msgid"]
        for flags, s in entries()
        if "fuzzy" in flags or not any(v for k, v in s.items() if k.startswith("msgstr"))
    ]
    assert missing == [], f"{len(missing)} untranslated or fuzzy, e.g. {missing[:5]}"


def test_translations_keep_the_placeholders():
    wrong = [
        s["msgid"]
        for _flags, s in entries()
        if s.get("msgstr")
        and sorted(PLACEHOLDER.findall(s["msgid"])) != sorted(PLACEHOLDER.findall(s["msgstr"]))
    ]
    assert wrong == []
