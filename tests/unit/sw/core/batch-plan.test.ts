import { describe, expect, it } from 'vitest';
import { BatchPlanner, plannedHolds, pushBatchSize, type BatchOutcome } from '../../../../sw/core/batch-plan.ts';
import type { StoredOperation } from '../../../../sw/db/schema.ts';
import type { PushResult } from '../../../../src/protocol/index.ts';

type Answer = Pick<PushResult, 'success' | 'error'>;

/** The server's results for `rows`, in order. */
function answers(...entries: [StoredOperation, Answer][]): Pick<PushResult, 'opId' | 'success' | 'error'>[] {
  return entries.map(([row, answer]) => ({ opId: row.opId, ...answer }));
}
import { op } from './fixtures.ts';

/** Runs the planner like the queue does: deferred rows first, then fresh rows after the cursor. */
function pick(planner: BatchPlanner, queue: readonly StoredOperation[], size: number): StoredOperation[] {
  const batch = planner.begin(size);
  const byId = new Map(queue.map((row) => [row.id, row]));
  for (const id of planner.deferredIds()) batch.offerDeferred(id, byId.get(id));
  for (const row of queue.filter((r) => r.id > planner.cursor)) if (!batch.offerFresh(row)) break;
  return batch.rows();
}
const ids = (rows: readonly StoredOperation[]) => rows.map((r) => r.id);
/** The signed-in person is user 1. */
const mine = (row: StoredOperation) => row.userId === 1;

describe('BatchPlanner', () => {
  const all = (rows: readonly StoredOperation[], outcome: BatchOutcome) => new Map(rows.map((r) => [r.id, outcome]));

  it('keeps queue order, one row per record in flight; a later row of a record goes once the earlier one is acknowledged', () => {
    const a1 = op({ operation: 'create', entityId: 'temp_appt_x' });
    const b1 = op({ operation: 'update', entityId: 2 });
    const a2 = op({ operation: 'update', entityId: 'temp_appt_x' });
    const c1 = op({ operation: 'update', entityId: 3 });
    const queue = [a1, b1, a2, c1];
    const planner = new BatchPlanner(() => true);
    const first = pick(planner, queue, 2);
    expect(ids(first)).toEqual([a1.id, b1.id]);
    // While the first batch is in flight, a2 waits behind a1; c1 can go.
    const second = pick(planner, queue, 2);
    expect(ids(second)).toEqual([c1.id]);
    planner.settle(first, all(first, 'acknowledged'));
    expect(ids(pick(planner, queue, 2))).toEqual([a2.id]);
    expect(pick(planner, queue, 2)).toEqual([]);
  });

  it('holds the rows of a record behind a conflict or a rejection, and behind a row that failed in this run', () => {
    const blocked = op({ operation: 'update', entityId: 1, status: 'conflict' });
    const behindConflict = op({ operation: 'update', entityId: 1 });
    const rejected = op({ operation: 'update', entityId: 2, status: 'failed', retryable: false });
    const retryable = op({ operation: 'update', entityId: 3, status: 'failed', retryable: true });
    const behindRetryable = op({ operation: 'update', entityId: 3 });
    const free = op({ operation: 'update', entityId: 4 });
    const queue = [blocked, behindConflict, rejected, retryable, behindRetryable, free];
    const planner = new BatchPlanner(() => true);
    const first = pick(planner, queue, 10);
    expect(ids(first)).toEqual([retryable.id, free.id]);
    planner.settle(
      first,
      new Map([
        [retryable.id, 'pending'],
        [free.id, 'acknowledged'],
      ]),
    );
    // The retryable row failed again: the row behind it waits for the next run.
    expect(pick(planner, queue, 10)).toEqual([]);
  });

  it("offers each row once per run, and leaves other practices' work alone", () => {
    const mine = op({ operation: 'update', entityId: 5 });
    const theirs = op({ operation: 'update', entityId: 6, practiceId: 2 });
    const planner = new BatchPlanner((row) => row.practiceId === 1);
    const first = pick(planner, [mine, theirs], 10);
    expect(ids(first)).toEqual([mine.id]);
    planner.settle(first, all(first, 'pending'));
    expect(pick(planner, [mine, theirs], 10)).toEqual([]);
  });

  it("sends only the signed-in person's rows; another person's row holds the later rows of its record", () => {
    const theirs = op({ operation: 'update', entityId: 8, userId: 2 });
    const mineSameRecord = op({ operation: 'update', entityId: 8, userId: 1 });
    const mineElsewhere = op({ operation: 'update', entityId: 9, userId: 1 });
    const queue = [theirs, mineSameRecord, mineElsewhere];
    const planner = new BatchPlanner((row) => row.userId === 1);
    expect(ids(pick(planner, queue, 10))).toEqual([mineElsewhere.id]);
    // The other person's session sends theirs; mine of that record then waits for mine.
    const theirPlanner = new BatchPlanner((row) => row.userId === 2);
    expect(ids(pick(theirPlanner, queue, 10))).toEqual([theirs.id]);
  });

  it('forgets a deferred row that left the queue meanwhile', () => {
    const a1 = op({ operation: 'update', entityId: 8 });
    const a2 = op({ operation: 'update', entityId: 8 });
    const planner = new BatchPlanner(() => true);
    const first = pick(planner, [a1, a2], 1);
    expect(pick(planner, [a1, a2], 1)).toEqual([]);
    expect(planner.deferredIds()).toEqual([a2.id]);
    planner.settle(first, all(first, 'acknowledged'));
    expect(pick(planner, [a1], 1)).toEqual([]);
    expect(planner.deferredIds()).toEqual([]);
  });
});

