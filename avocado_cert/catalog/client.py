"""A small HTTP client of the catalog's JSON API (standard library only, so uploading needs no extra)."""

import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request

from avocado_cert.base.errors import CertError

TIMEOUT = 600


class Client:
    def __init__(self, server, token=None, timeout=TIMEOUT):
        parsed = urllib.parse.urlparse(server or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise CertError(f"not a catalog URL: {server!r} (expected http(s)://HOST[:PORT])")
        self.base = server.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout
            ) as response:  # nosec: a URL the user gave
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as details:
            return details.code, details.read(), details.headers.get("Content-Type", "")
        except (urllib.error.URLError, OSError) as details:
            reason = getattr(details, "reason", details)
            raise CertError(f"cannot reach the catalog at {self.base}: {reason}") from None

    def json(self, method, path, payload=None, ok=(200, 201)):
        body = json.dumps(payload).encode("utf-8") if payload is not None else None
        status, data, _kind = self._request(method, path, body, {"Content-Type": "application/json"})
        document = _decode(data)
        if status not in ok:
            raise CertError(f"the catalog answered {status}: {_message(document, data)}")
        return document

    def raw(self, path):
        status, data, _kind = self._request("GET", path)
        if status != 200:
            raise CertError(f"the catalog answered {status} for {path}: {_message(_decode(data), data)}")
        return data

    def upload(self, path, vendor, product, version):
        """(HTTP status, answer document) of uploading a bundle file."""
        try:
            size = os.path.getsize(path)
            stream = open(path, "rb")  # pylint: disable=consider-using-with
        except OSError as details:
            raise CertError(f"cannot read the bundle: {details.strerror}", path) from None
        quote = urllib.parse.quote
        url = (
            f"/api/v1/products/{quote(vendor, '')}/{quote(product, '')}/versions/{quote(version, '')}/bundles"
        )
        with stream:
            status, data = self._send_file(url, stream, size)
        return status, _decode(data) or {"error": _message(None, data)}

    def _send_file(self, path, stream, size):
        """(status, body) of a POST of a file; a catalog that refuses it before reading the body (no
        token, another vendor's product, too large) closes the connection: its answer is read then."""
        parsed = urllib.parse.urlparse(self.base)
        kind = http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        conn = kind(parsed.netloc, timeout=self.timeout)
        try:
            conn.putrequest("POST", parsed.path + path)
            headers = {"Content-Type": "application/gzip", "Content-Length": str(size)}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            try:
                for block in iter(lambda: stream.read(1 << 16), b""):
                    conn.send(block)
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered early: the answer says why
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError) as details:
            raise CertError(f"cannot reach the catalog at {self.base}: {details}") from None
        finally:
            conn.close()


def _decode(data):
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


def _message(document, data):
    if isinstance(document, dict) and document.get("error"):
        return str(document["error"])
    text = data[:200].decode("utf-8", "replace").strip()
    if text.startswith("<") or "\n" in text:
        return "not a catalog's answer (a web page or other text, not the catalog's JSON)"
    return text or "no details"
