// A day's classes (the school's date in the school's time zone), each pre-filled with the marks already
// recorded. Save sends only the marks the person changed, each with the mark they saw, so a mark nobody
// touched is never rewritten and one recorded meanwhile is never overwritten. The office (and the
// class's teacher) can cancel a class with a reason; the office can assign a substitute.
const content = document.querySelector("#content");
const STATUSES = ["present", "absent", "late", "excused"];
const UNMARKED = "unmarked";
const said = status => status === UNMARKED ? t("today.not_marked_yet") : t("today.recorded", { status: t(`attendance.${status}`).toLowerCase() });
const markWord = status => status === UNMARKED ? t("today.not_marked") : t(`attendance.${status}`).toLowerCase();
let TEACHERS = [];

// "2 changed: Carmen Blanco absent → present, …", in the page's language, from the marks just saved.
function summary(marks, students) {
  const name = id => (students.find(p => p.id === id) || {}).name || "";
  const list = marks.map(m => `${name(m.student_id)} ${markWord(m.expected)} → ${markWord(m.status)}`).join(", ");
  return t("today.changed", { n: marks.length, list });
}

async function roster(s, card) {
  const place = card.querySelector(".roster");
  if (!s.group_id || s.status === "cancelled") { place.textContent = s.cancel_reason ? t("today.cancelled_because", { reason: s.cancel_reason }) : ""; return; }
  const enrolled = await json(`/groups/${s.group_id}/roster?on=${s.date}`);
  place.classList.remove("muted");
  place.innerHTML = `<p class="muted">${escapeHtml(t("today.explain"))}</p>
    <div class="rows"></div>
    <div class="actions"><button class="fill">${escapeHtml(t("today.fill"))}</button>
      <button class="primary save">${escapeHtml(t("common.save"))}</button> <span class="state" role="status"></span></div>`;
  const rows = place.querySelector(".rows"), state = place.querySelector(".state");
  let students = [];  // {id, name, guest, was}: `was` is the recorded mark, or UNMARKED

  // Draw the rows from the recorded marks. `keep` holds choices not yet saved, by student, each with the
  // mark it was made over: it is kept only where that is still the recorded mark.
  async function load(keep = {}) {
    const marks = await json(`/sessions/${s.id}/attendance`);
    const recorded = Object.fromEntries(marks.map(m => [m.student_id, m]));
    const inRoster = new Set(enrolled.map(r => r.student_id));
    students = enrolled.map(r => ({ id: r.student_id, name: r.full_name, guest: false }))
      .concat(marks.filter(m => !inRoster.has(m.student_id)).map(m => ({ id: m.student_id, name: m.full_name, guest: true })));
    students.forEach(p => { p.was = recorded[p.id] ? recorded[p.id].status : UNMARKED; });
    rows.innerHTML = students.map(p => `<div class="row" data-student="${p.id}">
        <span class="name">${escapeHtml(p.name)}${p.guest ? ` <span class="muted">(${escapeHtml(t("attendance.guest"))})</span>` : ""}
          <span class="was muted">${escapeHtml(said(p.was))}</span></span>
        <span class="marks" role="radiogroup" aria-label="${escapeHtml(p.name)}">${STATUSES.map(value =>
          `<label><input type="radio" name="${s.id}-${p.id}" value="${value}" ${pick(p, keep) === value ? "checked" : ""}> ${escapeHtml(t(`attendance.${value}`))}</label>`).join("")}</span>
        <button class="undo" hidden aria-label="${escapeHtml(t("today.undo_for", { name: p.name }))}">${escapeHtml(t("today.undo"))}</button>
      </div>`).join("");
    rows.querySelectorAll(".row").forEach(row => {
      row.addEventListener("change", () => show(row));
      row.querySelector(".undo").addEventListener("click", () => {
        const p = students.find(x => x.id === row.dataset.student);
        row.querySelectorAll("input").forEach(i => { i.checked = i.value === p.was; });
        show(row);
      });
      show(row);
    });
  }
  const pick = (p, keep) => (keep[p.id] && keep[p.id].expected === p.was ? keep[p.id].status : p.was);
  const chosen = row => (row.querySelector("input:checked") || {}).value || UNMARKED;
  function show(row) {  // a changed row is highlighted and can be undone
    const p = students.find(x => x.id === row.dataset.student);
    const changed = chosen(row) !== p.was;
    row.classList.toggle("changed", changed);
    row.querySelector(".undo").hidden = !changed;
  }
  function changes() {
    return students.map(p => ({ p, row: rows.querySelector(`.row[data-student="${p.id}"]`) }))
      .filter(({ p, row }) => chosen(row) !== p.was)
      .map(({ p, row }) => ({ student_id: p.id, status: chosen(row), guest: p.guest, expected: p.was }));
  }

  place.querySelector(".fill").addEventListener("click", () => {
    rows.querySelectorAll(".row").forEach(row => {
      if (chosen(row) === UNMARKED) { row.querySelector("input[value=present]").checked = true; show(row); }
    });
  });
  place.querySelector(".save").addEventListener("click", async event => {
    const marks = changes();
    state.className = "state";
    if (!marks.length) { state.textContent = t("common.nothing_changed"); return; }
    event.target.disabled = true;
    try {
      const result = await send(`/sessions/${s.id}/attendance`, "POST", { marks });
      state.textContent = summary(marks, students);
      if (result.session_marked_held) card.querySelector("h3 .status").textContent = t("session.held");
      await load();
    } catch (error) {
      // Someone recorded marks since this page loaded: show them, keep the other choices, save nothing.
      state.textContent = error.message; state.className = "state error";
      const keep = Object.fromEntries(marks.map(m => [m.student_id, m]));
      await load(keep).catch(() => {});
    } finally { event.target.disabled = false; }
  });
  await load();
}

