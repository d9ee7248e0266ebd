// Groups: teacher, venue, weekly schedule, capacity against who is enrolled, and the roster on any date.
const content = document.querySelector("#content");
let NAMES = { teachers: {}, venues: {} };

const hhmm = time => String(time || "").slice(0, 5);
function schedule(slots) {
  if (!slots.length) return `<span class="muted">${escapeHtml(t("groups.no_schedule"))}</span>`;
  return slots.map(s => `${escapeHtml(t(`weekday.${s.weekday}`))} ${hhmm(s.start_time)}–${hhmm(s.end_time)}`
    + (s.venue_id ? ` <span class="muted">${escapeHtml(NAMES.venues[s.venue_id] || "")}</span>` : "")).join("<br>");
}

async function show(on) {
  content.innerHTML = `<p class="muted">${escapeHtml(t("common.loading"))}</p>`;
  try {
    const groups = (await json("/groups")).filter(g => g.status !== "closed");
    const details = await Promise.all(groups.map(async g => {
      const [roster, slots] = await Promise.all([json(`/groups/${g.id}/roster?on=${on}`), json(`/groups/${g.id}/slots?on=${on}`).catch(() => [])]);
      return { g, roster, slots };
    }));
    content.innerHTML = details.map(({ g, roster, slots }) => {
      const full = g.capacity && roster.length >= g.capacity;
      return `<details class="card group" data-group="${g.id}">
        <summary><strong>${escapeHtml(g.name)}</strong>
          <span class="muted">${escapeHtml(NAMES.teachers[g.teacher_id] || "")}${g.venue_id ? " · " + escapeHtml(NAMES.venues[g.venue_id] || "") : ""}</span>
          <span class="count ${full ? "error" : ""}">${roster.length}${g.capacity ? ` / ${g.capacity}` : ""} ${full ? escapeHtml(t("groups.full")) : ""}</span>
          ${g.status !== "active" ? `<span class="tag">${escapeHtml(t(`groups.status.${g.status}`))}</span>` : ""}</summary>
        <p><strong>${escapeHtml(t("groups.schedule"))}:</strong><br>${schedule(slots)}</p>
        <p><strong>${escapeHtml(t("groups.enrolled"))} (${escapeHtml(day(on))}):</strong></p>
        ${roster.length ? `<ul class="plain">${roster.map(r => `<li><a href="/app/student?id=${r.student_id}">${escapeHtml(r.full_name)}</a>
          <span class="muted">${escapeHtml(t("student.since_date", { from: day(r.start_date) }))}</span></li>`).join("")}</ul>` : `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`}
      </details>`;
    }).join("") || `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`;
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
