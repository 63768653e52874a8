/**
 * server/sync/validate.ts: what a write may carry, and that whatever it stores parses with the record
 * schema devices read pulled records with (issue 9, item 1; through push and REST in integrity.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ENTITY_SCHEMAS, WRITABLE_SCHEMAS, type EntityType } from '../../src/protocol/index.ts';
import { assertStorable, parseCreateData } from '../../server/sync/validate.ts';

describe('validate: what is stored is readable', () => {
  it('whatever the writable schemas accept is stored in a form the record schema accepts', () => {
    const server = {
      id: 1,
      practiceId: 1,
      version: 1,
      createdAt: '2026-03-10T09:00:00.000Z',
      updatedAt: '2026-03-10T09:00:00.000Z',
      deletedAt: null,
    };
    /** Exactly n UTF-16 units of emoji (and one é to round up), never half an emoji. */
    const long = (n: number) => '🐶'.repeat(Math.floor(n / 2)) + (n % 2 ? 'é' : '');
    const inputs: Record<EntityType, Record<string, unknown>[]> = {
      users: [
        { name: '  Nora  ', email: ' nora@example.com ', phone: '  ' },
        { name: long(200), email: `${'a'.repeat(300)}@x.example`, phone: '+1 555'.padEnd(50, '0') },
      ],
      pets: [
        { name: 'Rex 🐶', species: ' Dog ', breed: '', birthDate: '1900-01-01', ownerId: 3 },
        { name: long(200), species: long(100), breed: long(100), birthDate: '2199-12-31', ownerId: 3 },
      ],
      appointments: [
        { title: ' t ', type: 'Follow-up', date: '2199-12-31T23:59:59+00:00', durationMinutes: '0030', petId: 1 },
        {
          title: long(200),
          type: 'vaccine',
          date: '1900-01-01T00:30:00+00:30',
          durationMinutes: 1440,
          notes: `${long(4990)}\n\t`,
          petId: 1,
          practitionerId: 2,
          status: 'no_show',
        },
      ],
    };
    for (const entityType of Object.keys(inputs) as EntityType[]) {
      // Every field a client may write is a field of the record clients read.
      for (const key of Object.keys(WRITABLE_SCHEMAS[entityType].shape))
        expect(ENTITY_SCHEMAS[entityType].shape).toHaveProperty(key);
      for (const input of inputs[entityType]) {
        const stored = {
          ...server,
          ...(entityType === 'users' ? { tenantId: 't', role: 'CLIENT' } : {}),
          ...(entityType === 'appointments' ? { clientId: 3 } : {}),
          ...parseCreateData(entityType, input),
        };
        const parsed = ENTITY_SCHEMAS[entityType].safeParse(stored);
        expect(parsed.success, `${entityType} ${JSON.stringify(input).slice(0, 80)}: ${parsed.error?.message}`).toBe(
          true,
        );
      }
    }
  });

  it('checks the output of conversions against the record schema, not only the input', () => {
    // A converted value the writable schemas would never produce still cannot reach the database.
    expect(() => assertStorable('appointments', { date: '+010000-01-01T23:58:59.000Z' })).toThrow(/VALIDATION|date/i);
    expect(() => assertStorable('appointments', { durationMinutes: '99999' })).toThrow();
    expect(() =>
      assertStorable('appointments', { date: '2026-03-11T10:30:00.000Z', durationMinutes: '30' }),
    ).not.toThrow();
  });
});
