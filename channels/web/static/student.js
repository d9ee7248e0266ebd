// One student: details (edit, archive), groups (enrol, move, leave, with dates), balance with charges and
// payments (and a reminder), attendance history, notes, guardians and family. The API decides who may do
// what; the page only hides the office's buttons from a teacher.
const ID = new URLSearchParams(location.search).get("id");
let STUDENT = null, GROUPS = [];
const groupName = id => (GROUPS.find(g => g.id === id) || {}).name || "—";
const statusWord = s => t(`attendance.${s}`);

async function details() {
  STUDENT = await json(`/students/${ID}`);
  document.querySelector("#who").hidden = false;
  document.querySelector("#name").textContent = STUDENT.full_name;
  document.title = `Cadence · ${STUDENT.full_name}`;
  document.querySelector("#archived").hidden = !STUDENT.archived_at;
  document.querySelector("#archive").hidden = Boolean(STUDENT.archived_at);
  const bits = [STUDENT.email, STUDENT.phone, STUDENT.date_of_birth && t("student.born", { date: day(STUDENT.date_of_birth) })].filter(Boolean);
  document.querySelector("#contact").innerHTML = escapeHtml(bits.join(" · ")) + (STUDENT.notes ? `<br>${escapeHtml(STUDENT.notes)}` : "");
  const form = document.querySelector("#edit-form");
  for (const field of ["full_name", "email", "phone", "date_of_birth", "notes"]) form.elements[field].value = STUDENT[field] || "";
}

async function groups() {
  const place = document.querySelector("#groups .body");
  const today = schoolToday();
  const rows = (await json(`/students/${ID}/memberships`)).reverse();  // newest first
  const current = m => !m.end_date || m.end_date >= today;
  const others = gid => GROUPS.filter(g => g.id !== gid && g.status === "active")
    .map(g => `<option value="${g.id}">${escapeHtml(g.name)}</option>`).join("");
  place.innerHTML = rows.length ? rows.map(m => `<div class="row membership" data-group="${m.group_id}">
      <span class="name"><strong>${escapeHtml(groupName(m.group_id))}</strong>
        <span class="muted">${escapeHtml(m.end_date ? t("student.between", { from: day(m.start_date), to: day(m.end_date) }) : t("student.since_date", { from: day(m.start_date) }))}</span></span>
      ${!m.end_date && isOffice() ? `<form class="leave inline"><label><span>${escapeHtml(t("student.last_day"))}</span><input type="date" name="end_date" value="${today}" required></label>
          <button type="submit">${escapeHtml(t("student.leave"))}</button></form>
        <form class="move inline"><label><span>${escapeHtml(t("student.move_to"))}</span><select name="to_group_id" required>${others(m.group_id)}</select></label>
          <label><span>${escapeHtml(t("student.first_day"))}</span><input type="date" name="on_date" value="${today}" required></label>
          <button type="submit">${escapeHtml(t("student.move"))}</button></form>` : ""}
      <span class="state" role="status"></span></div>`).join("") : `<p class="muted">${escapeHtml(t("student.no_groups"))}</p>`;
  place.querySelectorAll(".membership").forEach(row => {
    const status = row.querySelector(".state"), gid = row.dataset.group;
    const leave = row.querySelector("form.leave"), move = row.querySelector("form.move");
    if (leave) leave.addEventListener("submit", async event => {
      event.preventDefault();
      try {
        await send(`/groups/${gid}/members/${ID}/leave`, "POST", formData(leave));
        await groups(); flash("#groups", t("student.left", { group: groupName(gid) }));
      } catch (error) { say(status, error.message, "error"); }
    });
    if (move) move.addEventListener("submit", async event => {
      event.preventDefault();
      const body = formData(move);
      try {
        await send(`/groups/${gid}/members/${ID}/move`, "POST", body);
        await groups(); flash("#groups", t("student.moved", { from: groupName(gid), to: groupName(body.to_group_id), date: day(body.on_date) }));
      } catch (error) { say(status, error.message, "error"); }
    });
  });
  const enrol = document.querySelector("#enrol");
  const taken = new Set(rows.filter(current).map(m => m.group_id));
  enrol.elements.group_id.innerHTML = GROUPS.filter(g => g.status === "active" && !taken.has(g.id))
    .map(g => `<option value="${g.id}">${escapeHtml(g.name)}</option>`).join("");
  if (!enrol.elements.start_date.value) enrol.elements.start_date.value = today;
}

