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

  // a cell holding a same-site dashboard path (/dashboards/…?…) is a link that keeps the page's
  // other filters (its own parameters win)
  function dashboardLink(value) {
    if (value.indexOf("/dashboards/") !== 0) return null;
    var url = new URL(value, window.location.origin);
    if (url.origin !== window.location.origin) return null;
    new URLSearchParams(window.location.search).forEach(function (v, k) {
      if (v !== "" && !url.searchParams.has(k)) url.searchParams.set(k, v);
    });
    return url.pathname + url.search;
  }

  // "copy contact list": the server renders the button only for callers shown personal data;
  // it appears when the rows carry emails
  function copyEmails(el, data) {
    var button = el.querySelector("button.copy-emails");
    if (!button) return;
    var emails = data.rows.map(function (r) { return r.email; }).filter(function (e) { return !!e; });
    emails = emails.filter(function (e, i) { return emails.indexOf(e) === i; });
    if (!emails.length) return;
    button.hidden = false;
    button.dataset.count = String(emails.length);
    button.addEventListener("click", function () {
      var text = emails.join(", ");
      var done = function () {
        var label = button.textContent;
        button.textContent = button.dataset.done;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
      } else {
        fallbackCopy(text);
        done();
      }
    });
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selectable */ }
    document.body.removeChild(area);
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
        var link = typeof v === "string" ? dashboardLink(v) : null;
        if (link) {
          var a = document.createElement("a");
          a.href = link;
          a.textContent = c.label;
          td.appendChild(a);
        } else {
          td.textContent = fmt(v);
        }
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
      copyEmails(el, data);
    } else {
      plot.textContent = "";
      var chart = echarts.init(plot, null, { renderer: "canvas" });
      chart.setOption(data.option);
      charts.push(chart);
    }
    el.dataset.state = "ok";
  }

  // empty fields of a submitted filter form mean "no filter": leave them out of the data URLs
  var query = new URLSearchParams();
  new URLSearchParams(window.location.search).forEach(function (v, k) { if (v !== "") query.append(k, v); });
  var search = query.toString() ? "?" + query.toString() : "";

  document.querySelectorAll(".chart[data-src]").forEach(function (el) {
    var src = el.dataset.src + search;
    var sep = search ? "&" : "?";
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
