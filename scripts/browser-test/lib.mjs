// What the browser journeys share: Debian's Chromium (headless, a fresh profile
// each run) driven by playwright-core, numbered screenshots, checks that print
// `ok - ...`, and the rule that any console error (e.g. a CSP violation), page
// error or unexpected HTTP error response fails the journey.
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The value of a required environment variable (exit 2 when unset). */
export function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`error: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

/** Fails the journey with `what` unless `cond` holds. */
export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

/**
 * Runs `body({ page, shot, dialogs, allow })` in a fresh Chromium. Screenshots go
 * to `$WAIHU_ARTIFACTS/<name>/NN-step.png`. `allow(regex, status)` accepts one
 * expected HTTP error response (e.g. a form re-drawn with 422) and the console
 * error Chromium logs for it. `contextOptions` override the browser context's
 * options (e.g. a phone's viewport, `isMobile`, `hasTouch`, `locale`). Sets the
 * exit code to 1 on any failure.
 */
export async function journey(name, body, contextOptions = {}) {
  const artifacts = join(process.env.WAIHU_ARTIFACTS || "target/test-artifacts/browser", name);
  mkdirSync(artifacts, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "waihu-chromium-"));
  // A fresh, empty profile directory every run (playwright passes it to Chromium
  // as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      // The call recording is played by script, without a click.
      "--autoplay-policy=no-user-gesture-required",
    ],
    ...contextOptions,
  });
  const problems = [];
  const allowed = [];
  let step = 0;
  const started = Date.now();
  console.log(`# journey: ${name}`);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // An allowed error response is excused once as a response and once as the
    // "Failed to load resource" console error Chromium logs for it.
    const excuse = (kind, status, url) => {
      const a = allowed.find((a) => !a[kind] && a.status === status && (!url || a.url.test(url)));
      if (a) a[kind] = true;
      return Boolean(a);
    };
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      const failed = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
      if (failed && excuse("console", Number(failed[1]), m.location()?.url)) return;
      problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("response", (r) => {
      if (r.status() < 400) return;
      if (!excuse("response", r.status(), r.url())) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    const dialogs = { count: 0 };
    page.on("dialog", (d) => { dialogs.count += 1; d.accept(); });
    const shot = async (what) => {
      step += 1;
      const file = join(artifacts, `${String(step).padStart(2, "0")}-${what}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`   screenshot ${file}`);
    };
    const allow = (url, status) => allowed.push({ url, status });
    await body({ page, shot, dialogs, allow });
    check(problems.length === 0, `no console or page errors ${problems.length ? JSON.stringify(problems) : ""}`);
  } catch (e) {
    console.error(`not ok - ${e.message}`);
    for (const p of problems) console.error(`   ${p}`);
    process.exitCode = 1;
  } finally {
    console.log(`# journey ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Signs in on the login page and waits for the dashboard. */
export async function login(page, base, user, password) {
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
}

/** Signs out through the header's form. */
export async function logout(page) {
  await Promise.all([page.waitForURL(/\/login\?bye=1$/), page.click("header form[action='/logout'] button")]);
}
