"""Who may use the desk, and that every change comes from the desk's own pages (issue 18 item 7).

- Loopback by default. On a loopback address only loopback Host names are served: a page on
  another site cannot reach the desk through a DNS name rebound to 127.0.0.1.
- Any other address needs a password (``kjtypeset desk --set-password``), stored as an
  scrypt hash (hashlib, no extra dependency) in the bulletin folder, and TLS, so that the
  session cookie can be marked Secure. Sessions are signed cookies (Starlette's
  SessionMiddleware) with a key made afresh each time the desk starts: HttpOnly,
  SameSite=Strict, Secure with TLS.
- Every POST carries the session's CSRF token (a form field or the X-CSRF-Token header) and,
  when the browser says where it comes from (Origin), comes from the desk itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

from ..errors import KjError
from ..files import write_atomically

PASSWORD_FILE = Path(".kjtypeset") / "desk.json"  # in the bulletin folder
# scrypt at the cost OWASP suggests (N=2^17, r=8, p=1): about 0.2 s and 128 MB per check.
_N, _R, _P = 2 ** 17, 8, 1
MIN_PASSWORD = 8
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- the password -------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=256 * 1024 * 1024)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def check_password(stored: str, password: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                               maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, _unb64(digest))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def password_file(root: Path) -> Path:
    return root / PASSWORD_FILE


def stored_password(root: Path) -> str | None:
    """The stored hash, or None when no password was set."""
    path = password_file(root)
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))["password"]
    except (ValueError, KeyError, TypeError) as exc:
        raise KjError(path, None, "编辑台的密码文件无法读取：应为 kjtypeset desk --set-password 写出的文件；"
                                  "可删去它后重新设置密码") from exc
    if not isinstance(value, str) or not value.startswith("scrypt$"):
        raise KjError(path, None, "编辑台的密码文件中没有有效的密码：请用 kjtypeset desk --set-password 重新设置")
    return value


def set_password(root: Path, password: str) -> Path:
    if len(password) < MIN_PASSWORD:
        raise KjError(None, None, f"密码太短：应至少 {MIN_PASSWORD} 个字符，实际为 {len(password)} 个")
    path = password_file(root)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    # Only the owner reads the hash (it is still a secret worth guessing at offline).
    write_atomically(path, json.dumps({"password": hash_password(password)}) + "\n", mode=0o600)
    return path


# -- CSRF -----------------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """The session's token, made on first need; every page puts it in its forms."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


async def check_post(request: Request) -> None:
    """A change must come from one of the desk's own pages: same origin, the session's token."""
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise Refused(403, f"拒绝：这个请求来自别的网站（{origin}），不是编辑台自己的网页")
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        given = (await request.form(max_files=0, max_fields=200)).get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise Refused(403, "拒绝：缺少或不符的表单校验码（网页已过期？请刷新后重试）")


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '')}"


# -- the middleware ----------------------------------------------------------------------------

PUBLIC = ("/login", "/static/")  # reachable without a session when a password is set

# Same-origin everything: no inline script, no framing, no third-party anything (offline).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; frame-src 'self'; object-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
       "form-action 'self'")


class Guard:
    """ASGI middleware outside the session: the Host check and the security headers."""

    def __init__(self, app, loopback_only: bool):
        self.app = app
        self.loopback_only = loopback_only

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.loopback_only:
            host = Headers(scope=scope).get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if not is_loopback(name):
                response = PlainTextResponse("拒绝：编辑台只接受本机地址（127.0.0.1、localhost）的访问", 403)
                return await response(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                names = {name.lower() for name, _ in headers}
                for name, value in ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                                    (b"x-frame-options", b"SAMEORIGIN"), (b"content-security-policy", CSP.encode()),
                                    (b"cross-origin-opener-policy", b"same-origin"),
                                    (b"cross-origin-resource-policy", b"same-origin")):
                    if name not in names:
                        headers.append((name, value))
            await send(message)

        await self.app(scope, receive, with_headers)


class SignIn:
    """ASGI middleware inside the session: with a password set, only signed-in sessions pass."""

    def __init__(self, app, password: str | None):
        self.app = app
        self.password = password

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.password is None or scope["session"].get("user"):
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path == "/login" or path.startswith(PUBLIC[1]):
            return await self.app(scope, receive, send)
        if scope["method"] == "GET" and "text/html" in Headers(scope=scope).get("accept", ""):
            target = path + ("?" + scope["query_string"].decode("latin-1") if scope["query_string"] else "")
            response = RedirectResponse("/login?next=" + quote(target, safe=""), 303)
        else:
            response = PlainTextResponse("需要先登录编辑台", 401)
        await response(scope, receive, send)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of the desk, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
