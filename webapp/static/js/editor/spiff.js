/* The SpiffWorkflow extension elements Dixian reads, as a moddle extension for bpmn-js, and
   helpers to read and change an element's spiffworkflow:property values through the
   modeler's command stack (so undo and redo work). */

export const SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core";

export const spiffModdle = {
  name: "SpiffWorkflow",
  uri: SPIFF_NS,
  prefix: "spiffworkflow",
  xml: { tagAlias: "lowerCase" },
  associations: [],
  types: [
    { name: "Properties", superClass: ["Element"], meta: { allowedIn: ["*"] },
      properties: [{ name: "values", type: "Property", isMany: true }] },
    { name: "Property", superClass: ["Element"],
      properties: [{ name: "name", type: "String", isAttr: true },
                   { name: "value", type: "String", isAttr: true }] },
    { name: "CalledDecisionId", superClass: ["Element"], meta: { allowedIn: ["*"] },
      properties: [{ name: "value", type: "String", isBody: true }] },
    { name: "PreScript", superClass: ["Element"], meta: { allowedIn: ["*"] },
      properties: [{ name: "value", type: "String", isBody: true }] },
    { name: "PostScript", superClass: ["Element"], meta: { allowedIn: ["*"] },
      properties: [{ name: "value", type: "String", isBody: true }] }
  ]
};

function extensions(bo) {
  return (bo.extensionElements && bo.extensionElements.values) || [];
}

function propertiesElement(bo) {
  return extensions(bo).find(function (e) { return e.$type === "spiffworkflow:Properties"; });
}

/** The element's spiffworkflow properties as {name: value}. */
export function readProperties(bo) {
  const found = {};
  const props = propertiesElement(bo);
  ((props && props.values) || []).forEach(function (p) { found[p.name] = p.value || ""; });
  return found;
}

function ensureExtensions(modeler, element, bo) {
  const moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
  let ext = bo.extensionElements;
  if (!ext) {
    ext = moddle.create("bpmn:ExtensionElements", { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  return ext;
}

/** Set (or, with an empty value, remove) one spiffworkflow property of ``bo``. */
export function setProperty(modeler, element, bo, name, value) {
  const moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
  let props = propertiesElement(bo);
  const existing = props && (props.values || []).find(function (p) { return p.name === name; });
  if (existing) {
    if (value === "") {
      modeling.updateModdleProperties(element, props, {
        values: props.values.filter(function (p) { return p !== existing; }) });
    } else {
      modeling.updateModdleProperties(element, existing, { value: value });
    }
    return;
  }
  if (value === "") { return; }
  const ext = ensureExtensions(modeler, element, bo);
  if (!props) {
    props = moddle.create("spiffworkflow:Properties", { values: [] });
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: ext.values.concat([props]) });
  }
  const prop = moddle.create("spiffworkflow:Property", { name: name, value: value });
  prop.$parent = props;
  modeling.updateModdleProperties(element, props, { values: (props.values || []).concat([prop]) });
}

/** The text of a body extension (calledDecisionId, preScript …), or "". */
export function readBody(bo, type) {
  const found = extensions(bo).find(function (e) { return e.$type === type; });
  return found ? (found.value || "") : "";
}

/** Set the text of a body extension, creating or removing it. */
export function setBody(modeler, element, bo, type, value) {
  const moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
  const ext = ensureExtensions(modeler, element, bo);
  const found = ext.values.find(function (e) { return e.$type === type; });
  if (found && value === "") {
    modeling.updateModdleProperties(element, ext, {
      values: ext.values.filter(function (e) { return e !== found; }) });
  } else if (found) {
    modeling.updateModdleProperties(element, found, { value: value });
  } else if (value !== "") {
    const created = moddle.create(type, { value: value });
    created.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: ext.values.concat([created]) });
  }
}
