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

// Hide success notices after a while so they don't linger over the page.
document.querySelectorAll(".notice[data-autohide]").forEach(function (el) {
  setTimeout(function () { el.classList.add("fade"); }, 6000);
});
