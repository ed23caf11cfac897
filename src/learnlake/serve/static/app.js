/* learnlake dashboards: fetch each chart's JSON (same filters as the page URL) and draw it. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("ll-config").textContent);
  var t = function (s) { return config.strings[s] || s; };
  var numberFmt = new Intl.NumberFormat(config.lang, { maximumFractionDigits: 2 });
  var dateFmt = new Intl.DateTimeFormat(config.lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  var isoDate = /^\d{4}-\d{2}-\d{2}(T[\d:.]+([+-]\d{2}:\d{2}|Z)?)?$/;
  var charts = [];

  function fmt(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") return numberFmt.format(value);
    if (typeof value === "boolean") return value ? "✓" : "✗";
    if (typeof value === "string" && isoDate.test(value)) {
      var d = new Date(value);
      if (!isNaN(d.getTime())) return dateFmt.format(d);
    }
    return String(value);
  }

  function message(plot, text) {
    plot.textContent = "";
    var span = document.createElement("span");
    span.className = "msg";
    span.textContent = text;
    plot.appendChild(span);
  }

  function table(plot, data) {
    var tbl = document.createElement("table");
    var head = tbl.insertRow();
    data.columns.forEach(function (c) {
      var th = document.createElement("th");
      th.textContent = c.label;
      head.appendChild(th);
    });
    data.rows.slice(0, 500).forEach(function (row) {
      var tr = tbl.insertRow();
      data.columns.forEach(function (c) {
        var td = tr.insertCell();
        var v = row[c.name];
        td.textContent = fmt(v);
        if (typeof v === "number") td.className = "n";
      });
    });
    plot.textContent = "";
    plot.appendChild(tbl);
    if (data.rows.length > 500) {
      var more = document.createElement("p");
      more.className = "msg";
      more.textContent = "+" + numberFmt.format(data.rows.length - 500) + " " + t("more rows");
      plot.appendChild(more);
    }
  }

  function draw(el, data) {
    var plot = el.querySelector(".plot");
    el.dataset.rows = String(data.rows.length);
    if (!data.rows.length) {
      message(plot, t("No data for these filters."));
      el.dataset.state = "empty";
      return;
    }
    if (data.kind === "number") {
      var first = data.rows[0];
      plot.textContent = fmt(first[data.columns[0].name]);
    } else if (data.kind === "table" || !data.option) {
      table(plot, data);
    } else {
      plot.textContent = "";
      var chart = echarts.init(plot, null, { renderer: "canvas" });
      chart.setOption(data.option);
      charts.push(chart);
    }
    el.dataset.state = "ok";
  }

  document.querySelectorAll(".chart[data-src]").forEach(function (el) {
    var src = el.dataset.src + window.location.search;
    var sep = window.location.search ? "&" : "?";
    el.querySelector("a.csv").href = src + sep + "format=csv";
    fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + r.statusText);
        return r.json();
      })
      .then(function (data) { draw(el, data); })
      .catch(function (err) {
        message(el.querySelector(".plot"), t("Could not load this chart.") + " (" + err.message + ")");
        el.dataset.state = "error";
      });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
