// Settings. Everyone: connect their own Telegram (a t.me link and its QR code, drawn by the server). Admins:
// the organization, fees and billing, members (role, remove) and invitations, notifications and quiet
// hours, API keys and webhooks. The API refuses anyone else (403); this page only hides what it can't do.
let ME = null;

async function attempt(status, action) {
  try { return await action(); } catch (error) { say(status, error.message, "error"); return null; }
}

// Only the fields that differ from what the API said (PATCH changes only what was changed).
function changed(body, current) {
  return Object.fromEntries(Object.entries(body).filter(([key, value]) => String(value ?? "") !== String(current[key] ?? "")));
}

// -- Telegram -------------------------------------------------------------------------------------------
async function connectTelegram(event) {
  const status = event.target.parentElement.querySelector(".state");
  const made = await attempt(status, () => send("/telegram/link-code", "POST"));
  if (!made) return;
  const link = made.link ? `<p><a class="button" id="telegram-link" href="${escapeHtml(made.link)}" rel="noopener">${escapeHtml(t("settings.open_telegram"))}</a></p>
    <p class="muted">${escapeHtml(made.link)}</p>` : "";
  // The SVG comes from our own server (segno), not from the person's input: it is safe to place as is.
  const qr = made.qr_svg ? `<figure class="qr" id="telegram-qr">${made.qr_svg}<figcaption class="muted">${escapeHtml(t("settings.scan_qr"))}</figcaption></figure>` : "";
  document.querySelector("#telegram .body").innerHTML = `<p>${escapeHtml(t("settings.telegram_help", { minutes: 30 }))}</p>${link}${qr}
    <p class="secret" id="link-command">${escapeHtml(made.command)}</p>`;
  say(status, "");
}

// -- a teacher's own calendar link (the office makes anyone's on the Schedule page) ----------------------
async function myCalendar() {
  const me = (await json("/teachers").catch(() => [])).find(x => x.user_id === ME.user.id);
  if (!me) return;
  const section = document.querySelector("#my-calendar"), status = section.querySelector(".state");
  section.hidden = false;
  const show = async () => {
    const mine = (await json("/calendar-feeds")).filter(f => !f.revoked && f.kind === "teacher" && f.target_id === me.id);
    section.querySelector(".body").innerHTML = mine.length ? `<p>${escapeHtml(t("settings.my_feeds", { n: mine.length }))}
      <button type="button" class="revoke">${escapeHtml(t("settings.revoke"))}</button></p>` : "";
    const revoke = section.querySelector("button.revoke");
    if (revoke) revoke.addEventListener("click", async () => {
      for (const f of mine) await attempt(status, () => send(`/calendar-feeds/${f.id}`, "DELETE"));
      document.querySelector("#my-feed-shown").innerHTML = ""; await show();
    });
  };
  section.querySelector("#make-my-feed").addEventListener("click", async () => {
    const made = await attempt(status, () => send("/calendar-feeds", "POST", { kind: "teacher", target_id: me.id }));
    if (!made) return;
    say(status, "");
    document.querySelector("#my-feed-shown").innerHTML = `<p>${escapeHtml(t("settings.my_feed_shown"))}</p><p class="secret" id="my-feed-url">${escapeHtml(made.url)}</p>`;
    await show();
  });
  await show();
}

// -- the organization -----------------------------------------------------------------------------------
async function organization() {
  const org = await json("/org");
  const form = document.querySelector("#org-form"), f = form.elements;
  if (![...f.locale.options].some(o => o.value === org.locale)) f.locale.insertAdjacentHTML("beforeend", `<option value="${escapeHtml(org.locale)}">${escapeHtml(org.locale)}</option>`);
  for (const key of ["name", "timezone", "currency", "locale", "country", "schedule_horizon_weeks"]) f[key].value = org[key] ?? "";
  f.teachers_see_contacts.checked = org.teachers_see_contacts;
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  document.querySelector("#timezones").innerHTML = zones.map(z => `<option value="${escapeHtml(z)}">`).join("");
  return org;
}

