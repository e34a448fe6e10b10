// The findings table of the mqguard HTML report. The findings come from the JSON block above as
// arrays (see the Go side's htmlFindingFields); the table shows one page of the filtered findings
// at a time, so that filtering stays fast with a hundred thousand. Every text is put into the page
// as text, never as markup.
(function () {
  "use strict";
  var PAGE = 100;
  var data = JSON.parse(document.getElementById("data").textContent);
  var F = {};
  data.fields.forEach(function (name, i) { F[name] = i; });
  var texts = data.texts, all = data.findings;
  function txt(f, field) { return texts[f[F[field]]]; }

  // What the search matches, lower-cased once.
  var hay = new Array(all.length);
  for (var i = 0; i < all.length; i++) {
    var f = all[i];
    hay[i] = [f[F.rule_id], f[F.slug], txt(f, "title"), f[F.address], txt(f, "type"), f[F.name],
      f[F.engine], f[F.source], f[F.account], f[F.region], txt(f, "path"), f[F.ref], f[F.message],
      f[F.fingerprint], txt(f, "aliases")].join("\n").toLowerCase();
  }

  function byId(id) { return document.getElementById(id); }
  var filters = { severity: byId("f-severity"), status: byId("f-status"), rule: byId("f-rule"), source: byId("f-source") };
  var search = byId("f-search"), rows = byId("rows"), count = byId("count");
  var prev = byId("prev"), next = byId("next"), pageLabel = byId("page");
  var shown = [], page = 0, open = {};

  function applyFilters() {
    var sev = filters.severity.value, st = filters.status.value, rule = filters.rule.value, src = filters.source.value;
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var out = [];
    outer:
    for (var i = 0; i < all.length; i++) {
      var f = all[i];
      if ((sev && f[F.severity] !== sev) || (st && f[F.status] !== st) ||
          (rule && f[F.rule_id] !== rule) || (src && f[F.source] !== src)) {
        continue;
      }
      for (var w = 0; w < words.length; w++) {
        if (hay[i].indexOf(words[w]) < 0) { continue outer; }
      }
      out.push(i);
    }
    shown = out;
    page = 0;
    render();
  }

  function node(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null && text !== "") { e.textContent = String(text); }
    return e;
  }

  function where(f) {
    var path = txt(f, "path");
    if (!path) { return f[F.ref] || ""; }
    var s = f[F.start_line], e = f[F.end_line];
    if (!s) { return path; }
    return path + ":" + s + (e > s ? "-" + e : "");
  }

  function row(i) {
    var f = all[i], tr = node("tr", "row");
    tr.id = "f" + i;
    var td = node("td"), b = node("button", "toggle", open[i] ? "▾" : "▸");
    b.type = "button";
    b.dataset.index = i;
    b.setAttribute("aria-expanded", open[i] ? "true" : "false");
    b.setAttribute("aria-label", "details");
    td.appendChild(b);
    tr.appendChild(td);
    td = node("td");
    td.appendChild(node("span", "sev sev-" + f[F.severity].toLowerCase(), f[F.severity]));
    tr.appendChild(td);
    tr.appendChild(node("td", "st st-" + f[F.status].replace("/", ""), f[F.status]));
    var rule = node("td", "mono", f[F.rule_id]);
    rule.title = f[F.slug] + ": " + txt(f, "title");
    tr.appendChild(rule);
    var res = node("td", "mono", f[F.address]);
    if (f[F.name]) { res.title = f[F.name]; }
    tr.appendChild(res);
    tr.appendChild(node("td", "mono", where(f)));
    tr.appendChild(node("td", "msg", f[F.message]));
    return tr;
  }

  function detail(i) {
    var f = all[i], tr = node("tr", "detail"), td = node("td"), dl = node("dl");
    td.colSpan = 7;
    function item(label, value) {
      if (value === undefined || value === null || value === "") { return; }
      dl.appendChild(node("dt", "", label));
      var dd = node("dd");
      if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
      dl.appendChild(dd);
    }
    item("Message", f[F.message]);
    item("Rule", f[F.rule_id] + " " + f[F.slug] + ": " + txt(f, "title"));
    item("Resource", [f[F.address], txt(f, "type"), f[F.name], f[F.engine]].filter(Boolean).join(" · "));
    item("Source", [f[F.source], f[F.account], f[F.region]].filter(Boolean).join(" · "));
    item("Location", where(f));
    item("Value", f[F.value_from]);
    item("Remediation", txt(f, "remediation"));
    if (f[F.replacement_required]) { item("Replacement", "the fix replaces the broker"); }
    var sup = f[F.suppression];
    if (sup) {
      // sup: kind, reason, approver, ticket, expires, the status it hides.
      item("Suppressed", [sup[0], sup[1], sup[2] && "approved by " + sup[2], sup[3] && "ticket " + sup[3],
        sup[4] && "until " + sup[4], sup[5] && "hides a " + sup[5]].filter(Boolean).join(" · "));
    }
    item("Aliases", txt(f, "aliases"));
    item("Fingerprint", f[F.fingerprint]);
    var help = txt(f, "help_uri");
    // Only web links: a report must not carry a javascript: or file: link to click.
    if (/^https?:\/\//i.test(help)) {
      var a = node("a", "", help);
      a.href = help;
      a.rel = "noopener noreferrer";
      item("Documentation", a);
    }
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(Math.max(page, 0), pages - 1);
    var frag = document.createDocumentFragment();
    var end = Math.min(shown.length, (page + 1) * PAGE);
    for (var k = page * PAGE; k < end; k++) {
      var i = shown[k], tr = row(i);
      // Stripes by finding, not by table row: an expanded finding's details take a row.
      if (k % 2) { tr.classList.add("odd"); }
      frag.appendChild(tr);
      if (open[i]) { frag.appendChild(detail(i)); }
    }
    rows.textContent = "";
    rows.appendChild(frag);
    count.textContent = shown.length === all.length ? all.length + " findings" :
      shown.length + " of " + all.length + " findings";
    pageLabel.textContent = shown.length ? "page " + (page + 1) + " of " + pages +
      " (" + (page * PAGE + 1) + "–" + end + ")" : "no findings match";
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  Object.keys(filters).forEach(function (k) { filters[k].addEventListener("change", applyFilters); });
  search.addEventListener("input", applyFilters);
  var form = byId("filters");
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  // Reset fires before the form clears its fields.
  form.addEventListener("reset", function () { setTimeout(applyFilters, 0); });
  prev.addEventListener("click", function () { page--; render(); });
  next.addEventListener("click", function () { page++; render(); });
  rows.addEventListener("click", function (e) {
    var b = e.target.closest("button.toggle");
    if (!b) { return; }
    var i = Number(b.dataset.index);
    if (open[i]) { delete open[i]; } else { open[i] = true; }
    render();
    var again = rows.querySelector('button.toggle[data-index="' + i + '"]');
    if (again) { again.focus(); }
  });
  applyFilters();
})();
