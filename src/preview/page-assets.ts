/**
 * The script and stylesheet every dashboard page loads (assets/preview.js, assets/preview.css).
 *
 * The script reads the page's data from its `application/json` block and draws each panel:
 * time series and bar charts with uPlot (threshold lines and areas drawn by a plugin), stats
 * and gauges on a canvas, tables as DOM. Text from the data only ever reaches the page through
 * textContent or canvas text, never as markup. When a panel is drawn its element gets
 * `data-drawn="1"` and `data-thresholds` (the threshold values it drew, as JSON); once every
 * panel is drawn `<body data-ready="1">` (what the browser tests and `--png` wait for).
 */

export const PAGE_SCRIPT = String.raw`(function () {
  "use strict";
  var NAMED = {
    green: "#73bf69", "dark-green": "#37872d", "semi-dark-green": "#56a64b", "light-green": "#96d98d",
    yellow: "#fade2a", "dark-yellow": "#e0b400", orange: "#ff9830", "dark-orange": "#fa6400",
    red: "#f2495c", "dark-red": "#c4162a", "semi-dark-red": "#e02f44", "light-red": "#ff7383",
    blue: "#5794f2", purple: "#b877d9", text: "#ccccdc", transparent: "rgba(0,0,0,0)"
  };
  var PALETTE = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0"];
  var AXIS = "#9fa7b3", GRID = "rgba(204,204,220,0.09)";
  var dpr = window.devicePixelRatio || 1;
  /** Synthetic data: x counts seconds back from the end of the window. */
  var RELATIVE = false;
  /** Ticks of a duration axis fall on whole seconds, minutes, hours and days. */
  var DURATION_STEPS = [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
  var RELATIVE_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000];

  function colour(name) {
    if (Object.prototype.hasOwnProperty.call(NAMED, name)) return NAMED[name];
    return /^#[0-9a-fA-F]{3,8}$/.test(name) ? name : NAMED.text;
  }
  function alpha(hex, a) {
    var h = colour(hex);
    if (h.charAt(0) !== "#" || h.length !== 7) return h;
    var n = parseInt(h.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }
  function stepColour(steps, v) {
    var c = steps.length ? steps[0].color : "green";
    for (var i = 0; i < steps.length; i++) if (steps[i].value !== null && v >= steps[i].value) c = steps[i].color;
    return colour(c);
  }
  function levels(steps) {
    var out = [];
    for (var i = 0; i < steps.length; i++) if (steps[i].value !== null) out.push(steps[i].value);
    return out;
  }

  function trim(n, digits) {
    var s = n.toFixed(digits);
    return s.indexOf(".") >= 0 ? s.replace(/\.?0+$/, "") : s;
  }
  function scaled(v, base, suffixes, decimals) {
    var i = 0;
    while (Math.abs(v) >= base && i < suffixes.length - 1) { v /= base; i++; }
    return trim(v, decimals === null ? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2) : decimals) + suffixes[i];
  }
  function duration(v, decimals) {
    // Whole minutes (axis ticks, SLAs) read best as 1h 15m.
    if (Math.abs(v) >= 60 && v % 60 === 0) {
      var a = Math.abs(v), d = Math.floor(a / 86400), h = Math.floor((a % 86400) / 3600), m = Math.floor((a % 3600) / 60);
      return (v < 0 ? "-" : "") + [d ? d + "d" : "", h ? h + "h" : "", m ? m + "m" : ""].filter(Boolean).join(" ");
    }
    var units = [[86400, " day"], [3600, " hour"], [60, " min"], [1, " s"], [0.001, " ms"]];
    if (v === 0) return "0 s";
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(v) >= units[i][0] || i === units.length - 1) return trim(v / units[i][0], decimals === null ? 1 : decimals) + units[i][1];
    }
    return String(v);
  }
  function fmt(v, unit, decimals) {
    if (v === null || v === undefined || isNaN(v)) return "No data";
    if (!isFinite(v)) return v > 0 ? "∞" : "-∞";
    switch (unit) {
      case "percentunit": return trim(v * 100, decimals === null ? (Math.abs(v) >= 0.1 ? 1 : 2) : decimals) + "%";
      case "percent": return trim(v, decimals === null ? 1 : decimals) + "%";
      case "s": return duration(v, decimals);
      case "ms": return duration(v / 1000, decimals);
      case "decbytes": return scaled(v, 1000, [" B", " kB", " MB", " GB", " TB", " PB"], decimals);
      case "bytes": return scaled(v, 1024, [" B", " KiB", " MiB", " GiB", " TiB", " PiB"], decimals);
      case "cps": return scaled(v, 1000, [" c/s", "K c/s", "M c/s", "B c/s"], decimals);
      case "none": return trim(v, decimals === null ? 2 : decimals);
      default: return scaled(v, 1000, ["", "K", "Mil", "Bil", "Tri"], decimals);
    }
  }
  function relative(seconds) {
    if (seconds === 0) return "now";
    var a = Math.abs(seconds), d = Math.floor(a / 86400), h = Math.floor((a % 86400) / 3600), m = Math.floor((a % 3600) / 60);
    return "-" + (d ? d + "d" : "") + (h ? h + "h" : "") + (m ? m + "m" : "") + (!d && !h && !m ? a + "s" : "");
  }
  function last(values) {
    for (var i = values.length - 1; i >= 0; i--) if (values[i] !== null && !isNaN(values[i])) return values[i];
    return null;
  }
  function finite(values) {
    var out = [];
    for (var i = 0; i < values.length; i++) if (values[i] !== null && isFinite(values[i])) out.push(values[i]);
    return out;
  }
  function text(tag, cls, content) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (content !== undefined) el.textContent = content;
    return el;
  }
  function seriesColour(s, i) { return s.color ? colour(s.color) : PALETTE[i % PALETTE.length]; }

  /** Distinct (steps, style) pairs the panel's series show, thresholds style not off. */
  function thresholdSets(p) {
    var seen = {}, out = [];
    for (var i = 0; i < p.series.length; i++) {
      var s = p.series[i];
      if (s.thresholdsStyle === "off") continue;
      var key = JSON.stringify([s.thresholds, s.thresholdsStyle]);
      if (!seen[key]) { seen[key] = 1; out.push({ steps: s.thresholds, style: s.thresholdsStyle }); }
    }
    if (!p.series.length && p.thresholdsStyle !== "off") out.push({ steps: p.thresholds, style: p.thresholdsStyle });
    return out;
  }

  /** Draws threshold areas under the series and lines over them; tells \`done\` what it drew, after each draw. */
  function thresholdPlugin(sets, done) {
    function each(u, fn) {
      for (var i = 0; i < sets.length; i++) {
        var st = sets[i].steps;
        for (var j = 0; j < st.length; j++) {
          var lo = st[j].value === null ? u.scales.y.min : st[j].value;
          var hi = j + 1 < st.length ? st[j + 1].value : u.scales.y.max;
          fn(sets[i], st[j], lo, hi);
        }
      }
    }
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx, b = u.bbox;
          ctx.save();
          each(u, function (set, step, lo, hi) {
            if (set.style.indexOf("area") < 0) return;
            var top = Math.max(b.top, u.valToPos(Math.min(hi, u.scales.y.max), "y", true));
            var bottom = Math.min(b.top + b.height, u.valToPos(Math.max(lo, u.scales.y.min), "y", true));
            if (bottom <= top) return;
            ctx.fillStyle = alpha(step.color, 0.15);
            ctx.fillRect(b.left, top, b.width, bottom - top);
          });
          ctx.restore();
        }],
        draw: [function (u) {
          var ctx = u.ctx, b = u.bbox, drawn = {};
          ctx.save();
          each(u, function (set, step) {
            if (step.value === null || set.style === "area") return;
            var y = Math.round(u.valToPos(step.value, "y", true)) + 0.5;
            if (y < b.top || y > b.top + b.height) return;
            ctx.strokeStyle = colour(step.color);
            ctx.lineWidth = 2 * dpr;
            ctx.setLineDash(set.style.indexOf("dashed") === 0 ? [10 * dpr, 10 * dpr] : []);
            ctx.beginPath();
            ctx.moveTo(b.left, y);
            ctx.lineTo(b.left + b.width, y);
            ctx.stroke();
            drawn[step.value] = true;
          });
          ctx.restore();
          done(Object.keys(drawn).map(Number));
        }]
      }
    };
  }

  function yRange(p, sets) {
    var vals = [];
    for (var i = 0; i < p.series.length; i++) vals = vals.concat(finite(p.series[i].values));
    for (var k = 0; k < sets.length; k++) vals = vals.concat(levels(sets[k].steps));
    var lo = vals.length ? Math.min.apply(null, vals) : 0, hi = vals.length ? Math.max.apply(null, vals) : 1;
    if (p.min !== null) lo = Math.min(lo, p.min);
    if (p.max !== null) hi = Math.max(hi, p.max);
    var pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    return [p.min !== null ? p.min : lo - pad, p.max !== null ? p.max : hi + pad];
  }

  function legend(el, p) {
    var box = text("div", "legend");
    for (var i = 0; i < p.series.length; i++) {
      var item = text("span", "item");
      var swatch = text("i", "swatch");
      swatch.style.background = seriesColour(p.series[i], i);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(p.series[i].name));
      box.appendChild(item);
    }
    el.appendChild(box);
  }

  function chart(el, p, bars, done) {
    var sets = thresholdSets(p);
    legend(el, p);
    var legendHeight = el.lastChild.offsetHeight;
    var data = [p.x.slice()];
    var series = [{}];
    for (var i = 0; i < p.series.length; i++) {
      data.push(p.series[i].values.map(function (v) { return v === null || !isFinite(v) ? null : v; }));
      var c = seriesColour(p.series[i], i);
      series.push({ label: p.series[i].name, stroke: c, width: 1.5, fill: bars ? alpha(c, 0.8) : alpha(c, 0.1), spanGaps: false, paths: bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined });
    }
    var range = yRange(p, sets);
    var opts = {
      width: Math.max(120, el.clientWidth),
      height: Math.max(80, el.clientHeight - legendHeight),
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: { x: { time: !RELATIVE }, y: { range: function () { return range; } } },
      axes: [
        RELATIVE
          ? { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, space: 70, incrs: RELATIVE_STEPS, values: function (u, splits) { return splits.map(relative); } }
          : { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
        { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, size: 70, incrs: p.unit === "s" ? DURATION_STEPS : undefined, values: function (u, splits) { return splits.map(function (v) { return fmt(v, p.unit, p.decimals); }); } }
      ],
      series: series,
      plugins: [thresholdPlugin(sets, done)]
    };
    // uPlot draws in a microtask: the plugin's draw hook reports when it has.
    new uPlot(opts, data, function (u, init) { el.insertBefore(u.root, el.firstChild); init(); });
  }

  function canvasFor(el) {
    var c = document.createElement("canvas");
    var w = Math.max(120, el.clientWidth), h = Math.max(60, el.clientHeight);
    c.width = w * dpr; c.height = h * dpr;
    c.style.width = w + "px"; c.style.height = h + "px";
    el.appendChild(c);
    var ctx = c.getContext("2d");
    ctx.scale(dpr, dpr);
    return { canvas: c, ctx: ctx, w: w, h: h };
  }

  /** A bar under a stat's value: the threshold steps as coloured segments, a tick at the value. */
  function stepStrip(ctx, x, y, w, steps, value, drawn) {
    var lv = levels(steps);
    if (!lv.length) return;
    var lo = Math.min.apply(null, lv.concat(value === null || !isFinite(value) ? [] : [value])), hi = Math.max.apply(null, lv.concat(value === null || !isFinite(value) ? [] : [value]));
    var span = hi - lo || Math.abs(hi) || 1;
    lo -= span * 0.25; hi += span * 0.25;
    var px = function (v) { return x + ((v - lo) / (hi - lo)) * w; };
    for (var j = 0; j < steps.length; j++) {
      var from = steps[j].value === null ? lo : steps[j].value, to = j + 1 < steps.length ? steps[j + 1].value : hi;
      ctx.fillStyle = colour(steps[j].color);
      ctx.fillRect(px(from), y, Math.max(1, px(to) - px(from)), 5);
      if (steps[j].value !== null) drawn[steps[j].value] = true;
    }
    if (value !== null && isFinite(value)) { ctx.fillStyle = "#ffffff"; ctx.fillRect(px(value) - 1, y - 3, 2, 11); }
  }

  function stat(el, p, done) {
    var c = canvasFor(el), ctx = c.ctx, drawn = {};
    var n = Math.max(1, p.series.length), cell = c.h / n;
    if (!p.series.length) {
      ctx.fillStyle = NAMED.text; ctx.font = "20px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(p.noValue || "No data", c.w / 2, c.h / 2);
    }
    for (var i = 0; i < p.series.length; i++) {
      var s = p.series[i], v = last(s.values), top = i * cell, col = v === null ? NAMED.text : stepColour(s.thresholds, v);
      if (p.graphMode === "area") {
        var vals = s.values, fin = finite(vals), lo = Math.min.apply(null, fin.length ? fin : [0]), hi = Math.max.apply(null, fin.length ? fin : [1]);
        var span = hi - lo || 1;
        ctx.beginPath();
        ctx.moveTo(0, top + cell);
        for (var k = 0; k < vals.length; k++) {
          if (vals[k] === null || !isFinite(vals[k])) continue;
          ctx.lineTo((k / Math.max(1, vals.length - 1)) * c.w, top + cell - 8 - ((vals[k] - lo) / span) * (cell * 0.45));
        }
        ctx.lineTo(c.w, top + cell);
        ctx.closePath();
        ctx.fillStyle = alpha(col.charAt(0) === "#" ? col : "#ccccdc", 0.18);
        ctx.fill();
      }
      var size = Math.max(12, Math.min(cell * 0.45, c.w / 6));
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      if (n > 1) { ctx.fillStyle = AXIS; ctx.font = Math.max(10, size * 0.4) + "px sans-serif"; ctx.fillText(s.name, c.w / 2, top + cell * 0.2); }
      ctx.fillStyle = col; ctx.font = "bold " + size + "px sans-serif";
      ctx.fillText(v === null ? (p.noValue || "No data") : fmt(v, p.unit, p.decimals), c.w / 2, top + cell * (n > 1 ? 0.55 : 0.45));
      stepStrip(ctx, c.w * 0.15, top + cell - 10, c.w * 0.7, s.thresholds, v, drawn);
    }
    done(Object.keys(drawn).map(Number));
  }

  function gauge(el, p, done) {
    var c = canvasFor(el), ctx = c.ctx, drawn = {};
    var n = Math.max(1, p.series.length), w = c.w / n;
    for (var i = 0; i < n; i++) {
      var s = p.series[i] || { name: "", values: [], thresholds: p.thresholds };
      var v = last(s.values), lv = levels(s.thresholds);
      var min = p.min !== null ? p.min : 0;
      var max = p.max !== null ? p.max : Math.max.apply(null, lv.concat([v === null || !isFinite(v) ? 1 : v])) * 1.2 || 1;
      var cx = i * w + w / 2, cy = c.h * 0.58, r = Math.max(20, Math.min(w / 2, c.h * 0.55) - 14);
      var start = Math.PI * 0.75, sweep = Math.PI * 1.5;
      var ang = function (x) { return start + sweep * Math.min(1, Math.max(0, (x - min) / (max - min))); };
      // Threshold markers: the outer ring, one arc per step.
      for (var j = 0; j < s.thresholds.length; j++) {
        var from = s.thresholds[j].value === null ? min : s.thresholds[j].value, to = j + 1 < s.thresholds.length ? s.thresholds[j + 1].value : max;
        ctx.beginPath(); ctx.arc(cx, cy, r + 8, ang(from), ang(to)); ctx.strokeStyle = colour(s.thresholds[j].color); ctx.lineWidth = 5; ctx.stroke();
        if (s.thresholds[j].value !== null) drawn[s.thresholds[j].value] = true;
      }
      ctx.beginPath(); ctx.arc(cx, cy, r - 6, start, start + sweep); ctx.strokeStyle = "rgba(204,204,220,0.12)"; ctx.lineWidth = 14; ctx.stroke();
      if (v !== null && isFinite(v)) { ctx.beginPath(); ctx.arc(cx, cy, r - 6, start, ang(v)); ctx.strokeStyle = stepColour(s.thresholds, v); ctx.stroke(); }
      ctx.fillStyle = v === null ? NAMED.text : stepColour(s.thresholds, v);
      ctx.font = "bold " + Math.max(12, r * 0.4) + "px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(v === null ? (p.noValue || "No data") : fmt(v, p.unit, p.decimals), cx, cy);
      if (n > 1) { ctx.fillStyle = AXIS; ctx.font = "11px sans-serif"; ctx.fillText(s.name, cx, c.h - 8); }
    }
    done(Object.keys(drawn).map(Number));
  }

  function table(el, p, done) {
    var t = document.createElement("table"), head = t.createTHead().insertRow(), drawn = {};
    ["series", "last", "min", "max"].forEach(function (h) { head.appendChild(text("th", "", h)); });
    var body = t.createTBody();
    for (var i = 0; i < p.series.length; i++) {
      var s = p.series[i], f = finite(s.values), v = last(s.values), row = body.insertRow();
      row.appendChild(text("td", "", s.name));
      var cell = text("td", "", fmt(v, p.unit, p.decimals));
      if (v !== null) cell.style.color = stepColour(s.thresholds, v);
      row.appendChild(cell);
      row.appendChild(text("td", "", f.length ? fmt(Math.min.apply(null, f), p.unit, p.decimals) : "No data"));
      row.appendChild(text("td", "", f.length ? fmt(Math.max.apply(null, f), p.unit, p.decimals) : "No data"));
      levels(s.thresholds).forEach(function (x) { drawn[x] = true; });
    }
    el.appendChild(t);
    done(Object.keys(drawn).map(Number));
  }

  var DRAW = { timeseries: function (el, p, done) { chart(el, p, false, done); }, barchart: function (el, p, done) { chart(el, p, true, done); }, stat: stat, gauge: gauge, table: table };

  var data = JSON.parse(document.getElementById("pipemon-data").textContent);
  RELATIVE = data.relativeTime === true;
  var pending = 1;
  function settle() { if (--pending === 0) document.body.setAttribute("data-ready", "1"); }
  data.panels.forEach(function (p) {
    var section = document.getElementById("panel-" + p.id);
    if (!section || !Object.prototype.hasOwnProperty.call(DRAW, p.type)) return;
    var viz = section.querySelector(".viz");
    if (p.error) {
      viz.appendChild(text("p", "error", "query failed: " + p.error));
      section.setAttribute("data-error", "1");
      return;
    }
    pending++;
    var first = true;
    DRAW[p.type](viz, p, function (thresholds) {
      thresholds.sort(function (a, b) { return a - b; });
      section.setAttribute("data-thresholds", JSON.stringify(thresholds));
      section.setAttribute("data-drawn", "1");
      if (first) { first = false; settle(); }
    });
  });
  settle();
})();
`;

