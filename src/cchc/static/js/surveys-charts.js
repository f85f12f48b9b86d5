// Survey charts (results and published trend). Data comes from json_script blocks; the tables
// next to each chart carry the same figures, so the page reads fine without JavaScript.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const palette = ["#b91c1c", "#0f766e", "#1d4ed8", "#a16207", "#7c3aed", "#be185d", "#15803d", "#475569"];
  const levelColors = ["#b91c1c", "#f97316", "#a3a3a3", "#22c55e", "#15803d"];
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const pct = (v) => (v === null || v === undefined ? "—" : v.toLocaleString("vi-VN", { maximumFractionDigits: 2 }) + "%");

  const data = read("survey-chart-data");
  if (data) {
    const aspects = document.getElementById("chart-aspects");
    if (aspects && data.aspects.labels.length) {
      new Chart(aspects, {
        type: data.aspects.labels.length >= 3 ? "radar" : "bar",
        data: { labels: data.aspects.labels, datasets: [{ label: data.aspects.label, data: data.aspects.values, borderColor: palette[0], backgroundColor: "rgba(185,28,28,.18)" }] },
        options: { scales: data.aspects.labels.length >= 3 ? { r: { min: 0, max: 100 } } : { y: { min: 0, max: 100 } }, plugins: { tooltip: { callbacks: { label: (c) => pct(c.raw) } } } },
      });
    }
    const trend = document.getElementById("chart-trend");
    if (trend && data.trend.labels.length) {
      new Chart(trend, {
        type: "line",
        data: { labels: data.trend.labels, datasets: data.trend.series.map((s, i) => ({ label: s.label, data: s.values, borderColor: palette[i % palette.length], spanGaps: true })) },
        options: { scales: { y: { min: 0, max: 100 } } },
      });
    }
    const dist = document.getElementById("chart-distribution");
    if (dist && data.distribution.questions.length) {
      // A chart that does not keep its aspect ratio needs a box of fixed height, or it grows
      // with every resize: one bar row of 24 px per question plus the legend and axis.
      dist.parentElement.style.position = "relative";
      dist.parentElement.style.height = (data.distribution.questions.length * 24 + 90) + "px";
      new Chart(dist, {
        type: "bar",
        data: {
          labels: data.distribution.questions.map((q) => q.label),
          datasets: data.distribution.levels.map((level, i) => ({ label: level, data: data.distribution.questions.map((q) => q.counts[i]), backgroundColor: levelColors[i] })),
        },
        options: { indexAxis: "y", maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true } } },
      });
    }
  }
  document.querySelectorAll("canvas.published-chart").forEach((canvas) => {
    const pub = read(canvas.dataset.source);
    if (!pub || !pub.labels.length) return;
    new Chart(canvas, {
      type: "line",
      data: { labels: pub.labels, datasets: pub.series.map((s, i) => ({ label: s.label, data: s.values, borderColor: palette[i % palette.length], spanGaps: true })) },
    });
  });
})();
