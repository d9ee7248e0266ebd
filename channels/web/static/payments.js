// Payments: record one (and show how it was allocated), remind who has not paid, check receipts, and
// reconcile a bank statement: each line's proposals with confidence and reasons, confirm or ignore.
let NAMES = {};  // student id → name, from what the page has seen
let MATCHES = [];

async function findStudents(q) {
  MATCHES = q.length < 2 ? [] : await json(`/students/search?q=${encodeURIComponent(q)}&limit=8`);
  MATCHES.forEach(m => { NAMES[m.id] = m.name; });
  document.querySelector("#student-options").innerHTML = MATCHES.map(m => `<option value="${escapeHtml(m.name)}">`).join("");
}

async function recordPayment(form) {
  const status = form.querySelector(".state"), out = document.querySelector("#allocation");
  const body = formData(form);
  if (!MATCHES.some(m => m.name === body.student)) await findStudents(body.student || "");  // typed fast: look now
  const student = MATCHES.find(m => m.name === body.student) || MATCHES[0];
  if (!student) { say(status, t("student.no_match"), "error"); return; }
  const payment = { student_id: student.id, amount: body.amount.replace(",", "."), received_on: body.received_on, method: body.method };
  if (body.payer_reference) payment.payer_reference = body.payer_reference;
  try {
    const [made, charges] = await Promise.all([send("/payments", "POST", payment), json(`/students/${student.id}/charges`)]);
    const what = Object.fromEntries(charges.map(c => [c.id, c]));
    say(status, t("payments.recorded", { amount: money(made.payment.amount), name: student.name }));
    out.innerHTML = `<h3>${escapeHtml(t("payments.allocation"))}</h3>` + table(made.allocated, [
      [t("common.what"), a => escapeHtml((what[a.charge_id] || {}).description || a.charge_id)],
      [t("common.date"), a => day((what[a.charge_id] || {}).due_date)],
      [t("common.amount"), a => escapeHtml(money(a.amount)), "num"],
    ]) + (Number(made.credit) > 0 ? `<p>${escapeHtml(t("payments.credit_left", { amount: money(made.credit) }))}</p>` : "")
      + `<p><a href="/app/student?id=${student.id}">${escapeHtml(t("payments.see_student", { name: student.name }))}</a></p>`;
    form.reset(); form.elements.received_on.value = schoolToday();
    await unpaid();
  } catch (error) { say(status, error.message, "error"); }
}

async function unpaid() {
  const place = document.querySelector("#unpaid .body");
  const report = await json("/billing/unpaid");
  report.students.forEach(s => { NAMES[s.student_id] = s.full_name; });
  place.innerHTML = table(report.students, [
    [t("payments.student"), s => `<a href="/app/student?id=${s.student_id}">${escapeHtml(s.full_name)}</a>`],
    [t("student.outstanding"), s => escapeHtml(money(s.outstanding, report.currency)), "num"],
    [t("common.status"), s => escapeHtml(t(`charge.${s.status}`)), "hide"],
    ["", s => `<button class="remind" data-student="${s.student_id}">${escapeHtml(t("payments.remind"))}</button><span class="state" role="status"></span>`],
  ]) + `<p><strong>${escapeHtml(t("payments.total_outstanding", { amount: money(report.total_outstanding, report.currency) }))}</strong></p>`
    + `<p class="exports">${exportLinksHtml("/billing/unpaid")}</p>`;
  place.querySelectorAll("button.remind").forEach(button => button.addEventListener("click", async () => {
    const status = button.nextElementSibling;
    button.disabled = true;
    try {
      const sent = await send(`/students/${button.dataset.student}/reminders`, "POST");
      say(status, t("payments.reminded", { name: sent.to_name, amount: money(sent.outstanding, sent.currency) }));
    } catch (error) { say(status, error.message, "error"); button.disabled = false; }
  }));
}

async function receipts(list) {
  const place = document.querySelector("#receipts .body");
  place.innerHTML = table(list, [
    [t("payments.file"), r => `<a href="${API}/receipts/${r.id}/file">${escapeHtml(r.original_filename)}</a>`],
    [t("payments.student"), r => escapeHtml(NAMES[r.student_id] || "")],
    [t("payments.from"), r => escapeHtml(t(r.via_public_link ? "payments.from_link" : "payments.from_office")), "hide"],
    ["", r => `<button class="verify" data-id="${r.id}">${escapeHtml(t("payments.verify"))}</button>
      <button class="reject" data-id="${r.id}">${escapeHtml(t("payments.reject"))}</button><span class="state" role="status"></span>`],
  ]) + (list.length ? `<p class="exports">${exportLinksHtml("/receipts/pending")}</p>` : "");
  place.querySelectorAll("button.verify, button.reject").forEach(button => button.addEventListener("click", async () => {
    const verify = button.classList.contains("verify");
    const reason = verify ? null : prompt(t("payments.reject_reason"));
    if (!verify && reason === null) return;
    const status = button.parentElement.querySelector(".state");
    try {
      await send(`/receipts/${button.dataset.id}/${verify ? "verify" : "reject"}`, "POST", reason ? { reason } : {});
      say(status, t(verify ? "payments.verified" : "payments.rejected"));
      button.parentElement.querySelectorAll("button").forEach(b => { b.disabled = true; });
    } catch (error) { say(status, error.message, "error"); }
  }));
}

