"""The playground's HTTP server: the page's files, and a JSON API that trains smallnet networks.

Python's own `http.server` serves it: the page asks for one frame at a time (POST /api/train)
and draws it, so nothing needs pushing, and keep-alive requests on the loopback cost well under a
millisecond; no package beyond smallnet is needed. Requests must carry the server's own Host
(a page elsewhere can't reach it by DNS rebinding) and, when they say where they come from, its
own Origin; API requests must be JSON (a form on another site can't send one without asking).

    GET  /                      the page (static/)
    POST /api/reset             {"settings": {...}} -> a new session: its data and first frame
    POST /api/train             {"session", "epochs"} -> a frame
    POST /api/step              {"session"} -> one epoch's frame
    POST /api/set               {"session", "learning_rate"?, "regularization_rate"?} -> a frame
    POST /api/weight            {"session", "layer", "row" (or "bias"), "column", "value"}
    POST /api/trace             {"session"} -> the next step in the tutorial's words
    POST /api/upload            CSV text -> {"upload", "columns", "rows"}
    POST /api/export/KIND       {"session"} -> a file: KIND model, onnx or python
    GET  /api/thumbnails        a few points of each built-in data set
"""

import collections
import hashlib
import ipaddress
import json
import mimetypes
import os
import secrets
import sys
import tempfile
import threading
import traceback
import warnings
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import unquote, urlsplit

import numpy as np

from .. import datasets
from ..csvdata import read_csv
from . import exports
from .session import Session
from .settings import SettingError

MAX_UPLOAD = 8 << 20  # bytes of CSV; a plane's data is far less
MAX_JSON = 64 << 10
DRAIN = 64 << 20  # a body too large but not huge is read and dropped before the answer
MAX_SESSIONS = 32  # pages open at once; the oldest is dropped beyond
MAX_UPLOADS = 8
STATIC = {"/": "index.html", "/playground.js": "playground.js", "/playground.css": "playground.css"}
EXPORTS = {
    "model": ("safetensors", "application/octet-stream"),
    "onnx": ("onnx", "application/octet-stream"),
    "python": ("py", "text/x-python; charset=utf-8"),
}
# The page loads nothing from elsewhere, and may send nothing elsewhere.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


class RequestError(Exception):
    """A request the page can put right: said on the page, with its HTTP status."""

    def __init__(self, message, status=HTTPStatus.BAD_REQUEST):
        super().__init__(message)
        self.status = status