function flash(section, text) {  // a section's own status line, after it was redrawn
  say(document.querySelector(`${section} > .state`) || document.querySelector(`${section} form .state`), text);
}

async function balanceSection() {
  const place = document.querySelector("#money .body");
  const [balance, charges, payments] = await Promise.all([
    json(`/students/${ID}/balance`), json(`/students/${ID}/charges`), json(`/payments?student_id=${ID}`)]);
  place.innerHTML = `<p class="big">${escapeHtml(t("student.owes", { amount: money_(balance.outstanding) }))}
      ${Number(balance.credit) > 0 ? ` · ${escapeHtml(t("student.credit", { amount: money_(balance.credit) }))}` : ""}</p>
    <h3>${escapeHtml(t("student.charges"))}</h3><p class="exports">${exportLinksHtml(`/students/${ID}/charges`)}</p>` + table(charges.slice().reverse(), [
      [t("common.date"), c => day(c.due_date)],
      [t("common.what"), c => escapeHtml(c.description)],
      [t("common.amount"), c => money_(c.amount), "num"],
      [t("student.outstanding"), c => money_(c.outstanding), "num hide"],
      [t("common.status"), c => escapeHtml(t(`charge.${c.status}`))],
    ]) + `<h3>${escapeHtml(t("student.payments"))}</h3><p class="exports">${exportLinksHtml(`/payments?student_id=${ID}`)}</p>` + table(payments, [
      [t("common.date"), p => day(p.received_on)],
      [t("payments.method"), p => escapeHtml(t(`method.${p.method}`))],
      [t("common.amount"), p => money_(p.amount), "num"],
    ]);
  document.querySelector("#pay").href = `/app/payments?student=${ID}`;
}
const money_ = amount => escapeHtml(money(amount));

async function attendance() {
  const rows = await json(`/students/${ID}/attendance?limit=60`);
  const counted = rows.filter(r => r.status === "present" || r.status === "late").length;
  document.querySelector("#attendance .body").innerHTML = (rows.length ? `<p>${escapeHtml(t("student.came", { n: counted, of: rows.length }))}</p>` : "")
    + (rows.length ? `<p class="exports">${exportLinksHtml(`/students/${ID}/attendance?limit=60`)}</p>` : "") + table(rows, [
      [t("common.date"), r => day(r.date)],
      [t("student.group"), r => escapeHtml(r.group_name || "—")],
      [t("common.status"), r => `<span class="mark ${r.status}">${escapeHtml(statusWord(r.status))}</span>${r.is_guest ? ` <span class="muted">(${escapeHtml(t("attendance.guest"))})</span>` : ""}`],
    ]);
}

async function notes() {
  const rows = await json(`/students/${ID}/notes`);
  document.querySelector("#notes .body").innerHTML = rows.length
    ? `<ul class="plain">${rows.map(n => `<li><span class="muted">${escapeHtml(moment(n.created_at))}</span> ${escapeHtml(n.body)}</li>`).join("")}</ul>`
    : `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`;
}

async function guardians() {
  const rows = await json(`/students/${ID}/guardians`);
  document.querySelector("#guardians .body").innerHTML = table(rows, [
    [t("student.name"), g => escapeHtml(g.full_name)],
    [t("student.relationship"), g => escapeHtml(g.relationship || "")],
    [t("student.contact"), g => escapeHtml([g.email, g.phone].filter(Boolean).join(" · "))],
  ]);
}

async function family() {
  const found = await json(`/students/${ID}/family`);
  document.querySelector("#family .body").innerHTML = found.siblings.length
    ? `<p>${escapeHtml(t("student.siblings"))} ${found.siblings.map(s => `<a href="/app/student?id=${s.id}">${escapeHtml(s.full_name)}</a>`).join(", ")}</p>`
    : `<p class="muted">${escapeHtml(t("student.no_family"))}</p>`;
  document.querySelector("#no-family").hidden = !found.family_id;
}

