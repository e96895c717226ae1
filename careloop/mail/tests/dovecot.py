"""A real Dovecot IMAP server on loopback for the tests: its own config, ports, passwd-file
accounts, maildirs and a self-signed certificate in a temporary directory; plus a small OAuth2
token endpoint and introspection service on loopback so XOAUTH2 sign-in is checked by Dovecot
itself."""

from __future__ import annotations

import imaplib
import json
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
LOOPBACK = "127.0.0.1"
MISSING = (
    "Dovecot is not installed (/usr/sbin/dovecot). The inbound email tests need a real IMAP "
    "server: apt-get install -y dovecot-imapd (scripts/test and .ci/run do this)."
)
ACCOUNTS = 500
REFRESH_TOKEN = "refresh-" + "r" * 24


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


class OAuthService:
    """Issues access tokens for REFRESH_TOKEN (token endpoint) and answers Dovecot's
    introspection requests for them (RFC 7662 style, form POST)."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}  # access token -> username
        self.username = ""
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if self.path == "/token":
                    if form.get("refresh_token") != [REFRESH_TOKEN]:
                        self._reply(400, {"error": "invalid_grant"})
                        return
                    token = secrets.token_urlsafe(16)
                    service.tokens[token] = service.username
                    self._reply(200, {"access_token": token, "token_type": "Bearer"})
                else:
                    token = form.get("token", [""])[0]
                    user = service.tokens.get(token)
                    self._reply(200, {"active": user is not None, "username": user or ""})

            def _reply(self, status: int, payload: dict[str, object]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = HTTPServer((LOOPBACK, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def token_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/token"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = {host}
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
auth_failure_delay = 0
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
"""


class Dovecot:
    """One Dovecot instance; `account()` adds a fresh mailbox user for each test."""

    def __init__(self) -> None:
        if not Path(DOVECOT).exists():
            raise RuntimeError(MISSING)
        self.root = Path(tempfile.mkdtemp(prefix="careloop-dovecot-"))
        self.root.chmod(0o755)
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir()
        (self.root / "mail").chmod(0o777)
        self.cert = self.root / "cert.pem"
        subprocess.run(  # fixed arguments
            [
                "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", str(self.root / "key.pem"), "-out", str(self.cert), "-days", "2",
                "-subj", f"/CN={LOOPBACK}", "-addext", f"subjectAltName=IP:{LOOPBACK}",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        # Accounts are written before the server starts: Dovecot notices a changed passwd
        # file by its modification time, which can miss a change within the same second.
        self._accounts = [
            (f"intake{n}@careloop.test", secrets.token_urlsafe(12)) for n in range(ACCOUNTS)
        ]
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self._accounts)
        )
        self.oauth = OAuthService()
        (self.root / "oauth2.conf.ext").write_text(
            f"introspection_url = http://{LOOPBACK}:{self.oauth.port}/introspect\n"
            "introspection_mode = post\nusername_attribute = username\n"
            "active_attribute = active\nactive_value = true\n"
        )
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.config = self.root / "dovecot.conf"
        self.config.write_text(
            CONFIG.format(
                root=self.root,
                host=LOOPBACK,
                imap_port=self.imap_port,
                imaps_port=self.imaps_port,
            )
        )
        self._count = 0
        subprocess.run([DOVECOT, "-c", str(self.config)], check=True)  # fixed
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((LOOPBACK, self.imap_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not start; see {self.root / 'dovecot.log'}")

    def account(self) -> tuple[str, str]:
        """A user with an empty INBOX, new to this test: (username, password)."""
        self._count += 1
        return self._accounts[self._count]

    def append(self, username: str, password: str, data: bytes, folder: str = "INBOX") -> int:
        """Deliver a message as a mail server would; its UID."""
        client = imaplib.IMAP4(LOOPBACK, self.imap_port)
        try:
            client.login(username, password)
            status, response = client.append(folder, None, None, data)
            assert status == "OK", response  # test harness
            text = response[0].decode() if response and isinstance(response[0], bytes) else ""
            return int(text.split("APPENDUID ")[1].split()[1].rstrip("]"))
        finally:
            client.logout()

    def keywords(self, username: str, password: str) -> dict[int, str]:
        """Each message's flags, by UID."""
        client = imaplib.IMAP4(LOOPBACK, self.imap_port)
        try:
            client.login(username, password)
            client.select("INBOX", readonly=True)
            _status, data = client.uid("FETCH", "1:*", "(FLAGS)")
            flags: dict[int, str] = {}
            for item in data:
                if isinstance(item, bytes) and b"UID" in item:
                    text = item.decode()
                    uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                    flags[uid] = text
            return flags
        finally:
            client.logout()

    def stop(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.config), "stop"], check=False)
        self.oauth.stop()
        shutil.rmtree(self.root, ignore_errors=True)
