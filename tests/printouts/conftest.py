"""Fixtures for the printout tests: identification cases driven through the engine, and
PDF text read back with pdfplumber."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pdfplumber
import pytest

from support import ROOT

PRINTED_AT = datetime(2026, 12, 5, 2, tzinfo=timezone.utc)  # 10:00 in China
BASE_URL = "https://dixian.example.gov.cn"
ARTIFACTS = ROOT / "artifacts" / "printouts"


@pytest.fixture
def identification(deploy, users):
    deploy("workflows/monitoring_identification.bpmn")
    return users


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page of a PDF."""
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pdf_text(content: bytes) -> str:
    """The whole text of a PDF, lines joined; spaces inside lines kept."""
    return "\n".join(pdf_pages(content))


def keep(name: str, content: bytes) -> None:
    """Keep a rendered PDF beside the test artifacts (not committed), for pdftoppm."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_bytes(content)
