/** Choices offered by the appointment form. */
import type { AppointmentStatus } from '../protocol/index.ts';

export const APPOINTMENT_TYPES = [
  { value: 'checkup', label: 'Checkup' },
  { value: 'vaccination', label: 'Vaccination' },
  { value: 'consultation', label: 'Consultation' },
  { value: 'follow-up', label: 'Follow-up' },
  { value: 'dental', label: 'Dental' },
  { value: 'surgery', label: 'Surgery' },
  { value: 'grooming', label: 'Grooming' },
  { value: 'emergency', label: 'Emergency' },
] as const;

export const DURATIONS = [10, 15, 20, 30, 45, 60, 90, 120] as const;

export const STATUS_LABEL: Record<AppointmentStatus, string> = {
  scheduled: 'Scheduled',
  confirmed: 'Confirmed',
  checked_in: 'Checked in',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No show',
};

export function typeLabel(type: string): string {
  const known = APPOINTMENT_TYPES.find((t) => t.value === type);
  if (known) return known.label;
  return type.charAt(0).toUpperCase() + type.slice(1);
}
