/* Draws the case's BPMN diagram with bpmn-js NavigatedViewer and marks done, current and
   overdue steps. Data comes from the JSON endpoint named in data-url (no inline script); the
   names in it are already in the page's language.

   On load the diagram is shown at a readable size (labels at least 12 px on screen, never
   smaller than fitting it would give) around the current step; the buttons of the
   toolbar (#diagram-tools) zoom in, zoom out, fit the whole process and go back to that
   first view; the mouse wheel and dragging pan and zoom as in bpmn-js, and the arrow keys
   pan once the diagram has the focus. */
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || !window.BpmnJS || !window.fetch) { return; }
  var READABLE = 1.0;   // the scale at which the labels are 13 px (external ones 12 px)
  var STEP = 1.25;
  var tools = document.getElementById("diagram-tools");

  function firstView(canvas, registry, focus) {
    var fit = canvas.zoom("fit-viewport");
    if (fit >= READABLE) { return; }
    var size = canvas.getSize();
    var all = canvas.viewbox().inner;
    var target = focus.map(function (id) { return registry.get(id); })
      .filter(Boolean)[0];
    var width = size.width / READABLE, height = size.height / READABLE;
    var cx = target ? target.x + target.width / 2 : all.x + width / 2;
    var cy = target ? target.y + target.height / 2 : all.y + all.height / 2;
    // keep the lanes' names in view when the step is near the start
    var x = Math.max(all.x - 10, Math.min(cx - width / 2, all.x + all.width - width + 10));
    var y = Math.max(all.y - 10, Math.min(cy - height / 2, all.y + all.height - height + 10));
    canvas.viewbox({ x: x, y: y, width: width, height: height });
  }

  fetch(container.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (data) {
      var viewer = new window.BpmnJS({
        container: container,
        keyboard: { bindTo: container },
        textRenderer: { defaultStyle: { fontSize: 13 }, externalStyle: { fontSize: 12 } }
      });
      return viewer.importXML(data.xml).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        [["done", "dx-done"], ["current", "dx-current"], ["overdue", "dx-overdue"]]
          .forEach(function (pair) {
            (data[pair[0]] || []).forEach(function (id) {
              if (registry.get(id)) { canvas.addMarker(id, pair[1]); }
            });
          });
        var focus = (data.overdue || []).concat(data.current || [], data.done || []);
        var reset = function () { firstView(canvas, registry, focus); };
        reset();
        if (tools) {
          tools.hidden = false;
          tools.addEventListener("click", function (event) {
            var button = event.target.closest ? event.target.closest("button") : null;
            if (!button) { return; }
            var action = button.getAttribute("data-zoom");
            if (action === "in") { canvas.zoom(canvas.zoom() * STEP, "auto"); }
            else if (action === "out") { canvas.zoom(canvas.zoom() / STEP, "auto"); }
            else if (action === "fit") { canvas.zoom("fit-viewport", "auto"); }
            else if (action === "reset") { reset(); }
            container.setAttribute("data-zoom", canvas.zoom().toFixed(3));
          });
        }
        container.setAttribute("data-zoom", canvas.zoom().toFixed(3));
        container.setAttribute("data-ready", "true");
      });
    })
    .catch(function (error) {
      container.setAttribute("data-error", String(error));
      container.textContent = container.getAttribute("data-failed") || String(error);
    });
})();
