/**
 * What deleting a pet does to its appointments (decision D2, the same rule the worker and the
 * server apply): upcoming ones (start ≥ now, not deleted, not cancelled, completed or no-show)
 * are cancelled with it; past visits stay as history. More than MAX_CASCADE upcoming appointments
 * are refused (bounded work). Pure, so the confirmation can name them before anything happens.
 */
import type { LocalAppointment } from '../api/entities.ts';
import type { AppointmentStatus } from '../protocol/index.ts';

const FINISHED: readonly AppointmentStatus[] = ['cancelled', 'completed', 'no_show'];
export const MAX_CASCADE = 500;

export function upcomingAppointments(appointments: readonly LocalAppointment[], now: number): LocalAppointment[] {
  return appointments
    .filter((a) => !a.deletedAt && !FINISHED.includes(a.status) && Date.parse(a.date) >= now)
    .sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
}
