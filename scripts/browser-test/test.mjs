// The back office in a real browser: Debian's Chromium, headless, driven by
// playwright-core. Logs in as the operator, creates a tenant and its admin,
// suspends it (accepting the confirmation dialog), switches the language, opens
// the audit log and verifies the chain. Any console error (e.g. a CSP violation)
// or page error fails the test. Screenshots go to $WAIHU_ARTIFACTS.
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = need("WAIHU_BASE_URL");
const user = need("WAIHU_USER");
const password = need("WAIHU_PASSWORD");
const artifacts = process.env.WAIHU_ARTIFACTS || "target/test-artifacts/browser";
mkdirSync(artifacts, { recursive: true });

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`error: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

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
  ],
});
const problems = [];
let step = 0;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
  let dialogs = 0;
  page.on("dialog", (d) => { dialogs += 1; d.accept(); });
  const shot = async (name) => {
    step += 1;
    const file = join(artifacts, `${String(step).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`   screenshot ${file}`);
  };

  // Sign in (Chinese by default).
  await page.goto(`${base}/login`);
  check((await page.getAttribute("html", "lang")) === "zh-CN", "the login page is in Chinese by default");
  await shot("login");
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
  check(await page.isVisible("text=" + user), "the dashboard greets the operator");
  await shot("dashboard");

  // Create a tenant, then its first admin.
  await page.click("nav a[href='/tenants']");
  await page.fill("input[name=name]", "e2e-shop");
  await Promise.all([page.waitForURL(/\/tenants\/[0-9a-f-]+\?done=1$/), page.click("form[action='/tenants'] button[type=submit]")]);
  check(await page.isVisible("h2:has-text('e2e-shop')"), "the new tenant's page opens");
  const userForm = "form[action$='/users']";
  await page.fill(`${userForm} input[name=username]`, "shop-admin");
  await page.fill(`${userForm} input[name=password]`, "shop-admin-password-1");
  await page.selectOption(`${userForm} select[name=role]`, "admin");
  await Promise.all([page.waitForURL(/done=1$/), page.click(`${userForm} button[type=submit]`)]);
  check(await page.isVisible("td >> text=shop-admin"), "the tenant's admin is listed");
  await shot("tenant-detail");

  // Suspend it from the list (a confirmation dialog is accepted).
  await page.click("nav a[href='/tenants']");
  const row = page.locator("tr", { hasText: "e2e-shop" });
  await row.locator("input[name=reason]").fill("e2e check");
  await Promise.all([page.waitForURL(/\/tenants\?done=1$/), row.locator("button[type=submit]").click()]);
  check(await page.locator("tr", { hasText: "e2e-shop" }).locator(".badge.bad").isVisible(), "the tenant shows as suspended");
  check(dialogs === 1, "suspending asked for confirmation (app.js)");
  await shot("tenants");

  // Switch to English; the choice sticks across pages.
  await Promise.all([page.waitForLoadState("load"), page.click("a.lang")]);
  check((await page.getAttribute("html", "lang")) === "en", "the page switched to English");
  check(await page.isVisible("nav >> text=Tenants"), "the navigation is in English");
  await shot("tenants-en");

  // The audit log, then verify the chain.
  await page.click("nav a[href='/audit']");
  check((await page.getAttribute("html", "lang")) === "en", "English is remembered");
  check(await page.isVisible("code:has-text('tenant.create')"), "the audit log lists the tenant's creation");
  check(await page.isVisible("code:has-text('auth.login')"), "the audit log lists the login");
  await shot("audit");
  await Promise.all([page.waitForURL(`${base}/audit/verify`), page.click("#verify-chain")]);
  check((await page.getAttribute("#chain-result", "data-ok")) === "true", "the audit chain verifies");
  await shot("audit-verified");

  // Sign out.
  await Promise.all([page.waitForURL(/\/login\?bye=1$/), page.click("header form[action='/logout'] button")]);
  check(await page.isVisible("input[name=username]"), "signed out to the login page");

  // The tenant's admin (created above) manages its own users and API tokens.
  await page.fill("input[name=username]", "shop-admin");
  await page.fill("input[name=password]", "shop-admin-password-1");
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
  check(await page.isVisible("strong:has-text('e2e-shop')"), "the admin's dashboard names its tenant");
  check(!(await page.isVisible("nav a[href='/tenants']")), "the admin has no platform console");
  await page.click("nav a[href='/users']");
  await page.fill("input[name=username]", "shop-agent");
  await page.fill("input[name=password]", "shop-agent-password-1");
  await page.selectOption("select[name=role]", "agent");
  await Promise.all([page.waitForURL(/\/users\?done=1$/), page.click("form[action='/users'] button[type=submit]")]);
  check(await page.isVisible("td >> text=shop-agent"), "the admin created an agent");
  await shot("users");
  await page.click("nav a[href='/tokens']");
  await page.fill("input[name=name]", "crm");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/tokens'] button[type=submit]")]);
  const secret = (await page.textContent("#new-token")).trim();
  check(secret.startsWith("wh_"), "the new API token is shown once");
  await shot("token-created");
  const me = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
  check(me.status === 200 && (await me.json()).role === "admin", "the token authenticates the JSON API");
  await page.goto(`${base}/tokens`);
  check(!(await page.isVisible("#new-token")), "the secret is not shown again");

  check(problems.length === 0, `no console or page errors ${problems.length ? JSON.stringify(problems) : ""}`);
} catch (e) {
  console.error(`not ok - ${e.message}`);
  for (const p of problems) console.error(`   ${p}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
