// A tenant admin's whole campaign in the browser, against a server whose dialler
// calls the built-in virtual callee: uploads a script with a linter finding and
// sees it, fixes it and publishes; imports the contact list from a CSV file
// ($WAIHU_CONTACTS_FILE, with one bad row on row 3) and sees the bad row
// reported; creates a task over that list and starts it, its progress updating
// in place; watches the call appear on the live page and end; opens its record
// and plays the recording. Then the operator suspends the tenant. See lib.mjs for
// the shared rules (any console error fails). Screenshots go to
// $WAIHU_ARTIFACTS/campaign/.
import { readFileSync } from "node:fs";
import { check, journey, login, logout, need } from "./lib.mjs";

const base = need("WAIHU_BASE_URL");
const operator = need("WAIHU_USER");
const operatorPassword = need("WAIHU_PASSWORD");
const admin = need("WAIHU_ADMIN_USER");
const adminPassword = need("WAIHU_ADMIN_PASSWORD");
const tenant = need("WAIHU_TENANT");
const list = need("WAIHU_LIST");
// The contact file: good rows, and an invalid number on row 3.
const contactsFile = need("WAIHU_CONTACTS_FILE");
// A clean script; the journey first uploads it with a typo in one node name.
const clean = readFileSync(need("WAIHU_SCRIPT_FILE"), "utf8");
const typo = clean.replace("next: end_booked", "next: end_bookd");
if (typo === clean) throw new Error("the script has no `next: end_booked` to break");

