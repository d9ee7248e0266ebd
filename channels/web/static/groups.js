// Groups: teacher, venue, weekly schedule, capacity against who is enrolled, the roster on any date, and
// the waitlist of a full group.
const content = document.querySelector("#content");
let NAMES = { teachers: {}, venues: {} };

const hhmm = time => String(time || "").slice(0, 5);
function schedule(slots) {
  if (!slots.length) return `<span class="muted">${escapeHtml(t("groups.no_schedule"))}</span>`;
  return slots.map(s => `${escapeHtml(t(`weekday.${s.weekday}`))} ${hhmm(s.start_time)}–${hhmm(s.end_time)}`
    + (s.venue_id ? ` <span class="muted">${escapeHtml(NAMES.venues[s.venue_id] || "")}</span>` : "")).join("<br>");
}

// The office changes a group's teacher, venue and capacity (PATCH, only what changed) and its status
// (active ⇄ paused → closed, with a reason); the API checks each.
function editForm(g) {
  const options = (names, chosen) => `<option value=""></option>` + Object.entries(names)
    .map(([id, name]) => `<option value="${id}" ${id === chosen ? "selected" : ""}>${escapeHtml(name)}</option>`).join("");
  const statuses = ["active", "paused", "closed"].map(s => `<option value="${s}" ${s === g.status ? "selected" : ""}>${escapeHtml(t(`groups.status.${s}`))}</option>`).join("");
  return `<form class="edit-group inline" data-group="${g.id}">
    <label><span>${escapeHtml(t("groups.teacher"))}</span><select name="teacher_id">${options(NAMES.teachers, g.teacher_id)}</select></label>
    <label><span>${escapeHtml(t("groups.venue"))}</span><select name="venue_id">${options(NAMES.venues, g.venue_id)}</select></label>
    <label><span>${escapeHtml(t("groups.capacity"))}</span><input name="capacity" type="number" min="1" max="1000" value="${g.capacity ?? ""}" style="width:6rem"></label>
    <label><span>${escapeHtml(t("common.status"))}</span><select name="status">${statuses}</select></label>
    <button type="submit">${escapeHtml(t("common.save"))}</button> <span class="state" role="status"></span></form>`;
}

async function saveGroup(form, g, on) {
  const status = form.querySelector(".state"), f = form.elements;
  const change = {};
  if ((f.teacher_id.value || null) !== g.teacher_id) change.teacher_id = f.teacher_id.value || null;
  if ((f.venue_id.value || null) !== g.venue_id) change.venue_id = f.venue_id.value || null;
  const capacity = f.capacity.value ? Number(f.capacity.value) : null;
  if (capacity !== g.capacity) change.capacity = capacity;
  try {
    if (!Object.keys(change).length && f.status.value === g.status) { say(status, t("common.nothing_changed")); return; }
    if (Object.keys(change).length) await send(`/groups/${g.id}`, "PATCH", change);
    if (f.status.value !== g.status) await send(`/groups/${g.id}/status`, "POST", { status: f.status.value });
    await show(on);
    const again = content.querySelector(`details.group[data-group="${g.id}"]`);
    if (again) { again.open = true; say(again.querySelector("form.edit-group .state"), t("common.saved")); }
  } catch (error) { say(status, error.message, "error"); }
}

// The waitlist: who is waiting, first in line first, and who has been offered a freed place. The office
// adds (a student picked by name), enrols (the API takes them off the list) and removes; a teacher reads.
let MATCHES = [];
async function findStudents(q) {
  MATCHES = q.length < 2 ? [] : await json(`/students/search?q=${encodeURIComponent(q)}&limit=8`);
  document.querySelector("#waitlist-students").innerHTML = MATCHES.map(m => `<option value="${escapeHtml(m.name)}">`).join("");
}

function waitlistSection(g, waiting, on) {
  const rows = waiting.map(w => `<li data-entry="${w.id}" data-student="${w.student_id}">${w.position}. <a href="/app/student?id=${w.student_id}">${escapeHtml(w.full_name)}</a>
      <span class="muted">${escapeHtml(t("groups.waitlist.added", { date: day(w.added_at.slice(0, 10)) }))}</span>
      ${w.offered_at ? `<span class="tag">${escapeHtml(t("groups.waitlist.offered", { date: day(w.offered_at.slice(0, 10)) }))}</span>` : ""}
      ${w.note ? `<span class="muted">“${escapeHtml(w.note)}”</span>` : ""}
      ${isOffice() ? `<button type="button" class="waitlist-enrol">${escapeHtml(t("groups.waitlist.enrol", { date: day(on) }))}</button>
        <button type="button" class="waitlist-remove">${escapeHtml(t("groups.waitlist.remove"))}</button>` : ""}</li>`).join("");
  const add = isOffice() ? `<form class="waitlist-add inline"><label><span>${escapeHtml(t("groups.waitlist.student"))}</span>
      <input name="student" list="waitlist-students" autocomplete="off" required></label>
      <button type="submit">${escapeHtml(t("groups.waitlist.add"))}</button></form>` : "";
  return `<section class="waitlist" data-group="${g.id}"><p><strong>${escapeHtml(t("groups.waitlist.title"))}</strong></p>
    ${rows ? `<ul class="plain">${rows}</ul>` : `<p class="muted">${escapeHtml(t("groups.waitlist.empty"))}</p>`}
    ${add}<span class="state" role="status"></span></section>`;
}

