"""scripts/serve_web.py for web/embed.js: who may frame the widget page (Content-Security-Policy
frame-ancestors from --embed-origins or EMBED_ORIGINS) and /embed.js itself, served in-process."""

import importlib.util
import threading
from http.server import ThreadingHTTPServer

import pytest
import requests

from troubleshooter.paths import ROOT, WEB

spec = importlib.util.spec_from_file_location("serve_web", ROOT / "scripts" / "serve_web.py")
serve_web = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve_web)

HELP = "https://help.example.org"
OTHER = "http://127.0.0.1:8123"


@pytest.fixture
def page_server():
    class Handler(serve_web.Handler):
        embed_origins = (HELP, OTHER)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(WEB), **kwargs)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_widget_page_may_be_framed_by_the_allowed_origins_only(page_server):
    for path in ("/", "/?embed=1", "/index.html"):
        r = requests.get(page_server + path, timeout=10)
        assert r.status_code == 200 and 'id="chat-input"' in r.text
        assert r.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {HELP} {OTHER}"
        assert "X-Frame-Options" not in r.headers  # it would contradict (and in old browsers override) the CSP
    # Nothing else of the deployment (its scripts, the analytics) is framed by another origin.
    for path in ("/widget.css", "/embed.js", "/texts.js", "/analytics/"):
        r = requests.get(page_server + path, timeout=10)
        assert r.headers["Content-Security-Policy"] == "frame-ancestors 'self'", path
        assert "X-Frame-Options" not in r.headers


def test_embed_js_is_served_as_javascript_with_the_launcher_words(page_server):
    r = requests.get(page_server + "/embed.js", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    body = r.content.decode("utf-8")
    assert "window.TroubleshooterEmbed" in body and "/*WORDS*/" not in body
    for label in ("Messages troubleshooter", "Ayuda con mensajes", "Ajuda com mensagens", "Bantuan pesan"):
        assert label in body
    assert r.content == serve_web.embed_script()


def test_the_allowed_origins_come_from_the_option_or_the_environment(monkeypatch):
    monkeypatch.delenv("EMBED_ORIGINS", raising=False)
    assert serve_web.parse_args([]).embed_origins == ()
    args = serve_web.parse_args(["--embed-origins", f" {HELP}/, {OTHER} ,https://*.example.com"])
    assert args.embed_origins == (HELP, OTHER, "https://*.example.com")
    monkeypatch.setenv("EMBED_ORIGINS", HELP)
    assert serve_web.parse_args([]).embed_origins == (HELP,)
    assert serve_web.parse_args(["--embed-origins", ""]).embed_origins == ()  # the option wins
    assert serve_web.frame_ancestors((HELP,)) == f"frame-ancestors 'self' {HELP}"


@pytest.mark.parametrize(
    "bad", ["help.example.org", "https://help.example.org/path", "*", "https://a.org; script-src *", "ftp://a.org"]
)
def test_what_is_not_an_origin_is_refused(bad, monkeypatch, capsys):
    monkeypatch.delenv("EMBED_ORIGINS", raising=False)
    with pytest.raises(SystemExit):
        serve_web.parse_args(["--embed-origins", bad])
    assert "--embed-origins" in capsys.readouterr().err
