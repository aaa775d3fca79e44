/* Model checks in the editor, written as bpmnlint rules are (one small check per rule name,
   run over every element): the general rules of bpmnlint's recommended set that matter
   here, and Dixian's own (acting level, forms and decisions that exist, events the
   workflow engine would ignore). Deploy checks again on the server, which decides. */
import { readBody, readProperties } from "./spiff.js";
import { t } from "./i18n.js";

const LEVELS = { village: 1, township: 1, county: 1, "村": 1, "乡镇": 1, "乡": 1, "镇": 1, "县": 1 };
const PEOPLE = ["bpmn:UserTask", "bpmn:ManualTask", "bpmn:Task"];

function isLevel(name) {
  const text = (name || "").trim();
  return Boolean(LEVELS[text.toLowerCase()] || LEVELS[text]);
}

function flowElements(container, into) {
  (container.flowElements || []).forEach(function (e) {
    into.push({ element: e, container: container });
    if (e.flowElements) { flowElements(e, into); }
  });
  return into;
}

function laneOf(processBo, id) {
  let found = "";
  (processBo.laneSets || []).forEach(function visit(set) {
    (set.lanes || []).forEach(function (lane) {
      if ((lane.flowNodeRef || []).some(function (n) { return n.id === id; })) {
        found = lane.name || "";
      }
      if (lane.childLaneSet) { visit(lane.childLaneSet); }
    });
  });
  return found;
}

/** The effective acting level of a task: its property, its lane, its process's default. */
export function effectiveLevel(processBo, bo) {
  const own = readProperties(bo).level;
  if (own) { return isLevel(own) ? own : ""; }
  const lane = laneOf(processBo, bo.id);
  if (isLevel(lane)) { return lane; }
  const fallback = readProperties(processBo).level || "";
  return isLevel(fallback) ? fallback : "";
}

function eventKind(bo) {
  const defs = bo.eventDefinitions || [];
  return defs.length ? defs[0].$type.replace("bpmn:", "").replace("EventDefinition", "") : "";
}

/** Problems of the model: [{id, rule, message}]. ``context`` has forms and decisions. */
export function lint(definitions, context) {
  const issues = [];
  function report(id, rule, values) { issues.push({ id: id, rule: rule, message: t("lint." + rule, values) }); }
  (definitions.rootElements || []).filter(function (r) { return r.$type === "bpmn:Process"; })
    .forEach(function (processBo) {
      const all = flowElements(processBo, []);
      const nodes = all.filter(function (x) { return x.element.$type !== "bpmn:SequenceFlow"; });
      const top = processBo.flowElements || [];
      if (processBo.isExecutable && !top.some(function (e) { return e.$type === "bpmn:StartEvent"; })) {
        report(processBo.id, "start-event-required");
      }
      if (processBo.isExecutable && !top.some(function (e) { return e.$type === "bpmn:EndEvent"; })) {
        report(processBo.id, "end-event-required");
      }
      nodes.forEach(function (x) {
        const bo = x.element, type = bo.$type;
        if (/^bpmn:(DataObject|DataObjectReference|DataStoreReference|BoundaryEvent)$/.test(type)) {
          return;
        }
        const inside = x.container.triggeredByEvent;
        const linked = (bo.incoming || []).length + (bo.outgoing || []).length > 0;
        if (!linked && !(inside && type === "bpmn:StartEvent") && type !== "bpmn:SubProcess") {
          report(bo.id, "no-disconnected");
        }
        if (PEOPLE.indexOf(type) >= 0 || type === "bpmn:ScriptTask" || type === "bpmn:BusinessRuleTask") {
          if (!(bo.name || "").trim()) { report(bo.id, "label-required"); }
        }
        if (PEOPLE.indexOf(type) >= 0 && !effectiveLevel(processBo, bo)) {
          report(bo.id, "acting-level");
        }
        const form = readProperties(bo).form;
        if (form && !(form in context.forms)) { report(bo.id, "form-missing", { form: form }); }
        if (type === "bpmn:BusinessRuleTask") {
          const decision = readBody(bo, "spiffworkflow:CalledDecisionId");
          if (decision && context.decisions.indexOf(decision) < 0) {
            report(bo.id, "decision-missing", { decision: decision });
          }
        }
        if (type === "bpmn:EndEvent" && eventKind(bo) === "Signal") { report(bo.id, "signal-end-event"); }
        (bo.eventDefinitions || []).forEach(function (def) {
          if (def.$type === "bpmn:TimerEventDefinition" &&
              !((def.timeDuration || def.timeDate || def.timeCycle || {}).body || "").trim()) {
            report(bo.id, "timer-empty");
          }
        });
        if (type === "bpmn:ScriptTask" && !(bo.script || "").trim()) { report(bo.id, "script-empty"); }
        if (/^bpmn:(ExclusiveGateway|InclusiveGateway)$/.test(type) && (bo.outgoing || []).length > 1) {
          (bo.outgoing || []).forEach(function (flow) {
            if (flow !== bo["default"] && !(flow.conditionExpression && (flow.conditionExpression.body || "").trim())) {
              report(flow.id, "condition-empty");
            }
          });
        }
      });
    });
  return issues;
}

/** Show the problems as a list (click: select the element) and as badges on the diagram. */
export function show(modeler, issues, list, counter) {
  const overlays = modeler.get("overlays"), registry = modeler.get("elementRegistry");
  overlays.remove({ type: "dx-lint" });
  list.textContent = "";
  counter.textContent = issues.length ? String(issues.length) : "";
  counter.className = issues.length ? "count alert" : "count";
  if (!issues.length) {
    const li = document.createElement("li");
    li.textContent = t("lintNone");
    li.className = "ok";
    list.appendChild(li);
  }
  const marked = {};
  issues.forEach(function (issue) {
    const li = document.createElement("li");
    const link = document.createElement("button");
    link.type = "button";
    link.className = "link";
    link.textContent = issue.id;
    link.addEventListener("click", function () {
      const element = registry.get(issue.id);
      if (element) {
        modeler.get("selection").select(element);
        modeler.get("canvas").scrollToElement(element);
      }
    });
    li.appendChild(link);
    li.appendChild(document.createTextNode(" " + issue.message));
    li.setAttribute("data-rule", issue.rule);
    list.appendChild(li);
    if (registry.get(issue.id) && !marked[issue.id]) {
      marked[issue.id] = true;
      const badge = document.createElement("span");
      badge.className = "dx-lint-badge";
      badge.textContent = "!";
      badge.title = issue.message;
      overlays.add(issue.id, "dx-lint", { position: { top: -8, right: 8 }, html: badge });
    }
  });
}
