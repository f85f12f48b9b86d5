// Charts drawn from <script type="application/json"> blocks (Django's json_script): the page
// holds data only, this file draws it (CSP forbids inline scripts). Every chart has a table on
// the page holding the same figures, so nothing is lost without JavaScript.
(function () {
  "use strict";

  const LINE_COLORS = [
    "#b91c1c", "#0369a1", "#15803d", "#b45309", "#7c3aed", "#0f766e", "#be185d", "#4d7c0f",
    "#1d4ed8", "#c2410c", "#334155", "#a21caf",
  ];
  const locale = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });

  function read(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function barChart(part, horizontalLabels) {
    return {
      type: "bar",
      data: {
        labels: part.labels,
        datasets: [{ label: part.title, data: part.values, backgroundColor: part.colors }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => `${part.title}: ${number.format(ctx.parsed.y)}` } },
        },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: horizontalLabels ? 0 : 60 } },
          y: { beginAtZero: true, ticks: { precision: 0, callback: (v) => number.format(v) } },
        },
      },
    };
  }

  function lineChart(data, key, title, reverse) {
    return {
      type: "line",
      data: {
        labels: data.years,
        datasets: data.series.map((s, i) => ({
          label: s.label,
          data: s[key],
          borderColor: LINE_COLORS[i % LINE_COLORS.length],
          backgroundColor: LINE_COLORS[i % LINE_COLORS.length],
          spanGaps: false,
          tension: 0,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "nearest", intersect: false },
        plugins: {
          legend: { display: data.series.length <= 20, position: "bottom" },
          tooltip: {
            callbacks: { label: (ctx) => `${ctx.dataset.label}: ${number.format(ctx.parsed.y)}` },
          },
        },
        scales: {
          y: {
            reverse: Boolean(reverse),
            title: { display: true, text: title },
            ticks: { precision: reverse ? 0 : undefined, callback: (v) => number.format(v) },
            suggestedMin: reverse ? 1 : undefined,
          },
        },
      },
    };
  }

  function config(kind, data) {
    switch (kind) {
      case "distribution":
        return barChart(data.distribution, true);
      case "indices":
        return barChart(data.indices, false);
      case "trend-index":
        return lineChart(data, "index", data.index_title, false);
      case "trend-rank":
        return lineChart(data, "rank", data.rank_title, true);
      default:
        return null;
    }
  }

  function drawAll() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const data = read(canvas.dataset.source);
      const cfg = data && config(canvas.dataset.chart, data);
      if (!cfg) return;
      new window.Chart(canvas, cfg);
      canvas.dataset.drawn = "1";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
