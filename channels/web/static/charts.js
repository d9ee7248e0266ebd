// Charts of the report pages: the server builds each Vega-Lite spec (Altair), vega-embed draws it as SVG.
// The Vega bundle comes from Cadence itself (/charts/vega-<version>.js), never a CDN; `ast: true` makes
// Vega interpret expressions instead of compiling them with new Function, so the pages' CSP needs no eval.
// Words of the report pages (en, es); the language is the one app.js chose (LANG).
const REPORT_WORDS = {
  en: {
    "dashboard": "Dashboard", "reports": "Reports", "attendance": "Attendance", "revenue": "Revenue",
    "teachers": "Teachers", "groups": "Groups", "enrolment": "Enrolment", "from": "From", "to": "To",
    "by": "By", "every": "Every", "week": "week", "month": "month", "group": "group", "teacher": "teacher",
    "student": "student", "venue": "venue", "show": "Show", "revenue_month": "Revenue this month",
    "expected": "Expected", "collected": "Collected", "received": "Received", "outstanding": "Outstanding",
    "unpaid": "Unpaid this month", "students_owing": "{n} students owe {amount}", "trend": "Attendance, last 8 weeks",
    "at_risk": "Students at risk", "missing": "Classes with missing attendance", "today": "Today's classes",
    "none_today": "No classes today.", "marked": "{marked} of {expected} marked", "all": "see all",
    "name": "Name", "period": "Period", "marks": "Marks", "attended": "Came", "rate": "Rate", "hours": "Hours",
    "classes": "Classes", "substitutions": "Substitutions", "covered": "Covered by others", "fill": "Fill rate",
    "pay": "Pay", "per_hour": "Per hour", "enrolled": "Enrolled", "capacity": "Capacity", "joined": "Joined",
    "left": "Left", "churn": "Churn", "active": "Active", "new": "New", "lost": "Lost", "net": "Net",
    "by_group": "Per group", "by_method": "Per payment method", "by_age": "Outstanding by age",
    "method": "Method", "age": "Days overdue", "charges": "Charges", "amount": "Amount", "days": "{age} days",
    "office_only": "School money is for the office.", "col_month": "Month", "col_group": "Group",
    "col_teacher": "Teacher", "bank_transfer": "Bank transfer", "cash": "Cash", "other": "Other",
    "held": "held", "scheduled": "scheduled", "cancelled": "cancelled", "change": "Change over the period: {points} points",
  },
  es: {
    "dashboard": "Panel", "reports": "Informes", "attendance": "Asistencia", "revenue": "Ingresos",
    "teachers": "Profesores", "groups": "Grupos", "enrolment": "Matrícula", "from": "Desde", "to": "Hasta",
    "by": "Por", "every": "Cada", "week": "semana", "month": "mes", "group": "grupo", "teacher": "profesor",
    "student": "alumno", "venue": "sala", "show": "Mostrar", "revenue_month": "Ingresos de este mes",
    "expected": "Previsto", "collected": "Cobrado", "received": "Recibido", "outstanding": "Pendiente",
    "unpaid": "Sin pagar este mes", "students_owing": "{n} alumnos deben {amount}", "trend": "Asistencia, últimas 8 semanas",
    "at_risk": "Alumnos en riesgo", "missing": "Clases sin pasar lista", "today": "Clases de hoy",
    "none_today": "Hoy no hay clases.", "marked": "{marked} de {expected} marcados", "all": "ver todo",
    "name": "Nombre", "period": "Periodo", "marks": "Marcas", "attended": "Vinieron", "rate": "Asistencia", "hours": "Horas",
    "classes": "Clases", "substitutions": "Sustituciones", "covered": "Cubiertas por otros", "fill": "Ocupación",
    "pay": "Pago", "per_hour": "Por hora", "enrolled": "Inscritos", "capacity": "Aforo", "joined": "Altas",
    "left": "Bajas", "churn": "Abandono", "active": "Activos", "new": "Nuevos", "lost": "Perdidos", "net": "Neto",
    "by_group": "Por grupo", "by_method": "Por forma de pago", "by_age": "Pendiente por antigüedad",
    "method": "Forma de pago", "age": "Días de retraso", "charges": "Cargos", "amount": "Importe", "days": "{age} días",
    "office_only": "El dinero de la escuela es cosa de la oficina.", "col_month": "Mes", "col_group": "Grupo",
    "col_teacher": "Profesor", "bank_transfer": "Transferencia", "cash": "Efectivo", "other": "Otro",
    "held": "impartida", "scheduled": "programada", "cancelled": "cancelada", "change": "Cambio en el periodo: {points} puntos",
  },
};

// d3's Spanish number and date formats (as vl-convert's "es-ES" locale), for the axes of Spanish pages.
const ES_NUMBERS = { decimal: ",", thousands: ".", grouping: [3], currency: ["", "\u00a0€"] };
const ES_DATES = {
  dateTime: "%A, %e de %B de %Y, %X", date: "%d/%m/%Y", time: "%H:%M:%S", periods: ["AM", "PM"],
  days: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
  shortDays: ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
  months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
  shortMonths: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
};

function w(key, vars = {}) {
  const text = (REPORT_WORDS[typeof LANG === "string" ? LANG : "en"] || REPORT_WORDS.en)[key] ?? REPORT_WORDS.en[key] ?? key;
  return String(text).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
}

const percent = value => (value === null || value === undefined ? "" : `${Math.round(Number(value) * 100)}%`);

// Fetch a report's chart spec and draw it into `place`; returns the vega-embed result.
async function drawChart(place, report, query = "") {
  const spec = await json(`/reports/${report}/chart?language=${LANG === "es" ? "es" : "en"}${query ? "&" + query : ""}`);
  // As wide as its card (less the axis and legend), computed here: Vega's "container" width needs a sized
  // parent, and the embed element shrinks to its content.
  spec.width = Math.max(240, Math.min(900, place.clientWidth - (spec.encoding && spec.encoding.color ? 190 : 110)));
  const spanish = LANG === "es" ? { formatLocale: ES_NUMBERS, timeFormatLocale: ES_DATES } : {};
  return vegaEmbed(place, spec, { actions: false, renderer: "svg", ast: true, ...spanish });
}
