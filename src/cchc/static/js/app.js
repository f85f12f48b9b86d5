// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", (e) => {
  const box = document.getElementById("htmx-error");
  if (box) { box.textContent = e.detail.xhr.responseText.slice(0, 300) || "Error"; box.hidden = false; }
});
