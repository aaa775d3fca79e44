/* The definition editor: bpmn-js modeler with the BPMN properties panel and Dixian's panel,
   model checks, dmn-js for decision tables, a JSON editor for forms with a preview rendered
   by the server, and save draft / check / deploy through /api/v1/definitions. */
import { spiffModdle } from "./spiff.js";
import { renderPanel } from "./panel.js";
import { lint, show } from "./lint.js";
import { t, translateModule } from "./i18n.js";

const root = document.getElementById("editor");
const $ = function (id) { return document.getElementById(id); };
const api = root.getAttribute("data-api") + "/" + encodeURIComponent(root.getAttribute("data-key"));
const state = { files: { bpmn: {}, dmn: {}, forms: {} }, revision: 0, bpmn: "", dmn: "", form: "",
                dirty: false, baseVersion: null };
let modeler = null, dmnModeler = null, errorMarker = null;

function status(text, kind) {
  const box = $("status");
  box.textContent = text;
  box.className = "status " + (kind || "");
}

function request(method, url, body) {
  return fetch(url, {
    method: method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") },
    body: body === undefined ? undefined : JSON.stringify(body)
  }).then(function (response) {
    return response.text().then(function (text) {
      let data = {};
      try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text.slice(0, 200) }; }
      return { status: response.status, ok: response.ok, data: data };
    });
  });
}

/* Files ---------------------------------------------------------------------------------- */

function decisions() {
  const found = [];
  Object.keys(state.files.dmn).forEach(function (name) {
    const doc = new DOMParser().parseFromString(state.files.dmn[name], "application/xml");
    Array.prototype.forEach.call(doc.getElementsByTagNameNS("*", "decision"), function (d) {
      if (d.getAttribute("id")) { found.push(d.getAttribute("id")); }
    });
  });
  return found;
}

function context() {
  return { forms: state.files.forms, decisions: decisions(), openForm: openForm };
}

function fillSelect(control, names, current) {
  control.textContent = "";
  names.forEach(function (name) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    option.selected = name === current;
    control.appendChild(option);
  });
}

async function collect() {
  if (state.bpmn) { state.files.bpmn[state.bpmn] = (await modeler.saveXML({ format: true })).xml; }
  if (state.dmn && dmnModeler && dmnModeler.getDefinitions()) {
    state.files.dmn[state.dmn] = (await dmnModeler.saveXML({ format: true })).xml;
  }
  if (state.form) { state.files.forms[state.form] = $("form-text").value; }
  return state.files;
}

/* BPMN ----------------------------------------------------------------------------------- */

function refresh() {
  const selected = modeler.get("selection").get();
  const element = selected.length === 1 ? selected[0] :
    (selected.length ? null : modeler.get("canvas").getRootElement());
  renderPanel($("dixian-panel"), modeler, element, context());
  show(modeler, lint(modeler.getDefinitions(), context()), $("lint-list"), $("lint-count"));
}

async function openBpmn(name) {
  if (state.bpmn && state.bpmn !== name) { await collect(); }
  state.bpmn = name;
  fillSelect($("bpmn-file"), Object.keys(state.files.bpmn).sort(), name);
  const result = await modeler.importXML(state.files.bpmn[name]);
  modeler.get("canvas").zoom("fit-viewport");
  refresh();
  root.setAttribute("data-ready", "true");
  return result;
}

/* DMN ------------------------------------------------------------------------------------ */

async function openDmn(name) {
  if (!name) { $("dmn-empty").hidden = false; return; }
  if (state.dmn && state.dmn !== name) { await collect(); }
  state.dmn = name;
  fillSelect($("dmn-file"), Object.keys(state.files.dmn).sort(), name);
  await dmnModeler.importXML(state.files.dmn[name]);
  const table = dmnModeler.getViews().find(function (v) { return v.type === "decisionTable"; });
  if (table) { await dmnModeler.open(table); }
}

/* Forms ---------------------------------------------------------------------------------- */

