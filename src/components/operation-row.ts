/**
 * One queued change as the Sync tab lists it: what (new / change / deletion, and the fields an
 * update touches), which record (its name and reference), when and by whom, its state, and for a
 * failed change the server's reason with Retry and Discard.
 */
import { html, nothing } from 'lit';
import { formatDateTime, formatRelative, plural } from '../format.ts';
import type { QueuedOperation } from '../protocol/index.ts';
import { confirmGroup } from './confirm.ts';
import {
  appointmentSlotText,
  changedFieldsText,
  describeOperation,
  failureText,
  queueStatusLabel,
  recordReference,
} from './labels.ts';
import { waitingText, type WaitNames } from './waiting-labels.ts';

export interface OperationNames extends WaitNames {
  /** The record's name when the operation does not carry it. */
  record(op: QueuedOperation): string | null;
  /** Who made the change. */
  person(userId: number | null): string | null;
  /** Its author, when that is someone other than the person signed in (the change waits for them). */
  waitsFor(userId: number | null): string | null;
  /** Whether the person signed in may retry or discard it (src/protocol/ownership.ts: its author only). */
  mayDecide(userId: number | null): boolean;
  now: number;
}

export interface OperationActions {
  busy: boolean;
  confirming: boolean;
  onRetry: () => void;
  onDiscard: () => void;
  onConfirmDiscard: () => void;
  onKeep: () => void;
}

export function operationRow(op: QueuedOperation, names: OperationNames, actions: OperationActions) {
  const fields = changedFieldsText(op);
  const slot = appointmentSlotText(op);
  const author = names.person(op.userId);
  const waitsFor = names.waitsFor(op.userId);
  const failed = op.status === 'failed';
  // Another person's failed change is theirs to retry or discard: shown as theirs, without the buttons.
  const theirs = failed && !names.mayDecide(op.userId) ? (waitsFor ?? 'the person who made it') : null;
  const failure = op.lastError ? failureText(op.lastError, op) : null;
  // This person's change that waits for another one first (a booking of a pet not sent yet).
  const waiting = op.status === 'pending' ? waitingText(op, names) : null;
  return html`
    <li class="${op.status} ${theirs ? 'theirs' : ''}" data-operation-id=${op.id}>
      <span class="what">
        <strong>${describeOperation(op, names.record(op))}</strong>
        ${slot ? html`<span class="detail" data-testid="slot">${slot}</span>` : nothing}
        ${fields ? html`<span class="detail">Changed: ${fields}</span>` : nothing}
        <span class="hint">
          <time datetime=${new Date(op.timestamp).toISOString()} title=${formatDateTime(op.timestamp)}
            >${formatRelative(op.timestamp, names.now)}</time
          >
          · by ${author ?? (op.userId === null ? 'unknown' : `user #${op.userId}`)} · reference
          ${recordReference(op.entityId)}
        </span>
        ${waitsFor && !failed ? html`<span class="detail">Sent when ${waitsFor} signs in on this tablet: changes go only under the name of the person who made them.</span>` : nothing}
        ${waiting ? html`<span class="detail" data-testid="waits-for">${waiting.detail}</span>` : nothing}
        ${
          failed
            ? html`<span class="detail"
                >${failure && op.lastError ? `${failure.message} (${op.lastError.code})` : 'Failed'}${failure?.hint ? html` <span class="hint">${failure.hint}</span>` : nothing}
                <span class="hint"> · ${plural(op.attempts, 'attempt')}</span></span
              >`
            : nothing
        }
      </span>
      <span class="actions">
        <span class="badge ${failed || op.status === 'conflict' ? 'conflict' : 'pending'}"
          >${waitsFor && op.status === 'pending' ? `Waiting for ${waitsFor} to sign in` : (waiting?.badge ?? queueStatusLabel(op.status))}</span
        >
        ${theirs ? theirsNote(theirs, 'retry or discard') : failed ? failedActions(actions) : nothing}
      </span>
    </li>
  `;
}

/**
 * In place of the buttons on another person's change: whose it is and who may decide (the worker
 * refuses anyone else, NOT_YOUR_CHANGE).
 */
export function theirsNote(author: string, verbs: string) {
  return html`<span class="theirs" data-testid="theirs-note"
    ><strong>Made by ${author}</strong>: waits for them to sign in. Only they may ${verbs} it.</span
  >`;
}

function failedActions(a: OperationActions) {
  if (a.confirming) {
    return confirmGroup({
      label: 'Confirm discarding this change',
      confirm: 'Confirm discard',
      keep: 'Keep',
      busy: a.busy,
      onConfirm: a.onConfirmDiscard,
      onKeep: a.onKeep,
    });
  }
  return html`<button ?disabled=${a.busy} @click=${a.onRetry}>Retry</button>
    <button class="danger" ?disabled=${a.busy} @click=${a.onDiscard}>Discard</button>`;
}
