// Schedule (the office): each group's weekly classes (add, change from a date, remove from a date), the
// classes of a chosen week (generate up to a date, a substitute for one class), closures and public
// holidays, and calendar links (school, teacher, group). Every rule is the API's; this page only asks.
const NAMES = { teachers: {}, venues: {}, groups: {} };
const hhmm = time => String(time || "").slice(0, 5);
const options = (names, chosen = "", blank = true) => (blank ? `<option value=""></option>` : "") + Object.entries(names)
  .map(([id, name]) => `<option value="${id}" ${id === chosen ? "selected" : ""}>${escapeHtml(name)}</option>`).join("");
const weekdays = chosen => [0, 1, 2, 3, 4, 5, 6]
  .map(d => `<option value="${d}" ${d === chosen ? "selected" : ""}>${escapeHtml(t(`weekday.${d}`))}</option>`).join("");

// What the API answered, in the status line next to the button; an error as one.
async function attempt(status, action) {
  try { return await action(); } catch (error) { say(status, error.message, "error"); return null; }
}

// -- weekly classes ---------------------------------------------------------------------------------
function slotLine(s) {
  const bits = [`<strong>${escapeHtml(t(`weekday.${s.weekday}`))} ${hhmm(s.start_time)}–${hhmm(s.end_time)}</strong>`];
  if (s.interval_weeks > 1) bits.push(escapeHtml(t("schedule.every_n_weeks", { n: s.interval_weeks })));
  if (s.venue_id) bits.push(escapeHtml(NAMES.venues[s.venue_id] || ""));
  if (s.teacher_id) bits.push(escapeHtml(NAMES.teachers[s.teacher_id] || ""));
  bits.push(`<span class="muted">${escapeHtml(s.valid_until ? t("student.between", { from: day(s.valid_from), to: day(s.valid_until) })
    : t("student.since_date", { from: day(s.valid_from) }))}</span>`);
  return bits.join(" · ");
}

function slotForms(s, today) {
  return `<details class="more"><summary>${escapeHtml(t("schedule.change_or_remove"))}</summary>
    <form class="change-slot inline" data-slot="${s.id}">
      <label><span>${escapeHtml(t("schedule.weekday"))}</span><select name="weekday">${weekdays(s.weekday)}</select></label>
      <label><span>${escapeHtml(t("schedule.starts"))}</span><input name="start_time" type="time" value="${hhmm(s.start_time)}" required></label>
      <label><span>${escapeHtml(t("schedule.ends"))}</span><input name="end_time" type="time" value="${hhmm(s.end_time)}" required></label>
      <label><span>${escapeHtml(t("schedule.venue"))}</span><select name="venue_id">${options(NAMES.venues, s.venue_id || "")}</select></label>
      <label><span>${escapeHtml(t("schedule.teacher"))}</span><select name="teacher_id">${options(NAMES.teachers, s.teacher_id || "")}</select></label>
      <label><span>${escapeHtml(t("schedule.effective_from"))}</span><input name="effective_from" type="date" value="${today}" min="${today}" required></label>
      <button type="submit">${escapeHtml(t("schedule.change"))}</button></form>
    <form class="end-slot inline" data-slot="${s.id}">
      <label><span>${escapeHtml(t("schedule.no_class_from"))}</span><input name="from_date" type="date" value="${today}" min="${today}" required></label>
      <label class="grow"><span>${escapeHtml(t("schedule.reason"))}</span><input name="reason" maxlength="500"></label>
      <button type="submit">${escapeHtml(t("schedule.remove"))}</button></form></details>`;
}

