// A school's public registration form (/join/<slug>), in the school's language. What the server refuses is
// named field by field, in the page's words; nothing is stored unless it is accepted.
const SLUG = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const FORMS = `/api/v1/public/orgs/${encodeURIComponent(SLUG)}`;
let SCHOOL = null;
let LAST = null;

const form = document.querySelector("#join"), state = document.querySelector("#state");

function tell(key, vars = {}, kind = "error") {
  LAST = [key, vars, kind];
  show(state, say(key, vars), kind);
}

function fieldName(field) {
  const key = `join.${field}`;
  return (say(key) === key ? field : say(key)).replace(/\s*\*$/, "");
}

function draw() {
  document.querySelector("#title").textContent = SCHOOL ? say("join.title", { school: SCHOOL.organization }) : "";
  document.title = SCHOOL ? say("join.title", { school: SCHOOL.organization }) : "Cadence";
  if (LAST && LAST[0] === "join.check") LAST[1].fields = LAST[1].names.map(fieldName).join(", ");
  if (LAST) tell(...LAST);
}

function mark(names) {
  form.querySelectorAll("input, textarea").forEach(el => el.toggleAttribute("aria-invalid", names.includes(el.name)));
}

form.addEventListener("submit", async event => {
  event.preventDefault();
  const body = {};
  for (const [name, value] of new FormData(form).entries()) if (String(value).trim()) body[name] = String(value).trim();
  const missing = ["full_name"].filter(name => !body[name]);
  if (missing.length) { mark(missing); return tell("join.check", { names: missing, fields: missing.map(fieldName).join(", ") }); }
  if (!body.email && !body.phone && !body.guardian_email && !body.guardian_phone) {
    mark(["email", "phone"]);
    return tell("join.contact_needed");
  }
  const button = form.querySelector("button");
  button.disabled = true;
  tell("sending", {}, "info");
  try {
    const response = await fetch(`${FORMS}/registrations`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (response.ok) {
      form.hidden = true;
      mark([]);
      return tell("join.done", { school: SCHOOL.organization }, "ok");
    }
    const error = (await readJson(response)).error || {};
    if (response.status === 429) return tell("join.too_many");
    if (response.status === 404) return tell("join.no_form");
    const details = Array.isArray(error.details) ? error.details : error.details ? [error.details] : [];
    const names = [...new Set(details.map(d => String(d.field || "").split(".").pop()).filter(Boolean))];
    if (names.length) { mark(names); return tell("join.check", { names, fields: names.map(fieldName).join(", ") }); }
    tell("join.failed");
  } catch (problem) {
    tell("join.failed");
  } finally {
    button.disabled = false;
  }
});

(async () => {
  languageSwitch(draw);
  const response = await fetch(`${FORMS}/registration-form`);
  if (!response.ok) {
    useLanguage((navigator.language || "en").slice(0, 2));  // no school at this address: the visitor's own
    return tell("join.no_form");
  }
  SCHOOL = await response.json();
  useLanguage(SCHOOL.language);
  form.hidden = false;
  draw();
})();
