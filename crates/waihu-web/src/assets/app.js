// waihu back office: small progressive enhancements. No inline scripts anywhere
// (CSP script-src 'self'); every behaviour is bound here through data attributes.
"use strict";

document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    ev.preventDefault();
  }
});

document.addEventListener("click", function (ev) {
  var btn = ev.target.closest("[data-copy]");
  if (!btn) return;
  var src = document.getElementById(btn.getAttribute("data-copy"));
  if (!src || !navigator.clipboard) return;
  navigator.clipboard.writeText(src.textContent.trim()).then(function () {
    var done = btn.getAttribute("data-copied");
    if (done) btn.textContent = done;
  });
});

// Prompt upload (/prompts): the chosen file is sent as the raw body to the API
// route in data-upload, with the session's anti-CSRF header; the answer's error
// message is shown next to the button, success reloads the list.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var url = form.getAttribute("data-upload");
  if (!url) return;
  ev.preventDefault();
  var file = form.querySelector("input[type=file]").files[0];
  var name = form.querySelector("input[name=name]").value;
  var status = form.querySelector("[data-upload-status]");
  if (!file) return;
  var type = file.type || (/\.mp3$/i.test(file.name) ? "audio/mpeg" : "audio/wav");
  fetch(url + "?name=" + encodeURIComponent(name), {
    method: "POST",
    headers: { "Content-Type": type, "X-CSRF-Token": form.getAttribute("data-csrf") },
    body: file,
    credentials: "same-origin"
  }).then(function (r) {
    if (r.ok) { window.location.reload(); return null; }
    return r.json().then(function (j) { status.textContent = j.error ? j.error.message : r.status; });
  }).catch(function (e) { status.textContent = String(e); });
});

// Hide success notices after a while so they don't linger over the page.
document.querySelectorAll(".notice[data-autohide]").forEach(function (el) {
  setTimeout(function () { el.classList.add("fade"); }, 6000);
});

// A part of a page marked data-refresh="SECONDS" (with an id) is fetched again
// from the same page and swapped in, while the fresh copy still carries the
// mark: a running task's progress. Markup comes from the server (escaped there);
// a failed fetch, a login page or a finished task ends the refreshing.
(function () {
  var el = document.querySelector("[data-refresh][id]");
  if (!el || !window.fetch || !window.DOMParser) return;
  var id = el.id;
  function schedule(node) {
    var secs = Number(node.getAttribute("data-refresh")) || 5;
    setTimeout(refresh, secs * 1000);
  }
  function refresh() {
    fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var current = document.getElementById(id);
        if (!fresh || !current) return;
        current.replaceWith(document.importNode(fresh, true));
        if (fresh.hasAttribute("data-refresh")) schedule(fresh);
      })
      .catch(function () {});
  }
  schedule(el);
})();

