// Shared by every page: the API with the login cookie and CSRF header, the header bar, the language
// (English or Spanish: STRINGS in i18n.js), and money and dates in the locale (Intl, in the browser).
const API = "/api/v1";
let CSRF = "";
let ORG = null;  // the active organization: name, timezone, currency, locale

// -- language ---------------------------------------------------------------------------------------
const LANGUAGES = ["en", "es"];
const LANG_KEY = "cadence-lang";

// Until the account answers: the language this device last used (the account's, cached by start(), or the
// login page's switch), else the browser's — before logging in nothing else is known. Once logged in,
// start() switches to the account's: the person's own choice, else the organization's locale (/auth/me).
function chosenLanguage() {
  const stored = localStorage.getItem(LANG_KEY);
  if (LANGUAGES.includes(stored)) return stored;
  const browser = (navigator.languages || [navigator.language]).map(l => String(l).slice(0, 2).toLowerCase());
  return browser.find(l => LANGUAGES.includes(l)) || "en";
}
let LANG = chosenLanguage();
document.documentElement.lang = LANG;

// t("students.title") or t("payments.recorded", { amount: "40,00 €" }); a missing key falls back to English.
// With vars.n === 1, a "<key>_one" string is used when there is one ("1 changed" / "1 cambiado").
function t(key, vars = {}) {
  if (vars.n === 1 && (`${key}_one` in STRINGS.en)) key = `${key}_one`;
  const text = (STRINGS[LANG] || {})[key] ?? STRINGS.en[key] ?? key;
  return String(text).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
}

// Static text in the pages: data-t="key" (text), data-t-placeholder, data-t-label (aria-label), data-t-title.
function translate(root = document) {
  root.querySelectorAll("[data-t]").forEach(el => { el.textContent = t(el.dataset.t); });
  root.querySelectorAll("[data-t-placeholder]").forEach(el => { el.placeholder = t(el.dataset.tPlaceholder); });
  root.querySelectorAll("[data-t-label]").forEach(el => { el.setAttribute("aria-label", t(el.dataset.tLabel)); });
  root.querySelectorAll("[data-t-title]").forEach(el => { document.title = `Cadence · ${t(el.dataset.tTitle)}`; });
}

// The formatting locale: the organization's own when it speaks the chosen language (es-MX stays es-MX).
function locale() {
  const org = ORG && ORG.locale ? ORG.locale.replace("_", "-") : "";
  if (org.slice(0, 2).toLowerCase() === LANG && org.length > 2) return org;
  return LANG === "es" ? "es-ES" : "en-GB";
}

// Amounts arrive as decimal strings ("3136.00"): Intl formats the string itself, so no float rounding.
function money(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "";
  // useGrouping "always": Spanish writes 3.136,00 € (CLDR alone would group only from five digits)
  return new Intl.NumberFormat(locale(), { style: "currency", currency: currency || (ORG && ORG.currency) || "EUR", useGrouping: "always" })
    .format(String(amount));
}

// A calendar date ("2026-11-30") as the locale writes it; no time zone can shift it a day.
function day(iso, style = "medium") {
  if (!iso) return "";
  const [y, m, d] = String(iso).slice(0, 10).split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { dateStyle: style, timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

function moment(isoDateTime) {
  if (!isoDateTime) return "";
  const zone = (ORG && ORG.timezone) || undefined;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date(isoDateTime));
}

// The school's date, in the school's time zone (not the browser's): YYYY-MM-DD.
function schoolToday() {
  const zone = (ORG && ORG.timezone) || undefined;
  return new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

function addDays(iso, n) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

// -- the API ----------------------------------------------------------------------------------------
async function api(path, options = {}) {
  const isForm = options.body instanceof FormData;
  // Accept-Language: the server says its errors in the language this page shows.
  const headers = { ...(isForm ? {} : { "Content-Type": "application/json" }), "Accept-Language": LANG, "X-CSRF-Token": CSRF, ...(options.headers || {}) };
  const response = await fetch(API + path, { credentials: "same-origin", ...options, headers });
  if (response.status === 401) { location.href = "/app/login"; throw new Error("not logged in"); }
  return response;
}

async function json(path, options) {
  const response = await api(path, options);
  if (response.status === 204) return {};
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((body.error && body.error.message) || body.detail || response.statusText);
    error.status = response.status; error.body = body;
    throw error;
  }
  return body;
}

const send = (path, method, body) => json(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });

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

// -- the header -------------------------------------------------------------------------------------
// Pages and who sees them: the office (admins, staff) every page; a teacher no school money, only their own
// pay, and no settings. The name is the English fallback when i18n.js has no "nav.<page>" for it.
const EVERYONE = ["admin", "staff", "teacher"], OFFICE = ["admin", "staff"], ADMIN = ["admin"];
const PAGES = [["chat", "Chat", EVERYONE], ["today", "Today", EVERYONE], ["students", "Students", EVERYONE], ["groups", "Groups", EVERYONE], ["schedule", "Schedule", OFFICE], ["payments", "Payments", OFFICE], ["payouts", "Payouts", EVERYONE], ["settings", "Settings", ADMIN], ["dashboard", "Dashboard", EVERYONE], ["reports", "Reports", EVERYONE]];
let ROLE = "teacher";