let previewTimer = null;
function preview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(function () {
    fetch(root.getAttribute("data-preview"), {
      method: "POST", credentials: "same-origin", body: $("form-text").value,
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") }
    }).then(function (response) { return response.text(); })
      .then(function (html) { $("form-preview").innerHTML = html; });
  }, 300);
}

function openForm(name) {
  if (state.form) { state.files.forms[state.form] = $("form-text").value; }
  state.form = name;
  fillSelect($("form-file"), Object.keys(state.files.forms).sort(), name);
  $("form-text").value = state.files.forms[name] || "";
  switchTab("forms");
  preview();
}

/* Tabs, errors, actions ------------------------------------------------------------------ */

function switchTab(name) {
  Array.prototype.forEach.call(document.querySelectorAll("[data-tab]"), function (tab) {
    tab.setAttribute("aria-selected", String(tab.getAttribute("data-tab") === name));
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-pane]"), function (pane) {
    pane.hidden = pane.getAttribute("data-pane") !== name;
  });
  if (name === "bpmn" && modeler) { modeler.get("canvas").resized(); }
}

async function pointAt(data) {
  const file = data.file || "", element = data.element || "";
  if (/\.dmn$/.test(file) && file in state.files.dmn) { switchTab("dmn"); await openDmn(file); return; }
  if (/\.json$/.test(file) && file.replace(/^forms\//, "") in state.files.forms) {
    openForm(file.replace(/^forms\//, "")); return;
  }
  if (/\.bpmn$/.test(file) && file in state.files.bpmn && file !== state.bpmn) { await openBpmn(file); }
  switchTab("bpmn");
  const shape = element && modeler.get("elementRegistry").get(element);
  if (shape) {
    errorMarker = element;
    modeler.get("canvas").addMarker(element, "dx-error");
    modeler.get("selection").select(shape);
    modeler.get("canvas").scrollToElement(shape);
  }
}

function clearError() {
  if (errorMarker && modeler.get("elementRegistry").get(errorMarker)) {
    modeler.get("canvas").removeMarker(errorMarker, "dx-error");
  }
  errorMarker = null;
}

async function answer(result, success) {
  if (result.ok) { success(result.data); return; }
  status((result.status === 409 ? t("conflict", { message: result.data.error })
          : t("failed", { message: result.data.error || result.status })), "error");
  if (result.data.element || result.data.file) { await pointAt(result.data); }
}

async function saveDraft() {
  clearError();
  const result = await request("PUT", api + "/draft", { files: await collect(), revision: state.revision,
                                                        base_version: state.baseVersion });
  await answer(result, function (data) {
    state.revision = data.draft.revision;
    state.dirty = false;
    status(t("saved", { n: state.revision }), "ok");
  });
}

async function check() {
  clearError();
  const result = await request("POST", api + "/validate", { files: await collect(),
                                                            level: $("deploy-level").value || null });
  await answer(result, function (data) { status(t("checked", { n: data.steps.length }), "ok"); });
}

async function deploy() {
  clearError();
  if (!window.confirm(t("confirmDeploy"))) { return; }
  const result = await request("POST", api + "/versions", { files: await collect(), revision: state.revision,
                                                            level: $("deploy-level").value || null });
  await answer(result, function (data) {
    state.revision = 0;
    state.dirty = false;
    state.baseVersion = data.definition.version;
    status(t(data.created ? "deployed" : "unchanged", { n: data.definition.version }), "ok");
    root.setAttribute("data-deployed", String(data.definition.version));
  });
}

function openFile(event) {
  const file = event.target.files[0];
  if (!file) { return; }
  file.text().then(async function (text) {
    if (/\.dmn$/i.test(file.name)) {
      state.files.dmn[file.name] = text; switchTab("dmn"); await openDmn(file.name);
    } else if (/\.json$/i.test(file.name)) {
      const name = ($("new-form").value || "").trim() || file.name;
      state.files.forms[name] = text; openForm(name);
    } else {
      state.files.bpmn[file.name] = text; switchTab("bpmn"); await openBpmn(file.name);
    }
    state.dirty = true;
    event.target.value = "";
  });
}

/* Start ---------------------------------------------------------------------------------- */

async function start() {
  status(t("loading"));
  const source = root.getAttribute("data-source"), version = root.getAttribute("data-version");
  const loaded = await request("GET", source === "draft" ? api + "/draft" : api + "/versions/" + version);
  if (!loaded.ok) { status(t("failed", { message: loaded.data.error }), "error"); return; }
  if (loaded.data.draft) {
    state.files = loaded.data.draft.files;
    state.revision = loaded.data.draft.revision;
    state.baseVersion = loaded.data.draft.base_version;
  } else {
    state.files = loaded.data.files;
    state.baseVersion = loaded.data.definition.version;
    state.revision = parseInt(root.getAttribute("data-draft-revision"), 10) || 0;
  }
  ["bpmn", "dmn", "forms"].forEach(function (g) { state.files[g] = state.files[g] || {}; });
  const translate = await translateModule(root.getAttribute("data-i18n"));
  const panel = window.BpmnJSPropertiesPanel;
  modeler = new window.BpmnJS({
    container: $("canvas"), keyboard: { bindTo: document },
    propertiesPanel: { parent: $("properties") },
    additionalModules: [panel.BpmnPropertiesPanelModule, panel.BpmnPropertiesProviderModule]
      .concat(translate ? [translate] : []),
    moddleExtensions: { spiffworkflow: spiffModdle }
  });
  dmnModeler = new window.DmnJS({ container: $("dmn-canvas"),
                                  common: { additionalModules: translate ? [translate] : [] } });
  const events = modeler.get("eventBus");
  let timer = null;
  events.on(["selection.changed", "commandStack.changed"], function () {
    state.dirty = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  const key = root.getAttribute("data-key");
  const main = Object.keys(state.files.bpmn).find(function (n) {
    return state.files.bpmn[n].indexOf('id="' + key + '"') >= 0;
  }) || Object.keys(state.files.bpmn)[0];
  await openBpmn(main);
  state.dirty = false;
  const dmnNames = Object.keys(state.files.dmn).sort();
  fillSelect($("dmn-file"), dmnNames, dmnNames[0]);
  const formNames = Object.keys(state.files.forms).sort();
  fillSelect($("form-file"), formNames, formNames[0]);
  if (formNames.length) { state.form = formNames[0]; $("form-text").value = state.files.forms[state.form]; preview(); }
  $("bpmn-file").addEventListener("change", function (e) { openBpmn(e.target.value); });
  $("dmn-file").addEventListener("change", function (e) { openDmn(e.target.value); });
  $("form-file").addEventListener("change", function (e) { openForm(e.target.value); });
  $("form-text").addEventListener("input", function () { state.dirty = true; preview(); });
  $("add-form").addEventListener("click", function () {
    const name = ($("new-form").value || "").trim();
    if (/^[A-Za-z0-9_\-]+(\/[A-Za-z0-9_\-]+)*\.json$/.test(name)) {
      state.files.forms[name] = state.files.forms[name] ||
        '{\n  "title": "",\n  "schema": {"type": "object", "properties": {}, "required": []},\n  "ui": {"order": []}\n}\n';
      openForm(name);
    }
  });
  $("save-draft").addEventListener("click", saveDraft);
  $("check").addEventListener("click", check);
  $("deploy").addEventListener("click", deploy);
  $("open-file").addEventListener("change", openFile);
  Array.prototype.forEach.call(document.querySelectorAll("[data-tab]"), function (tab) {
    tab.addEventListener("click", async function () {
      const name = tab.getAttribute("data-tab");
      switchTab(name);
      if (name === "dmn" && !state.dmn) { await openDmn(dmnNames[0]); }
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  status(t("loaded"), "ok");
}

start().catch(function (error) {
  status(t("failed", { message: String(error) }), "error");
  root.setAttribute("data-error", String(error));
});
