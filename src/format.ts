/**
 * Date and value formatting for the screens. Appointments are stored in UTC; staff think in the
 * practice's local day, so every conversion between the two lives here.
 */

/** `YYYY-MM-DD` of a moment in local time. */
export function localDateKey(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** `HH:MM` of a moment in local time (what `<input type=time>` takes). */
export function localTimeKey(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export function isDateKey(value: string | null | undefined): value is string {
  // Round-trip, so 2026-13-45 (which Date would roll over) is refused.
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && localDateKey(parseDateKey(value)) === value;
}

/** Local midnight of a `YYYY-MM-DD`. */
export function parseDateKey(key: string): Date {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(y ?? NaN, (m ?? NaN) - 1, d ?? NaN);
}

export function addDays(key: string, days: number): string {
  const date = parseDateKey(key);
  date.setDate(date.getDate() + days);
  return localDateKey(date);
}

/** The local day as an inclusive ISO range (UTC instants) for `GET /api/appointments?from&to`. */
export function dayRange(key: string): { from: string; to: string } {
  const start = parseDateKey(key);
  const end = parseDateKey(addDays(key, 1));
  end.setMilliseconds(end.getMilliseconds() - 1);
  return { from: start.toISOString(), to: end.toISOString() };
}

/** A local date and time from the form as a UTC ISO instant. */
export function toIsoInstant(dateKey: string, time: string): string {
  const [h, min] = time.split(':').map(Number);
  const date = parseDateKey(dateKey);
  date.setHours(h ?? 0, min ?? 0, 0, 0);
  return date.toISOString();
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const longDateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string): string {
  return timeFormat.format(new Date(iso));
}

const timeWithSecondsFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
export function formatTimeWithSeconds(ms: number): string {
  return timeWithSecondsFormat.format(new Date(ms));
}

/** "11:00–11:20": an appointment's start and end (a duration in minutes, as text or number). */
export function formatTimeRange(startIso: string, durationMinutes: string | number): string {
  const start = Date.parse(startIso);
  const end = new Date(start + Number(durationMinutes) * 60_000).toISOString();
  return `${formatTime(startIso)}–${formatTime(end)}`;
}

const shortDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
/** "Tue 24 Nov" (locale order) of an instant, in local time. */
export function formatShortDay(value: number | string): string {
  return shortDayFormat.format(new Date(value));
}

export function formatLongDate(key: string): string {
  return longDateFormat.format(parseDateKey(key));
}

const calendarDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
/** "Mar 1, 2024" (locale order) of a `YYYY-MM-DD`: a birth date, where the weekday says nothing. */
export function formatCalendarDate(key: string): string {
  return calendarDateFormat.format(parseDateKey(key));
}

export function formatDateTime(value: number | string): string {
  return dateTimeFormat.format(new Date(value));
}

/** "12 s ago", "3 min ago", or a date: for "last synced". */
export function formatRelative(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return formatDateTime(then);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A field value for people: dates readable, empty as a dash, objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return ISO_INSTANT.test(value) ? formatDateTime(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `durationMinutes` → "30 min", "1 h 30 min". */
export function formatDuration(minutes: string | number): string {
  const total = Number(minutes);
  if (!Number.isFinite(total) || total <= 0) return '—';
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Field names as labels: `durationMinutes` → "Duration minutes", `petId` → "Pet". */
export function fieldLabel(field: string): string {
  const known: Record<string, string> = {
    petId: 'Pet',
    practitionerId: 'Practitioner',
    clientId: 'Client',
    ownerId: 'Owner',
    durationMinutes: 'Duration (minutes)',
    birthDate: 'Birth date',
    date: 'Date and time',
    overlapAllowed: 'Double-booked on purpose',
  };
  const label = known[field];
  if (label) return label;
  const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
