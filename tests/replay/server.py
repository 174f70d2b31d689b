#!/usr/bin/env python3
"""A local HTTP server that replays recorded API responses, for tests.

    server.py SCENARIO.json [--log FILE] [--timeout SECONDS]

Binds 127.0.0.1 on a free port and prints the port on stdout. The
scenario lists routes; a request takes the first route it matches
(method, path, the Query API's Action, the X-Amz-Target header, form or
query parameters, JSON body fields, the SigV4 service; null asks for
the field to be absent) and gets that route's next response, the last
one repeating. Routes of the files an "include" list names come after
the scenario's own, so a scenario can override a shared set. A response can cut the
connection after N bytes of its body. Unmatched requests get 404.

SigV4 requests are checked with an independent implementation of the
signing algorithm against the secrets the scenario lists; a bad
signature gets 403 SignatureDoesNotMatch when the scenario enforces
signatures. Each request is logged as one JSON line: what was asked,
which route answered, and what the Authorization header carried (the
access key id, scope, signed headers, whether the signature is valid),
never the signature, a secret or a session token. For API keys sent as a
bearer token or an x-api-key header, the log says whether the key is one
of the scenario's "tokens", never the key.

GET /__replay__/log returns the log; POST /__replay__/stop stops the
server, as does the timeout (default 120 s).
"""
import argparse
import hashlib
import hmac
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UNRESERVED = "-_.~"


def quote(s):
    return urllib.parse.quote(s, safe=UNRESERVED)


def canonical_query(raw):
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((quote(urllib.parse.unquote(key)),
                      quote(urllib.parse.unquote(value))))
    pairs.sort()
    return "&".join(k + "=" + v for k, v in pairs)


def parse_authorization(value):
    """The fields of an AWS4-HMAC-SHA256 Authorization header."""
    scheme, _, rest = value.partition(" ")
    fields = {}
    for item in rest.split(","):
        k, _, v = item.strip().partition("=")
        fields[k] = v
    cred = fields.get("Credential", "").split("/")
    if scheme != "AWS4-HMAC-SHA256" or len(cred) != 5:
        return None
    return {
        "scheme": scheme,
        "access_key": cred[0],
        "date": cred[1],
        "region": cred[2],
        "service": cred[3],
        "terminator": cred[4],
        "signed_headers": fields.get("SignedHeaders", "").split(";"),
        "signature": fields.get("Signature", ""),
    }


def expected_signature(secret, auth, method, raw_path, raw_query,
                       headers, body):
    """SigV4 as AWS documents it, computed from the request received."""
    path = raw_path if auth["service"] == "s3" else \
        urllib.parse.quote(raw_path, safe="/" + UNRESERVED)
    lines = []
    for name in auth["signed_headers"]:
        values = headers.get_all(name) or []
        value = ",".join(" ".join(v.split()) for v in values)
        lines.append(name + ":" + value + "\n")
    payload = headers.get("x-amz-content-sha256") or \
        hashlib.sha256(body).hexdigest()
    canonical = "\n".join([
        method, path or "/", canonical_query(raw_query), "".join(lines),
        ";".join(auth["signed_headers"]), payload])
    amz_date = headers.get("x-amz-date", "")
    scope = "/".join([auth["date"], auth["region"], auth["service"],
                      auth["terminator"]])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (auth["date"], auth["region"], auth["service"],
                 auth["terminator"]):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class Replay:
    def __init__(self, scenario_path, log_path):
        with open(scenario_path) as f:
            self.scenario = json.load(f)
        self.base = os.path.dirname(os.path.abspath(scenario_path))
        self.routes = list(self.scenario.get("routes", []))
        for name in self.scenario.get("include", []):
            with open(os.path.join(self.base, name)) as f:
                self.routes += json.load(f).get("routes", [])
        self.secrets = self.scenario.get("secrets", {})
        self.enforce = self.scenario.get("enforce_signatures", True)
        self.counts = [0] * len(self.routes)
        self.lock = threading.Lock()
        self.log = []
        self.log_file = open(log_path, "a") if log_path else None
        self.start = time.monotonic()

    def record(self, entry):
        with self.lock:
            entry["seq"] = len(self.log) + 1
            self.log.append(entry)
            if self.log_file:
                self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")
                self.log_file.flush()

    def match(self, req):
        for i, route in enumerate(self.routes):
            if route_matches(route, req):
                with self.lock:
                    n = self.counts[i]
                    self.counts[i] += 1
                responses = route["responses"]
                return route, responses[min(n, len(responses) - 1)]
        return None, None

    def body_of(self, response):
        if "file" in response:
            with open(os.path.join(self.base, response["file"]), "rb") as f:
                return f.read()
        if "json" in response:
            return json.dumps(response["json"]).encode()
        return response.get("body", "").encode()


