// A callee's journey through the public pages (/p, no login) on a phone: the
// page fits a 390 px screen and loads nothing from another origin; the callee
// types the number ($WAIHU_PUBLIC_NUMBER) and asks for a code; the server's
// verification call reads it out to the virtual callee, which logs what it
// heard ($WAIHU_CALLEE_LOG, JSONL, `code_heard` events on calls from
// $WAIHU_VERIFY_CALLER); the journey votes the readings like
// `waihu_callee::code::vote` and types the code in (asking for a second code
// once if the first call was heard too badly). Verified, the callee opts out of
// the business whose number called ($WAIHU_BUSINESS_CALLER), files a complaint
// about it, sees the data held about the number, switches to English and erases
// the data. See lib.mjs for the shared rules (any console error fails).
// Screenshots go to $WAIHU_ARTIFACTS/public/.
import { readFileSync } from "node:fs";
import { check, journey, need } from "./lib.mjs";

const base = need("WAIHU_BASE_URL");
const number = need("WAIHU_PUBLIC_NUMBER");
const calleeLog = need("WAIHU_CALLEE_LOG");
const verifyCaller = need("WAIHU_VERIFY_CALLER");
const business = need("WAIHU_BUSINESS_CALLER");
const origin = new URL(base).origin;

/** How many times the robot reads the code (`waihu_callee::code::READINGS`). */
const READINGS = 3;
/** A digit heard but not recognised (`waihu_callee::code::MISSED`). */
const MISSED = "?";
/** The code's length. */
const CODE_DIGITS = 6;
/** Codes typed per code call (a code dies after five wrong tries). */
const MAX_TRIES = 4;

const digits = (s) => String(s ?? "").replace(/\D/g, "");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The codes the callee heard on verification calls to the number, in order. */
function codesHeard() {
  let text;
  try {
    text = readFileSync(calleeLog, "utf8");
  } catch {
    return [];
  }
  const codes = [];
  for (const line of text.split("\n")) {
    let call;
    try {
      call = JSON.parse(line);
    } catch {
      continue; // blank, or still being written
    }
    if (digits(call.to) !== digits(number) || digits(call.from) !== digits(verifyCaller)) continue;
    for (const e of call.events ?? []) {
      if (e.event === "code_heard" && typeof e.code === "string") codes.push(e.code);
    }
  }
  return codes;
}

/**
 * `waihu_callee::code::vote`: among the readings of the most common length
 * (ties: the longer), at each position the digit heard most often (MISSED does
 * not vote; ties: the one heard first); null when nothing was heard.
 */
export function vote(readings) {
  if (readings.length === 0) return null;
  const lengths = readings.map((r) => [...r].length).sort((a, b) => a - b);
  const count = (xs, x) => xs.filter((y) => y === x).length;
  let len = lengths[0];
  for (const l of lengths) if (count(lengths, l) >= count(lengths, len)) len = l;
  const same = readings.map((r) => [...r]).filter((r) => r.length === len);
  let code = "";
  for (let i = 0; i < len; i++) {
    const column = same.map((r) => r[i]).filter((c) => c !== MISSED);
    let best = MISSED;
    for (const c of column) {
      if (best === MISSED || count(column, c) > count(column, best)) best = c;
    }
    code += best;
  }
  return code;
}

const complete = (r) => r.length === CODE_DIGITS && /^\d+$/.test(r);

/** China Standard Time `minutesAgo` minutes ago, as a datetime-local input takes it. */
function cstMinutesAgo(minutesAgo) {
  return new Date(Date.now() + (8 * 60 - minutesAgo) * 60_000).toISOString().slice(0, 16);
}

