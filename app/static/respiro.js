// Quick exit: end the session, leave at once, replacing this page in the history;
// also after three presses of Shift (the GOV.UK "Exit this page" pattern).
// Without JavaScript the button is a plain link to /leave, which ends the session and leaves.
(function () {
  "use strict";
  function logOut(link) {
    var url = link.getAttribute("data-logout-url");
    if (!url) { return; }
    var body = new URLSearchParams();
    body.append("csrf_token", link.getAttribute("data-csrf") || "");
    var sent = false;
    try { sent = navigator.sendBeacon && navigator.sendBeacon(url, body); } catch (e) { sent = false; }
    if (!sent && window.fetch) {
      try { fetch(url, {method: "POST", body: body, keepalive: true, credentials: "same-origin"}); } catch (e) { /* leave anyway */ }
    }
  }
  function leave(link) {
    logOut(link);
    var target = link.getAttribute("data-exit-url") || link.href;
    document.body.innerHTML = "";
    document.title = "";
    window.location.replace(target);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (link) { event.preventDefault(); leave(link); }
  });
  var presses = 0, timer = null;
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1000);
    if (presses >= 3) {
      var link = document.querySelector("[data-quick-exit]");
      if (link) { leave(link); }
    }
  });
})();

// Copy buttons (a reset link shown once): shown only when JavaScript can copy.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source) { return; }
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    });
  });
})();
