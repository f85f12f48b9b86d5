// Dossier dashboard charts: monthly on-time and online rates against their targets.
// Data comes from a json_script element (#dossier-chart-data); CSP forbids inline scripts.
(function () {
  "use strict";

  function percent(value) {
    return value === null || value === undefined
      ? "—"
      : value.toLocaleString(document.documentElement.lang || "vi", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " %";
  }

  // The y axis starts at a round value below the lowest point (rates near 90–100 % stay readable).
  function axisMin(values, target) {
    const points = values.filter((v) => v !== null && v !== undefined);
    if (target !== null && target !== undefined) points.push(target);
    if (!points.length) return 0;
    return Math.max(0, Math.floor((Math.min.apply(null, points) - 5) / 10) * 10);
  }

  function drawRateChart(canvas, data, series) {
    const datasets = [
      {
        label: series.label,
        data: series.values,
        borderColor: series.color,
        backgroundColor: series.color,
        spanGaps: false,
        tension: 0,
      },
    ];
    if (series.target !== null && series.target !== undefined) {
      datasets.push({
        label: series.targetLabel,
        data: data.labels.map(() => series.target),
        borderColor: "#b91c1c",
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false,
      });
    }
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: axisMin(series.values, series.target), max: 100, title: { display: true, text: "%" } } },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + percent(ctx.parsed.y) } },
        },
      },
    });
  }

  function init() {
    const source = document.getElementById("dossier-chart-data");
    if (!source || !window.Chart) return;
    const data = JSON.parse(source.textContent);
    const onTime = document.getElementById("chart-on-time");
    const online = document.getElementById("chart-online");
    if (onTime) {
      onTime.chart = drawRateChart(onTime, data, {
        label: data.on_time_label,
        values: data.on_time,
        target: data.on_time_target,
        targetLabel: data.target_label,
        color: "#0e4f8a",
      });
    }
    if (online) {
      online.chart = drawRateChart(online, data, {
        label: data.online_label,
        values: data.online,
        target: data.online_target,
        targetLabel: data.target_label,
        color: "#15803d",
      });
    }
    document.documentElement.dataset.dossierCharts = "ready";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
