/* Draws two versions of a process side by side with bpmn-js and colours the elements the
   server's diff lists: added (new version), removed (old version), changed (both). */
(function () {
  "use strict";
  if (!window.BpmnJS || !window.fetch) { return; }
  var marks = [["added", "dx-added"], ["removed", "dx-removed"], ["changed", "dx-changed"]];
  Array.prototype.forEach.call(document.querySelectorAll(".diff-diagram"), function (box) {
    fetch(box.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) {
        var viewer = new window.BpmnJS({ container: box });
        return viewer.importXML(xml).then(function () {
          var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
          canvas.zoom("fit-viewport");
          marks.forEach(function (pair) {
            JSON.parse(box.getAttribute("data-mark-" + pair[0]) || "[]").forEach(function (id) {
              if (registry.get(id)) { canvas.addMarker(id, pair[1]); }
            });
          });
          box.setAttribute("data-ready", "true");
        });
      })
      .catch(function (error) {
        box.setAttribute("data-error", String(error));
        box.textContent = box.getAttribute("data-failed") || String(error);
      });
  });
})();
