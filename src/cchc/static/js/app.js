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
