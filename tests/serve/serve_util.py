"""Helpers for the `leapfrog serve` tests and bench/serve_load.sh: start a
server on a free loopback port, send requests, run a bounded load."""
import http.client, json, os, signal, socket, subprocess, threading, time


class Server:
    def __init__(self, leapfrog, models, tmp, *extra, tls=False, quiet=True):
        self.port_file = os.path.join(tmp, "port.%d.%d" % (os.getpid(), time.monotonic_ns()))
        # leapfrog-serve (the device binary) is `leapfrog serve` alone: no command word
        cmd = [leapfrog] if os.path.basename(leapfrog) == "leapfrog-serve" else [leapfrog, "serve"]
        args = cmd + ["--listen", "127.0.0.1:0", "--port-file", self.port_file] + (["--quiet"] if quiet else [])
        for m in models:
            args += ["--model", m]
        self.tls = tls
        self.p = subprocess.Popen(args + list(extra), stderr=subprocess.PIPE)
        t0 = time.monotonic()
        while not os.path.exists(self.port_file):
            if self.p.poll() is not None:
                raise RuntimeError("serve exited %d: %s" % (self.p.returncode, self.p.stderr.read().decode()))
            if time.monotonic() - t0 > 10:
                raise RuntimeError("serve did not start in 10 s")
            time.sleep(0.01)
        self.startup_s = time.monotonic() - t0
        self.port = int(open(self.port_file).read())
        # the server's own measure: "... (ready in N ms)"
        self.ready_ms = None
        if not quiet:
            line = self.p.stderr.readline().decode()
            if "ready in " in line:
                self.ready_ms = float(line.split("ready in ")[1].split()[0])

    def conn(self, timeout=60):
        if self.tls:
            import ssl
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = self.conn(timeout)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict(r.getheaders()), data

    def predict(self, body, ctype="image/png", query="", headers=None):
        h = {"Content-Type": ctype}
        h.update(headers or {})
        st, hd, data = self.request("POST", "/api/v1/predict" + query, body, h)
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        return st, hd, j

    def raw_status(self, head, body_part=b"", timeout=10):
        """Send raw request headers (and the start of a body), return the
        answer's status (the server may answer before the body is sent)."""
        sk = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            sk.sendall(head)
            try:
                sk.sendall(body_part)
            except OSError:
                pass
            data = b""
            while b"\r\n" not in data:
                chunk = sk.recv(4096)
                if not chunk:
                    break
                data += chunk
        finally:
            sk.close()
        return int(data.split(b" ")[1]) if data.startswith(b"HTTP/") else -1

    def rss_peak_kb(self):
        for line in open("/proc/%d/status" % self.p.pid):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return -1

    def alive(self):
        return self.p.poll() is None

    def stop(self, timeout=60):
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return -999


def multipart(field, filename, ctype, data, boundary="leapfrogTestBoundary42"):
    head = ("--%s\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
            % (boundary, boundary, field, filename, ctype)).encode()
    return head + data + ("\r\n--%s--\r\n" % boundary).encode(), "multipart/form-data; boundary=" + boundary


def load(server, body, ctype, n, concurrency, query=""):
    """n requests from `concurrency` threads, each on its own connection per
    request. Returns (statuses, latencies_s, seconds)."""
    statuses, lat = [], []
    lock = threading.Lock()
    left = [n]

    def run():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            t0 = time.monotonic()
            try:
                st, _, _ = server.request("POST", "/api/v1/predict" + query, body, {"Content-Type": ctype})
            except Exception:
                st = -1
            with lock:
                statuses.append(st)
                lat.append(time.monotonic() - t0)

    t0 = time.monotonic()
    ts = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return statuses, lat, time.monotonic() - t0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")
