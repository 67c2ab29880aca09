// Quick exit: leave at once, replacing this page in the history, and after
// three presses of Shift (the GOV.UK "Exit this page" pattern).
(function () {
  "use strict";
  function leave(url) {
    document.body.innerHTML = "";
    document.title = "";
    window.location.replace(url);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (link) { event.preventDefault(); leave(link.href); }
  });
  var presses = 0, timer = null;
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1000);
    if (presses >= 3) {
      var link = document.querySelector("[data-quick-exit]");
      if (link) { leave(link.href); }
    }
  });
})();