export const PAGE_STYLE = `:root { color-scheme: dark; }
body { margin: 0; background: #111217; color: #ccccdc; font: 14px/1.4 Inter, "Helvetica Neue", Arial, sans-serif; }
a { color: #6e9fff; }
code { font: 12px/1.3 "DejaVu Sans Mono", Menlo, monospace; color: #d8d9da; background: #22252b; padding: 0 3px; border-radius: 2px; overflow-wrap: anywhere; }
header.top { display: flex; gap: 16px; align-items: baseline; padding: 8px 16px; background: #181b1f; border-bottom: 1px solid #2c3235; }
header.top a { font-weight: bold; color: #ccccdc; text-decoration: none; }
.source { color: #9fa7b3; font-size: 12px; }
main { padding: 8px 16px 32px; }
h1 { font-size: 20px; margin: 8px 0 4px; }
h2 { font-size: 16px; margin: 20px 0 6px; }
.env { font-size: 12px; background: #3d71d9; color: #fff; padding: 1px 6px; border-radius: 8px; vertical-align: middle; }
.description, .meta, .muted { color: #9fa7b3; }
.dashboard { max-width: 1400px; padding: 4px 8px 8px; background: #111217; }
.grid { display: grid; grid-template-columns: repeat(24, minmax(0, 1fr)); grid-auto-rows: 30px; gap: 8px; margin-top: 8px; }
.grid h2.row { margin: 0; align-self: end; font-size: 15px; border-bottom: 1px solid #2c3235; }
.panel { background: #181b1f; border: 1px solid #2c3235; border-radius: 2px; display: flex; flex-direction: column; min-width: 0; overflow: hidden; }
.panel h3 { font-size: 13px; margin: 0; padding: 4px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.panel .viz { flex: 1; min-height: 0; position: relative; overflow: hidden; }
.panel .queries { font-size: 11px; padding: 0 8px; color: #9fa7b3; }
.panel .queries summary { cursor: pointer; }
.panel .queries ul { margin: 2px 0 4px; padding-left: 14px; max-height: 120px; overflow: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 12px; padding: 0 8px; font-size: 12px; }
.legend .swatch { display: inline-block; width: 12px; height: 3px; margin-right: 4px; vertical-align: middle; }
.panel table { width: 100%; font-size: 12px; }
.error { color: #f2495c; padding: 8px; }
table { border-collapse: collapse; }
section.alerts table, section.routing table, section.members table { width: 100%; max-width: 1400px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #2c3235; }
th { color: #9fa7b3; font-weight: normal; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.target { color: #9fa7b3; display: inline-block; min-width: 72px; }
.sev { padding: 0 6px; border-radius: 8px; font-size: 12px; color: #111217; }
.sev-critical { background: #f2495c; } .sev-high { background: #ff9830; } .sev-medium { background: #fade2a; } .sev-low { background: #5794f2; }
section.team h3 { margin: 12px 0 4px; }
`;
