"""A tiny OpenID Connect provider on a live local port, for the SSO tests: discovery, authorize
(answers at once for the user the test chose), token (an RS256 id_token signed with its own
key), JWKS and userinfo. Real HTTP and real signatures: allauth is not mocked."""

from __future__ import annotations

import json
import secrets
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from standins.builders import serve, shut

CLIENT_ID = "porchlight-test"
CLIENT_SECRET = "s3cret-for-tests"


class Provider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.user: dict[str, Any] = {}  # the claims of whoever signs in next
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, list[str]]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.discovery())
                elif url.path == "/jwks":
                    public = json.loads(RSAAlgorithm.to_jwk(provider.key.public_key()))
                    self._json({"keys": [{**public, "kid": provider.kid, "use": "sig", "alg": "RS256"}]})  # fmt: skip
                elif url.path == "/authorize":
                    q = {k: v[0] for k, v in parse_qs(url.query).items()}
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": q.get("nonce"), "claims": dict(provider.user)}
                    target = (
                        q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/userinfo":
                    self._json(provider.user)
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                provider.token_requests.append(form)
                grant = provider.codes.pop(form.get("code", [""])[0], None)
                if grant is None or form.get("client_secret", [""])[0] != CLIENT_SECRET:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                now = int(time.time())
                claims = {
                    "iss": provider.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                    **grant["claims"],
                }  # fmt: skip
                if grant["nonce"]:
                    claims["nonce"] = grant["nonce"]
                token = jwt.encode(claims, provider.key, algorithm="RS256", headers={"kid": provider.kid})  # fmt: skip
                self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": token, "expires_in": 300})  # fmt: skip

        self.server = serve(Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }

    def close(self) -> None:
        shut(self.server)
