"""Drive `leapfrog serve`'s page in headless Chromium over the DevTools
protocol (--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4, no
package needed): open the page at a phone's size, pick an image with the file
input, wait for the findings and the heatmap, read what is shown, move the
opacity slider, take a screenshot. Prints one JSON object with what it saw."""
import base64, json, os, subprocess, sys, time

CHROMIUM = os.environ.get("LF_CHROMIUM", "/usr/bin/chromium")


class Browser:
    def __init__(self):
        r1, w1 = os.pipe()  # us -> chromium (its fd 3)
        r2, w2 = os.pipe()  # chromium (its fd 4) -> us
        def child():  # (dup first: a pipe end may already be fd 3 or 4, and non-inheritable)
            a, b = os.dup(r1), os.dup(w2)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.p = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
             "--remote-debugging-pipe", "--user-data-dir=" + os.environ["CDP_PROFILE"], "about:blank"],
            close_fds=False, preexec_fn=child, stdout=subprocess.DEVNULL, stderr=open(os.environ["CDP_PROFILE"] + ".log", "wb"))
        os.close(r1), os.close(w2)
        self.w, self.r = os.fdopen(w1, "wb", buffering=0), os.fdopen(r2, "rb", buffering=0)
        self.buf, self.id, self.events = b"", 0, []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.id += 1
        m = {"id": self.id, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        self.w.write(json.dumps(m).encode() + b"\0")
        while True:
            msg = self._read()
            if msg.get("id") == self.id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg["result"]
            self.events.append(msg)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()


def main():
    url, image, shot = sys.argv[1], sys.argv[2], sys.argv[3]
    model = sys.argv[4] if len(sys.argv) > 4 else None
    b = Browser()
    out = {}
    try:
        tid = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]
        b.call("Page.enable", session=s)
        b.call("Runtime.enable", session=s)
        # a phone: 390 x 844 CSS pixels, touch
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}, session=s)
        b.call("Page.navigate", {"url": url}, session=s)
        ev = lambda expr: b.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                                      "awaitPromise": True}, session=s)["result"].get("value")
        t0 = time.monotonic()
        while ev("document.readyState") != "complete" or not ev("document.querySelectorAll('#model option').length"):
            if time.monotonic() - t0 > 20:
                raise RuntimeError("the page did not load its models")
            time.sleep(0.1)
        if model:
            ev("(() => { const m = document.getElementById('model'); m.value = %s; "
               "m.dispatchEvent(new Event('change')); })()" % json.dumps(model))
        doc = b.call("DOM.getDocument", session=s)["root"]["nodeId"]
        node = b.call("DOM.querySelector", {"nodeId": doc, "selector": "#file"}, session=s)["nodeId"]
        t1 = time.monotonic()
        b.call("DOM.setFileInputFiles", {"files": [os.path.abspath(image)], "nodeId": node}, session=s)
        while not ev("document.querySelectorAll('.finding').length && document.getElementById('overlay').complete "
                     "&& document.getElementById('overlay').naturalWidth > 0"):
            if time.monotonic() - t0 > 60:
                out["error"] = ev("document.getElementById('error').textContent")
                raise RuntimeError("no findings shown: %s" % out["error"])
            time.sleep(0.1)
        out["seconds_to_findings"] = time.monotonic() - t1
        out["findings"] = ev("Array.from(document.querySelectorAll('.finding')).map(f => "
                             "[f.dataset.label || '', f.querySelector('.name').textContent, f.classList.contains('flag'), "
                             "parseFloat(f.querySelector('.fill') ? f.querySelector('.fill').style.width : 'NaN'), "
                             "f.querySelector('.op') ? parseFloat(f.querySelector('.op').style.left) : null])")
        out["disclaimer"] = ev("document.getElementById('disclaimer').textContent")
        out["timing"] = ev("document.getElementById('timing').textContent")
        out["oppoint"] = ev("document.getElementById('oppoint').textContent")
        out["photo_width"] = ev("document.getElementById('photo').naturalWidth")
        out["overlay_width"] = ev("document.getElementById('overlay').naturalWidth")
        out["opacity_before"] = ev("getComputedStyle(document.getElementById('overlay')).opacity")
        ev("(() => { const r = document.getElementById('opacity'); r.value = 25; "
           "r.dispatchEvent(new Event('input')); })()")
        out["opacity_after"] = ev("getComputedStyle(document.getElementById('overlay')).opacity")
        out["page_width"] = ev("document.documentElement.scrollWidth")
        out["viewport_width"] = ev("window.innerWidth")
        out["external_requests"] = ev("performance.getEntriesByType('resource').map(e => e.name)"
                                      ".filter(n => !n.startsWith(location.origin) && !n.startsWith('data:') && !n.startsWith('blob:'))")
        png = base64.b64decode(b.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                                      session=s)["data"])
        open(shot, "wb").write(png)
        out["screenshot_bytes"] = len(png)
    finally:
        b.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
