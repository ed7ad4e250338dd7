"""Where the checkout keeps things: the one place that knows the folder layout."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
BUILD = ROOT / "build"  # what setup and training make (never committed)
REPORTS = ROOT / "reports"
WEB = ROOT / "web"
TESTS = ROOT / "tests"  # the held-out sets and simulated users' cases are read from here as data
