"""What the bot itself says (its commands, buttons and the roll), in English and Spanish. The copilot's
and the tools' answers have their own language files (``tools/answers``); these are the bot's words.

The language is the person's: their own choice (``users.language``), else their Telegram app's
(``language_code``), else their school's locale (``language_of``).
"""

from __future__ import annotations

from datetime import date, time

from babel.dates import format_date

ENGLISH, SPANISH = "en", "es"
LANGUAGES = (ENGLISH, SPANISH)

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "cmd.today": "Your classes today",
        "cmd.roll": "Take the roll of a class today",
        "cmd.unpaid": "Who hasn't paid this month (office only)",
        "cmd.org": "Choose the organization I act in",
        "cmd.help": "What I can do",
        "cmd.sick": "I can't teach on a day (a sick day)",
        "cmd.cover": "Classes to cover for a teacher who is off (office)",
        "cmd.language": "Speak English or Spanish with me",
        "org.which": "Which organization?",
        "org.none": "You are not in any organization yet.",
        "org.now": "Now working in {name}.",
        "org.none_yet": "no organization yet",
        "bot.bad_button": "That button is not valid.",
        "file.too_large": "That file is larger than {mb} MB.",
        "file.caption": 'Say whose transfer it is in the caption, e.g. "this is Ana García\'s transfer".',
        "roll.too_many": "This class has more than {limit} students: take its roll in Cadence's web app.",
        "lang.which": "Which language shall I speak with you?",
        "lang.auto": "🌐 Automatic (Telegram's, else the school's)",
        "lang.set": "From now on I speak English with you.",
        "lang.unset": "I speak your Telegram app's language with you, else your school's.",
        "lang.unknown": "I speak English (/language en) or Spanish (/language es).",
        "sick.which_day": "Which day can't you teach? The office is told once you confirm.",
        "sick.no_classes": "You have no class in the next {days} days.",
        "cover.none": "No class is waiting for a substitute or a cancellation.",
        "cover.class": "{teacher} is off: {what}.",
        "cover.substitute": "🔁 Assign a substitute",
        "cover.cancel": "✖ Cancel the class",
        "cover.who": "Who teaches {what}?",
        "cash.usage": "Say who and how much, e.g. /cash Ana García 45",
        "roll.none_today": "You have no class to take the roll of today.",
        "roll.which": "Which class?",
        "roll.head": "Roll of {name}, {when}: {summary}.\nTap a name to change it: present → absent → late → "
        "excused → present. Then Save.",
        "roll.empty": "Nobody is enrolled in {name} on {when}: there is no roll to take.",
        "roll.save": "💾 Save",
        "roll.page": "Page {page}/{pages}",
        "roll.stale": "This roll is out of date (the class list changed); here it is again.",
        "roll.not_yours": "That button is not for you.",
        "roll.preview": "Save the roll of {name}, {when}: {summary}.",
        "roll.changes": "It changes marks already recorded:",
        "roll.no_changes": "Nothing to change: the marks are already as shown.",
        "roll.confirm": "Confirm to apply.",
        "roll.take": "📋 Roll: {what}",
        "button.confirm": "Confirm",
        "button.cancel": "Cancel",
        "status.present": "present",
        "status.absent": "absent",
        "status.late": "late",
        "status.excused": "excused",
        "status.unmarked": "not marked",
        "class.one_off": "a class",
        "bot.help": "I'm Cadence, your school's assistant.\n\n"
        "/today — your classes today\n"
        "/roll — take the roll of a class today, in a few taps\n"
        "/sick — you can't teach on a day: the office is told\n"
        "/cash — cash a student gave you in class, e.g. /cash Ana García 45\n"
        "/cover — classes of a teacher who is off: a substitute or a cancellation (office only)\n"
        "/unpaid — who hasn't paid this month (office only)\n"
        "/org — choose the organization I act in\n"
        "/language — speak English or Spanish with me\n"
        "/help — this message\n\n"
        'Send a photo or PDF of a bank transfer with a caption like "this is Ana García\'s transfer" '
        "to attach it as her receipt (office only).\n\n"
        'Or just write: "who\'s in salsa beginners?", "mark tuesday\'s class, everyone except Ana". '
        "Anything that changes data waits for your Confirm.",
        "bot.not_linked": "Hello! This bot works for people of schools that use Cadence. "
        "To connect your account, open Cadence, "
        'choose "Connect Telegram", and send me the code it shows: /start CODE',
        "bot.choose_org": "You work with several organizations; choose one with /org first.",
        "bot.private_only": "I only talk in private chats: message me directly.",
        "bot.sorry": "Sorry, something went wrong on my side; nothing was changed. "
        "Please try again in a moment.",
        "bot.connected": "Connected. You work with: {names}.",
        "bot.confirmed": "Confirmed",
        "bot.cancelled": "Cancelled",
    },
    "es": {
        "cmd.today": "Tus clases de hoy",
        "cmd.roll": "Pasar lista de una clase de hoy",
        "cmd.unpaid": "Quién no ha pagado este mes (solo oficina)",
        "cmd.org": "Elegir la organización en la que actúo",
        "cmd.help": "Qué puedo hacer",
        "cmd.sick": "No puedo dar clase un día (baja por enfermedad)",
        "cmd.cover": "Clases por cubrir de un profesor de baja (oficina)",
        "cmd.language": "Hablar conmigo en inglés o en español",
        "org.which": "¿Qué organización?",
        "org.none": "Todavía no estás en ninguna organización.",
        "org.now": "Ahora trabajas en {name}.",
        "org.none_yet": "ninguna organización todavía",
        "bot.bad_button": "Ese botón no es válido.",
        "file.too_large": "Ese archivo ocupa más de {mb} MB.",
        "file.caption": "Di de quién es la transferencia en el texto, "
        'p. ej. "es la transferencia de Ana García".',
        "roll.too_many": "Esta clase tiene más de {limit} alumnos: pasa lista en la web de Cadence.",
        "lang.which": "¿En qué idioma quieres que te hable?",
        "lang.auto": "🌐 Automático (el de Telegram o, si no, el de la escuela)",
        "lang.set": "A partir de ahora te hablo en español.",
        "lang.unset": "Te hablo en el idioma de tu Telegram o, si no, en el de tu escuela.",
        "lang.unknown": "Hablo inglés (/idioma en) o español (/idioma es).",
        "sick.which_day": "¿Qué día no puedes dar clase? La oficina se entera cuando confirmes.",
        "sick.no_classes": "No tienes clases en los próximos {days} días.",
        "cover.none": "Ninguna clase espera sustituto o cancelación.",
        "cover.class": "{teacher} está de baja: {what}.",
        "cover.substitute": "🔁 Asignar sustituto",
        "cover.cancel": "✖ Cancelar la clase",
        "cover.who": "¿Quién da {what}?",
        "cash.usage": "Di quién y cuánto, por ejemplo /cash Ana García 45",
        "roll.none_today": "Hoy no tienes ninguna clase en la que pasar lista.",
        "roll.which": "¿Qué clase?",
        "roll.head": "Lista de {name}, {when}: {summary}.\nToca un nombre para cambiarlo: "
        "presente → ausente → tarde → justificado → presente. Después, Guardar.",
        "roll.empty": "Nadie está inscrito en {name} el {when}: no hay lista que pasar.",
        "roll.save": "💾 Guardar",
        "roll.page": "Página {page}/{pages}",
        "roll.stale": "Esta lista está desactualizada (cambió quién está en la clase); "
        "aquí la tienes de nuevo.",
        "roll.not_yours": "Ese botón no es para ti.",
        "roll.preview": "Guardar la lista de {name}, {when}: {summary}.",
        "roll.changes": "Cambia marcas ya registradas:",
        "roll.no_changes": "Nada que cambiar: las marcas ya son las que se ven.",
        "roll.confirm": "Confirma para aplicarlo.",
        "roll.take": "📋 Lista: {what}",
        "button.confirm": "Confirmar",
        "button.cancel": "Cancelar",
        "status.present": "presente",
        "status.absent": "ausente",
        "status.late": "tarde",
        "status.excused": "justificado",
        "status.unmarked": "sin marcar",
        "class.one_off": "una clase",
        "bot.help": "Soy Cadence, el asistente de tu escuela.\n\n"
        "/today — tus clases de hoy\n"
        "/roll — pasar lista de una clase de hoy, en unos toques\n"
        "/sick — no puedes dar clase un día: se avisa a la oficina\n"
        "/cash — efectivo que te dio un alumno en clase, p. ej. /cash Ana García 45\n"
        "/cover — clases de un profesor de baja: sustituto o cancelación (solo oficina)\n"
        "/unpaid — quién no ha pagado este mes (solo oficina)\n"
        "/org — elegir la organización en la que actúo\n"
        "/idioma — hablar conmigo en inglés o en español\n"
        "/help — este mensaje\n\n"
        'Envía una foto o un PDF de una transferencia con un texto como "es la transferencia de Ana García" '
        "para adjuntarla como su justificante (solo oficina).\n\n"
        'O escribe sin más: "¿quién está en salsa iniciación?", "pasa lista del martes, todos menos Ana". '
        "Todo lo que cambia datos espera a que confirmes.",
        "bot.not_linked": "¡Hola! Este bot es para la gente de escuelas que usan Cadence. "
        "Para conectar tu cuenta, abre Cadence, "
        'elige "Conectar Telegram" y envíame el código que te muestra: /start CÓDIGO',
        "bot.choose_org": "Trabajas con varias organizaciones; elige una primero con /org.",
        "bot.private_only": "Solo hablo en chats privados: escríbeme directamente.",
        "bot.sorry": "Lo siento, algo falló por mi parte; no se cambió nada. "
        "Inténtalo de nuevo en un momento.",
        "bot.connected": "Conectado. Trabajas con: {names}.",
        "bot.confirmed": "Confirmado",
        "bot.cancelled": "Cancelado",
    },
}


