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

/* The run form says how many ready requests the chosen period leaves out, as the dates change. */
(function () {
  "use strict";
  var note = document.getElementById("period-check");
  if (!note || !window.fetch) { return; }
  var form = note.closest("form");
  function check() {
    var start = form.elements.horizon_start.value, days = form.elements.horizon_days.value;
    if (!start || !days) { return; }
    var query = new URLSearchParams({start: start, days: days});
    form.querySelectorAll("input[name=houses]:checked").forEach(function (box) { query.append("house", box.value); });
    window.fetch(note.getAttribute("data-url") + "?" + query.toString(), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) { return; }
        note.textContent = answer.sentence;
        note.hidden = !answer.total;
      });
  }
  ["horizon_start", "horizon_days"].forEach(function (name) { form.elements[name].addEventListener("change", check); });
  form.querySelectorAll("input[name=houses]").forEach(function (box) { box.addEventListener("change", check); });
}());
