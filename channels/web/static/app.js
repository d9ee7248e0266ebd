// Shared by every page: the API with the login cookie and CSRF header, the header bar, text rendering.
const API = "/api/v1";
let CSRF = "";

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json", "X-CSRF-Token": CSRF, ...(options.headers || {}) };
  const response = await fetch(API + path, { credentials: "same-origin", ...options, headers });
  if (response.status === 401) { location.href = "/app/login"; throw new Error("not logged in"); }
  return response;
}

async function json(path, options) {
  const response = await api(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.message) || body.detail || response.statusText);
  return body;
}

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// Answers are plain text: "# " headings, "- " list items, other lines as paragraphs.
function renderText(text) {
  const out = []; let list = null;
  for (const raw of String(text || "").split("\n")) {
    const line = raw.trimEnd();
    if (line.startsWith("- ")) { if (!list) { list = []; } list.push(`<li>${escapeHtml(line.slice(2))}</li>`); continue; }
    if (list) { out.push(`<ul>${list.join("")}</ul>`); list = null; }
    if (!line) continue;
    if (line.startsWith("## ")) out.push(`<h4>${escapeHtml(line.slice(3))}</h4>`);
    else if (line.startsWith("# ")) out.push(`<h3>${escapeHtml(line.slice(2))}</h3>`);
    else out.push(`<p>${escapeHtml(line)}</p>`);
  }
  if (list) out.push(`<ul>${list.join("")}</ul>`);
  return out.join("");
}

// Pages and who sees them: the office (admins, staff) every page; a teacher no school money, only their own pay.
const EVERYONE = ["admin", "staff", "teacher"], OFFICE = ["admin", "staff"];
const PAGES = [["chat", "Chat", EVERYONE], ["today", "Today", EVERYONE], ["students", "Students", EVERYONE], ["groups", "Groups", EVERYONE], ["payments", "Payments", OFFICE], ["payouts", "Payouts", EVERYONE], ["dashboard", "Dashboard", EVERYONE], ["reports", "Reports", EVERYONE]];

// The header: navigation, the organization switcher, log out. Returns who is logged in.
async function start(here) {
  const me = await json("/auth/me");
  CSRF = me.csrf_token || CSRF;
  const header = document.querySelector("header");
  const active = me.memberships.find(m => m.organization_id === me.active_organization_id);
  const role = active ? active.role : "teacher";
  const nav = PAGES.filter(([, , roles]) => roles.includes(role))
    .map(([page, name]) => `<a href="/app/${page}" class="${page === here ? "here" : ""}">${name}</a>`).join("");
  const orgs = me.memberships.map(m => `<option value="${m.organization_id}" ${m.organization_id === me.active_organization_id ? "selected" : ""}>${escapeHtml(m.name)}</option>`).join("");
  header.innerHTML = `<span class="brand">Cadence</span><nav>${nav}</nav>
    <span class="right"><select id="org" aria-label="Organization">${orgs}</select><button id="logout">Log out</button></span>`;
  header.querySelector("#org").addEventListener("change", async event => {
    await json("/orgs/switch", { method: "POST", body: JSON.stringify({ organization_id: event.target.value }) });
    location.reload();
  });
  header.querySelector("#logout").addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" });
    location.href = "/app/login";
  });
  return me;
}

function table(rows, columns) {
  if (!rows.length) return `<p class="muted">Nothing here.</p>`;
  const head = columns.map(([title, , cls]) => `<th class="${cls || ""}">${title}</th>`).join("");
  const body = rows.map(row => `<tr>${columns.map(([, cell, cls]) => `<td class="${cls || ""}">${cell(row)}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