def language_of(
    telegram_language: str | None, school_locale: str | None = None, *, chosen: str | None = None
) -> str:
    """English or Spanish, in this order: the person's own choice (``users.language``, set with
    /language or in the web app), their Telegram app's language, their school's locale."""
    for candidate in (chosen, telegram_language, school_locale):
        code = (candidate or "").replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return ENGLISH


def speaks(telegram_language: str | None, chosen: str | None) -> str | None:
    """The language when the person's choice or their Telegram app decides it; None when only the
    school's locale can (the caller reads it then, and only then)."""
    if chosen in LANGUAGES or (telegram_language or "").replace("_", "-").split("-")[0].lower() in LANGUAGES:
        return language_of(telegram_language, chosen=chosen)
    return None


# Spanish has plural adjectives: "2 presentes, 1 ausente" (English's stay as they are).
_PLURAL_ES = {"presente": "presentes", "ausente": "ausentes", "justificado": "justificados"}

# The domain's refusals a person meets in the bot's own flows (linking, the roll, a sick day, covering),
# in Spanish; any other is shown as the domain says it.
_ERRORS_ES = {
    "That code is not valid any more; get a new one in Cadence.": "Ese código ya no vale; pide uno nuevo "
    "en Cadence.",
    "This Telegram account is already linked to another Cadence user.": "Esta cuenta de Telegram ya está "
    "conectada a otro usuario de Cadence.",
    "You are not a member of that organization.": "No eres miembro de esa organización.",
    "Only a teacher reports their own sick day; the office covers classes instead.": "Solo un profesor "
    "avisa de su propia baja; la oficina, en cambio, cubre las clases.",
    "A sick day is reported for today or a day to come.": "Una baja se avisa para hoy o un día que venga.",
    "This class was cancelled; it has no roll.": "Esta clase se canceló; no tiene lista.",
    "Only admin, staff can see the classes to cover.": "Solo la oficina puede ver las clases por cubrir.",
}


def counted(language: str, count: int, status: str) -> str:
    """ "2 present" / "2 presentes": a count of one mark, in the roll's line of totals."""
    word = say(language, f"status.{status}")
    return f"{count} {_PLURAL_ES.get(word, word) if language == SPANISH and count != 1 else word}"


def refusal(language: str, message: str) -> str:
    """A domain error's message as the person reads it (see ``_ERRORS_ES``)."""
    return _ERRORS_ES.get(message, message) if language == SPANISH else message


def say(language: str, key: str, **values: object) -> str:
    text = _TEXTS.get(language, _TEXTS[ENGLISH]).get(key) or _TEXTS[ENGLISH][key]
    return text.format(**values) if values else text


def when(language: str, day: date, start: time | None) -> str:
    """'Tue 1 Dec 18:00' / 'mar 1 dic 18:00'."""
    said = format_date(day, "EEE d MMM", locale="es_ES" if language == SPANISH else "en_GB")
    return f"{said} {start.strftime('%H:%M')}" if start else said
