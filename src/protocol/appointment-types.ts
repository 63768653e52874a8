/**
 * The one set of appointment types, with the words people see. Stored values are snake_case like
 * the statuses (`checked_in`, `no_show`). Spellings seen in older data and forms (`follow-up`,
 * `Follow up`, `followup`) are accepted on input and stored in canonical form.
 */
import { z } from 'zod';

export const APPOINTMENT_TYPES = [
  'checkup',
  'vaccination',
  'consultation',
  'follow_up',
  'dental',
  'surgery',
  'grooming',
  'emergency',
] as const;
export type AppointmentType = (typeof APPOINTMENT_TYPES)[number];

export const APPOINTMENT_TYPE_LABEL: Record<AppointmentType, string> = {
  checkup: 'Checkup',
  vaccination: 'Vaccination',
  consultation: 'Consultation',
  follow_up: 'Follow-up',
  dental: 'Dental',
  surgery: 'Surgery',
  grooming: 'Grooming',
  emergency: 'Emergency',
};

/** Case, spaces and hyphens folded: `Follow-up`, `follow up`, `FOLLOW_UP` → `follow_up`. */
function folded(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const ALIASES: Record<string, AppointmentType> = { followup: 'follow_up', check_up: 'checkup', vaccine: 'vaccination' };

/** The canonical type for a known spelling, or null for a type outside the set. */
export function canonicalAppointmentType(value: string): AppointmentType | null {
  const key = folded(value);
  if ((APPOINTMENT_TYPES as readonly string[]).includes(key)) return key as AppointmentType;
  return ALIASES[key] ?? null;
}

/** Label for any stored value: known types by the table, anything else as written. */
export function appointmentTypeLabel(value: string): string {
  const canonical = canonicalAppointmentType(value);
  return canonical ? APPOINTMENT_TYPE_LABEL[canonical] : value;
}

/** What a client may write: one of the set (older spellings accepted), stored canonical. */
export const WritableAppointmentTypeSchema = z.string().transform((value, ctx) => {
  const canonical = canonicalAppointmentType(value);
  if (canonical) return canonical;
  ctx.addIssue({
    code: 'custom',
    message: `Type must be one of: ${APPOINTMENT_TYPES.map((t) => APPOINTMENT_TYPE_LABEL[t]).join(', ')}`,
  });
  return z.NEVER;
});

/**
 * What a stored or pulled record may hold: known spellings come out canonical; a value outside
 * the set (data older than the set) is kept as it is rather than refusing the whole record.
 */
export const StoredAppointmentTypeSchema = z
  .string()
  .min(1)
  .max(50)
  .transform((value) => canonicalAppointmentType(value) ?? value);
