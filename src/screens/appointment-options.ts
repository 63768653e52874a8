/**
 * Choices offered by the appointment form. The appointment types and their labels are the
 * protocol's (src/protocol/appointment-types.ts), shared with the worker and the server.
 */
import { APPOINTMENT_TYPES, APPOINTMENT_TYPE_LABEL } from '../protocol/index.ts';

export { STATUS_LABEL } from '../components/labels.ts';

export const DURATIONS = [10, 15, 20, 30, 45, 60, 90, 120] as const;

export interface Option {
  value: string;
  label: string;
}

/** The canonical types; a stored value outside the set (older data) stays choosable as written. */
export function typeOptions(current: string): Option[] {
  const options: Option[] = APPOINTMENT_TYPES.map((t) => ({ value: t, label: APPOINTMENT_TYPE_LABEL[t] }));
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: current });
  return options;
}

export function durationOptions(current: string): Option[] {
  const options: Option[] = DURATIONS.map((d) => ({ value: String(d), label: `${d} min` }));
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: `${current} min` });
  return options;
}