const newPet = (partial: Partial<StoredOperation> = {}) =>
  op({
    operation: 'create',
    entityType: 'pets',
    entityId: 'temp_pet_biscuit',
    tempId: 'temp_pet_biscuit',
    data: { name: 'Biscuit', species: 'Dog', ownerId: 7 },
    ...partial,
  });
const newClient = (partial: Partial<StoredOperation> = {}) =>
  op({
    operation: 'create',
    entityType: 'users',
    entityId: 'temp_user_nora',
    tempId: 'temp_user_nora',
    data: { name: 'Nora', role: 'CLIENT' },
    ...partial,
  });
let bookings = 0;
const booking = (partial: Partial<StoredOperation> = {}) =>
  op({
    operation: 'create',
    entityId: `temp_appt_${++bookings}`,
    data: { title: 'Checkup — Biscuit', petId: 'temp_pet_biscuit', practitionerId: null },
    ...partial,
  });

describe('BatchPlanner: a row naming a new record waits for its create', () => {
  it("holds my booking for another person's new pet, and the later rows of the booking; my other work goes", () => {
    const pet = newPet({ userId: 2 });
    const book = booking();
    const bookEdit = op({ operation: 'update', entityId: book.entityId, data: { notes: 'x' } });
    const other = op({ operation: 'update', entityId: 40, data: { notes: 'y' } });
    const planner = new BatchPlanner(mine);
    expect(ids(pick(planner, [pet, book, bookEdit, other], 10))).toEqual([other.id]);
    expect(planner.holds()).toEqual(
      new Map([
        [pet.id, { kind: 'author' }],
        [book.id, { kind: 'reference', by: pet.id, field: 'petId' }],
        [bookEdit.id, { kind: 'record', by: book.id }],
      ]),
    );
  });

  it('holds a row naming a new record whose create is held (a conflict or a rejection)', () => {
    for (const held of [{ status: 'conflict' as const }, { status: 'failed' as const, retryable: false }]) {
      const pet = newPet(held);
      const book = booking();
      expect(ids(pick(new BatchPlanner(mine), [pet, book], 10))).toEqual([]);
    }
    // A create that failed but may pass by itself is sent again, and the booking with it.
    const retried = newPet({ status: 'failed', retryable: true });
    const book = booking();
    const planner = new BatchPlanner(mine);
    expect(ids(pick(planner, [retried, book], 10))).toEqual([retried.id, book.id]);
  });

  it('sends my new client, their new pet and a booking together: the server applies a batch in order', () => {
    const client = newClient();
    const pet = newPet({ data: { name: 'Biscuit', species: 'Dog', ownerId: client.entityId } });
    const book = booking();
    const planner = new BatchPlanner(mine);
    expect(ids(pick(planner, [client, pet, book], 10))).toEqual([client.id, pet.id, book.id]);
    expect(planner.holds().size).toBe(0);
  });

  it('a booking refused because its new pet failed earlier in the batch stays pending and waits; so do later ones', () => {
    const petResults: Answer[] = [
      { success: false, error: { code: 'VALIDATION', message: 'species: Species is required' } },
      { success: false },
      { success: false, error: { code: 'INTERNAL', message: 'retry me' } },
    ];
    // A refusal, a conflict (no error), a failure that may pass by itself.
    for (const petResult of petResults) {
      const pet = newPet();
      const book = booking();
      const unrelated = booking({ data: { title: 'Other', petId: 12 } });
      const refusedForOtherReasons = booking({ data: { title: 'Bad', petId: 'temp_pet_biscuit' } });
      const later = booking();
      const planner = new BatchPlanner(mine);
      const first = pick(planner, [pet, book, unrelated, refusedForOtherReasons], 10);
      expect(ids(first)).toEqual([pet.id, book.id, unrelated.id, refusedForOtherReasons.id]);
      const results = answers(
        [pet, petResult],
        [book, { success: false, error: { code: 'PET_NOT_FOUND', message: 'petId: no pet' } }],
        [unrelated, { success: true }],
        [refusedForOtherReasons, { success: false, error: { code: 'FORBIDDEN', message: 'no' } }],
      );
      const waiting = planner.refusedForUnsentCreates(first, results);
      expect([...waiting]).toEqual([book.id]);
      planner.settle(
        first,
        new Map([
          [pet.id, petResult.error ? 'failed' : 'conflict'],
          [book.id, 'pending'],
          [unrelated.id, 'acknowledged'],
          [refusedForOtherReasons.id, 'failed'],
        ]),
      );
      // A booking queued later names the pet that did not go: held before it is sent.
      expect(pick(planner, [pet, book, unrelated, refusedForOtherReasons, later], 10)).toEqual([]);
      expect(planner.holds().get(later.id)).toEqual({ kind: 'reference', by: pet.id, field: 'petId' });
    }
  });

  it('a booking sent in the batch after its new pet, before the pet’s answer was known, waits when the pet failed', () => {
    const pet = newPet();
    const book = booking();
    const planner = new BatchPlanner(mine);
    const first = pick(planner, [pet], 10);
    const second = pick(planner, [pet, book], 10); // chosen while the first is on the wire
    expect(ids(second)).toEqual([book.id]);
    planner.settle(first, new Map([[pet.id, 'failed']]));
    const refused = answers([book, { success: false, error: { code: 'PET_NOT_FOUND', message: '' } }]);
    expect([...planner.refusedForUnsentCreates(second, refused)]).toEqual([book.id]);
    // Acknowledged, the pet is no reason: a booking refused for its pet after that is refused for real.
    const other = new BatchPlanner(mine);
    const petBatch = pick(other, [pet], 10);
    other.settle(petBatch, new Map([[pet.id, 'acknowledged']]));
    expect(other.refusedForUnsentCreates([book], refused).size).toBe(0);
  });

  it('waits along a chain: a new client of another person holds my new pet, which holds my booking', () => {
    const client = newClient({ userId: 2 });
    const pet = newPet({ data: { name: 'Biscuit', species: 'Dog', ownerId: client.entityId } });
    const book = booking();
    const planner = new BatchPlanner(mine);
    expect(pick(planner, [client, pet, book], 10)).toEqual([]);
    expect(planner.holds().get(pet.id)).toEqual({ kind: 'reference', by: client.id, field: 'ownerId' });
    expect(planner.holds().get(book.id)).toEqual({ kind: 'reference', by: pet.id, field: 'petId' });
  });

  it('a change moving a booking to a new pet waits too; a real id or a pet created earlier (no create queued) does not', () => {
    const pet = newPet({ userId: 2 });
    const move = op({ operation: 'update', entityId: 31, data: { petId: 'temp_pet_biscuit' } });
    const known = op({ operation: 'update', entityId: 32, data: { petId: 'temp_pet_sent_last_week' } });
    const planner = new BatchPlanner(mine);
    expect(ids(pick(planner, [pet, move, known], 10))).toEqual([known.id]);
  });
});