// Live calls (/live): the list drawn by the server is kept up to date from the
// Server-Sent Events at data-live-src. Text from the events goes in through
// textContent only; the labels come from the container's data-l-* attributes.
(function () {
  var root = document.querySelector("[data-live-src]");
  if (!root || !window.EventSource) return;
  var L = function (k) { return root.getAttribute("data-l-" + k) || k; };
  var none = document.getElementById("live-none");
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function cardOf(id) {
    return root.querySelector('.live-call[data-call="' + id + '"]');
  }
  function refreshEmpty() {
    if (none) none.hidden = root.querySelector(".live-call") !== null;
  }
  function setState(card, cls, label) {
    var b = card.querySelector(".state");
    if (!b) return;
    b.className = "badge state " + cls;
    b.textContent = label;
  }
  function addLine(card, speaker, text, dtmf, intent) {
    var ol = card.querySelector(".live-lines");
    var li = el("li", speaker);
    li.appendChild(el("b", null, L(speaker) + "："));
    if (text) li.appendChild(el("span", null, text));
    else if (dtmf) li.appendChild(el("span", "mono", "#" + dtmf));
    else li.appendChild(el("span", "hint", "—"));
    if (intent) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", "badge role", intent)); }
    ol.appendChild(li);
    while (ol.children.length > 100) ol.removeChild(ol.firstChild);
  }
  function addCard(c) {
    var card = el("div", "card live-call");
    card.setAttribute("data-call", c.call_id);
    var h = el("h2");
    h.appendChild(el("span", "task", c.task_name));
    h.appendChild(document.createTextNode(" · "));
    h.appendChild(el("span", "mono", c.number_masked));
    h.appendChild(document.createTextNode(" "));
    h.appendChild(el("span", "badge state", ""));
    card.appendChild(h);
    var when = (c.started_at || "").replace("T", " ").slice(0, 19);
    var tenant = root.getAttribute("data-l-tenant");
    card.appendChild(el("p", "hint mono", when + (tenant ? " · " + tenant + " " + c.tenant_id : "")));
    card.appendChild(el("ol", "live-lines"));
    root.appendChild(card);
    if (c.answered_at) setState(card, "ok", L("talking"));
    else setState(card, "warn", L("dialling"));
    (c.lines || []).forEach(function (l) { addLine(card, l.speaker, l.text, l.dtmf, l.intent); });
    refreshEmpty();
    return card;
  }
  function data(ev) {
    try { return JSON.parse(ev.data); } catch (e) { return null; }
  }
  var src = new EventSource(root.getAttribute("data-live-src"));
  src.addEventListener("snapshot", function (ev) {
    var d = data(ev);
    if (!d) return;
    root.querySelectorAll(".live-call").forEach(function (c) { c.remove(); });
    d.calls.forEach(addCard);
    refreshEmpty();
  });
  src.addEventListener("started", function (ev) {
    var d = data(ev);
    if (d && !cardOf(d.call_id)) addCard({ call_id: d.call_id, tenant_id: d.tenant_id, task_name: d.task_name,
      number_masked: d.number_masked, started_at: d.at, lines: [] });
  });
  src.addEventListener("answered", function (ev) {
    var d = data(ev), card = d && cardOf(d.call_id);
    if (card) setState(card, "ok", L("talking"));
  });
  src.addEventListener("robot", function (ev) {
    var d = data(ev), card = d && cardOf(d.call_id);
    if (card) addLine(card, "robot", d.text, null, null);
  });
  src.addEventListener("callee", function (ev) {
    var d = data(ev), card = d && cardOf(d.call_id);
    if (card) addLine(card, "callee", d.text, d.dtmf, d.intent);
  });
  src.addEventListener("ended", function (ev) {
    var d = data(ev), card = d && cardOf(d.call_id);
    if (!card) return;
    setState(card, "", L("ended") + " · " + d.outcome + (d.grade ? " · " + d.grade : ""));
    card.classList.add("ended");
    setTimeout(function () { card.remove(); refreshEmpty(); }, 8000);
  });
})();

// Chat simulator (script version page): the form works as a plain POST that
// answers with the whole page; here it is sent in the background and only the
// chat card is swapped, keeping the page where it is.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!form.hasAttribute("data-chat") || !window.fetch || !window.DOMParser) return;
  ev.preventDefault();
  var body = new URLSearchParams(new FormData(form));
  var button = form.querySelector("button");
  if (button) button.disabled = true;
  fetch(form.action, {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" }
  }).then(function (resp) {
    if (!resp.ok) throw new Error("HTTP " + resp.status);
    return resp.text();
  }).then(function (html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("chat");
    var card = document.getElementById("chat");
    if (!fresh || !card) throw new Error("no chat in the answer");
    card.replaceWith(document.importNode(fresh, true));
    var log = document.querySelector("#chat .chat-log");
    if (log) log.scrollTop = log.scrollHeight;
    var input = document.querySelector("#chat input[name=say]");
    if (input) input.focus();
  }).catch(function () {
    // Fall back to the plain form (shows the error page, if any).
    form.submit();
  });
});
