#!/usr/bin/env python3
"""Message framing (RFC 9112 §6): a request whose body length is not certain
is refused with 400 and its connection closed, so that the bytes after it are
never run as a second request (request smuggling).

Refused: a Transfer-Encoding other than one header saying exactly "chunked"
(another coding, a list, two headers, any in HTTP/1.0), and Transfer-Encoding
together with Content-Length in either order. Each case is sent as raw bytes
followed by a second request ("GET /healthz"); the server must answer once,
with 400, and close.

usage: http_test.py CONTINUUM_BINARY REPO_ROOT
"""
import socket
import time

import harness

SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"


def read_until_closed(port, data, timeout=10):
    """Sends data on a new connection; returns (bytes received, closed by the server?)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    closed = False
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            out += chunk
    finally:
        s.close()
    return out, closed


def responses(data):
    """The status codes of the HTTP responses in data, in order (each framed
    by its Content-Length); "?" for bytes that are not a response."""
    codes = []
    while data:
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0 or not data.startswith(b"HTTP/1."):
            codes.append("?")
            break
        lines = data[:head_end].split(b"\r\n")
        parts = lines[0].split(b" ")
        codes.append(int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else "?")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        data = data[head_end + 4 + length:]
    return codes


def request(head_lines, body, version=b"HTTP/1.1"):
    head = b"POST /api/v1/session " + version + b"\r\nHost: x\r\nContent-Type: application/json\r\n"
    for line in head_lines:
        head += line + b"\r\n"
    return head + b"\r\n" + body


def chunked(payload):
    return b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n"


LOGIN = b'{"username":"nobody.here","password":"not a real password"}'

BAD = [
    ("Transfer-Encoding: xchunked", [b"Transfer-Encoding: xchunked"], SMUGGLED),
    ("Transfer-Encoding: gzip", [b"Transfer-Encoding: gzip"], SMUGGLED),
    ("Transfer-Encoding: identity", [b"Transfer-Encoding: identity"], SMUGGLED),
    ("Transfer-Encoding: chunked, identity", [b"Transfer-Encoding: chunked, identity"], SMUGGLED),
    ("Transfer-Encoding: gzip, chunked", [b"Transfer-Encoding: gzip, chunked"], chunked(LOGIN) + SMUGGLED),
    ("two Transfer-Encoding headers (gzip, then chunked)",
     [b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked"], chunked(LOGIN) + SMUGGLED),
    ("two Transfer-Encoding headers (chunked, then gzip)",
     [b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip"], chunked(LOGIN) + SMUGGLED),
    ("two Transfer-Encoding: chunked headers",
     [b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"], chunked(LOGIN) + SMUGGLED),
    ("Content-Length, then Transfer-Encoding: chunked",
     [b"Content-Length: %d" % len(chunked(LOGIN)), b"Transfer-Encoding: chunked"], chunked(LOGIN) + SMUGGLED),
    ("Transfer-Encoding: chunked, then Content-Length",
     [b"Transfer-Encoding: chunked", b"Content-Length: %d" % len(chunked(LOGIN))], chunked(LOGIN) + SMUGGLED),
    ("Transfer-Encoding: gzip, then Content-Length",
     [b"Transfer-Encoding: gzip", b"Content-Length: %d" % len(LOGIN)], LOGIN + SMUGGLED),
    ("Content-Length, then Transfer-Encoding: gzip",
     [b"Content-Length: %d" % len(LOGIN), b"Transfer-Encoding: gzip"], LOGIN + SMUGGLED),
]


def main(env, results):
    env.init_db()
    server = env.server()
    try:
        port = server.port
        for what, headers, body in BAD:
            data, closed = read_until_closed(port, request(headers, body))
            codes = responses(data)
            results.check(codes == [400], what + ": one response, 400",
                          "responses %s: %r" % (codes, data[:120]))
            results.check(closed, what + ": the connection is closed")
        # HTTP/1.0 cannot use Transfer-Encoding at all.
        data, closed = read_until_closed(
            port, request([b"Transfer-Encoding: chunked"], chunked(LOGIN) + SMUGGLED, version=b"HTTP/1.0"))
        results.check(responses(data) == [400] and closed, "HTTP/1.0 with Transfer-Encoding: 400 and closed",
                      repr(data[:120]))

        # A lone "chunked" (any case, surrounding spaces) is read as chunked,
        # and the connection stays open for the next request.
        for value in (b"chunked", b"Chunked ", b" CHUNKED"):
            data, closed = read_until_closed(
                port, request([b"Transfer-Encoding:" + value], chunked(LOGIN)) +
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            codes = responses(data)
            results.check(codes == [401, 200], "Transfer-Encoding: %s is accepted, then the next request" % value.decode(),
                          "responses %s: %r" % (codes, data[:200]))
        # Content-Length alone, likewise.
        data, closed = read_until_closed(
            port, request([b"Content-Length: %d" % len(LOGIN)], LOGIN) +
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        results.check(responses(data) == [401, 200], "Content-Length alone is accepted, then the next request",
                      repr(data[:200]))

        # The refusals are counted, and the server still serves.
        c = server.client()
        st, _, _ = c.get("/healthz")
        results.check(st == 200, "the server still answers", str(st))
        c.close()
    finally:
        results.check(server.stop() == 0, "serve exits 0 on SIGTERM")


harness.run_main("api.http", main)
