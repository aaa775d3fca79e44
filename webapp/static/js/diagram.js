/* Draws the case's BPMN diagram with bpmn-js NavigatedViewer and marks done, current and
   overdue steps. Data comes from the JSON endpoint named in data-url (no inline script). */
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || !window.BpmnJS || !window.fetch) { return; }
  fetch(container.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (data) {
      var viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(data.xml).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        [["done", "dx-done"], ["current", "dx-current"], ["overdue", "dx-overdue"]]
          .forEach(function (pair) {
            (data[pair[0]] || []).forEach(function (id) {
              if (registry.get(id)) { canvas.addMarker(id, pair[1]); }
            });
          });
        container.setAttribute("data-ready", "true");
      });
    })
    .catch(function (error) {
      container.setAttribute("data-error", String(error));
      container.textContent = container.getAttribute("data-failed") || String(error);
    });
})();
