import { describe, expect, it } from 'vitest';
import { changeRefusal, mayDecideOnChange } from '../../../src/protocol/ownership.ts';

describe('who may decide about a held or failed change (ownership.ts)', () => {
  it('its author may; someone else may not; nobody signed in may not', () => {
    expect(mayDecideOnChange(7, 7)).toBe(true);
    expect(mayDecideOnChange(7, 8)).toBe(false);
    expect(mayDecideOnChange(7, null)).toBe(false);
  });

  it('a change with no recorded author stays actionable by anyone signed in (no session could ever claim it)', () => {
    expect(mayDecideOnChange(null, 8)).toBe(true);
    expect(mayDecideOnChange(null, null)).toBe(false);
    expect(changeRefusal('discard', { authorId: null, authorName: null }, 8)).toBeNull();
  });

  it('a refusal names the author when the tablet knows them, else their user number', () => {
    expect(changeRefusal('discard', { authorId: 7, authorName: 'Dr. Lee' }, 8)).toEqual({
      code: 'NOT_YOUR_CHANGE',
      message:
        'This change was made by Dr. Lee. Only Dr. Lee may discard it, once signed in on this tablet; until then it waits for them.',
    });
    expect(changeRefusal('retry', { authorId: 7, authorName: null }, 8)?.message).toContain(
      'Only user #7 may retry it',
    );
    expect(changeRefusal('resolve', { authorId: 7, authorName: 'Dr. Lee' }, 7)).toBeNull();
  });

  it('nobody signed in: UNAUTHENTICATED, whoever made it', () => {
    expect(changeRefusal('resolve', { authorId: 7, authorName: 'Dr. Lee' }, null)?.code).toBe('UNAUTHENTICATED');
    expect(changeRefusal('resolve', { authorId: null, authorName: null }, null)?.code).toBe('UNAUTHENTICATED');
  });
});
