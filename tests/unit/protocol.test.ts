import { describe, expect, it } from 'vitest';
import {
  PageMessageSchema,
  PullChangeSchema,
  PullQuerySchema,
  PushOperationSchema,
  PushRequestSchema,
  StoredAppointmentTypeSchema,
  WritableAppointmentSchema,
  WritableAppointmentTypeSchema,
  appointmentTypeLabel,
  can,
  describeIssues,
  isEntityType,
  localDayRange,
  parseRestId,
  isRetryableOperationError,
  isRetryableStatus,
  isTransientSyncError,
  findClashes,
  type BookingSlot,
  isTempId,
  isWellFormedText,
  permissionDenied,
} from '../../src/protocol/index.ts';

describe('wire protocol schemas', () => {
  it('parses the reference pull query, entity list included', () => {
    const query = PullQuerySchema.parse({
      lastSyncTimestamp: '1699564800000',
      practiceId: '1',
      entityTypes: 'appointments,pets',
    });
    expect(query).toMatchObject({
      lastSyncTimestamp: 1699564800000,
      practiceId: 1,
      entityTypes: ['appointments', 'pets'],
      limit: 100,
    });
  });

  it('refuses an unknown entity type in a pull query', () => {
    expect(PullQuerySchema.safeParse({ entityTypes: 'appointments,clients' }).success).toBe(false);
  });

  it('accepts the reference push request and refuses more than 1,000 operations', () => {
    const op = {
      opId: 'op-12345678',
      operation: 'create',
      entityType: 'appointments',
      tempId: 'temp_appt_12345',
      data: {},
      timestamp: 1,
    };
    expect(PushRequestSchema.safeParse({ operations: [op], clientTimestamp: 1 }).success).toBe(true);
    expect(PushRequestSchema.safeParse({ operations: Array(1001).fill(op), clientTimestamp: 1 }).success).toBe(false);
  });

  it('takes only an object as the fields of a pushed operation or a pulled change, naming what is wrong', () => {
    const op = { opId: 'op-12345678', operation: 'update', entityType: 'pets', entityId: 7, timestamp: 1 };
    expect(PushOperationSchema.safeParse({ ...op, data: { name: 'Rex' } }).success).toBe(true);
    expect(PushOperationSchema.safeParse(op).success).toBe(true);
    const change = { entityType: 'pets', operation: 'update', id: 7, version: 2, updatedAt: 'x' };
    for (const data of [[], 'Rex', 42, null, true]) {
      const pushed = PushOperationSchema.safeParse({ ...op, data });
      expect(pushed.success, JSON.stringify(data)).toBe(false);
      expect(describeIssues(pushed.error?.issues ?? [])).toMatch(/object of fields/);
      expect(PullChangeSchema.safeParse({ ...change, data }).success, JSON.stringify(data)).toBe(false);
    }
  });

  it('takes the reference appointment with a numeric duration', () => {
    const parsed = WritableAppointmentSchema.parse({
      title: 'Checkup',
      type: 'checkup',
      date: '2026-11-25T10:00:00.000Z',
      durationMinutes: 30,
      status: 'scheduled',
      notes: null,
      petId: 'temp_pet_abcdef12',
      practitionerId: 456,
    });
    expect(parsed.durationMinutes).toBe(30);
  });

  it('tells temp ids from real ids', () => {
    expect(isTempId('temp_appt_12345')).toBe(true);
    expect(isTempId(789)).toBe(false);
    expect(isTempId('789')).toBe(false);
  });

  it('rejects page messages of unknown type or shape', () => {
    expect(PageMessageSchema.safeParse({ type: 'SYNC_NOW' }).success).toBe(true);
    expect(PageMessageSchema.safeParse({ type: 'DROP_DATABASE' }).success).toBe(false);
    expect(PageMessageSchema.safeParse({ type: 'RETRY_OPERATION', operationId: 'x' }).success).toBe(false);
  });
});