class Playground:
    """The server's state: sessions and uploaded tables, each kept for a while (LRU)."""

    def __init__(self):
        self.sessions = collections.OrderedDict()
        self.uploads = collections.OrderedDict()
        self.lock = threading.Lock()

    def _keep(self, store, key, value, limit):
        with self.lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > limit:
                store.popitem(last=False)

    def session(self, body):
        key = body.get("session")
        with self.lock:
            session = self.sessions.get(key) if isinstance(key, str) else None
            if session is not None:
                self.sessions.move_to_end(key)
        if session is None:
            raise RequestError("this session has ended (was the server restarted?)", 404)
        return session

    def reset(self, body):
        settings = body.get("settings", {})
        table = self.uploads.get(settings.get("upload")) if isinstance(settings, dict) else None
        session = Session(settings, table)
        key = secrets.token_urlsafe(16)  # also what lets a page, and nothing else, use it
        self._keep(self.sessions, key, session, MAX_SESSIONS)
        return {"session": key, **session.start()}

    def upload(self, data, name):
        key = hashlib.sha256(data).hexdigest()[:20]  # a reload sends the same file: the same id
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, os.path.basename(name) or "data.csv")
            with open(path, "wb") as file:
                file.write(data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # column advice is for the command line
                try:
                    table = read_csv(path)
                except ValueError as exc:  # the file's own name, not the temporary one
                    raise ValueError(str(exc).replace(path, os.path.basename(path))) from None
        self._keep(self.uploads, key, table, MAX_UPLOADS)
        columns = [
            {"name": name, "numeric": values.dtype.kind == "f", "distinct": _distinct(values)}
            for name, values in table.columns.items()
        ]
        return {"upload": key, "name": name, "rows": len(table), "columns": columns}


def _distinct(values):
    """How many different values a column holds (gaps aside): a label of many numbers is more
    likely a regression's."""
    if values.dtype.kind == "f":
        return len(np.unique(values[~np.isnan(values)]))
    return len({value for value in values if value is not None})


def thumbnails():
    """50 noiseless points of each built-in plane, [[x1, x2, label], ...], for the data buttons."""
    out = {}
    for name in datasets.PLANES:
        X, y = datasets.plane(name, 50, seed=1)
        out[name] = [[round(float(a), 2), round(float(b), 2), float(c)] for (a, b), c in zip(X, y)]
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection carries the page's frames
    disable_nagle_algorithm = True  # else a frame's last bytes wait 40 ms for the browser's ACK
    server_version = "smallnet-playground"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    # -- checks ---------------------------------------------------------------------------------

    def _refuse_foreign(self):
        """403 unless Host is this server's and Origin, when sent, is this server's too."""
        host = self.headers.get("Host", "")
        if host not in self.server.hosts:
            return f"Host {host!r} is not this server's"
        origin = self.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc not in self.server.hosts:
            return f"requests from {origin} are refused"
        return None

    def _body(self, limit):
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise RequestError("a request body needs its length", HTTPStatus.LENGTH_REQUIRED)
        if int(length) > limit:
            if int(length) <= DRAIN:  # read it, so that the browser sees the answer
                left = int(length)
                while left > 0:
                    left -= len(self.rfile.read(min(1 << 20, left))) or left
            self.close_connection = True
            raise RequestError(
                f"too large: {int(length) / 2**20:.1f} MB; the playground takes up to "
                f"{limit / 2**20:g} MB",
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        data = self.rfile.read(int(length))
        if len(data) < int(length):
            raise RequestError(f"the request was cut short: {len(data)} of {length} bytes came")
        return data

    def _json_body(self):
        if self.headers.get_content_type() != "application/json":
            raise RequestError("the API takes JSON (Content-Type: application/json)", 415)
        try:
            body = json.loads(self._body(MAX_JSON))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RequestError(f"the request is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise RequestError("the request must be a JSON object")
        return body

    # -- answers --------------------------------------------------------------------------------

    def _send(self, status, data, content_type, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_json(self, value, status=HTTPStatus.OK):
        data = json.dumps(value, allow_nan=False, separators=(",", ":")).encode()
        self._send(status, data, "application/json")

    def _error(self, status, message):
        self._send_json({"error": message}, status)

    def do_GET(self):
        refused = self._refuse_foreign()
        if refused:
            return self._error(HTTPStatus.FORBIDDEN, refused)
        path = urlsplit(self.path).path
        if path == "/api/thumbnails":
            return self._send_json(self.server.thumbnails)
        if path not in STATIC:
            return self._error(HTTPStatus.NOT_FOUND, f"no such page: {path}")
        name = STATIC[path]
        data = resources.files(__package__).joinpath("static", name).read_bytes()
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._send(
            HTTPStatus.OK, data, f"{kind}; charset=utf-8", [("Content-Security-Policy", POLICY)]
        )

    do_HEAD = do_GET

    def do_POST(self):
        refused = self._refuse_foreign()
        if refused:
            return self._error(HTTPStatus.FORBIDDEN, refused)
        path = urlsplit(self.path).path
        try:
            if path == "/api/upload":
                name = unquote(self.headers.get("X-Filename", "data.csv"))
                return self._send_json(self.server.state.upload(self._body(MAX_UPLOAD), name))
            body = self._json_body()
            if path.startswith("/api/export/"):
                return self._export(path.rsplit("/", 1)[1], body)
            answer = self._api(path, body)
        except RequestError as exc:
            return self._error(exc.status, str(exc))
        except SettingError as exc:  # the page puts that setting back to its default
            message = " ".join(str(exc).split())
            return self._send_json({"error": message, "setting": exc.setting}, 400)
        except (ValueError, TypeError, KeyError, ImportError, OSError) as exc:
            return self._error(HTTPStatus.BAD_REQUEST, " ".join(str(exc).split()))
        except Exception as exc:  # a bug: said on the page, the traceback on the terminal
            traceback.print_exc(file=sys.stderr)
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {exc!r}")
        self._send_json(answer)

    def _api(self, path, body):
        state = self.server.state
        if path == "/api/reset":
            return state.reset(body)
        routes = {
            "/api/train": lambda s: s.train(body.get("epochs", 1)),
            "/api/step": lambda s: s.train(1),
            "/api/set": lambda s: s.set(body.get("learning_rate"), body.get("regularization_rate")),
            "/api/weight": lambda s: s.set_weight(
                body.get("layer"), body.get("row"), body.get("column"), body.get("value")
            ),
            "/api/trace": lambda s: s.trace(),
        }
        if path not in routes:
            raise RequestError(f"no such request: {path}", HTTPStatus.NOT_FOUND)
        session = state.session(body)
        with session.lock:
            return routes[path](session)

    def _export(self, kind, body):
        if kind not in EXPORTS:
            raise RequestError(f"no export {kind!r}; there are {', '.join(EXPORTS)}", 404)
        session = self.server.state.session(body)
        suffix, content_type = EXPORTS[kind]
        with session.lock:
            if kind == "python":
                csv_name = os.path.basename(str(body.get("csv_name") or "")) or "data.csv"
                data = exports.python_code(session, csv_name).encode()
            else:
                data = exports.model_bytes(session, suffix)
        name = f"{exports.MODEL_NAME}.{suffix}"
        disposition = ("Content-Disposition", f'attachment; filename="{name}"')
        self._send(HTTPStatus.OK, data, content_type, [disposition])


class PlaygroundServer(ThreadingHTTPServer):
    daemon_threads = True  # Ctrl-C stops the server without waiting on open connections

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a tab closed mid-answer: nothing to put right
        super().handle_error(request, client_address)

    def __init__(self, host="127.0.0.1", port=8000, verbose=False):
        super().__init__((host, port), Handler)
        self.verbose = verbose
        self.state = Playground()
        self.thumbnails = thumbnails()
        port = self.server_address[1]
        names = {host, "127.0.0.1", "localhost", "[::1]"} if host in LOOPBACK else {host}
        self.hosts = {f"{name}:{port}" for name in names}
        self.url = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/"
        if host in ("", "0.0.0.0"):  # serving every interface: reached by any of its addresses
            self.hosts = _AnyHost(port)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _AnyHost:
    """Every Host naming this port by an IP address or as localhost (a rebinding attack's host
    is a name)."""

    def __init__(self, port):
        self.port = port

    def __contains__(self, host):
        name, _, port = host.rpartition(":")
        return port == str(self.port) and (name == "localhost" or _is_ip(name))


def _is_ip(name):
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def serve(host="127.0.0.1", port=8000, verbose=False):
    """A `PlaygroundServer` bound to (host, port), not yet serving (call `serve_forever`)."""
    return PlaygroundServer(host, port, verbose)
