// The public pages (a parent's upload link, a school's registration form): no login, no app.js. Their words
// in English and Spanish; the language is the school's (the page's API says which), and the switch on the
// page changes it for this visit. Amounts of bytes and dates are written the language's way.
const PUBLIC_WORDS = {
  en: {
    "language": "Language", "loading": "Loading…", "send": "Send", "sending": "Sending…",
    "upload.title": "Upload a transfer receipt", "upload.for": "For {name} at {school}.",
    "upload.rules": "A photo or scan of the bank transfer: JPEG, PNG or PDF, up to {size}.",
    "upload.file": "Receipt file", "upload.until": "This link works until {date}.",
    "upload.done": "Thank you! {school} has your receipt and will check it.",
    "upload.another": "You can send another one if you need to.",
    "upload.expired": "This link is not valid any more (it expired or was replaced). Ask the school for a new one.",
    "upload.choose": "Choose a file first.", "upload.too_big": "That file is too large: the limit is {size}.",
    "upload.wrong_type": "That kind of file is not accepted: send a JPEG, PNG or PDF.",
    "upload.damaged": "That file could not be read: take the photo or scan again and send it.",
    "upload.refused": "That file was not accepted: {message}", "upload.failed": "That did not work: please try again.",
    "join.title": "Join {school}", "join.intro": "Fill in this form and the school will contact you. Fields with * are needed.",
    "join.full_name": "Student's full name *", "join.email": "Email", "join.phone": "Phone",
    "join.date_of_birth": "Date of birth", "join.child": "For a child: the parent or guardian",
    "join.guardian_name": "Guardian's name", "join.guardian_email": "Guardian's email",
    "join.guardian_phone": "Guardian's phone", "join.message": "Anything the school should know (classes, level…)",
    "join.contact_needed": "Give an email or a phone number so the school can answer.",
    "join.done": "Thank you! {school} has your request and will contact you soon.",
    "join.no_form": "There is no registration form at this address. Check the link the school gave you.",
    "join.too_many": "Too many requests from this connection: please try again in an hour.",
    "join.check": "Please check: {fields}.", "join.failed": "That did not work: please try again.",
  },
  es: {
    "language": "Idioma", "loading": "Cargando…", "send": "Enviar", "sending": "Enviando…",
    "upload.title": "Subir el justificante de la transferencia", "upload.for": "Para {name} en {school}.",
    "upload.rules": "Una foto o un escaneo de la transferencia: JPEG, PNG o PDF, de hasta {size}.",
    "upload.file": "Archivo del justificante", "upload.until": "Este enlace funciona hasta el {date}.",
    "upload.done": "¡Gracias! {school} ha recibido el justificante y lo revisará.",
    "upload.another": "Si hace falta, puedes enviar otro.",
    "upload.expired": "Este enlace ya no es válido (ha caducado o se ha sustituido). Pide uno nuevo a la escuela.",
    "upload.choose": "Elige primero un archivo.", "upload.too_big": "El archivo es demasiado grande: el límite es {size}.",
    "upload.wrong_type": "Ese tipo de archivo no se acepta: envía un JPEG, PNG o PDF.",
    "upload.damaged": "No se ha podido leer el archivo: vuelve a hacer la foto o el escaneo y envíalo.",
    "upload.refused": "No se ha aceptado el archivo: {message}", "upload.failed": "No ha funcionado: inténtalo de nuevo.",
    "join.title": "Inscribirse en {school}", "join.intro": "Rellena este formulario y la escuela se pondrá en contacto contigo. Los campos con * son obligatorios.",
    "join.full_name": "Nombre completo del alumno *", "join.email": "Correo electrónico", "join.phone": "Teléfono",
    "join.date_of_birth": "Fecha de nacimiento", "join.child": "Si es menor: madre, padre o tutor",
    "join.guardian_name": "Nombre del tutor", "join.guardian_email": "Correo del tutor",
    "join.guardian_phone": "Teléfono del tutor", "join.message": "Lo que la escuela deba saber (clases, nivel…)",
    "join.contact_needed": "Indica un correo o un teléfono para que la escuela pueda responder.",
    "join.done": "¡Gracias! {school} ha recibido tu solicitud y se pondrá en contacto contigo pronto.",
    "join.no_form": "No hay ningún formulario de inscripción en esta dirección. Revisa el enlace que te dio la escuela.",
    "join.too_many": "Demasiadas solicitudes desde esta conexión: inténtalo de nuevo dentro de una hora.",
    "join.check": "Revisa: {fields}.", "join.failed": "No ha funcionado: inténtalo de nuevo.",
  },
};
let PUBLIC_LANG = "en";

function say(key, vars = {}) {
  const text = (PUBLIC_WORDS[PUBLIC_LANG] || {})[key] ?? PUBLIC_WORDS.en[key] ?? key;
  return String(text).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
}

function useLanguage(lang) {
  PUBLIC_LANG = lang === "es" ? "es" : "en";
  document.documentElement.lang = PUBLIC_LANG;
  document.querySelectorAll("[data-w]").forEach(el => { el.textContent = say(el.dataset.w, el.dataset); });
  const chooser = document.querySelector("#lang");
  if (chooser) chooser.value = PUBLIC_LANG;
}

// The switch: this visit only (a family has no account to keep it on).
function languageSwitch(redraw) {
  const chooser = document.querySelector("#lang");
  chooser.setAttribute("aria-label", say("language"));
  chooser.addEventListener("change", () => { useLanguage(chooser.value); redraw(); });
}

function megabytes(bytes) {
  const number = new Intl.NumberFormat(PUBLIC_LANG === "es" ? "es-ES" : "en-GB", { maximumFractionDigits: 1 });
  return `${number.format(bytes / (1024 * 1024))} MB`;
}

function longDate(iso) {
  return new Intl.DateTimeFormat(PUBLIC_LANG === "es" ? "es-ES" : "en-GB", { dateStyle: "long" }).format(new Date(iso));
}

function show(place, text, kind) {
  place.textContent = text;
  place.className = kind === "error" ? "error" : kind === "ok" ? "ok" : "muted";
}

async function readJson(response) {
  return response.json().catch(() => ({}));
}
