// The office's dashboard: one call (/reports/dashboard), each card a link to the page that has the detail.
const content = document.querySelector("#content");

const MISSING_DAYS = 30;  // the dashboard's window for missing attendance (domain/reports/dashboard.py)

function card(title, href, body, cls = "") {
  return `<section class="card ${cls}"><a class="more" href="${href}">${escapeHtml(w("all"))} →</a>
    <h3>${escapeHtml(title)}</h3>${body}</section>`;
}

function list(items, line) {
  return items.length ? `<ul class="plain">${items.map(i => `<li>${line(i)}</li>`).join("")}</ul>` : `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`;
}

(async () => {
  await start("dashboard");
  document.querySelector("#title").textContent = w("dashboard");
  try {
    const d = await json(`/reports/dashboard?language=${LANG === "es" ? "es" : "en"}`);
    const cards = [];
    if (d.revenue) {
      const r = d.revenue;
      cards.push(card(w("revenue_month"), "/app/reports?report=revenue",
        `<p class="figure" id="collected">${escapeHtml(money(r.collected, d.currency))}</p>
         <p>${escapeHtml(w("expected"))}: ${escapeHtml(money(r.expected, d.currency))} · ${escapeHtml(w("received"))}: ${escapeHtml(money(r.received, d.currency))}</p>`));
      cards.push(card(w("unpaid"), "/app/payments",
        `<p class="figure" id="unpaid">${d.unpaid_count}</p><p>${escapeHtml(w("students_owing", { n: d.unpaid_count, amount: money(d.unpaid_amount, d.currency) }))}</p>
         ${list(d.unpaid, s => `<a href="/app/student?id=${s.student_id}">${escapeHtml(s.full_name)}</a> <span class="muted">${escapeHtml(money(s.amount, d.currency))}</span>`)}
         <p class="exports">${exportLinksHtml("/billing/unpaid")}</p>`));
    }
    cards.push(card(w("trend"), "/app/reports?report=attendance&every=week", `<div id="trend-chart" class="chart"></div>`, "span"));
    cards.push(card(w("at_risk"), "/app/students",
      `<p class="figure" id="at-risk">${d.at_risk_count}</p>${list(d.at_risk, s => `<a href="/app/student?id=${s.student_id}">${escapeHtml(s.full_name)}</a> <span class="muted">${escapeHtml(s.detail)}</span>`)}`));
    cards.push(card(w("missing"), "/app/today",
      `<p class="figure" id="missing">${d.missing_count}</p>${list(d.missing, c => `<a href="/app/today?day=${c.date}">${escapeHtml(day(c.date))} · ${escapeHtml(c.group_name)}</a> <span class="muted">${escapeHtml(c.teacher_name)} · ${escapeHtml(w("marked", { marked: c.marked, expected: c.expected }))}</span>`)}
       ${d.missing_count ? `<p class="exports">${exportLinksHtml(`/sessions/missing-attendance?since=${addDays(schoolToday(), -MISSING_DAYS)}`)}</p>` : ""}`));
    const today = schoolToday();
    cards.push(card(w("today"), "/app/today",
      d.classes_today.length ? `<p class="exports">${exportLinksHtml(`/sessions?start=${today}&end=${today}`)}</p>` + list(d.classes_today, c => `<a href="/app/today">${escapeHtml((c.start_time || "").slice(0, 5))} ${escapeHtml(c.group_name)}</a> <span class="muted">${escapeHtml(c.teacher_name)} · ${escapeHtml(w(c.status))}</span>`) : `<p class="muted">${escapeHtml(w("none_today"))}</p>`));
    content.innerHTML = `<div class="cards">${cards.join("")}</div>`;
    await drawChart(document.querySelector("#trend-chart"), "dashboard");
  } catch (error) { showError(content, error); }
})();