await journey("public", async ({ page, shot, allow }) => {
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const foreign = () => requests.filter((u) => !u.startsWith(`${origin}/`));
  const fits = async (what) => {
    const [scroll, inner] = await page.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth]);
    check(scroll <= inner, `${what} fits the phone (${scroll} <= ${inner} px)`);
  };
  /** Clicks `selector` and waits for the page it leads to (after any redirect). */
  const submit = async (selector) => {
    await Promise.all([page.waitForEvent("load"), page.click(selector)]);
  };

  // The start page, on a phone, in Chinese, with nothing from elsewhere.
  await page.goto(`${base}/p`);
  check((await page.getAttribute("html", "lang")) === "zh-CN", "the public start page is in Chinese by default");
  check(await page.isVisible("form[action='/p/code'] input[name=number]"), "the start page asks for the number");
  await fits("the start page");
  check(requests.length > 0 && foreign().length === 0,
    `the start page loads nothing from another origin ${JSON.stringify(foreign())}`);
  await shot("public-start");

  /**
   * Asks for a code, waits for the callee to hear the call's readings and types
   * them in (the voted code first); whether one was accepted.
   */
  const verifyByCodeCall = async (first) => {
    const before = codesHeard().length;
    if (!first) await page.goto(`${base}/p`);
    await page.fill("form[action='/p/code'] input[name=number]", number);
    await Promise.all([page.waitForURL(`${base}/p/verify`), page.click("form[action='/p/code'] button[type=submit]")]);
    if (first) {
      const calling = await page.textContent("main strong");
      check(calling.includes("****") && calling.endsWith(digits(number).slice(-4)),
        `the code page names the masked number (${calling})`);
      await fits("the code page");
      await shot("public-code");
    }
    // It is read three times; wait for every reading (or the end of waiting).
    const deadline = Date.now() + 120_000;
    while (codesHeard().length < before + READINGS && Date.now() < deadline) await sleep(300);
    const heard = codesHeard().slice(before);
    console.log(`   code call heard: ${JSON.stringify(heard)}`);
    const voted = vote(heard);
    if (voted === null) {
      console.log("   no code heard on this call");
      return false;
    }
    // The digits most often heard first, then any other complete reading; each
    // wrong one costs one of the code's five tries.
    const readings = [voted];
    for (const r of heard) if (complete(r) && !readings.includes(r)) readings.push(r);
    for (const reading of readings.slice(0, MAX_TRIES)) {
      if (!complete(reading)) continue;
      if (!(await page.isVisible("form[action='/p/verify'] input[name=code]"))) break;
      // A wrong code re-draws the form with 422.
      allow(/\/p\/verify$/, 422);
      await page.fill("form[action='/p/verify'] input[name=code]", reading);
      await submit("form[action='/p/verify'] button[type=submit]");
      if (new URL(page.url()).pathname === "/p/me") return true;
      const why = (await page.locator("[role=alert]").first().textContent().catch(() => "")) ?? "";
      console.log(`   ${reading} refused: ${why.trim()}`);
    }
    console.log(`   no reading was right: ${JSON.stringify(readings)} from ${JSON.stringify(heard)}`);
    return false;
  };

  // A call heard too badly (a loaded machine can starve the media threads) is
  // answered as a person would: by asking for another code, once.
  let verified = await verifyByCodeCall(true);
  if (!verified) verified = await verifyByCodeCall(false);
  check(verified, "the code heard on the call is accepted");

  // Verified: the choices.
  const me = await page.textContent(".notice.ok strong");
  check(me.includes("****") && me.endsWith(digits(number).slice(-4)), `the choices page names the verified number (${me})`);
  await fits("the choices page");
  await shot("public-me");

  // Opt out of the business whose number called.
  const optout = page.locator("form[action='/p/optout']");
  await optout.locator("input[name=scope][value=business]").check();
  await optout.locator("input[name=caller_number]").fill(business);
  await Promise.all([page.waitForURL(`${base}/p/me?done=optout`), optout.locator("button[type=submit]").click()]);
  check((await page.textContent(".notice.ok[role=status]")).includes("已登记"), "the opt-out is confirmed");
  await shot("public-optout");

  // A complaint about that business's call half an hour ago.
  const what = "机器人来电推销课程，我从未同意接听。";
  const complaint = page.locator("form[action='/p/complaint']");
  await complaint.locator("input[name=caller_number]").fill(business);
  await complaint.locator("input[name=called_at]").fill(cstMinutesAgo(30));
  await complaint.locator("textarea[name=what]").fill(what);
  await Promise.all([page.waitForURL(`${base}/p/me?done=complaint`), complaint.locator("button[type=submit]").click()]);
  check((await page.textContent(".notice.ok[role=status]")).includes("投诉已提交"), "the complaint is filed");
  await shot("public-complaint");

  // The data held about the number: the opt-out and the complaint are there.
  await Promise.all([page.waitForURL(`${base}/p/data`), page.click("a[href='/p/data']")]);
  check(await page.isVisible("h2:has-text('不再来电')"), "the data page lists the opt-out");
  check(await page.isVisible(`li:has-text('${what}')`), "the data page lists the complaint");
  await fits("the data page");
  await shot("public-data");

  // English, once; the choice sticks on the next page.
  await submit("a.lang");
  check((await page.getAttribute("html", "lang")) === "en", "the public page switched to English");
  check(await page.isVisible("h1:has-text('My data')"), "the data page is in English");
  await Promise.all([page.waitForURL(`${base}/p/me`), page.click("main a[href='/p/me']")]);
  check(await page.isVisible("h1:has-text('Your choices')"), "English is remembered on the choices page");
  await shot("public-me-en");

  // Erase the data: done, and the verified session ends with it.
  const erase = page.locator("form[action='/p/erase']");
  await erase.locator("input[name=confirm]").check();
  await Promise.all([page.waitForURL(`${base}/p/erase`), erase.locator("button[type=submit]").click()]);
  check((await page.textContent("[role=status]")).includes("The data about your number has been erased"),
    "the data is erased");
  await shot("public-erased");
  await page.goto(`${base}/p/me`);
  check(page.url() === `${base}/p?expired=1`, "the session ended with the erasure");

  check(foreign().length === 0, `every request went to the server's own origin ${JSON.stringify(foreign())}`);
}, {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "zh-CN",
});