function wireOrganization(org) {
  const form = document.querySelector("#org-form");
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state"), f = form.elements;
    const body = changed({ name: f.name.value.trim(), timezone: f.timezone.value.trim(), currency: f.currency.value.trim().toUpperCase(),
      locale: f.locale.value, country: f.country.value.trim().toUpperCase(), schedule_horizon_weeks: f.schedule_horizon_weeks.value }, org);
    if ("country" in body && !body.country) body.country = null;
    if ("schedule_horizon_weeks" in body) body.schedule_horizon_weeks = Number(body.schedule_horizon_weeks);
    if (f.teachers_see_contacts.checked !== org.teachers_see_contacts) body.teachers_see_contacts = f.teachers_see_contacts.checked;
    if (!Object.keys(body).length) { say(status, t("common.nothing_changed")); return; }
    const saved = await attempt(status, () => send("/org", "PATCH", body));
    if (!saved) return;
    Object.assign(org, saved);
    say(status, t("common.saved"));
  });
}

// -- fees and billing -----------------------------------------------------------------------------------
async function billing() {
  const current = await json("/billing/settings");
  const form = document.querySelector("#billing-form"), f = form.elements;
  const written = value => LANG === "es" ? String(value).replace(".", ",") : String(value);  // 10,00 in Spanish
  for (const key of ["default_monthly_fee", "multi_group_discount_percent", "sibling_discount_percent"]) f[key].value = written(current[key]);
  for (const key of ["due_day", "per_head_rule"]) f[key].value = current[key];
  f.prorate_first_month.checked = current.prorate_first_month;
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state");
    const decimal = value => value.trim().replace(/\s/g, "").replace(",", ".");  // "45,50" as a Spaniard writes it
    const body = { default_monthly_fee: decimal(f.default_monthly_fee.value), due_day: Number(f.due_day.value),
      multi_group_discount_percent: decimal(f.multi_group_discount_percent.value), sibling_discount_percent: decimal(f.sibling_discount_percent.value),
      prorate_first_month: f.prorate_first_month.checked, per_head_rule: f.per_head_rule.value };
    if (await attempt(status, () => send("/billing/settings", "PUT", body))) say(status, t("settings.billing_saved", { fee: money(body.default_monthly_fee) }));
  });
}

// -- people ---------------------------------------------------------------------------------------------
async function members(note = "") {
  const [people, invitations] = await Promise.all([json("/org/members"), json("/org/invitations")]);
  const roles = chosen => ["admin", "staff", "teacher"].map(r => `<option value="${r}" ${r === chosen ? "selected" : ""}>${escapeHtml(t(`role.${r}`))}</option>`).join("");
  document.querySelector("#members").innerHTML = table(people, [
    [escapeHtml(t("common.name")), m => `${escapeHtml(m.name || m.email)}${m.user_id === ME.user.id ? ` <span class="tag">${escapeHtml(t("settings.you"))}</span>` : ""}`],
    [escapeHtml(t("login.email")), m => escapeHtml(m.email), "hide"],
    [escapeHtml(t("settings.role")), m => `<select class="member-role" data-id="${m.id}" aria-label="${escapeHtml(t("settings.role_of", { name: m.name || m.email }))}">${roles(m.role)}</select>`],
    ["", m => m.user_id === ME.user.id ? "" : `<button type="button" class="remove-member" data-id="${m.id}" data-name="${escapeHtml(m.name || m.email)}">${escapeHtml(t("settings.remove"))}</button>`],
  ]);
  say(document.querySelector("#members-state"), note);
  document.querySelector("#invitations").innerHTML = table(invitations.filter(i => !i.accepted_at && !i.revoked_at), [
    [escapeHtml(t("login.email")), i => escapeHtml(i.email)],
    [escapeHtml(t("settings.role")), i => escapeHtml(t(`role.${i.role}`))],
    [escapeHtml(t("settings.expires")), i => escapeHtml(moment(i.expires_at)), "hide"],
    ["", i => `<button type="button" class="revoke-invitation" data-id="${i.id}">${escapeHtml(t("settings.revoke"))}</button>`],
  ]);
  const status = document.querySelector("#members-state");
  document.querySelectorAll("select.member-role").forEach(select => select.addEventListener("change", async () => {
    const done = await attempt(status, () => send(`/org/members/${select.dataset.id}`, "PATCH", { role: select.value }));
    if (done) { await members(t("settings.role_changed", { name: done.name || done.email, role: t(`role.${done.role}`) })); return; }
    const refused = status.textContent;  // e.g. the last admin stays an admin: the list shows the role kept
    await members(); say(status, refused, "error");
  }));
  document.querySelectorAll("button.remove-member").forEach(button => button.addEventListener("click", async () => {
    if (!confirm(t("settings.remove_confirm", { name: button.dataset.name }))) return;
    if (await attempt(status, () => send(`/org/members/${button.dataset.id}`, "DELETE"))) await members(t("settings.removed", { name: button.dataset.name }));
  }));
  document.querySelectorAll("button.revoke-invitation").forEach(button => button.addEventListener("click", async () => {
    if (await attempt(status, () => send(`/org/invitations/${button.dataset.id}`, "DELETE"))) await members();
  }));
}

