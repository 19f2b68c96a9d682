// The operator's journey through the back office: logs in, creates a tenant and
// its admin, suspends it (accepting the confirmation dialog), switches the
// language, opens the audit log and verifies the chain; then the new admin
// creates an agent and an API token. See lib.mjs for the shared rules (any
// console error fails). Screenshots go to $WAIHU_ARTIFACTS/operator/.
import { check, journey, need } from "./lib.mjs";

const base = need("WAIHU_BASE_URL");
const user = need("WAIHU_USER");
const password = need("WAIHU_PASSWORD");

await journey("operator", async ({ page, shot, dialogs }) => {
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
  await page.fill(`${userForm} input[name=password]`, "harbour-lights-2026");
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
  check(dialogs.count === 1, "suspending asked for confirmation (app.js)");
  await shot("tenants");
  // Resume it: a suspended tenant's admin could sign in and read, but change nothing.
  await row.locator("input[name=reason]").fill("e2e resumed");
  await Promise.all([page.waitForURL(/\/tenants\?done=1$/), row.locator("button[type=submit]").click()]);
  check(!(await page.locator("tr", { hasText: "e2e-shop" }).locator(".badge.bad").isVisible()), "the tenant is active again");

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
  await page.fill("input[name=password]", "harbour-lights-2026");
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
  check(await page.isVisible("strong:has-text('e2e-shop')"), "the admin's dashboard names its tenant");
  check(!(await page.isVisible("nav a[href='/tenants']")), "the admin has no platform console");
  await page.click("nav a[href='/users']");
  await page.fill("input[name=username]", "shop-agent");
  await page.fill("input[name=password]", "lantern-over-the-bay-7");
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
});
