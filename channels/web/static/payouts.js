// Payouts for any period: per teacher, every line (class, rate, head count); the office approves (locks)
// a teacher's period. A teacher sees only their own (the API decides).
const content = document.querySelector("#content");

async function markPaid(button) {  // admins: the money went out
  const status = button.parentElement.querySelector(".state");
  try {
    const done = await send(`/payouts/${button.dataset.payout}/paid`, "POST");
    say(status, t("payouts.paid_on", { date: moment(done.paid_at) })); button.disabled = true;
  } catch (error) { say(status, error.message, "error"); }
}

async function show(startDay, endDay) {
  history.replaceState(null, "", `${location.pathname}?start=${startDay}&end=${endDay}`);
  content.innerHTML = `<p class="muted">${escapeHtml(t("common.loading"))}</p>`;
  try {
    const preview = await json(`/payouts/preview?start=${startDay}&end=${endDay}`);
    const cur = preview.currency;
    content.innerHTML = `<p class="muted">${escapeHtml(day(preview.period_start))} – ${escapeHtml(day(preview.period_end))}</p>`
      + `<p class="exports">${exportLinksHtml(`/payouts/preview?start=${preview.period_start}&end=${preview.period_end}`)}</p>`
      + preview.teachers.map(p => `<details class="card payout" data-teacher="${p.teacher_id}">
        <summary><strong>${escapeHtml(p.teacher_name)}</strong> <span class="muted">${escapeHtml(t("payouts.classes", { n: p.lines.length }))}</span>
          <strong class="right">${escapeHtml(money(p.total, cur))}</strong>
          ${p.approved_payout_id ? `<span class="tag">${escapeHtml(t("payouts.approved"))}</span>` : ""}</summary>
        ${table(p.lines, [
          [t("payouts.line"), l => escapeHtml(l.description)],
          [t("payouts.heads"), l => (l.kind === "head" ? escapeHtml(new Intl.NumberFormat(locale()).format(l.quantity)) : ""), "num"],
          [t("payouts.rate"), l => escapeHtml(money(l.rate, cur)), "num"],
          [t("common.amount"), l => escapeHtml(money(l.amount, cur)), "num"],
        ])}
        ${isOffice() && !p.approved_payout_id && p.lines.length ? `<p class="actions"><button class="primary approve">${escapeHtml(t("payouts.approve"))}</button> <span class="state" role="status"></span></p>` : ""}
        ${ROLE === "admin" && p.approved_payout_id ? `<p class="actions"><button class="paid" data-payout="${p.approved_payout_id}">${escapeHtml(t("payouts.mark_paid"))}</button> <span class="state" role="status"></span></p>` : ""}
      </details>`).join("")
      + `<p><strong>${escapeHtml(t("payouts.total", { amount: money(preview.total, cur) }))}</strong></p>`;
    content.querySelectorAll("button.paid").forEach(button => button.addEventListener("click", () => markPaid(button)));
    content.querySelectorAll(".payout").forEach(card => {
      const button = card.querySelector(".approve");
      if (!button) return;
      const p = preview.teachers.find(x => x.teacher_id === card.dataset.teacher);
      button.addEventListener("click", async () => {
        if (!confirm(t("payouts.approve_confirm", { name: p.teacher_name, amount: money(p.total, cur) }))) return;
        try {
          const made = await send("/payouts", "POST", { teacher_id: p.teacher_id, period_start: preview.period_start, period_end: preview.period_end });
          say(card.querySelector(".state"), t("payouts.approved")); button.disabled = true;
          if (ROLE === "admin") {  // paid next, when the money has gone out
            const paid = document.createElement("button");
            paid.className = "paid"; paid.dataset.payout = made.id; paid.textContent = t("payouts.mark_paid");
            button.after(paid); paid.addEventListener("click", () => markPaid(paid));
          }
        } catch (error) { say(card.querySelector(".state"), error.message, "error"); }
      });
    });
  } catch (error) { showError(content, error); }
}

(async () => {
  await start("payouts");
  const form = document.querySelector("#period");
  const params = new URLSearchParams(location.search);
  const today = schoolToday();
  const firstOfThisMonth = today.slice(0, 8) + "01";
  form.elements.start.value = params.get("start") || addDays(firstOfThisMonth, -1).slice(0, 8) + "01";  // last month
  form.elements.end.value = params.get("end") || addDays(firstOfThisMonth, -1);
  form.addEventListener("submit", event => { event.preventDefault(); show(form.elements.start.value, form.elements.end.value); });
  await show(form.elements.start.value, form.elements.end.value);
})();
