"""Serve web/ (the chat widget page) on 127.0.0.1, without directory listings."""
from __future__ import annotations

import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"


class Handler(SimpleHTTPRequestHandler):
    socket_url = "http://127.0.0.1:5005"

    def do_GET(self):
        if self.path.split("?")[0] == "/config.js":
            body = f'window.TROUBLESHOOTER_SOCKET_URL = "{self.socket_url}";\n'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def list_directory(self, path):
        self.send_error(404)

    def end_headers(self):
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--socket-url", default="http://127.0.0.1:5005")
    args = ap.parse_args()
    Handler.socket_url = args.socket_url
    server = ThreadingHTTPServer(("127.0.0.1", args.port), functools.partial(Handler, directory=str(WEB)))
    server.serve_forever()


if __name__ == "__main__":
    main()