async function showSlots(note = "") {
  const place = document.querySelector("#slots .body"), group = document.querySelector("#group").value;
  if (!group) { place.innerHTML = `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`; return; }
  const today = schoolToday();
  let slots = [];
  try {
    // The slots still to come or running: an ended one is history (the API keeps it, with its dates).
    slots = (await json(`/groups/${group}/slots`)).filter(s => !s.valid_until || s.valid_until >= today);
    place.innerHTML = (slots.length ? `<ul class="plain">${slots.map(s => `<li class="slot" data-slot="${s.id}">${slotLine(s)}
      ${slotForms(s, today)}</li>`).join("")}</ul>` : `<p class="muted">${escapeHtml(t("groups.no_schedule"))}</p>`)
      + `<p class="state" role="status" id="slot-state">${escapeHtml(note)}</p>`;
  } catch (error) { showError(place, error); return; }
  place.querySelectorAll("form.change-slot").forEach(form => form.addEventListener("submit", async event => {
    event.preventDefault();
    // Only what differs from the slot (an empty venue or teacher: the group's own stays as it is).
    const slot = slots.find(x => x.id === form.dataset.slot), f = form.elements, body = { effective_from: f.effective_from.value };
    if (Number(f.weekday.value) !== slot.weekday) body.weekday = Number(f.weekday.value);
    for (const key of ["start_time", "end_time"]) if (f[key].value !== hhmm(slot[key])) body[key] = f[key].value;
    for (const key of ["venue_id", "teacher_id"]) if (f[key].value && f[key].value !== slot[key]) body[key] = f[key].value;
    if (Object.keys(body).length === 1) { say(document.querySelector("#slot-state"), t("common.nothing_changed")); return; }
    const done = await attempt(document.querySelector("#slot-state"), () => send(`/slots/${form.dataset.slot}/change`, "POST", body));
    if (done) await showSlots(t("schedule.changed", { date: day(body.effective_from) }));
  }));
  place.querySelectorAll("form.end-slot").forEach(form => form.addEventListener("submit", async event => {
    event.preventDefault();
    const body = formData(form);
    const done = await attempt(document.querySelector("#slot-state"), () => send(`/slots/${form.dataset.slot}/end`, "POST", body));
    if (done) { await showSlots(t("schedule.removed", { date: day(body.from_date), n: done.cancelled_sessions })); await showWeek(); }
  }));
}

function wireAddSlot() {
  const form = document.querySelector("#add-slot");
  form.elements.weekday.innerHTML = weekdays(0);
  form.elements.interval_weeks.innerHTML = [1, 2, 3, 4].map(n => `<option value="${n}">${escapeHtml(n === 1 ? t("schedule.every_week") : t("schedule.every_n_weeks", { n }))}</option>`).join("");
  form.elements.valid_from.value = schoolToday();
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state"), body = formData(form);
    body.weekday = Number(body.weekday); body.interval_weeks = Number(body.interval_weeks);
    const made = await attempt(status, () => send(`/groups/${document.querySelector("#group").value}/slots`, "POST", body));
    if (!made) return;
    say(status, t("schedule.slot_added", { when: `${t(`weekday.${made.weekday}`)} ${hhmm(made.start_time)}` }));
    await showSlots();
  });
}

// -- the week's classes -----------------------------------------------------------------------------
function classRow(c) {
  const who = escapeHtml(NAMES.teachers[c.teacher_id] || "");
  const sub = c.substitute_for_teacher_id ? ` <span class="tag">${escapeHtml(t("schedule.substitute_for", { name: NAMES.teachers[c.substitute_for_teacher_id] || "" }))}</span>` : "";
  const status = c.status === "cancelled" ? `<span class="error">${escapeHtml(t("session.cancelled"))}${c.cancel_reason ? ": " + escapeHtml(c.cancel_reason) : ""}</span>`
    : `<span class="muted">${escapeHtml(t(`session.${c.status}`))}</span>`;
  const assign = c.status === "scheduled" ? `<form class="substitute inline" data-session="${c.id}">
      <select name="teacher_id" aria-label="${escapeHtml(t("today.substitute"))}">${options(NAMES.teachers, "")}</select>
      <button type="submit">${escapeHtml(t("schedule.substitute"))}</button></form>` : "";
  return `<div class="row class" data-session="${c.id}"><span class="name"><strong>${hhmm(c.start_time)}–${hhmm(c.end_time)}</strong>
    ${escapeHtml(NAMES.groups[c.group_id] || t("today.class"))} · ${who}${sub}</span> ${status} ${assign}</div>`;
}

// One fold per day (a week of a school is long on a phone): the chosen day's is open.
function weekByDay(classes, chosen) {
  const days = new Map();
  classes.forEach(c => { if (!days.has(c.date)) days.set(c.date, []); days.get(c.date).push(c); });
  return [...days].map(([date, rows]) => {
    const off = rows.filter(c => c.status === "cancelled").length;
    return `<details class="day" data-date="${date}" ${date === chosen ? "open" : ""}><summary><strong>${escapeHtml(day(date, "full"))}</strong>
      <span class="count">${escapeHtml(t("schedule.day_count", { n: rows.length }))}${off ? ` · <span class="error">${escapeHtml(t("schedule.day_cancelled", { n: off }))}</span>` : ""}</span></summary>
      ${rows.map(classRow).join("")}</details>`;
  }).join("");
}

