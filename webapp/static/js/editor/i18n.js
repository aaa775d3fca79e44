/* Words of the editor in Chinese (the default) and English, and the translate module that
   gives bpmn-js, its properties panel and dmn-js Chinese labels: the community table of
   bpmn-js-i18n plus the properties panel's labels below. */

export const LANG = (document.documentElement.lang || "zh-CN").startsWith("en") ? "en" : "zh";

const WORDS = {
  zh: {
    loading: "正在载入…", loaded: "已载入", saved: "草稿已保存（第 {n} 版草稿）",
    checked: "检查通过：{n} 个人工步骤，可以部署", deployed: "已部署为第 {n} 版",
    unchanged: "与第 {n} 版完全相同，未产生新版本", failed: "失败：{message}",
    conflict: "冲突：{message}", lintNone: "未发现问题", confirmDeploy:
      "部署后新的案件使用新版本，正在办理的案件仍按原版本办理。确定部署吗？",
    dixian: "底线读取的设置", level: "办理层级", levelInherit: "按泳道或流程默认",
    levelEffective: "当前生效：{level}", levelNone: "未指定（部署时必须选定层级）",
    village: "村级", township: "乡镇级", county: "县级", form: "表单文件",
    formNone: "（无表单）", editForm: "编辑此表单", dueDays: "办理期限（天）",
    dayKind: "期限按", natural: "自然日", working: "工作日", procedure: "业务模块",
    deadlineDays: "总时限（天）", deadlineKind: "总时限按", deadlineFrom: "总时限起算字段",
    deadlineStop: "完成即达标的步骤", outcome: "结束结果", outcomeHint:
      "approved / rejected / objection_upheld …", processLevel: "未指定层级的任务默认由",
    script: "脚本（受限 Python）", condition: "条件表达式（受限 Python）",
    decision: "决策表（DMN）", decisionNone: "（请选择决策）", timerHint:
      "定时器的值是 Python 表达式：\"P5D\"（5 天）或数据字段名，如 publicity_end。",
    escalationHint: "升级（督办）事件在属性面板的“升级”一栏选择升级代码。",
    nothing: "选中流程图中的一个元素以编辑底线读取的设置。", idLabel: "元素 ID",
    lint: {
      "start-event-required": "流程没有开始事件", "end-event-required": "流程没有结束事件",
      "no-disconnected": "元素没有连线", "label-required": "元素没有名称",
      "acting-level": "人工步骤没有办理层级（泳道名、level 属性或流程默认层级）",
      "form-missing": "引用的表单文件 {form} 不存在", "decision-missing":
        "引用的决策 {decision} 不在任何 DMN 文件中", "signal-end-event":
        "信号结束事件不会发出信号：请用中间抛出事件", "timer-empty": "定时器没有设置值",
      "condition-empty": "排他/包容网关的分支没有条件，也不是默认分支",
      "script-empty": "脚本任务没有脚本"
    }
  },
  en: {
    loading: "Loading…", loaded: "Loaded", saved: "Draft saved (revision {n})",
    checked: "Check passed: {n} steps for people; ready to deploy",
    deployed: "Deployed as version {n}", unchanged: "Same as version {n}: no new version",
    failed: "Failed: {message}", conflict: "Conflict: {message}", lintNone: "No problems",
    confirmDeploy: "New cases will use the new version; running cases stay on theirs. Deploy?",
    dixian: "What Dixian reads", level: "Acting level", levelInherit: "from the lane or process",
    levelEffective: "now: {level}", levelNone: "none (choose a level at deploy)",
    village: "Village", township: "Township", county: "County", form: "Form file",
    formNone: "(no form)", editForm: "Edit this form", dueDays: "Due in (days)",
    dayKind: "Days are", natural: "natural days", working: "working days",
    procedure: "Procedure module", deadlineDays: "Overall limit (days)",
    deadlineKind: "Limit counts", deadlineFrom: "Limit counts from field",
    deadlineStop: "Step that meets the limit", outcome: "Outcome", outcomeHint:
      "approved / rejected / objection_upheld …", processLevel: "Tasks without a level act at",
    script: "Script (restricted Python)", condition: "Condition (restricted Python)",
    decision: "Decision table (DMN)", decisionNone: "(choose a decision)", timerHint:
      "A timer value is a Python expression: \"P5D\" (5 days) or a data field such as publicity_end.",
    escalationHint: "Choose the escalation code of an escalation event in the panel below.",
    nothing: "Select an element of the diagram to edit what Dixian reads.", idLabel: "Element id",
    lint: {
      "start-event-required": "The process has no start event",
      "end-event-required": "The process has no end event",
      "no-disconnected": "The element is not connected", "label-required": "The element has no name",
      "acting-level": "A step for people has no acting level (lane, level property or process default)",
      "form-missing": "The form file {form} does not exist",
      "decision-missing": "The decision {decision} is in no DMN file",
      "signal-end-event": "A signal end event sends nothing: use an intermediate throw event",
      "timer-empty": "The timer has no value",
      "condition-empty": "A gateway branch has no condition and is not the default",
      "script-empty": "The script task has no script"
    }
  }
};

/** A word of the editor, with {placeholders} filled. */
export function t(key, values) {
  const words = WORDS[LANG];
  let text = key.indexOf("lint.") === 0 ? words.lint[key.slice(5)] : words[key];
  text = text === undefined ? key : text;
  Object.keys(values || {}).forEach(function (name) {
    text = text.split("{" + name + "}").join(String(values[name]));
  });
  return text;
}

// Labels of the BPMN properties panel and a few of bpmn-js that the community table lacks.
const PANEL_ZH = {
  "General": "常规", "Name": "名称", "ID": "ID", "Documentation": "文档",
  "Element documentation": "办理说明（文档）", "Process documentation": "流程说明",
  "Executable": "可执行", "Timer": "定时器", "Type": "类型", "Value": "值", "Date": "日期",
  "Duration": "持续时间", "Cycle": "循环", "<none>": "<无>", "Multi-instance": "多实例",
  "Loop cardinality": "循环次数", "Completion condition": "完成条件", "Message": "消息",
  "Global message reference": "全局消息", "Signal": "信号", "Global signal reference": "全局信号",
  "Error": "错误", "Global error reference": "全局错误", "Code": "代码",
  "Escalation": "升级", "Global escalation reference": "全局升级", "Link": "链接",
  "Compensation": "补偿", "Condition": "条件", "Process": "流程", "Process name": "流程名称",
  "Process ID": "流程 ID", "Create new ...": "新建…", "Sequential": "串行", "Parallel": "并行",
  "Properties panel": "属性面板", "Select an element to edit its properties.":
    "选择一个元素以编辑其属性。", "Multiple elements are selected.": "选择了多个元素。",
  "Participant": "参与者", "Lane": "泳道", "Data object reference": "数据对象引用",
  "Collection": "集合", "Version tag": "版本标签"
};

/** The bpmn-js / dmn-js translate module for the page's language. */
export async function translateModule(tableUrl) {
  if (LANG !== "zh") { return null; }
  let table = {};
  try {
    table = (await import(tableUrl)).default || {};
  } catch (error) {
    table = {};  // the labels stay English; the editor still works
  }
  const words = Object.assign({}, table, PANEL_ZH);
  function translate(template, replacements) {
    const text = words[template] || template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements && key in replacements ? replacements[key] : "{" + key + "}";
    });
  }
  return { translate: ["value", translate] };
}
