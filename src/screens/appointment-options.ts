/**
 * Choices offered by the appointment form. The appointment types and their labels are the
 * protocol's (src/protocol/appointment-types.ts), shared with the worker and the server.
 */
import { formatDuration } from '../format.ts';
import { APPOINTMENT_TYPES, APPOINTMENT_TYPE_LABEL } from '../protocol/index.ts';

export { STATUS_LABEL } from '../components/labels.ts';

/**
 * Minutes offered for a booking: short consults up to a full day of surgery (the protocol accepts
 * 1 to 1,440). A stored duration outside the list stays choosable (see durationOptions).
 */
export const DURATIONS = [10, 15, 20, 30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 480] as const;

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

/** Labels as people say them ("45 min", "1 h 30 min", "5 h"); a stored value off the list keeps its place. */
export function durationOptions(current: string): Option[] {
  const options: Option[] = DURATIONS.map((d) => ({ value: String(d), label: formatDuration(d) }));
  if (current && !options.some((o) => o.value === current)) {
    const readable = formatDuration(current);
    const option = { value: current, label: readable === '—' ? current : readable };
    const after = options.findIndex((o) => Number(o.value) > Number(current));
    options.splice(after === -1 ? options.length : after, 0, option);
  }
  return options;
}