async function showWeek(note = "") {
  const place = document.querySelector("#week .body"), on = document.querySelector("#week-day").value;
  try {
    const classes = await json(`/schedule/week?day=${on}`);
    place.innerHTML = (classes.length ? weekByDay(classes, on) : `<p class="muted">${escapeHtml(t("schedule.no_classes"))}</p>`)
      + (classes.length ? `<p class="exports">${exportLinksHtml(`/schedule/week?day=${on}`)}</p>` : "")  // the week shown
      + `<p class="state" role="status" id="week-state">${escapeHtml(note)}</p>`;
  } catch (error) { showError(place, error); return; }
  place.querySelectorAll("form.substitute").forEach(form => form.addEventListener("submit", async event => {
    event.preventDefault();
    const teacher = form.elements.teacher_id.value;
    if (!teacher) return;
    const done = await attempt(document.querySelector("#week-state"), () => send(`/sessions/${form.dataset.session}/substitute`, "POST", { teacher_id: teacher }));
    if (done) await showWeek(t("today.substituted", { name: NAMES.teachers[teacher] }));
  }));
}

function wireWeek() {
  const input = document.querySelector("#week-day");
  input.value = schoolToday();
  input.addEventListener("change", () => { if (input.value) showWeek(); });
  document.querySelector("#week-before").addEventListener("click", () => { input.value = addDays(input.value, -7); showWeek(); });
  document.querySelector("#week-after").addEventListener("click", () => { input.value = addDays(input.value, 7); showWeek(); });
  const form = document.querySelector("#generate");
  form.elements.until.value = addDays(schoolToday(), 28);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state");
    const done = await attempt(status, () => send("/schedule/generate", "POST", { until: form.elements.until.value }));
    if (!done) return;
    say(status, t("schedule.generated", { n: done.created, there: done.already_there, closed: done.closed }));
    await showWeek();
  });
}

// -- closures and holidays --------------------------------------------------------------------------
async function showClosures() {
  const place = document.querySelector("#closures .body");
  try {
    const rows = (await json("/closures")).filter(c => !c.withdrawn_at);
    place.innerHTML = table(rows, [
      [escapeHtml(t("common.when")), c => escapeHtml(c.end_date === c.start_date ? day(c.start_date) : t("student.between", { from: day(c.start_date), to: day(c.end_date) }))],
      [escapeHtml(t("schedule.reason")), c => escapeHtml(c.reason)],
      [escapeHtml(t("schedule.venue")), c => escapeHtml(c.venue_id ? NAMES.venues[c.venue_id] || "" : t("schedule.whole_school")), "hide"],
      ["", c => `<button type="button" class="reopen" data-id="${c.id}">${escapeHtml(t("schedule.reopen"))}</button>`],
    ]);
  } catch (error) { showError(place, error); return; }
  place.querySelectorAll("button.reopen").forEach(b => b.addEventListener("click", async () => {
    const status = document.querySelector("#add-closure .state");
    if (await attempt(status, () => send(`/closures/${b.dataset.id}`, "DELETE"))) { say(status, t("schedule.reopened")); await showClosures(); }
  }));
}

function wireClosures() {
  const form = document.querySelector("#add-closure");
  form.elements.start_date.value = schoolToday();
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state");
    const done = await attempt(status, () => send("/closures", "POST", formData(form)));
    if (!done) return;
    say(status, t("schedule.closed", { n: done.cancelled_sessions }));
    form.elements.reason.value = "";
    await Promise.all([showClosures(), showWeek()]);
  });
}

