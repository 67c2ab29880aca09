/* A copy button for a value shown once: it appears only where the clipboard can be written. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    var source = document.querySelector(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      });
    });
  });
}());