function wire() {
  const edit = document.querySelector("#edit-form");
  document.querySelector("#edit").addEventListener("click", () => { edit.hidden = false; edit.elements.full_name.focus(); });
  document.querySelector("#cancel-edit").addEventListener("click", () => { edit.hidden = true; });
  edit.addEventListener("submit", async event => {
    event.preventDefault();
    const body = {};
    for (const field of ["full_name", "email", "phone", "date_of_birth", "notes"]) {  // only what changed
      const value = edit.elements[field].value.trim();
      if (value !== (STUDENT[field] || "")) body[field] = value || null;
    }
    const status = edit.querySelector(".state");
    if (!Object.keys(body).length) { say(status, t("common.nothing_changed")); return; }
    try {
      await send(`/students/${ID}`, "PATCH", body);
      await details(); edit.hidden = true;
      say(document.querySelector("#who-state"), t("common.saved"));
    } catch (error) { say(status, error.message, "error"); }
  });
  document.querySelector("#archive").addEventListener("click", async () => {
    if (!confirm(t("student.archive_confirm", { name: STUDENT.full_name }))) return;
    try {
      await send(`/students/${ID}/archive`, "POST");
      await details(); say(document.querySelector("#who-state"), t("student.archived_done"));
    } catch (error) { say(document.querySelector("#who-state"), error.message, "error"); }
  });
  const enrol = document.querySelector("#enrol");
  enrol.addEventListener("submit", async event => {
    event.preventDefault();
    const body = formData(enrol), status = enrol.querySelector(".state");
    try {
      await send(`/groups/${body.group_id}/members`, "POST", { student_id: ID, start_date: body.start_date });
      await groups(); say(status, t("student.enrolled", { group: groupName(body.group_id), date: day(body.start_date) }));
    } catch (error) { say(status, error.message, "error"); }
  });
  document.querySelector("#remind").addEventListener("click", async event => {
    const status = event.target.parentElement.querySelector(".state");
    try {
      const sent = await send(`/students/${ID}/reminders`, "POST");
      say(status, t("payments.reminded", { name: sent.to_name, amount: money(sent.outstanding, sent.currency) }));
    } catch (error) { say(status, error.message, "error"); }
  });
  const note = document.querySelector("#note");
  note.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      await send(`/students/${ID}/notes`, "POST", formData(note));
      note.reset(); await notes(); say(note.querySelector(".state"), t("common.saved"));
    } catch (error) { say(note.querySelector(".state"), error.message, "error"); }
  });
  const guardian = document.querySelector("#guardian");
  guardian.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      await send(`/students/${ID}/guardians`, "POST", formData(guardian));
      guardian.reset(); await guardians(); say(guardian.querySelector(".state"), t("common.saved"));
    } catch (error) { say(guardian.querySelector(".state"), error.message, "error"); }
  });
  // Family: type a sibling's name (the same fuzzy search), pick, join.
  const sibling = document.querySelector("#sibling"), options = document.querySelector("#sibling-options");
  let matches = [];
  const look = async q => {
    matches = q.length < 2 ? [] : (await json(`/students/search?q=${encodeURIComponent(q)}&limit=8`)).filter(m => m.id !== ID);
    options.innerHTML = matches.map(m => `<option value="${escapeHtml(m.name)}">`).join("");
  };
  sibling.elements.sibling.addEventListener("input", event => { look(event.target.value.trim()).catch(() => {}); });
  const setFamily = async siblingId => {
    const status = sibling.querySelector(".state");
    try {
      await send(`/students/${ID}/family`, "PUT", { sibling_id: siblingId });
      sibling.reset(); await family(); say(status, t("common.saved"));
    } catch (error) { say(status, error.message, "error"); }
  };
  sibling.addEventListener("submit", async event => {
    event.preventDefault();
    const name = sibling.elements.sibling.value.trim();
    if (!matches.some(m => m.name === name)) await look(name);  // typed fast: look now
    const match = matches.find(m => m.name === name) || matches[0];
    if (!match) { say(sibling.querySelector(".state"), t("student.no_match"), "error"); return; }
    setFamily(match.id);
  });
  document.querySelector("#no-family").addEventListener("click", () => setFamily(null));
}

(async () => {
  await start("students");
  document.querySelectorAll(".office").forEach(el => { el.hidden = !isOffice(); });
  try {
    GROUPS = await json("/groups");
    await details();
    wire();
    if (new URLSearchParams(location.search).get("added")) say(document.querySelector("#who-state"), t("students.added"));
    const parts = [groups(), attendance(), notes(), guardians(), family()];
    if (isOffice()) parts.push(balanceSection());
    const results = await Promise.allSettled(parts);
    results.filter(r => r.status === "rejected").forEach(r => console.warn(r.reason));
  } catch (error) { showError(document.querySelector("#problem"), error); }
})();