async function showHolidays() {
  const place = document.querySelector("#holidays");
  try {
    const found = await json(`/schedule/holidays?language=${LANG}`);
    const where = found.country ? `${found.country}${found.region ? "-" + found.region : ""}` : "";
    const state = !found.country ? t("schedule.no_country") : found.skipped ? t("schedule.holidays_skipped", { where }) : t("schedule.holidays_not_skipped", { where });
    place.innerHTML = `<p id="holiday-state">${escapeHtml(state)}</p>` + (found.holidays.length ? `<ul class="plain">${found.holidays.slice(0, 12)
      .map(h => `<li>${escapeHtml(day(h.date, "full"))} · ${escapeHtml(h.name)}</li>`).join("")}</ul>` : "");
    const form = document.querySelector("#holiday-switch");
    form.elements.public_holidays.checked = found.skipped;
    form.elements.holiday_region.value = found.region || "";
  } catch (error) { showError(place, error); }
}

function wireHolidaySwitch() {
  if (ROLE !== "admin") return;  // the organization's settings are the admin's; staff read them
  const form = document.querySelector("#holiday-switch");
  form.hidden = false;
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state");
    const body = { public_holidays: form.elements.public_holidays.checked, holiday_region: form.elements.holiday_region.value.trim() || null };
    if (await attempt(status, () => send("/org", "PATCH", body))) { say(status, t("common.saved")); await showHolidays(); }
  });
}

// -- calendar links ---------------------------------------------------------------------------------
const feedName = f => f.kind === "school" ? t("schedule.feed_school")
  : f.kind === "teacher" ? t("schedule.feed_teacher", { name: NAMES.teachers[f.target_id] || "" }) : t("schedule.feed_group", { name: NAMES.groups[f.target_id] || "" });

async function showFeeds() {
  const place = document.querySelector("#feeds .body");
  try {
    const rows = (await json("/calendar-feeds")).filter(f => !f.revoked);
    place.innerHTML = table(rows, [
      [escapeHtml(t("schedule.feed_for")), f => escapeHtml(feedName(f))],
      ["", f => `<button type="button" class="revoke" data-id="${f.id}">${escapeHtml(t("settings.revoke"))}</button>`],
    ]);
  } catch (error) { showError(place, error); return; }
  place.querySelectorAll("button.revoke").forEach(b => b.addEventListener("click", async () => {
    if (await attempt(document.querySelector("#new-feed .state"), () => send(`/calendar-feeds/${b.dataset.id}`, "DELETE"))) await showFeeds();
  }));
}

function wireFeeds() {
  const form = document.querySelector("#new-feed");
  const choice = (kind, names) => Object.entries(names).map(([id, name]) => `<option value="${kind}:${id}">${escapeHtml(feedName({ kind, target_id: id }))}</option>`).join("");
  form.elements.target.innerHTML = `<option value="school:">${escapeHtml(t("schedule.feed_school"))}</option>` + choice("teacher", NAMES.teachers) + choice("group", NAMES.groups);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state");
    const [kind, target] = form.elements.target.value.split(":");
    const made = await attempt(status, () => send("/calendar-feeds", "POST", target ? { kind, target_id: target } : { kind }));
    if (!made) return;
    say(status, "");
    document.querySelector("#feed-shown").innerHTML = `<p>${escapeHtml(t("schedule.feed_shown_once", { name: feedName(made) }))}</p>
      <p class="secret" id="feed-url">${escapeHtml(made.url)}</p>`;
    await showFeeds();
  });
}

(async () => {
  await start("schedule");
  const main = document.querySelector("main");
  if (!isOffice()) { main.innerHTML = `<h1>${escapeHtml(t("schedule.title"))}</h1><p class="muted">${escapeHtml(t("schedule.office_only"))}</p>`; return; }
  const [teachers, venues, groups] = await Promise.all([json("/teachers"), json("/venues"), json("/groups")]);
  teachers.forEach(x => { NAMES.teachers[x.id] = x.full_name; });
  venues.filter(v => !v.archived_at).forEach(x => { NAMES.venues[x.id] = x.name; });
  groups.filter(g => g.status !== "closed").forEach(x => { NAMES.groups[x.id] = x.name; });
  document.querySelectorAll("select.venues").forEach(s => { s.innerHTML = options(NAMES.venues); });
  document.querySelectorAll("select.teachers").forEach(s => { s.innerHTML = options(NAMES.teachers); });
  const group = document.querySelector("#group");
  group.innerHTML = options(NAMES.groups, "", false);
  group.addEventListener("change", () => showSlots());
  wireAddSlot(); wireWeek(); wireClosures(); wireHolidaySwitch(); wireFeeds();
  await Promise.all([showSlots(), showWeek(), showClosures(), showHolidays(), showFeeds()]);
})();
