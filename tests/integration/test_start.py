"""What a newcomer sees when the assistant starts: progress, then the URLs, and no warnings."""

import re

from harness.servers import wait_for


def start_output(assistant, seconds=60):
    """run.py's output up to its last start-up line (it prints it just after the servers answer)."""
    log = lambda: (assistant.workdir / "servers.log").read_text(errors="replace")
    wait_for(lambda: "Press Ctrl-C to stop." in log(), seconds, "run.py's last start-up line")
    return log().split("Press Ctrl-C to stop.")[0]


def test_a_clean_start_prints_no_warnings_and_ends_with_the_urls(assistant):
    start = start_output(assistant)
    warnings = [line for line in start.splitlines() if re.search(r"warn", line, re.I)]
    assert warnings == [], "\n".join(warnings[:10])
    assert re.search(
        r"Ready in \d+ s\.\n  Web widget: +http://127\.0\.0\.1:(\d+)/\n"
        r"  Analytics: +http://127\.0\.0\.1:\1/analytics\n  REST: ",
        start,
    )
    assert start.rstrip().splitlines()[-1].startswith("  Action server:")
