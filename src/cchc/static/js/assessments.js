// The assessment page: quick client-side toggling of the filters (the links work without it,
// through ?show=… on the server).
function groupDepth(row) {
  const m = row.className.match(/depth-(\d+)/);
  return m ? Number(m[1]) : 0;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("#filters a[data-filter]");
  if (!link) return;
  const table = document.getElementById("tree");
  if (!table || table.dataset.show) return; // a server-filtered page: follow the link
  event.preventDefault();
  const key = link.dataset.filter;
  document.querySelectorAll("#filters a[data-filter]").forEach((a) => {
    a.classList.toggle("active", a === link);
    if (a === link) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
  });
  table.classList.toggle("js-filtered", Boolean(key));
  const rows = Array.from(table.tBodies[0].rows);
  rows.forEach((row) => row.classList.remove("filtered-out"));
  if (key) {
    rows.forEach((row, i) => {
      if (row.classList.contains("leaf")) {
        if (row.dataset[key] !== "1") row.classList.add("filtered-out");
        return;
      }
      if (!row.classList.contains("group")) return;
      // a group stays when a matching leaf lies below it (before the next group at its level)
      const depth = groupDepth(row);
      let match = false;
      for (let j = i + 1; j < rows.length; j++) {
        const next = rows[j];
        if (next.classList.contains("group") && groupDepth(next) <= depth) break;
        if (next.classList.contains("leaf") && next.dataset[key] === "1") { match = true; break; }
      }
      if (!match) row.classList.add("filtered-out");
    });
  }
  history.replaceState(null, "", key ? "?show=" + key : location.pathname);
});
