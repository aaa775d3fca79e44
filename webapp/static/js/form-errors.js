/* A refused form: move the focus to its error summary, and let each link of the summary
   focus its field (without the script the links still jump to the fields). */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var box = field.closest ? (field.closest(".field") || field) : field;
    box.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
})();
