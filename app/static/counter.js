/* Long text: a live count under each long field, and nothing cut without a word.
   The browser's maxlength cuts a long paste silently; with JavaScript the field takes all she
   pasted, counts it, and shows what is over the limit (the server refuses it with a message and
   keeps what she typed). Without JavaScript maxlength stays, as a fallback. */
(function () {
  "use strict";
  function setUp(field) {
    var max = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!max) { return; }
    field.removeAttribute("maxlength");
    var note = document.createElement("p");
    note.className = "field__counter";
    note.id = field.id + "-counter";
    note.setAttribute("aria-live", "polite");
    var over = document.createElement("div");
    over.className = "field__overflow";
    over.hidden = true;
    field.insertAdjacentElement("afterend", over);
    field.insertAdjacentElement("afterend", note);
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(note.id);
    field.setAttribute("aria-describedby", described.join(" "));
    function update() {
      var length = field.value.length;
      var extra = length - max;
      note.textContent = (extra > 0 ? field.getAttribute("data-over-label") : field.getAttribute("data-count-label"))
        .replace("{count}", length).replace("{max}", max).replace("{extra}", extra);
      note.classList.toggle("field__counter--over", extra > 0);
      over.hidden = extra <= 0;
      if (extra > 0) {
        over.textContent = field.getAttribute("data-cut-label") + " " + field.value.slice(max);
      }
    }
    field.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("textarea[data-maxlength]").forEach(setUp);
}());
