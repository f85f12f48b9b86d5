// Framework editor: shows only the rule parameters the chosen rule type uses and asks before
// deleting a criterion. Without JavaScript every field stays visible and the forms still work.
(function () {
  const USES = {
    manual: ["step"],
    yes_no: [],
    thresholds: ["indicator", "steps"],
    proportional: ["indicator", "full_at"],
    deduction: ["indicator", "per_event"],
    survey: ["indicator"],
  };

  function syncRuleFields(editor) {
    const select = editor.querySelector("select[name=rule_type]");
    if (!select) return;
    const used = USES[select.value] || [];
    editor.querySelectorAll("[data-rule-field]").forEach((box) => {
      const name = box.dataset.ruleField;
      box.hidden = name !== "rule_type" && !used.includes(name);
    });
  }

  function init() {
    document.querySelectorAll("[data-rule-editor]").forEach((editor) => {
      syncRuleFields(editor);
      editor.addEventListener("change", (event) => {
        if (event.target.name === "rule_type") syncRuleFields(editor);
      });
    });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