function wireInvite() {
  const invite = document.querySelector("#invite");
  invite.addEventListener("submit", async event => {
    event.preventDefault();
    const status = invite.querySelector(".state");
    const made = await attempt(status, () => send("/org/invitations", "POST", formData(invite)));
    if (!made) return;
    say(status, t("settings.invited", { email: made.email }));
    document.querySelector("#invite-link").innerHTML = `<p class="secret">${escapeHtml(made.accept_url)}</p>`;
    invite.reset(); await members();
  });
}

// -- notifications --------------------------------------------------------------------------------------
async function notifications() {
  const [current, KINDS] = await Promise.all([json("/notifications/settings"), json("/notifications/kinds")]);
  const form = document.querySelector("#notify-form"), f = form.elements;
  // A kind newer than this page's words reads as its name ("registration received"), not as a key.
  const label = k => (`kind.${k}` in STRINGS.en) ? t(`kind.${k}`) : k.replace(/_/g, " ");
  document.querySelector("#kinds").insertAdjacentHTML("beforeend", KINDS.map(k => `<label><input type="checkbox" name="kind" value="${escapeHtml(k)}"
    ${current.disabled_kinds.includes(k) ? "" : "checked"}> ${escapeHtml(label(k))}</label>`).join(""));
  f.digest_weekday.innerHTML = [0, 1, 2, 3, 4, 5, 6].map(d => `<option value="${d}">${escapeHtml(t(`weekday.${d}`))}</option>`).join("");
  const times = ["quiet_start", "quiet_end"], numbers = ["agenda_hour", "attendance_reminder_hour", "digest_weekday", "digest_hour", "payout_preview_day"];
  times.forEach(k => { f[k].value = String(current[k]).slice(0, 5); });
  numbers.forEach(k => { f[k].value = current[k]; });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state");
    const body = { disabled_kinds: [...form.querySelectorAll("input[name=kind]")].filter(i => !i.checked).map(i => i.value) };
    times.forEach(k => { body[k] = f[k].value; });
    numbers.forEach(k => { body[k] = Number(f[k].value); });
    if (await attempt(status, () => send("/notifications/settings", "PATCH", body))) {
      say(status, t("settings.quiet_saved", { from: body.quiet_start, to: body.quiet_end }));
    }
  });
}

// -- API keys and webhooks ------------------------------------------------------------------------------
async function keys() {
  const rows = (await json("/org/api-keys")).filter(k => !k.revoked_at);
  const place = document.querySelector("#keys .body");
  place.innerHTML = table(rows, [
    [escapeHtml(t("settings.key_name")), k => `${escapeHtml(k.name)} <span class="muted">${escapeHtml(k.prefix)}…</span>`],
    [escapeHtml(t("settings.scopes")), k => escapeHtml(k.scopes.join(", "))],
    ["", k => `<button class="revoke" data-id="${k.id}">${escapeHtml(t("settings.revoke"))}</button>`],
  ]);
  place.querySelectorAll("button.revoke").forEach(b => b.addEventListener("click", async () => {
    await send(`/org/api-keys/${b.dataset.id}`, "DELETE"); await keys();
  }));
}

