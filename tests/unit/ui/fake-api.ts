/** A fake of the REST surface the worker answers: a route table over in-memory records. */
import type { LocalAppointment, LocalPet, LocalUser } from '../../../src/api/entities.ts';
import type { FetchLike } from '../../../src/api/http.ts';

/** The columns every record row has. */
export const row = {
  practiceId: 1,
  version: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  deletedAt: null,
};

export const fixtures = {
  owner: {
    ...row,
    id: 5,
    tenantId: 'smartvet',
    name: 'Ada Owner',
    email: 'ada@example.com',
    phone: null,
    role: 'CLIENT',
  } satisfies LocalUser,
  vet: {
    ...row,
    id: 2,
    tenantId: 'smartvet',
    name: 'Dr Vet',
    email: null,
    phone: null,
    role: 'PRACTITIONER',
  } satisfies LocalUser,
  pet: { ...row, id: 9, name: 'Rex', species: 'Dog', breed: null, birthDate: null, ownerId: 5 } satisfies LocalPet,
  appointment: {
    ...row,
    id: 'temp_appt_x',
    version: 0,
    title: 'Checkup — Rex',
    type: 'checkup',
    date: new Date(2026, 10, 25, 14, 30).toISOString(),
    durationMinutes: '30',
    status: 'scheduled',
    notes: null,
    petId: 9,
    practitionerId: 2,
    clientId: null,
    _pending: true,
  } satisfies LocalAppointment,
};

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

export class FakeApi {
  users: LocalUser[] = [fixtures.owner, fixtures.vet];
  pets: LocalPet[] = [fixtures.pet];
  appointments: LocalAppointment[] = [fixtures.appointment];
  /** temp id → real id, as the worker's id_aliases. */
  aliases = new Map<string, number>();
  readonly calls: Call[] = [];
  /** The server's session: null answers 401 to /api/auth/me. */
  sessionUser: { id: number; name: string; role: 'STAFF'; practiceId: number; tenantId: string } | null = {
    id: 1,
    name: 'Maya Chen',
    role: 'STAFF',
    practiceId: 1,
    tenantId: 'smartvet',
  };
  password = 'demo1234';
  /** The server out of reach: the session API fails as fetch does offline (entity reads are the worker's). */
  serverUnreachable = false;

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input, 'http://tablet.local');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : null;
    this.calls.push({ method, path: url.pathname + url.search, body });
    if (url.pathname.startsWith('/api/auth/')) {
      if (this.serverUnreachable) throw new TypeError('Failed to fetch');
      return this.auth(url.pathname, body);
    }
    const [, , entity, rawId] = url.pathname.split('/');
    const list =
      entity === 'users'
        ? this.users
        : entity === 'pets'
          ? this.pets
          : entity === 'appointments'
            ? this.appointments
            : null;
    if (!list) return json(404, { success: false, error: { code: 'NOT_FOUND', message: 'no route' } });
    if (rawId === undefined) {
      if (method === 'POST') {
        // As the worker does: server-owned fields filled, duration stored as text.
        const fields = { ...(body as Record<string, unknown>) };
        if (typeof fields.durationMinutes === 'number') fields.durationMinutes = String(fields.durationMinutes);
        const extra =
          entity === 'appointments' ? { clientId: null } : entity === 'users' ? { tenantId: 'smartvet' } : {};
        const created = {
          ...row,
          ...extra,
          version: 0,
          id: `temp_${entity}_${this.calls.length}`,
          _pending: true,
          ...fields,
        };
        (list as unknown[]).push(created);
        return json(201, { data: created });
      }
      let records: unknown[] = list;
      const role = url.searchParams.get('role');
      if (role) records = this.users.filter((u) => u.role === role);
      const ownerId = url.searchParams.get('ownerId');
      if (ownerId) records = this.pets.filter((p) => String(p.ownerId) === ownerId);
      if (entity === 'appointments') records = this.appointmentsMatching(url.searchParams);
      return json(200, { data: records });
    }
    const id = decodeURIComponent(rawId);
    const key = String(this.aliases.get(id) ?? id);
    const record = (list as { id: unknown }[]).find((r) => String(r.id) === key);
    if (!record) return json(404, { success: false, error: { code: 'NOT_FOUND', message: `no ${entity} ${id}` } });
    if (method === 'PATCH') {
      Object.assign(record, body, { _pending: true });
      return json(200, { data: record });
    }
    return json(200, { data: record });
  };

  private auth(path: string, body: unknown): Response {
    if (path === '/api/auth/me') {
      return this.sessionUser
        ? json(200, { user: this.sessionUser })
        : json(401, { success: false, error: { code: 'UNAUTHENTICATED', message: 'Sign in' } });
    }
    if (path === '/api/auth/logout') {
      this.sessionUser = null;
      return json(200, { ok: true });
    }
    const { password } = body as { password: string };
    if (password !== this.password)
      return json(401, { success: false, error: { code: 'UNAUTHENTICATED', message: 'Wrong email or password' } });
    this.sessionUser = { id: 1, name: 'Maya Chen', role: 'STAFF', practiceId: 1, tenantId: 'smartvet' };
    return json(200, { user: this.sessionUser });
  }

  /** What a sync does: the temp record gets its real id and loses `_pending`. */
  remapAppointment(tempId: string, realId: number): void {
    this.aliases.set(tempId, realId);
    this.appointments = this.appointments.map((a) =>
      a.id === tempId ? { ...a, id: realId, version: 1, clientId: 5, _pending: false } : a,
    );
  }

  /** As the worker's list: start in [from, to), equal practitionerId / petId, no deleted rows. */
  private appointmentsMatching(params: URLSearchParams): LocalAppointment[] {
    const from = params.get('from');
    const to = params.get('to');
    return this.appointments.filter((a) => {
      if (a.deletedAt) return false;
      if (from && Date.parse(a.date) < Date.parse(from)) return false;
      if (to && Date.parse(a.date) >= Date.parse(to)) return false;
      for (const key of ['practitionerId', 'petId'] as const) {
        const wanted = params.get(key);
        if (wanted !== null && String(a[key]) !== wanted) return false;
      }
      return true;
    });
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
