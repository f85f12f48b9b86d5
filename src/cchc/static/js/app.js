// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", (e) => {
  const box = document.getElementById("htmx-error");
  if (box) { box.textContent = e.detail.xhr.responseText.slice(0, 300) || "Error"; box.hidden = false; }
});

// Unit picker (templates/orgs/picker.html): choosing a result fills the hidden input.
document.addEventListener("click", (event) => {
  const option = event.target.closest(".picker-option");
  if (!option) return;
  const picker = document.getElementById("picker-" + option.dataset.pickerTarget);
  if (!picker) return;
  const hidden = picker.querySelector("input[type=hidden]");
  hidden.value = option.dataset.id;
  picker.querySelector(".picker-input").value = option.dataset.label;
  picker.querySelector(".picker-dropdown").innerHTML = "";
  hidden.dispatchEvent(new Event("change", { bubbles: true }));
});

// File pickers (every input[type=file]): the browser's own button speaks the browser's language
// ("Choose File" on an en-US machine). A Vietnamese button and the chosen file name instead; the
// native input stays in the form (keyboard, validation, no JavaScript: all unchanged).
function enhanceFilePickers(root) {
  const body = document.body;
  const choose = body.dataset.fileChoose || "Chọn tệp";
  const none = body.dataset.fileNone || "Chưa chọn tệp";
  root.querySelectorAll("input[type=file]:not([data-enhanced])").forEach((input) => {
    input.dataset.enhanced = "1";
    const wrap = document.createElement("span");
    wrap.className = "file-picker";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "file-picker-button";
    button.textContent = choose;
    const name = document.createElement("span");
    name.className = "file-picker-name";
    name.setAttribute("aria-live", "polite");
    name.textContent = none;
    input.parentNode.insertBefore(wrap, input);
    wrap.append(input, button, " ", name);
    // Visually hidden, still focusable by the label and still validated by the form.
    Object.assign(input.style, {
      position: "absolute", width: "1px", height: "1px", opacity: "0", overflow: "hidden",
    });
    input.tabIndex = -1;
    if (input.id) {
      const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
      if (label) button.setAttribute("aria-label", `${label.textContent.trim()}: ${choose}`);
    }
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      const files = Array.from(input.files || []).map((f) => f.name);
      name.textContent = files.length ? files.join(", ") : none;
    });
  });
}
document.addEventListener("DOMContentLoaded", () => enhanceFilePickers(document));
document.addEventListener("htmx:load", (e) => enhanceFilePickers(e.target));