def route_matches(route, req):
    if route.get("method", "GET") != req["method"]:
        return False
    if route.get("path", "/") != req["path"]:
        return False
    for key in ("action", "target", "service"):
        if key in route and route[key] != req.get(key):
            return False
    for source, wanted in (("params", route.get("params", {})),
                           ("json", route.get("json", {}))):
        have = req.get(source) or {}
        for k, v in wanted.items():
            if have.get(k) != v:
                return False
    return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    replay = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def describe(self, body):
        path, _, query = self.path.partition("?")
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/x-www-form-urlencoded"):
            params.update(urllib.parse.parse_qsl(body.decode(),
                                                 keep_blank_values=True))
        parsed = None
        if "json" in ctype and body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        req = {
            "method": self.command, "path": path, "query": query,
            "action": params.get("Action"),
            "target": self.headers.get("X-Amz-Target"),
            "params": params, "json": parsed,
            "time": round(time.monotonic() - self.replay.start, 3),
            "security_token": "X-Amz-Security-Token" in self.headers,
            "amz_date_headers": len(self.headers.get_all("X-Amz-Date")
                                    or []),
            "bearer": self.headers.get("Authorization", "")
            .startswith("Bearer "),
            "x_api_key": "x-api-key" in self.headers,
            "anthropic_version": self.headers.get("anthropic-version"),
            "token_ok": self.token_ok(),
        }
        req["auth"] = self.check_auth(path, query, body)
        if req["auth"]:
            req["service"] = req["auth"]["service"]
        return req

    def token_ok(self):
        """Whether the bearer token or x-api-key is a scenario token."""
        tokens = self.replay.scenario.get("tokens")
        auth = self.headers.get("Authorization", "")
        key = auth[7:] if auth.startswith("Bearer ") else \
            self.headers.get("x-api-key")
        if tokens is None or key is None:
            return None
        return any(hmac.compare_digest(key, t) for t in tokens)

    def check_auth(self, path, query, body):
        auth = parse_authorization(self.headers.get("Authorization", ""))
        if not auth:
            return None
        secret = self.replay.secrets.get(auth["access_key"])
        valid = None
        if secret is not None:
            want = expected_signature(secret, auth, self.command, path,
                                      query, self.headers, body)
            valid = hmac.compare_digest(want, auth["signature"])
        return {
            "access_key": auth["access_key"], "date": auth["date"],
            "region": auth["region"], "service": auth["service"],
            "signed_headers": auth["signed_headers"],
            "signature_valid": valid,
        }

    def handle_any(self):
        body = self.read_body()
        if self.path.startswith("/__replay__/"):
            return self.control()
        req = self.describe(body)
        auth = req["auth"]
        if self.replay.enforce and auth and auth["signature_valid"] is not \
                True:
            route, response = None, {
                "status": 403,
                "body": "<ErrorResponse><Error><Type>Sender</Type>"
                        "<Code>SignatureDoesNotMatch</Code><Message>The "
                        "request signature we calculated does not match"
                        "</Message></Error></ErrorResponse>"}
        else:
            route, response = self.replay.match(req)
        if response is None:
            response = {"status": 404,
                        "body": "<ErrorResponse><Error><Code>NoRoute"
                                "</Code></Error></ErrorResponse>"}
        req["route"] = route.get("name") if route else None
        req["response"] = response["status"]
        req["cut"] = "cut_after" in response
        self.replay.record(req)
        self.respond(response)

    def respond(self, response):
        data = self.replay.body_of(response)
        self.send_response(response["status"])
        headers = dict(response.get("headers", {}))
        if "Content-Type" not in headers:
            headers["Content-Type"] = "text/xml" if data[:1] == b"<" \
                else "application/json"
        headers.setdefault("x-amzn-RequestId",
                           "replay-%06d" % len(self.replay.log))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        cut = response.get("cut_after")
        if cut is None:
            self.wfile.write(data)
            return
        self.wfile.write(data[:cut])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def control(self):
        if self.path == "/__replay__/log":
            data = json.dumps(self.replay.log).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if self.path == "/__replay__/stop":
            threading.Thread(target=self.server.shutdown,
                             daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--log")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    Handler.replay = Replay(args.scenario, args.log)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    timer = threading.Timer(args.timeout, server.shutdown)
    timer.daemon = True
    timer.start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
    timer.cancel()


if __name__ == "__main__":
    sys.exit(main())