describe('appointment types', () => {
  it('stores every spelling of a known type in canonical form', () => {
    for (const spelling of ['follow-up', 'Follow up', 'FOLLOW_UP', 'followup']) {
      expect(WritableAppointmentTypeSchema.parse(spelling)).toBe('follow_up');
    }
    expect(appointmentTypeLabel('follow_up')).toBe('Follow-up');
  });

  it('refuses a type outside the set on writes, with the choices in words', () => {
    const result = WritableAppointmentTypeSchema.safeParse('haircut');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('Checkup, Vaccination');
  });

  it('keeps an unknown stored type readable instead of refusing the record', () => {
    expect(StoredAppointmentTypeSchema.parse('legacy thing')).toBe('legacy thing');
    expect(StoredAppointmentTypeSchema.parse('follow-up')).toBe('follow_up');
  });
});

describe('role permissions', () => {
  it('lets only administrators delete clients and pets', () => {
    expect(can('ADMIN', 'delete', 'users')).toBe(true);
    expect(can('STAFF', 'delete', 'users')).toBe(false);
    expect(can('PRACTITIONER', 'delete', 'pets')).toBe(false);
    expect(permissionDenied('STAFF', 'delete', 'pets')).toBe('Only administrators may delete pets.');
  });

  it('lets front desk and practitioners book, change and delete appointments', () => {
    for (const role of ['STAFF', 'PRACTITIONER', 'ADMIN'] as const) {
      for (const action of ['create', 'update', 'delete'] as const)
        expect(can(role, action, 'appointments')).toBe(true);
    }
    expect(can('CLIENT', 'create', 'appointments')).toBe(false);
  });
});

