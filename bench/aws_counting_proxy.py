#!/usr/bin/env python3
"""A loopback reverse proxy in front of an AWS emulator (moto) that counts requests by AWS operation.

    aws_counting_proxy.py PORT UPSTREAM_URL

Every request is forwarded unchanged to UPSTREAM_URL. The operation is the X-Amz-Target action (JSON protocols:
AmazonSSM.GetParameters -> GetParameters) or the Action= of a query-protocol form body (STS AssumeRole).
  GET  /__counts   -> {"total": n, "byOperation": {"GetParameters": n, ...}}
  POST /__reset    -> zeroes the counters
Used by bench/aws-requests.sh to count "AWS requests per push" where they arrive: at the emulator.
"""
import http.client
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection", "expect"}
counts = {}
total = 0
lock = threading.Lock()


def operation(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    if (headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return "other"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: an answer is written as headers, then body. With Nagle on, the body waits for the client's ACK of
    # the headers, which a keep-alive client delays by 40 ms: 40 ms added to every call after a connection's first,
    # 45 s over the 1,000 pages of a 10,000-parameter listing, all of it charged to the client measured.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        global total
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__counts":
            with lock:
                return self.reply(200, json.dumps({"total": total, "byOperation": counts}).encode())
        if self.path == "/__reset":
            with lock:
                counts.clear()
                total = 0
            return self.reply(200, b"{}")
        op = operation(self.headers, body)
        with lock:
            counts[op] = counts.get(op, 0) + 1
            total += 1
        upstream = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["Host"] = self.headers.get("Host", UPSTREAM.netloc)
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for k, v in answer.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError as e:
            self.reply(502, str(e).encode(), "text/plain")
        finally:
            upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


if __name__ == "__main__":
    port = int(sys.argv[1])
    UPSTREAM = urllib.parse.urlsplit(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()
