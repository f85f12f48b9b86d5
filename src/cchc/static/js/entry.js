// Data-entry sheet: the value of a ratio computed and the valid range checked as you type
// (numbers read in the Vietnamese form, 1.234,5, whatever the browser's locale).
(function () {
  "use strict";
  const form = document.getElementById("sheet-form");
  if (!form) return;
  const parse = (text) => {
    const t = (text || "").trim().replace(/\s/g, "");
    if (!t) return null;
    const n = Number(t.includes(",") ? t.replace(/\./g, "").replace(",", ".") : t);
    return Number.isFinite(n) ? n : NaN;
  };
  const show = (n) => n.toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function check(row) {
    const hint = row.querySelector(".hint");
    const out = row.querySelector("output");
    const min = row.dataset.min === "" ? null : Number(row.dataset.min);
    const max = row.dataset.max === "" ? null : Number(row.dataset.max);
    let value;
    let message = "";
    if (row.dataset.ratio) {
      const num = parse(row.querySelector("[name^=numerator-]").value);
      const den = parse(row.querySelector("[name^=denominator-]").value);
      if (Number.isNaN(num) || Number.isNaN(den)) message = form.dataset.msgNumber;
      else if (num !== null && den) {
        if (row.dataset.percent && num > den) message = form.dataset.msgRatio;
        value = (num * (row.dataset.percent ? 100 : 1)) / den;
        if (out) out.textContent = show(value);
      }
    } else {
      value = parse(row.querySelector("[name^=value-]").value);
      if (Number.isNaN(value)) message = form.dataset.msgNumber;
    }
    if (!message && value !== null && value !== undefined && !Number.isNaN(value)) {
      if ((min !== null && value < min) || (max !== null && value > max)) {
        message = `${form.dataset.msgRange} (${min} – ${max})`;
      }
    }
    hint.textContent = message;
    row.classList.toggle("invalid", Boolean(message));
  }
  form.querySelectorAll("tr[data-indicator]").forEach((row) => {
    row.addEventListener("input", () => check(row));
  });
})();