describe('field messages for people', () => {
  const appointment = {
    title: 'Checkup',
    type: 'checkup',
    date: '2026-11-25T10:00:00Z',
    durationMinutes: 30,
    status: 'scheduled',
    notes: null,
    petId: 5,
    practitionerId: null,
  };
  const messages = (data: Record<string, unknown>) => {
    const result = WritableAppointmentSchema.safeParse({ ...appointment, ...data });
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it('names the field and the limit', () => {
    expect(messages({ title: 'x'.repeat(201) })).toEqual(['Title is limited to 200 characters']);
    expect(messages({ title: '   ' })).toEqual(['Title is required']);
    expect(messages({ durationMinutes: 99999 })).toEqual(['Duration must be 1 to 1,440 minutes']);
    expect(messages({ petId: undefined })).toEqual(['Pet is required']);
    expect(messages({ petId: 'x' })).toEqual(['Pet is not a valid record']);
  });

  it('refuses a date whose UTC year leaves the range, though its text is valid ISO', () => {
    expect(messages({ date: '9999-12-31T23:59:59-23:59' })).toEqual(['Date must be between the years 1900 and 2199']);
    expect(messages({ date: '0000-01-01T00:00:00+01:00' })).toEqual(['Date must be between the years 1900 and 2199']);
    expect(messages({ date: '2026-11-25T09:30:00+01:00' })).toEqual([]);
  });

  it('refuses lone UTF-16 surrogates, keeps real emoji', () => {
    expect(isWellFormedText('A\ud800B')).toBe(false);
    expect(isWellFormedText('B\udc00')).toBe(false);
    expect(isWellFormedText('Rex 🐕')).toBe(true);
    expect(messages({ notes: 'A\ud800B' })).toEqual([
      'Notes contains a character that cannot be stored (a broken emoji or symbol)',
    ]);
  });
});

describe('double bookings', () => {
  const at = (time: string, extra: Partial<BookingSlot> = {}): BookingSlot => ({
    id: time,
    date: `2026-11-25T${time}:00.000Z`,
    durationMinutes: '20',
    practitionerId: 7,
    petId: 1,
    status: 'scheduled',
    deletedAt: null,
    ...extra,
  });

  it('finds overlapping live bookings of the same practitioner, then of the same pet', () => {
    const mine = at('11:00', { id: 'mine', petId: 9 });
    const others = [
      at('10:50', { id: 'a' }),
      at('11:10', { id: 'b', practitionerId: 8, petId: 9 }),
      at('11:20', { id: 'c' }),
      at('10:40', { id: 'd' }),
    ];
    expect(findClashes(mine, others).map((c) => [c.reason, c.appointment.id])).toEqual([
      ['practitioner', 'a'],
      ['pet', 'b'],
    ]);
  });

  it('ignores cancelled, deleted, no-show and on-purpose bookings, and the booking itself', () => {
    const mine = at('11:00');
    const others = [
      mine,
      at('11:00', { id: 'x', status: 'cancelled' }),
      at('11:00', { id: 'y', deletedAt: '2026-11-24T00:00:00Z' }),
      at('11:00', { id: 'z', status: 'no_show' }),
      at('11:00', { id: 'w', overlapAllowed: true }),
    ];
    expect(findClashes(mine, others)).toEqual([]);
    expect(findClashes({ ...mine, overlapAllowed: true }, [at('11:00', { id: 'v' })])).toEqual([]);
  });

  it('treats touching slots as free (11:00–11:20 then 11:20–11:40)', () => {
    expect(findClashes(at('11:20', { id: 'next' }), [at('11:00')])).toEqual([]);
  });
});

describe('retry rules', () => {
  it('retries a row the server failed on, and a sync the network or the server failed', () => {
    expect(isRetryableOperationError('INTERNAL')).toBe(true);
    expect(isRetryableOperationError('SERVER_ERROR')).toBe(true);
    expect(isTransientSyncError('NETWORK')).toBe(true);
    // A whole sync that failed inside the worker would fail the same way on a browser retry.
    expect(isTransientSyncError('INTERNAL')).toBe(false);
  });

  it('holds what needs a person: conflicts, refusals, bad requests', () => {
    for (const code of [
      'CONFLICT',
      'DOUBLE_BOOKING',
      'FORBIDDEN',
      'VALIDATION',
      'BAD_REQUEST',
      'RATE_LIMITED',
    ] as const) {
      expect(isRetryableOperationError(code)).toBe(false);
      expect(isTransientSyncError(code)).toBe(false);
    }
  });

  it('sends a request again on timeouts, rate limits and server errors only', () => {
    expect([408, 429, 500, 503].map(isRetryableStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404, 409, 413].map(isRetryableStatus)).toEqual([false, false, false, false, false, false]);
  });
});

describe('REST rules shared by the worker and the server', () => {
  it('reads a real id without sign or leading zero, or a well-formed temp id', () => {
    expect(parseRestId('123')).toBe(123);
    expect(parseRestId('temp_pet_1f3a')).toBe('temp_pet_1f3a');
    for (const text of ['007', '0', '-1', '1.5', '12345678901234567', 'temp_', 'temp_a b', 'abc']) {
      expect(parseRestId(text)).toBeNull();
    }
  });

  it('knows the entity types of the REST surface', () => {
    expect(['users', 'pets', 'appointments'].every(isEntityType)).toBe(true);
    expect(isEntityType('sync_operations')).toBe(false);
  });

  it('turns a date into that local calendar day, also across a daylight-saving change', () => {
    const { start, end } = localDayRange('2026-03-29');
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours()]).toEqual([2026, 2, 29, 0]);
    expect([end.getMonth(), end.getDate(), end.getHours()]).toEqual([2, 30, 0]);
  });

  it('describes at most five validation problems, with their field', () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ path: [`f${i}`], message: 'bad' }));
    expect(describeIssues([{ path: [], message: 'Expected an object' }])).toBe('Expected an object');
    expect(describeIssues(issues).split('; ')).toEqual(['f0: bad', 'f1: bad', 'f2: bad', 'f3: bad', 'f4: bad']);
  });
});