// Each transfer waiting for a person: the proposals best first, with how sure and why.
function bankLines(lines) {
  lines.forEach(line => line.candidates.forEach(c => { NAMES[c.student_id] = c.name; }));
  const place = document.querySelector("#bank .body");
  if (!lines.length) { place.innerHTML = `<p class="muted">${escapeHtml(t("payments.no_lines"))}</p>`; return; }
  place.innerHTML = lines.map(line => `<div class="line" data-line="${line.id}">
      <p><strong>${escapeHtml(money(line.amount, line.currency))}</strong> · ${escapeHtml(day(line.booked_on))}
        · ${escapeHtml(line.payer_name || "")} <span class="muted">${escapeHtml(line.reference || "")}</span></p>
      ${line.candidates.length ? `<ul class="plain candidates">${line.candidates.map((c, i) => `<li>
          <label><input type="radio" name="pick-${line.id}" value="${c.student_id}" ${(line.proposed_student_id ? c.student_id === line.proposed_student_id : i === 0) ? "checked" : ""}>
          <strong>${escapeHtml(c.name)}</strong> <span class="confidence">${escapeHtml(percent(c.score))}</span></label>
          <span class="muted reasons">${escapeHtml((c.reasons || []).join("; "))}</span></li>`).join("")}</ul>`
        : `<p class="muted">${escapeHtml(t("payments.no_proposal"))}</p>`}
      <p class="actions">${line.candidates.length ? `<button class="primary confirm">${escapeHtml(t("payments.confirm"))}</button>` : ""}
        <button class="ignore">${escapeHtml(t("payments.ignore"))}</button> <span class="state" role="status"></span></p>
      ${line.candidates.length > 1 ? `<details class="split"><summary>${escapeHtml(t("payments.split"))}</summary>
        <form class="inline">${line.candidates.map(c => `<label><span>${escapeHtml(c.name)}</span>
          <input name="${c.student_id}" inputmode="decimal" pattern="[0-9]+([.,][0-9]{1,2})?" style="width:7rem"></label>`).join("")}
          <button type="submit">${escapeHtml(t("payments.split_button"))}</button></form></details>` : ""}</div>`).join("");
  place.querySelectorAll(".line").forEach(row => {
    const id = row.dataset.line, status = row.querySelector(".state");
    const done = text => { say(status, text); row.querySelectorAll("button, input").forEach(b => { b.disabled = true; }); trail(); };
    const confirm = row.querySelector(".confirm");
    if (confirm) confirm.addEventListener("click", async () => {
      const picked = row.querySelector("input:checked");
      try {
        await send(`/bank-lines/${id}/confirm`, "POST", picked ? { student_id: picked.value } : {});
        done(t("payments.confirmed", { name: picked ? picked.parentElement.querySelector("strong").textContent : "" }));
      } catch (error) { say(status, error.message, "error"); }
    });
    const split = row.querySelector("details.split form");  // one transfer for several students (siblings)
    if (split) split.addEventListener("submit", async event => {
      event.preventDefault();
      const parts = Object.entries(formData(split)).map(([student_id, amount]) => ({ student_id, amount: amount.replace(",", ".") }));
      try {
        await send(`/bank-lines/${id}/split`, "POST", { parts });
        done(t("payments.split_done", { n: parts.length }));
      } catch (error) { say(status, error.message, "error"); }
    });
    row.querySelector(".ignore").addEventListener("click", async () => {
      const reason = prompt(t("payments.ignore_reason"));
      if (reason === null) return;
      try { await send(`/bank-lines/${id}/ignore`, "POST", reason ? { reason } : {}); done(t("payments.ignored")); }
      catch (error) { say(status, error.message, "error"); }
    });
  });
}
const percent = score => new Intl.NumberFormat(locale(), { style: "percent" }).format(score);

async function trail() {
  const rows = await json("/audit?entity_type=bank_line&limit=20");
  document.querySelector("#trail").innerHTML = table(rows, [
    [t("common.when"), a => escapeHtml(moment(a.at))],
    [t("common.what"), a => escapeHtml(t(`audit.${a.action}`))],
    [t("common.who"), a => escapeHtml(a.by || "")],
    [t("common.details"), a => escapeHtml([a.after && NAMES[a.after.student_id], a.reason].filter(Boolean).join(" · ")), "hide"],
  ]);
}

async function inbox() {
  const found = await json("/reconciliation");
  await receipts(found.receipts);
  bankLines(found.bank_lines);
}

(async () => {
  await start("payments");
  const form = document.querySelector("#pay");
  form.elements.received_on.value = schoolToday();
  let typing;
  form.elements.student.addEventListener("input", event => {
    clearTimeout(typing);
    typing = setTimeout(() => findStudents(event.target.value.trim()).catch(() => {}), 150);
  });
  form.addEventListener("submit", event => { event.preventDefault(); recordPayment(form); });
  const preset = new URLSearchParams(location.search).get("student");  // from a student's page
  if (preset) {
    const s = await json(`/students/${preset}`).catch(() => null);
    if (s) { MATCHES = [{ id: s.id, name: s.full_name }]; form.elements.student.value = s.full_name; form.elements.amount.focus(); }
  }
  const statement = document.querySelector("#statement");
  statement.addEventListener("submit", async event => {
    event.preventDefault();
    const status = statement.querySelector(".state");
    try {
      const result = await json("/bank-imports", { method: "POST", body: new FormData(statement) });
      say(status, result.duplicate_file ? t("payments.duplicate_file") : t("payments.imported", { n: result.lines_new, total: result.lines_total }));
      statement.reset();
      await inbox();
    } catch (error) { say(status, error.message, "error"); }
  });
  const parts = await Promise.allSettled([unpaid(), inbox(), trail()]);
  parts.forEach((r, i) => { if (r.status === "rejected") showError(document.querySelectorAll("section .body")[i] || document.body, r.reason); });
})();
