/** Connection quality from what the browser reports and what we measured (pure). */

export type ConnectionQuality = 'excellent' | 'good' | 'poor' | 'offline';

/** The part of the Network Information API we read (Chromium only; absent in Safari and Firefox). */
export interface NetworkInformationLike extends EventTarget {
  effectiveType?: string;
  rtt?: number;
  downlink?: number;
  saveData?: boolean;
}

export interface QualityInputs {
  online: boolean;
  /** Our own measured round trip to /api/health (ms), null when not measured yet. */
  measuredRttMs: number | null;
  effectiveType?: string | undefined;
  downlinkMbps?: number | undefined;
}

const RANK: Record<Exclude<ConnectionQuality, 'offline'>, number> = { poor: 0, good: 1, excellent: 2 };

function fromRtt(rtt: number): Exclude<ConnectionQuality, 'offline'> {
  if (rtt <= 150) return 'excellent';
  if (rtt <= 600) return 'good';
  return 'poor';
}

function fromEffectiveType(type: string): Exclude<ConnectionQuality, 'offline'> | null {
  switch (type) {
    case '4g':
      return 'excellent';
    case '3g':
      return 'good';
    case '2g':
    case 'slow-2g':
      return 'poor';
    default:
      return null;
  }
}

/** The worst of the signals we have; 'good' when we have none (online, nothing measured yet). */
export function assessQuality(inputs: QualityInputs): ConnectionQuality {
  if (!inputs.online) return 'offline';
  const signals: Exclude<ConnectionQuality, 'offline'>[] = [];
  if (inputs.measuredRttMs !== null) signals.push(fromRtt(inputs.measuredRttMs));
  if (inputs.effectiveType) {
    const q = fromEffectiveType(inputs.effectiveType);
    if (q) signals.push(q);
  }
  if (inputs.downlinkMbps !== undefined && inputs.downlinkMbps > 0 && inputs.downlinkMbps < 0.5) signals.push('poor');
  if (signals.length === 0) return 'good';
  return signals.reduce((worst, q) => (RANK[q] < RANK[worst] ? q : worst));
}