// Cancel (with a reason) and substitute, under a "More" fold so the marks stay first on a phone.
function classActions(s, card) {
  if (s.status === "cancelled") return;
  const more = document.createElement("details");
  more.className = "more";
  const options = TEACHERS.filter(x => x.id !== s.teacher_id).map(x => `<option value="${x.id}">${escapeHtml(x.full_name)}</option>`).join("");
  more.innerHTML = `<summary>${escapeHtml(t("today.more"))}</summary>
    <form class="cancel inline"><label class="grow"><span>${escapeHtml(t("today.cancel_reason"))}</span><input name="reason" required maxlength="500"></label>
      <button type="submit">${escapeHtml(t("today.cancel_class"))}</button></form>
    ${isOffice() && options ? `<form class="substitute inline"><label class="grow"><span>${escapeHtml(t("today.substitute"))}</span><select name="teacher_id">${options}</select></label>
      <button type="submit">${escapeHtml(t("today.assign"))}</button></form>` : ""}
    <span class="outcome" role="status"></span>`;
  card.appendChild(more);
  const status = more.querySelector(".outcome");
  more.querySelector("form.cancel").addEventListener("submit", async event => {
    event.preventDefault();
    try {
      const done = await send(`/sessions/${s.id}/cancel`, "POST", formData(event.target));
      say(status, t("today.cancelled_because", { reason: done.cancel_reason }));
      card.querySelector("h3 .status").textContent = t("session.cancelled");
      card.querySelector(".roster").innerHTML = "";
      more.querySelectorAll("button").forEach(b => { b.disabled = true; });
    } catch (error) { say(status, error.message, "error"); }
  });
  const sub = more.querySelector("form.substitute");
  if (sub) sub.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      const done = await send(`/sessions/${s.id}/substitute`, "POST", formData(sub));
      say(status, t("today.substituted", { name: teacherName(done.teacher_id) }));
      card.querySelector("h3 .teacher").textContent = teacherName(done.teacher_id);
    } catch (error) { say(status, error.message, "error"); }
  });
}
const teacherName = id => (TEACHERS.find(x => x.id === id) || {}).full_name || "";

async function showDay(date) {
  document.querySelector("#day").value = date;
  document.querySelector("#day-name").textContent = day(date, "full");
  history.replaceState(null, "", date === schoolToday() ? location.pathname : `${location.pathname}?day=${date}`);
  content.innerHTML = `<p class="muted">${escapeHtml(t("common.loading"))}</p>`;
  try {
    const [sessions, groups] = await Promise.all([json(`/sessions?start=${date}&end=${date}`), json("/groups")]);
    const groupName = Object.fromEntries(groups.map(g => [g.id, g.name]));
    sessions.sort((a, b) => String(a.start_time || "").localeCompare(String(b.start_time || "")));
    content.innerHTML = sessions.length ? "" : `<p class="muted">${escapeHtml(t("today.no_classes"))}</p>`;
    exportLinks(document.querySelector("#exports"), `/sessions?start=${date}&end=${date}`);  // the day's classes
    const cards = sessions.map(s => {
      const card = document.createElement("div"); card.className = "card"; card.dataset.session = s.id;
      const when = s.start_time ? s.start_time.slice(0, 5) : "";
      card.innerHTML = `<h3>${when} ${escapeHtml(groupName[s.group_id] || t("today.class"))}
        <span class="muted teacher">${escapeHtml(teacherName(s.teacher_id))}</span> <span class="muted status">${escapeHtml(t(`session.${s.status}`))}</span></h3>
        <div class="roster muted">${escapeHtml(t("common.loading"))}</div>`;
      content.appendChild(card);
      return [s, card];
    });
    await Promise.all(cards.map(([s, card]) => roster(s, card).then(() => classActions(s, card)).catch(error => {
      card.querySelector(".roster").innerHTML = `<p class="error">${escapeHtml(error.message)}</p>`;
    })));
  } catch (error) { showError(content, error); }
}

(async () => {
  await start("today");
  TEACHERS = await json("/teachers").catch(() => []);
  const asked = new URLSearchParams(location.search).get("day");
  let current = /^\d{4}-\d{2}-\d{2}$/.test(asked || "") ? asked : schoolToday();
  document.querySelector("#day").addEventListener("change", event => { if (event.target.value) showDay(current = event.target.value); });
  document.querySelector("#prev-day").addEventListener("click", () => showDay(current = addDays(current, -1)));
  document.querySelector("#next-day").addEventListener("click", () => showDay(current = addDays(current, 1)));
  document.querySelector("#to-today").addEventListener("click", () => showDay(current = schoolToday()));
  await showDay(current);
})();
