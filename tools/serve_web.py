"""Serves the web chat (web/) on port 8080 and tells the page where Rasa's socket.io endpoint is.
Usage: python tools/serve_web.py --port 8080 --rasa-url http://localhost:5005
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional
from urllib.parse import unquote, urlsplit

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

# Only these kinds of files are served; anything else (package.json, install.sh, dotfiles) is 404.
CONTENT_TYPES: Dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
NEVER_SERVED_DIRS = {"node_modules"}


def rasa_origin(rasa_url: str) -> str:
    """The scheme://host[:port] of the Rasa server, refusing anything that is not plain http(s)."""
    parts = urlsplit(rasa_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--rasa-url must look like http://host:port, got {rasa_url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("--rasa-url must not carry credentials, a query or a fragment")
    return f"{parts.scheme}://{parts.netloc}"


def websocket_origin(origin: str) -> str:
    return "wss" + origin[len("https") :] if origin.startswith("https") else "ws" + origin[len("http") :]


def security_headers(origin: str) -> Dict[str, str]:
    """Headers for every response: the page may only talk to itself and to Rasa."""
    connect = f"'self' {origin} {websocket_origin(origin)}"
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cache-Control": "no-cache",
    }


def config_script(origin: str) -> bytes:
    """The page's settings as a script, so no inline script is needed (the CSP forbids them)."""
    settings = json.dumps({"socketUrl": origin}).replace("<", "\\u003c")
    return f"window.REFERRAL_CHAT_CONFIG = {settings};\n".encode()


def resolve_web_file(web_dir: Path, url_path: str) -> Optional[Path]:
    """The file under web_dir that url_path names, or None (outside web/, hidden, or not servable)."""
    relative = unquote(url_path).lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    parts = Path(relative).parts
    if any(part.startswith(".") or part in NEVER_SERVED_DIRS for part in parts):
        return None
    candidate = (web_dir / relative).resolve()
    try:
        candidate.relative_to(web_dir.resolve())
    except ValueError:
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"  # a folder shows its page, never a listing
    if not candidate.is_file() or candidate.suffix.lower() not in CONTENT_TYPES:
        return None
    return candidate


def make_handler(web_dir: Path, origin: str) -> type:
    headers = security_headers(origin)
    config_body = config_script(origin)

    class WebChatHandler(BaseHTTPRequestHandler):
        server_version = "ReferralChatWeb"
        sys_version = ""

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            path = urlsplit(self.path).path
            if path == "/config.js":
                self._send(HTTPStatus.OK, CONTENT_TYPES[".js"], config_body, send_body)
                return
            file_path = resolve_web_file(web_dir, path)
            if file_path is None:
                self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", send_body)
                return
            body = file_path.read_bytes()
            self._send(HTTPStatus.OK, CONTENT_TYPES[file_path.suffix.lower()], body, send_body)

        def _send(self, status: HTTPStatus, content_type: str, body: bytes, send_body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            if status == HTTPStatus.OK and content_type == CONTENT_TYPES[".js"]:
                # The widget is a set of ES modules, which a browser fetches with CORS: another
                # site embedding it needs this to run them (they are public files, sent without
                # cookies).
                self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Paths only (no query strings): the chat's words go to Rasa, never through here.
            sys.stderr.write(f"web {self.command} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n")

    return WebChatHandler


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the web chat page and widget.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument(
        "--rasa-url",
        default="http://localhost:5005",
        help="Rasa server the page's socket.io client connects to (default http://localhost:5005)",
    )
    parser.add_argument("--web-dir", type=Path, default=WEB_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    try:
        origin = rasa_origin(args.rasa_url)
    except ValueError as error:
        parser.error(str(error))
    if not (args.web_dir / "vendor" / "socket.io.min.js").is_file():
        print("web/vendor/socket.io.min.js is missing: run web/install.sh first", file=sys.stderr)
        return 1

    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.web_dir, origin))
    server.daemon_threads = True

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM and Ctrl-C close the listening socket at once, even where SIGINT came in ignored.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Web chat on http://{args.host}:{server.server_port}/ (talks to Rasa at {origin})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