await journey("campaign", async ({ page, shot, dialogs }) => {
  await login(page, base, admin, adminPassword);
  check(await page.isVisible(`strong:has-text('${tenant}')`), "the admin's dashboard names its tenant");
  await shot("dashboard");

  // A script with a finding: saved, shown with the finding, not publishable.
  await page.click("nav a[href='/scripts']");
  await page.fill("#upload input[name=name]", "journey");
  await page.fill("#upload textarea[name=yaml]", typo);
  await Promise.all([page.waitForURL(/\/script-versions\/[0-9a-f-]+$/), page.click("#upload button[type=submit]")]);
  check(await page.isVisible("#findings td:has-text('unknown-node')"), "the linter's finding is shown inline");
  check(!(await page.isVisible("form[action$='/publish']")), "a version with findings cannot be published");
  await shot("script-finding");

  // Fixed: a new version without findings, published (after a confirmation).
  await page.fill("#upload textarea[name=yaml]", clean);
  await Promise.all([page.waitForURL(/\/script-versions\/[0-9a-f-]+$/), page.click("#upload button[type=submit]")]);
  check(await page.isVisible("div.notice.ok#findings"), "the fixed version has no findings");
  const before = dialogs.count;
  await Promise.all([page.waitForURL(/\?done=1$/), page.click("form[action$='/publish'] button")]);
  check(dialogs.count === before + 1, "publishing asked for confirmation");
  check(await page.isVisible("h2 .badge.ok"), "the version is published");
  await shot("script-published");

  // The contact list, imported from the file with import-wide consent evidence
  // (marketing, the script's purpose): the good row stored, the bad one reported.
  await page.click("nav a[href='/contacts']");
  const form = page.locator("#contacts-import form");
  await form.locator("input[name=list]").fill(list);
  await form.locator("input[name=file]").setInputFiles(contactsFile);
  await form.locator("input[name=consent_source]").fill("web_form");
  await form.locator("input[name=consent_time]").fill("2026-01-15 10:00");
  await form.locator("input[name=consent_scope]").fill("marketing");
  await form.locator("input[name=consent_ref]").fill("FORM-J");
  await Promise.all([page.waitForURL(`${base}/contacts/import`), form.locator("button[type=submit]").click()]);
  check(await page.isVisible(`#import-done:has-text('${list}')`), "the contact file is imported");
  check((await page.textContent("#import-imported .value")).trim() === "1", "the good row is imported");
  const bad = page.locator("#import-errors tbody tr");
  check(await bad.count() === 1, "one bad row is reported");
  check((await bad.locator("td").first().textContent()).trim() === "3"
    && (await bad.locator("code").textContent()).trim() === "invalid_number",
    "the bad row is reported with its row number and reason");
  await shot("contacts-import");

  // The list is there.
  await page.click("nav a[href='/contacts']");
  check(await page.isVisible(`a:has-text('${list}')`), "the contact list is listed");
  await shot("contacts");

  // A new task over that list, calling all day (the policy allows it), started.
  await page.click("nav a[href='/tasks']");
  await Promise.all([page.waitForURL(`${base}/tasks/new`), page.click("#new-task")]);
  await page.fill("input[name=name]", "journey-task");
  await page.selectOption("select[name=script_version_id]", { label: "journey v2" });
  await page.check(`label.check:has-text('${list}') input[name=list_ids]`);
  await page.fill("input[name=windows]", "00:00-24:00");
  await shot("task-new");
  await Promise.all([page.waitForURL(/\/tasks\/[0-9a-f-]+\?done=1$/), page.click("form[action='/tasks'] button[type=submit]")]);
  check(await page.isVisible("h2:has-text('journey-task')"), "the task is created");
  await Promise.all([page.waitForURL(/\/tasks\/[0-9a-f-]+\?done=1$/), page.click("form[action$='/start'] button")]);
  check(!(await page.isVisible("form[action$='/start']")), "the task is running");
  // Its progress follows without a reload: the running part of the page is
  // swapped for a fresh copy, which counts the call's attempt.
  await page.evaluate(() => { window.__firstCopy = document.getElementById("task-live"); });
  await page.waitForFunction(() => {
    const live = document.getElementById("task-live");
    const attempts = document.getElementById("task-attempts");
    return live && live !== window.__firstCopy && attempts && attempts.textContent.trim() !== "0";
  }, null, { timeout: 30_000 });
  check(await page.evaluate(() => window.__firstCopy !== undefined), "the task page's progress updates in place (attempt counted)");
  await shot("task-started");

  // The call, live: it appears (Server-Sent Events), talks, and ends.
  await page.click("nav a[href='/live']");
  await page.waitForSelector(".live-call", { timeout: 30_000 });
  check(true, "the call appears on the live page");
  await page.waitForSelector(".live-call .live-lines li", { timeout: 30_000 });
  check(true, "the live transcript grows");
  await shot("live-call");
  await page.waitForSelector(".live-call.ended", { timeout: 120_000 });
  check(true, "the call ends on the live page");
  check((await page.textContent(".live-call.ended .state")).includes("answered"), "the live page says it was answered");
  await shot("live-ended");

  // Its record: transcript and recording, played to the end.
  await page.click("nav a[href='/calls']");
  const first = page.locator("table a[href^='/calls/']").first();
  await Promise.all([page.waitForURL(/\/calls\/[0-9a-f-]+$/), first.click()]);
  check(await page.isVisible("td:has-text('可以')"), "the call record has the callee's words in its transcript");
  check(await page.isVisible("td:has-text('booked')"), "the call record has the script's outcome (booked)");
  check(await page.isVisible("audio"), "the call record has its recording");
  const played = await page.evaluate(async () => {
    const a = document.querySelector("audio");
    const done = new Promise((resolve) => {
      a.addEventListener("ended", () => resolve("ended"));
      a.addEventListener("error", () => resolve(`error ${a.error && a.error.code}`));
      setTimeout(() => resolve(a.currentTime > 0 ? "playing" : `stuck at ${a.currentTime}`), 10_000);
    });
    a.playbackRate = 8;
    await a.play();
    return { how: await done, time: a.currentTime, duration: a.duration, error: a.error && a.error.code };
  });
  console.log(`   audio: ${JSON.stringify(played)}`);
  check((played.how === "ended" || played.how === "playing") && played.time > 0 && !played.error,
    "the recording plays");
  await shot("call-record");
  await logout(page);

  // The operator suspends the tenant.
  await login(page, base, operator, operatorPassword);
  await page.click("nav a[href='/tenants']");
  const row = page.locator("tr", { hasText: tenant });
  await row.locator("input[name=reason]").fill("journey done");
  await Promise.all([page.waitForURL(/\/tenants\?done=1$/), row.locator("button[type=submit]").click()]);
  check(await page.locator("tr", { hasText: tenant }).locator(".badge.bad").isVisible(), "the operator suspended the tenant");
  await shot("tenant-suspended");
});