describe('plannedHolds (what a run would hold back now, and why)', () => {
  it('names the row each held row waits for; rows that would go, or wait only for a row in flight, are not held', () => {
    const theirPet = newPet({ entityId: 'temp_pet_a', tempId: 'temp_pet_a', userId: 2 });
    const myPet = newPet({ entityId: 'temp_pet_b', tempId: 'temp_pet_b' });
    const forTheirs = op({ operation: 'create', entityId: 'temp_appt_1', data: { petId: 'temp_pet_a' } });
    const forMine = op({ operation: 'create', entityId: 'temp_appt_2', data: { petId: 'temp_pet_b' } });
    const conflict = op({ operation: 'update', entityId: 50, status: 'conflict' });
    const behindConflict = op({ operation: 'update', entityId: 50 });
    const holds = plannedHolds([forMine, theirPet, myPet, forTheirs, conflict, behindConflict], mine);
    expect(holds).toEqual(
      new Map([
        [theirPet.id, { kind: 'author' }],
        [forTheirs.id, { kind: 'reference', by: theirPet.id, field: 'petId' }],
        [conflict.id, { kind: 'held' }],
        [behindConflict.id, { kind: 'record', by: conflict.id }],
      ]),
    );
  });
});

describe('pushBatchSize', () => {
  it('grows with the queue, between the configured size and the server limit', () => {
    const policy = { batchSize: 100, maxBatchSize: 1000 };
    expect(pushBatchSize(3, policy)).toBe(100);
    expect(pushBatchSize(1000, policy)).toBe(250);
    expect(pushBatchSize(100_000, policy)).toBe(1000);
  });
});
