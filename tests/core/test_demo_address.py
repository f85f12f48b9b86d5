"""``cchc load-demo`` prints the address ``make demo`` will actually serve (HOST/PORT)."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.demo.management.commands.load_demo import serve_address

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
        ("localhost", 9000, "http://localhost:9000"),
        ("::", 8080, "http://[::1]:8080"),
        ("[::1]", 8001, "http://[::1]:8001"),
    ],
)
def test_the_printed_address_is_the_one_a_browser_opens(host, port, url):
    assert serve_address(host, port) == url


@pytest.mark.django_db
def test_load_demo_prints_the_port_it_is_given(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", "--port", "8080", stdout=out)
    text = out.getvalue()
    assert "Open http://127.0.0.1:8080/" in text and "http://127.0.0.1:8080/admin/" in text
    assert ":8000" not in text


def test_a_bad_port_is_refused():
    with pytest.raises(CommandError):
        call_command("load_demo", "--port", "80000", stdout=io.StringIO())


def test_make_demo_passes_its_host_and_port_to_load_demo_and_runserver():
    makefile = (ROOT / "Makefile").read_text()
    demo = re.search(r"^demo:.*?(?=^\S)", makefile, re.S | re.M).group(0)
    assert "load-demo --host $(HOST) --port $(PORT)" in demo
    assert "runserver $(HOST):$(PORT)" in makefile
    assert "make demo PORT=8080" in (ROOT / "README.md").read_text()
