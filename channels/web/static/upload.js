// A parent's upload link (/upload/<token>): the school's language, the limits checked before sending (the
// server checks them again and stores nothing it refuses), and a clear word for each refusal.
const TOKEN = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const RECEIPTS = `/api/v1/public/receipts/${encodeURIComponent(TOKEN)}`;
const EXTENSIONS = { "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "application/pdf": [".pdf"] };
let LINK = null;
let LAST = null;  // the last message shown, [key, vars, kind], redrawn when the language changes

const form = document.querySelector("#upload"), state = document.querySelector("#state");

function tell(key, vars = {}, kind = "error") {
  LAST = [key, vars, kind];
  show(state, say(key, vars), kind);
}

function draw() {
  document.title = `${say("upload.title")} · ${LINK ? LINK.organization : "Cadence"}`;
  if (LINK) {
    document.querySelector("#about").textContent = say("upload.for", { name: LINK.student_first_name, school: LINK.organization });
    document.querySelector("#rules").textContent = say("upload.rules", { size: megabytes(LINK.max_bytes) });
    document.querySelector("#until").textContent = say("upload.until", { date: longDate(LINK.expires_at) });
  }
  if (LAST) tell(LAST[0], { ...LAST[1], ...(LAST[1].bytes ? { size: megabytes(LAST[1].bytes) } : {}) }, LAST[2]);
}

function expired() {
  form.hidden = true;
  document.querySelector("#about").textContent = "";
  tell("upload.expired");
}

// The declared type, or the name's ending when the phone gives none; the server sniffs the bytes anyway.
function acceptable(file) {
  if (file.type) return LINK.accepted.includes(file.type);
  const name = file.name.toLowerCase();
  return LINK.accepted.some(type => (EXTENSIONS[type] || []).some(ending => name.endsWith(ending)));
}

form.addEventListener("submit", async event => {
  event.preventDefault();
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) return tell("upload.choose");
  if (file.size > LINK.max_bytes) return tell("upload.too_big", { bytes: LINK.max_bytes, size: megabytes(LINK.max_bytes) });
  if (!acceptable(file)) return tell("upload.wrong_type");
  const button = form.querySelector("button");
  button.disabled = true;
  tell("sending", {}, "info");
  try {
    const body = new FormData();
    body.append("file", file);
    const response = await fetch(RECEIPTS, { method: "POST", body });
    if (response.ok) {
      form.reset();
      return tell("upload.done", { school: LINK.organization }, "ok");
    }
    const error = (await readJson(response)).error || {};
    const details = error.details || {};
    if (response.status === 401) return expired();
    if (response.status === 413 || /larger/.test(error.message || "")) {
      return tell("upload.too_big", { bytes: LINK.max_bytes, size: megabytes(LINK.max_bytes) });
    }
    if (details.type) return tell("upload.wrong_type");
    if (/damaged|complete PDF|too large to be/.test(error.message || "")) return tell("upload.damaged");
    tell("upload.refused", { message: error.message || response.statusText });
  } catch (problem) {
    tell("upload.failed");
  } finally {
    button.disabled = false;
  }
});

(async () => {
  languageSwitch(draw);
  const response = await fetch(`${RECEIPTS}/page`);
  if (!response.ok) {
    useLanguage((navigator.language || "en").slice(0, 2));  // no school known: the visitor's own
    return expired();
  }
  LINK = await response.json();
  useLanguage(LINK.language);
  form.hidden = false;
  draw();
})();
