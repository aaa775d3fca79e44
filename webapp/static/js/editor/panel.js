/* The panel of what Dixian reads from the selected element: acting level, form, due days
   and day kind of a step; the start event's procedure and overall limit; an end event's
   outcome; the process's default level; scripts, conditions and decision references.
   Every change goes through the modeler's command stack. */
import { readBody, readProperties, setBody, setProperty } from "./spiff.js";
import { effectiveLevel } from "./lint.js";
import { t } from "./i18n.js";

const PEOPLE = ["bpmn:UserTask", "bpmn:ManualTask", "bpmn:Task"];
let counter = 0;

function field(panel, label, control, hint) {
  const box = document.createElement("div");
  box.className = "field";
  const id = "dx-" + (++counter);
  control.id = id;
  const text = document.createElement("label");
  text.htmlFor = id;
  text.textContent = label;
  box.appendChild(text);
  box.appendChild(control);
  if (hint) {
    const small = document.createElement("span");
    small.className = "hint";
    small.textContent = hint;
    box.appendChild(small);
  }
  panel.appendChild(box);
  return control;
}

function select(options, value) {
  const control = document.createElement("select");
  options.forEach(function (pair) {
    const option = document.createElement("option");
    option.value = pair[0];
    option.textContent = pair[1];
    option.selected = pair[0] === value;
    control.appendChild(option);
  });
  if (value && !options.some(function (p) { return p[0] === value; })) {
    const extra = document.createElement("option");
    extra.value = value;
    extra.textContent = value;
    extra.selected = true;
    control.appendChild(extra);
  }
  return control;
}

function input(value, type) {
  const control = document.createElement(type === "textarea" ? "textarea" : "input");
  if (type === "textarea") { control.rows = 6; control.spellcheck = false; } else { control.type = type || "text"; }
  control.value = value || "";
  return control;
}

function processOf(bo) {
  let node = bo;
  while (node && node.$type !== "bpmn:Process") {
    node = node.$type === "bpmn:Participant" ? node.processRef : node.$parent;
  }
  return node;
}

const LEVEL_OPTIONS = function () {
  return [["village", t("village")], ["township", t("township")], ["county", t("county")]];
};

/** Draw the panel for ``element`` (or a hint when nothing fitting is selected). */
export function renderPanel(panel, modeler, element, context) {
  panel.textContent = "";
  const heading = document.createElement("h2");
  heading.textContent = t("dixian");
  panel.appendChild(heading);
  if (!element) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = t("nothing");
    panel.appendChild(p);
    return;
  }
  const bo = element.businessObject, type = bo.$type;
  const props = readProperties(bo);
  function bindProperty(control, name) {
    control.addEventListener("change", function () {
      setProperty(modeler, element, bo, name, control.value.trim());
    });
    control.setAttribute("data-property", name);
    return control;
  }
  const id = document.createElement("p");
  id.className = "muted";
  id.textContent = t("idLabel") + ": " + bo.id;
  panel.appendChild(id);

  const processBo = processOf(bo);
  if (type === "bpmn:Process" || type === "bpmn:Participant") {
    const target = type === "bpmn:Participant" ? bo.processRef : bo;
    if (target) {
      const control = select([["", "—"]].concat(LEVEL_OPTIONS()), readProperties(target).level || "");
      control.addEventListener("change", function () {
        setProperty(modeler, element, target, "level", control.value);
      });
      field(panel, t("processLevel"), control);
    }
  }
  if (PEOPLE.indexOf(type) >= 0) {
    const effective = processBo ? effectiveLevel(processBo, bo) : "";
    bindProperty(field(panel, t("level"), select([["", t("levelInherit")]].concat(LEVEL_OPTIONS()),
      props.level || ""), effective ? t("levelEffective", { level: effective }) : t("levelNone")), "level");
  }
  const startOfProcess = type === "bpmn:StartEvent" && bo.$parent && bo.$parent.$type === "bpmn:Process";
  if (PEOPLE.indexOf(type) >= 0 || startOfProcess) {
    const forms = [["", t("formNone")]].concat(Object.keys(context.forms).sort().map(function (f) { return [f, f]; }));
    const formControl = bindProperty(field(panel, t("form"), select(forms, props.form || "")), "form");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = t("editForm");
    open.addEventListener("click", function () { if (formControl.value) { context.openForm(formControl.value); } });
    panel.appendChild(open);
  }
  if (PEOPLE.indexOf(type) >= 0) {
    bindProperty(field(panel, t("dueDays"), input(props.due_days, "number")), "due_days");
    bindProperty(field(panel, t("dayKind"), select([["", "—"], ["natural", t("natural")],
      ["working", t("working")]], props.day_kind || "")), "day_kind");
  }
  if (startOfProcess) {
    bindProperty(field(panel, t("procedure"), input(props.procedure)), "procedure");
    bindProperty(field(panel, t("deadlineDays"), input(props.deadline_days, "number")), "deadline_days");
    bindProperty(field(panel, t("deadlineKind"), select([["", "—"], ["natural", t("natural")],
      ["working", t("working")]], props.deadline_day_kind || "")), "deadline_day_kind");
    bindProperty(field(panel, t("deadlineFrom"), input(props.deadline_from)), "deadline_from");
    bindProperty(field(panel, t("deadlineStop"), input(props.deadline_stop)), "deadline_stop");
  }
  if (type === "bpmn:EndEvent") {
    bindProperty(field(panel, t("outcome"), input(props.outcome), t("outcomeHint")), "outcome");
  }
  if (type === "bpmn:ScriptTask") {
    const control = field(panel, t("script"), input(bo.script, "textarea"));
    control.addEventListener("change", function () {
      modeler.get("modeling").updateProperties(element, { scriptFormat: "python", script: control.value });
    });
  }
  if (type === "bpmn:SequenceFlow" && bo.sourceRef && /Gateway$/.test(bo.sourceRef.$type)) {
    const control = field(panel, t("condition"), input(bo.conditionExpression ? bo.conditionExpression.body : "", "textarea"));
    control.rows = 2;
    control.addEventListener("change", function () {
      const text = control.value.trim();
      const expression = text ? modeler.get("moddle").create("bpmn:FormalExpression", { body: text }) : undefined;
      modeler.get("modeling").updateProperties(element, { conditionExpression: expression });
    });
  }
  if (type === "bpmn:BusinessRuleTask") {
    const current = readBody(bo, "spiffworkflow:CalledDecisionId");
    const control = field(panel, t("decision"), select([["", t("decisionNone")]].concat(
      context.decisions.map(function (d) { return [d, d]; })), current));
    control.addEventListener("change", function () {
      setBody(modeler, element, bo, "spiffworkflow:CalledDecisionId", control.value);
    });
  }
  const kinds = (bo.eventDefinitions || []).map(function (d) { return d.$type; });
  if (kinds.indexOf("bpmn:TimerEventDefinition") >= 0) {
    const p = document.createElement("p"); p.className = "hint"; p.textContent = t("timerHint"); panel.appendChild(p);
  }
  if (kinds.indexOf("bpmn:EscalationEventDefinition") >= 0) {
    const p = document.createElement("p"); p.className = "hint"; p.textContent = t("escalationHint"); panel.appendChild(p);
  }
}
