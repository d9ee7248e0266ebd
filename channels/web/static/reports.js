// The report pages: one page, a tab per report, period and filter pickers; the chart (drawn from the
// server's spec) and the report's tables (the same rows the REST API and the exports give).
const REPORTS = ["attendance", "revenue", "teachers", "groups", "enrolment"];
const content = document.querySelector("#content");
const form = document.querySelector("#filters");
const params = new URLSearchParams(location.search);
const REPORT = REPORTS.includes(params.get("report")) ? params.get("report") : "attendance";

const num = value => escapeHtml(value ?? "");
let CURRENCY = "EUR";
const cash = value => escapeHtml(money(value, CURRENCY));
const pct = value => escapeHtml(percent(value));

function tables(report, r) {
  const block = (title, html) => `<section class="card"><h3>${escapeHtml(title)}</h3>${html}</section>`;
  if (report === "attendance") {
    // One line per group/teacher/student/venue, one column per week or month: the rate, marks on hover.
    const change = r.change === null ? "" : `<p class="muted">${escapeHtml(w("change", { points: Math.round(Number(r.change) * 100) }))}</p>`;
    const periods = [...new Set(r.rows.map(x => x.period))].sort();
    const lines = new Map();
    for (const x of r.rows) {
      const key = `${x.name}\u0000${x.key_id}`;
      if (!lines.has(key)) lines.set(key, { name: x.name, cells: {}, marks: 0, attended: 0 });
      const line = lines.get(key);
      line.cells[x.period] = x; line.marks += x.marks; line.attended += x.attended;
    }
    const sorted = [...lines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const cell = period => line => {
      const x = line.cells[period];
      return x ? `<span title="${escapeHtml(`${x.attended} / ${x.marks}`)}">${pct(x.rate)}</span>` : "";
    };
    return change + table(sorted, [
      [w("name"), x => escapeHtml(x.name)],
      ...periods.map(p => [escapeHtml(day(p, "short")), cell(p), "num"]),
      [w("marks"), x => num(x.marks), "num"],
      [w("rate"), x => pct(x.marks ? x.attended / x.marks : null), "num"],
    ]);
  }
  if (report === "revenue") {
    CURRENCY = r.currency;
    return table(r.rows, [
      [w("col_month"), x => escapeHtml(day(x.month))], [w("expected"), x => cash(x.expected), "num"],
      [w("collected"), x => cash(x.collected), "num"], [w("outstanding"), x => cash(x.outstanding), "num"],
      [w("received"), x => cash(x.received), "num"],
    ]) + block(w("by_group"), table(r.by_group, [
      [w("col_group"), x => escapeHtml(x.group_name)], [w("expected"), x => cash(x.expected), "num"],
      [w("collected"), x => cash(x.collected), "num"], [w("received"), x => cash(x.received), "num"],
    ])) + block(w("by_method"), table(r.by_method, [
      [w("method"), x => escapeHtml(w(x.method))], [w("collected"), x => cash(x.collected), "num"], [w("received"), x => cash(x.received), "num"],
    ])) + block(w("by_age"), table(r.outstanding_by_age, [
      [w("age"), x => escapeHtml(w("days", { age: x.age }))], [w("charges"), x => num(x.charges), "num"], [w("amount"), x => cash(x.amount), "num"],
    ]));
  }
  if (report === "teachers") {
    CURRENCY = r.currency;
    return table(r.rows, [
      [w("col_teacher"), x => escapeHtml(x.teacher_name)], [w("classes"), x => num(x.classes), "num"], [w("hours"), x => num(x.hours), "num"],
      [w("substitutions"), x => num(x.substitutions), "num"], [w("covered"), x => num(x.covered_by_others), "num"],
      [w("fill"), x => pct(x.fill_rate), "num"], [w("pay"), x => cash(x.pay), "num"], [w("per_hour"), x => x.pay_per_hour === null ? "" : cash(x.pay_per_hour), "num"],
    ]);
  }
  if (report === "groups") {
    return table(r.rows, [
      [w("col_group"), x => escapeHtml(x.group_name)], [w("enrolled"), x => num(x.enrolled), "num"], [w("capacity"), x => num(x.capacity), "num"],
      [w("joined"), x => num(x.joined), "num"], [w("left"), x => num(x.left), "num"], [w("churn"), x => pct(x.churn), "num"],
      [w("rate"), x => pct(x.rate), "num"],
    ]);
  }
  return table(r.rows, [
    [w("col_month"), x => escapeHtml(day(x.month))], [w("active"), x => num(x.active), "num"], [w("new"), x => num(x.new), "num"],
    [w("lost"), x => num(x.lost), "num"], [w("net"), x => num(x.net), "num"],
  ]);
}

function query() {
  const out = new URLSearchParams();
  for (const [name, value] of new FormData(form).entries()) {
    if (!value) continue;
    if (REPORT !== "attendance" && ["by", "every", "group_id"].includes(name)) continue;
    out.set(name, value);
  }
  return out.toString();
}

async function show() {
  const q = query();
  history.replaceState(null, "", `/app/reports?report=${REPORT}${q ? "&" + q : ""}`);
  content.innerHTML = `<p class="muted">${escapeHtml(t("common.loading"))}</p>`;
  const chart = document.querySelector("#chart");
  try {
    const report = await json(`/reports/${REPORT}${q ? "?" + q : ""}`);
    form.start.value = report.start; form.end.value = report.end;  // the period the server used
    content.innerHTML = tables(REPORT, report);
    // Its rows as a file, for the period the server used (now in the form), so a default period is pinned too.
    exportLinks(document.querySelector("#exports"), `/reports/${REPORT}?${query()}`);
    content.querySelectorAll("table").forEach(wide => {  // a wide table scrolls on a phone, not the page
      const box = document.createElement("div");
      box.className = "scroll";
      wide.replaceWith(box);
      box.append(wide);
    });
    await drawChart(chart, REPORT, q);
  } catch (error) {
    chart.innerHTML = "";
    document.querySelector("#exports").innerHTML = "";
    showError(content, error.status === 403 && REPORT === "revenue" ? w("office_only") : error);
  }
}

(async () => {
  await start("reports");
  document.querySelector("#title").textContent = w("reports");
  document.querySelectorAll("[data-w]").forEach(el => { el.textContent = w(el.dataset.w); });
  const shown = REPORTS.filter(r => r !== "revenue" || isOffice());
  document.querySelector("#report-tabs").innerHTML = shown
    .map(r => `<a href="/app/reports?report=${r}" class="${r === REPORT ? "here" : ""}">${escapeHtml(w(r))}</a>`).join("");
  form.by.innerHTML = ["group", "teacher", "student", "venue"].map(v => `<option value="${v}">${escapeHtml(w(v))}</option>`).join("");
  form.every.innerHTML = ["month", "week"].map(v => `<option value="${v}">${escapeHtml(w(v))}</option>`).join("");
  document.querySelectorAll(".attendance-only").forEach(el => { el.hidden = REPORT !== "attendance"; });
  if (REPORT === "attendance") {
    const groups = await json("/groups").catch(() => []);
    const list = Array.isArray(groups) ? groups : groups.items || [];
    form.group_id.innerHTML += list.map(g => `<option value="${g.id}">${escapeHtml(g.name)}</option>`).join("");
  }
  for (const name of ["start", "end", "by", "every", "group_id"]) {
    if (params.get(name)) form[name].value = params.get(name);
  }
  form.addEventListener("submit", event => { event.preventDefault(); show(); });
  await show();
})();