function wireKeys() {
  const newKey = document.querySelector("#new-key");
  newKey.addEventListener("submit", async event => {
    event.preventDefault();
    const status = newKey.querySelector(".state");
    const scopes = [...newKey.querySelectorAll("input[name=scopes]:checked")].map(i => i.value);
    const made = await attempt(status, () => send("/org/api-keys", "POST", { name: newKey.elements.name.value.trim(), scopes }));
    if (!made) return;
    document.querySelector("#key-shown").innerHTML = `<p>${escapeHtml(t("settings.key_shown_once"))}</p><p class="secret" id="new-key-value">${escapeHtml(made.key)}</p>`;
    newKey.reset(); say(status, ""); await keys();
  });
}

async function webhooks() {
  const rows = await json("/webhooks");
  const place = document.querySelector("#webhooks .body");
  place.innerHTML = table(rows, [
    [escapeHtml(t("settings.webhook_url")), w => `${escapeHtml(w.url)}${w.description ? `<br><span class="muted">${escapeHtml(w.description)}</span>` : ""}`],
    [escapeHtml(t("settings.webhook_events")), w => escapeHtml(w.event_types.join(", ") || t("settings.all_events")), "hide"],
    [escapeHtml(t("common.status")), w => w.disabled_at ? `<span class="muted">${escapeHtml(t("settings.disabled_on", { date: moment(w.disabled_at) }))}</span>`
      : `<button type="button" class="disable" data-id="${w.id}">${escapeHtml(t("settings.disable"))}</button>`],
  ]);
  place.querySelectorAll("button.disable").forEach(b => b.addEventListener("click", async () => {
    if (await attempt(document.querySelector("#new-webhook .state"), () => send(`/webhooks/${b.dataset.id}`, "DELETE"))) await webhooks();
  }));
}

function wireWebhooks() {
  const form = document.querySelector("#new-webhook");
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state"), f = form.elements;
    const body = { url: f.url.value.trim(), event_types: f.event_types.value.split(",").map(s => s.trim()).filter(Boolean) };
    if (f.description.value.trim()) body.description = f.description.value.trim();
    const made = await attempt(status, () => send("/webhooks", "POST", body));
    if (!made) return;
    document.querySelector("#webhook-shown").innerHTML = `<p>${escapeHtml(t("settings.webhook_secret"))}</p><p class="secret" id="webhook-secret">${escapeHtml(made.secret)}</p>`;
    form.reset(); say(status, ""); await webhooks();
  });
}

// -- the public registration form's address, for the office to hand to families -------------------------
async function registrationLink() {
  const section = document.querySelector("#registration"), status = section.querySelector(".state");
  section.hidden = false;
  const made = await attempt(status, () => json("/org/registration-link"));
  if (!made) return;
  const link = section.querySelector("#registration-url");
  link.href = made.url; link.textContent = made.url;
  section.querySelector("#registration-qr").innerHTML = made.qr_svg;  // drawn by the server (segno)
  section.querySelector("#copy-registration").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(made.url); say(status, t("settings.copied")); }
    catch { say(status, made.url); }  // no clipboard (an insecure origin): the address to copy by hand
  });
}

(async () => {
  ME = await start("settings");
  document.querySelector("#connect").addEventListener("click", connectTelegram);
  await myCalendar();
  if (ROLE === "admin" || ROLE === "staff") await registrationLink();
  if (ROLE !== "admin") { document.querySelector("#admins-only").hidden = false; return; }
  document.querySelectorAll(".admin-only").forEach(el => { el.hidden = false; });
  const org = await organization();
  wireOrganization(org); wireInvite(); wireKeys(); wireWebhooks();
  await Promise.all([billing(), members(), notifications(), keys(), webhooks()]);
})();
