/**
 * The offline report in a real browser: headless Chromium (Debian's package) opens
 * report.html through the Chrome DevTools Protocol, and every figure must render (an SVG in
 * each figure element) with no console error, no uncaught exception and no network request
 * beyond the file itself. The screenshot is kept as out/report_browser_test.png. Skipped when Chromium is
 * missing, unless VMMLAB_REQUIRE_CHROMIUM=1 (set by .ci/run once it installed it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { SilentProgress } from "../src/cli/experiment/progress.ts";
import { runExperiments } from "../src/cli/experiment/runner.ts";
import { stopChildren } from "./child_process.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});
const required = Deno.env.get("VMMLAB_REQUIRE_CHROMIUM") === "1";
if (CHROMIUM === undefined) {
  const why = "report browser test skipped: chromium is not installed (apt-get install chromium; " +
    ".ci/run does)";
  if (required) throw new Error(`VMMLAB_REQUIRE_CHROMIUM=1 but ${why}`);
  console.error(why);
}

/** Experiments whose report the browser opens: quick, and with bar and dot charts. */
const EXPERIMENTS = ["adams_fig4", "sugerman_fig5"];
const RENDER_TIMEOUT_MS = 60_000;
/** Where the screenshot is kept after the test. */
const SCREENSHOT = join(REPO_ROOT, "out", "report_browser_test.png");

/** A minimal Chrome DevTools Protocol client over one WebSocket. */
class Cdp {
  #next = 1;
  readonly #pending = new Map<number, (message: CdpMessage) => void>();
  readonly events: CdpMessage[] = [];
  readonly #listeners: ((message: CdpMessage) => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.onmessage = (e) => {
      const message = JSON.parse(String(e.data)) as CdpMessage;
      if (message.id !== undefined) {
        this.#pending.get(message.id)?.(message);
        this.#pending.delete(message.id);
      } else {
        this.events.push(message);
        for (const listener of this.#listeners) listener(message);
      }
    };
  }

  static open(url: string): Promise<Cdp> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new Cdp(socket));
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<CdpMessage> {
    const id = this.#next++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      this.#pending.set(
        id,
        (m) => m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m),
      );
    });
  }

  waitFor(method: string, ms: number): Promise<void> {
    if (this.events.some((e) => e.method === method)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} in ${ms} ms`)), ms);
      this.#listeners.push((m) => {
        if (m.method === method) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
}

/** The fields of protocol messages this test reads. */
interface CdpMessage {
  id?: number;
  method?: string;
  params?: { type?: string; entry?: { level?: string }; request?: { url?: string } };
  result?: { result?: { value?: string }; data?: string };
  error?: { message: string };
}

/**
 * Removes the test folder; chromium's last helper processes may still be writing into its
 * profile for a moment after the browser exits, so a non-empty folder is retried.
 */
async function removeWhenQuiet(dir: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      await Deno.remove(dir, { recursive: true });
      return;
    } catch (e) {
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Reads chromium's stderr until it prints the DevTools endpoint; returns its port. */
async function devtoolsPort(stderr: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => reader.cancel(), 30_000);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`chromium exited before listening:\n${text}`);
      text += value;
      const match = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (match) {
        // Keep draining so that chromium never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* discard */ }
          } catch { /* closed */ }
        })();
        return Number(match[1]);
      }
    }
  } finally {
    clearTimeout(deadline);
  }
}

Deno.test({
  name: "report.html renders every figure in headless Chromium, offline and without errors",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vmmlab_browser_" });
    const out = join(dir, "out");
    await runExperiments({ names: EXPERIMENTS, out, workers: 2, progress: new SilentProgress() });
    const report = join(out, "report.html");
    const browser = new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--remote-debugging-port=0",
        `--user-data-dir=${join(dir, "profile")}`,
        "--window-size=1280,2000",
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let cdp: Cdp | undefined;
    try {
      const port = await devtoolsPort(browser.stderr);
      const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
        type: string;
        webSocketDebuggerUrl: string;
      }[];
      const page = targets.find((t) => t.type === "page");
      assert.ok(page, "chromium has a page target");
      cdp = await Cdp.open(page.webSocketDebuggerUrl);
      for (const domain of ["Runtime", "Log", "Network", "Page"]) {
        await cdp.send(`${domain}.enable`);
      }
      await cdp.send("Page.navigate", { url: pathToFileURL(report).href });
      await cdp.waitFor("Page.loadEventFired", RENDER_TIMEOUT_MS);

      const expected = EXPERIMENTS.length;
      let rendered = { figures: 0, svgs: 0 };
      const deadline = performance.now() + RENDER_TIMEOUT_MS;
      while (performance.now() < deadline) {
        const r = await cdp.send("Runtime.evaluate", {
          expression: "JSON.stringify({figures: document.querySelectorAll('div.figure').length, " +
            "svgs: document.querySelectorAll('div.figure svg').length})",
          returnByValue: true,
        });
        rendered = JSON.parse(r.result?.result?.value ?? "{}");
        if (rendered.figures === expected && rendered.svgs >= expected) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(rendered.figures, expected, "one figure element per experiment");
      const perFigure = await cdp.send("Runtime.evaluate", {
        expression: "JSON.stringify([...document.querySelectorAll('div.figure')].map((f) => " +
          "({id: f.id, marks: f.querySelectorAll('svg path, svg rect, svg line').length})))",
        returnByValue: true,
      });
      for (
        const f of JSON.parse(perFigure.result?.result?.value ?? "[]") as {
          id: string;
          marks: number;
        }[]
      ) {
        assert.ok(f.marks > 10, `${f.id} drew its marks (${f.marks})`);
      }

      const shot = await cdp.send("Page.captureScreenshot", { format: "png" });
      const png = Uint8Array.from(atob(shot.result?.data ?? ""), (c) => c.charCodeAt(0));
      // Kept for a person to look at: out/ is the project's (ignored) output folder.
      await Deno.mkdir(join(REPO_ROOT, "out"), { recursive: true });
      await Deno.writeFile(SCREENSHOT, png);
      assert.ok(png.length > 10_000, "a non-empty screenshot");

      const errors = cdp.events.filter((e) =>
        e.method === "Runtime.exceptionThrown" ||
        (e.method === "Runtime.consoleAPICalled" && e.params?.type === "error") ||
        (e.method === "Log.entryAdded" && e.params?.entry?.level === "error")
      ).map((e) => JSON.stringify(e.params).slice(0, 300));
      assert.deepEqual(errors, [], "no console error or exception");
      const requests = cdp.events.filter((e) => e.method === "Network.requestWillBeSent")
        .map((e) => String(e.params?.request?.url))
        .filter((url) => url !== pathToFileURL(report).href && !url.startsWith("data:"));
      assert.deepEqual(requests, [], "no request beyond the report file itself");
    } finally {
      cdp?.socket.close();
      // SIGTERM lets chromium stop its helper processes; SIGKILL only if it does not exit.
      await stopChildren([browser]);
      await removeWhenQuiet(dir);
    }
  },
});