async function waitlistAction(section, on, action) {
  const status = section.querySelector(".state");
  try { await action(); } catch (error) { say(status, error.message, "error"); return; }
  await show(on);
  const again = content.querySelector(`details.group[data-group="${section.dataset.group}"]`);
  if (again) { again.open = true; say(again.querySelector("section.waitlist .state"), t("common.saved")); }
}

function wireWaitlist(on) {
  content.querySelectorAll("section.waitlist").forEach(section => {
    const group = section.dataset.group;
    section.querySelectorAll("button.waitlist-enrol").forEach(button => button.addEventListener("click", () => {
      const row = button.closest("li");
      waitlistAction(section, on, () => send(`/groups/${group}/members`, "POST", { student_id: row.dataset.student, start_date: on }));
    }));
    section.querySelectorAll("button.waitlist-remove").forEach(button => button.addEventListener("click", () => {
      const row = button.closest("li");
      waitlistAction(section, on, () => send(`/groups/${group}/waitlist/${row.dataset.entry}`, "DELETE"));
    }));
    const form = section.querySelector("form.waitlist-add");
    if (!form) return;
    form.elements.student.addEventListener("input", event => findStudents(event.target.value).catch(() => {}));
    form.addEventListener("submit", event => {
      event.preventDefault();
      const said = form.elements.student.value;
      waitlistAction(section, on, async () => {
        if (!MATCHES.some(m => m.name === said)) await findStudents(said);  // typed fast: look now
        const student = MATCHES.find(m => m.name === said) || MATCHES[0];
        if (!student) throw new Error(t("student.no_match"));
        await send(`/groups/${group}/waitlist`, "POST", { student_id: student.id });
      });
    });
  });
}

async function show(on) {
  content.innerHTML = `<p class="muted">${escapeHtml(t("common.loading"))}</p>`;
  try {
    const groups = (await json("/groups")).filter(g => g.status !== "closed");
    // A teacher reads the rosters of her own groups only: a group whose roster is refused is not shown,
    // instead of one refusal emptying the whole page.
    const details = (await Promise.all(groups.map(async g => {
      const [roster, slots, waiting] = await Promise.all([json(`/groups/${g.id}/roster?on=${on}`).catch(() => null),
        json(`/groups/${g.id}/slots?on=${on}`).catch(() => []), json(`/groups/${g.id}/waitlist`).catch(() => [])]);
      return { g, roster, slots, waiting };
    }))).filter(d => d.roster !== null);
    content.innerHTML = details.map(({ g, roster, slots, waiting }) => {
      const full = g.capacity && roster.length >= g.capacity;
      return `<details class="card group" data-group="${g.id}">
        <summary><strong>${escapeHtml(g.name)}</strong>
          <span class="muted">${escapeHtml(NAMES.teachers[g.teacher_id] || "")}${g.venue_id ? " · " + escapeHtml(NAMES.venues[g.venue_id] || "") : ""}</span>
          <span class="count ${full ? "error" : ""}">${roster.length}${g.capacity ? ` / ${g.capacity}` : ""} ${full ? escapeHtml(t("groups.full")) : ""}</span>
          ${g.status !== "active" ? `<span class="tag">${escapeHtml(t(`groups.status.${g.status}`))}</span>` : ""}</summary>
        <p><strong>${escapeHtml(t("groups.schedule"))}:</strong><br>${schedule(slots)}</p>
        <p><strong>${escapeHtml(t("groups.enrolled"))} (${escapeHtml(day(on))}):</strong></p>
        ${isOffice() ? editForm(g) : ""}
        ${roster.length ? `<ul class="plain">${roster.map(r => `<li><a href="/app/student?id=${r.student_id}">${escapeHtml(r.full_name)}</a>
          <span class="muted">${escapeHtml(t("student.since_date", { from: day(r.start_date) }))}</span></li>`).join("")}</ul>
          <p class="exports">${exportLinksHtml(`/groups/${g.id}/roster?on=${on}`)}</p>` : `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`}
        ${waitlistSection(g, waiting, on)}
      </details>`;
    }).join("") || `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`;
    wireWaitlist(on);
    content.querySelectorAll("form.edit-group").forEach(form => form.addEventListener("submit", event => {
      event.preventDefault(); saveGroup(form, groups.find(g => g.id === form.dataset.group), on);
    }));
  } catch (error) { showError(content, error); }
}

(async () => {
  await start("groups");
  const [teachers, venues] = await Promise.all([json("/teachers").catch(() => []), json("/venues").catch(() => [])]);
  teachers.forEach(x => { NAMES.teachers[x.id] = x.full_name; });
  venues.forEach(x => { NAMES.venues[x.id] = x.name; });
  const on = document.querySelector("#on");
  on.value = schoolToday();
  on.addEventListener("change", () => { if (on.value) show(on.value); });
  await show(on.value);
})();
