/**
 * Direction icons drawn inline (no icon font to load). "Back" points to where the reader came
 * from: left in left-to-right text, right in right-to-left text (`.flip-rtl` in controls.ts), so
 * the same markup serves both.
 */
import { svg } from 'lit';

export type Direction = 'back' | 'forward';

export function chevron(direction: Direction) {
  const points = direction === 'back' ? '15 5 8 12 15 19' : '9 5 16 12 9 19';
  return svg`<svg class="icon flip-rtl" data-icon=${`chevron-${direction}`} viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
    <polyline points=${points} fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"></polyline>
  </svg>`;
}