const pageName = (page, fallback) => (STRINGS[LANG][`nav.${page}`] || STRINGS.en[`nav.${page}`] || fallback);

// The header: navigation, the organization switcher, the language switch, log out. Returns who is logged in.
async function start(here) {
  const me = await json("/auth/me");
  CSRF = me.csrf_token || CSRF;
  if (LANGUAGES.includes(me.language)) {  // the account decides, not the browser
    LANG = me.language;
    document.documentElement.lang = LANG;
    localStorage.setItem(LANG_KEY, LANG);
  }
  const active = me.memberships.find(m => m.organization_id === me.active_organization_id);
  ROLE = active ? active.role : "teacher";
  ORG = active ? await json("/org").catch(() => null) : null;
  const header = document.querySelector("header");
  const nav = PAGES.filter(([, , roles]) => roles.includes(ROLE))
    .map(([page, name]) => `<a href="/app/${page}" class="${page === here ? "here" : ""}">${escapeHtml(pageName(page, name))}</a>`).join("");
  const orgs = me.memberships.map(m => `<option value="${m.organization_id}" ${m.organization_id === me.active_organization_id ? "selected" : ""}>${escapeHtml(m.name)}</option>`).join("");
  const langs = LANGUAGES.map(l => `<option value="${l}" ${l === LANG ? "selected" : ""}>${l.toUpperCase()}</option>`).join("");
  header.innerHTML = `<span class="brand">Cadence</span><nav>${nav}</nav>
    <span class="right"><select id="org" aria-label="${escapeHtml(t("header.organization"))}">${orgs}</select>
    <select id="lang" aria-label="${escapeHtml(t("header.language"))}">${langs}</select>
    <button id="logout">${escapeHtml(t("header.logout"))}</button></span>`;
  header.querySelector("#org").addEventListener("change", async event => {
    await send("/orgs/switch", "POST", { organization_id: event.target.value });
    location.reload();
  });
  header.querySelector("#lang").addEventListener("change", async event => {
    await send("/auth/me", "PATCH", { language: event.target.value });  // kept on the account, any device
    localStorage.setItem(LANG_KEY, event.target.value);
    location.reload();
  });
  header.querySelector("#logout").addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" });
    location.href = "/app/login";
  });
  translate();
  return me;
}

const isOffice = () => OFFICE.includes(ROLE);

// rows → a table; columns are [title, cell(row) → html, class]. An empty list says so.
function table(rows, columns) {
  if (!rows.length) return `<p class="muted">${escapeHtml(t("common.nothing"))}</p>`;
  const head = columns.map(([title, , cls]) => `<th class="${cls || ""}">${title}</th>`).join("");
  const body = rows.map(row => `<tr>${columns.map(([, cell, cls]) => `<td class="${cls || ""}">${cell(row)}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

// "CSV" and "Excel" download links for a list or report: the very API address and query the page read its
// rows from (its filters, period, sort and window), plus format= and the page's language for the headers.
// Plain same-origin links (the session cookie authenticates a GET; no script, so the CSP stays as it is).
// exportLinksHtml for a table drawn in a template; exportLinks(place, …) fills a placeholder, put again after
// each load so the links follow the filters. Only where the reader's role may read that list.
function exportLinks(place, apiPath) {
  if (!place) return;
  place.classList.add("exports");
  place.innerHTML = exportLinksHtml(apiPath);
}

function exportLinksHtml(apiPath) {
  const [path, search = ""] = apiPath.split("?");
  const link = format => {
    const params = new URLSearchParams(search);
    params.set("format", format);
    params.set("lang", LANG);
    return `<a class="export" data-format="${format}" href="${escapeHtml(`${API}${path}?${params}`)}" download>${escapeHtml(t(`export.${format}`))}</a>`;
  };
  return `<span class="muted">${escapeHtml(t("export.download"))}</span> ${link("csv")} ${link("xlsx")}`;
}

function showError(place, error) {
  place.innerHTML = `<p class="error" role="alert">${escapeHtml(error.message || error)}</p>`;
}

// A form's fields as an object; empty strings left out (so PATCH changes only what was filled).
function formData(form, { keepEmpty = false } = {}) {
  const out = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value === "string" && value.trim() === "" && !keepEmpty) continue;
    out[name] = typeof value === "string" ? value.trim() : value;
  }
  return out;
}

// A status line (role="status" in the page, so screen readers hear it); an error shows as one.
function say(place, text, kind = "ok") {
  place.textContent = text;
  place.classList.toggle("error", kind === "error");
}
