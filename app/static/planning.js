/* The progress page of a planning run reloads itself every few seconds, and can be paused (WCAG 2.2.1).
   Without JavaScript a <noscript> meta refresh does the same. */
(function () {
  "use strict";
  var box = document.querySelector("[data-auto-refresh]");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-auto-refresh"), 10) || 2;
  var button = box.querySelector("button");
  var paused = false;
  var timer = window.setTimeout(reload, seconds * 1000);
  function reload() { if (!paused) { window.location.reload(); } }
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    paused = !paused;
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    button.textContent = paused ? button.getAttribute("data-resume") : button.getAttribute("data-pause");
    window.clearTimeout(timer);
    if (!paused) { timer = window.setTimeout(reload, seconds * 1000); }
  });
}());
