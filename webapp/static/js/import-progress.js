// While the import runs (the form's POST), ask the server how far it is and show it.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form) { return; }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  form.addEventListener("submit", function () {
    form.querySelector("button[type=submit]").disabled = true;
    bar.hidden = false;
    var poll = function () {
      fetch(form.dataset.progress, {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (p) {
          bar.value = p.percent;
          text.textContent = p.processed + " / " + p.total;
          if (p.status !== "done") { window.setTimeout(poll, 700); }
        })
        .catch(function () { window.setTimeout(poll, 1500); });
    };
    window.setTimeout(poll, 300);
  });
}());
