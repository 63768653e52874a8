/**
 * Who may do what, by role. The server enforces it (push: FORBIDDEN result; REST: 403), the worker
 * enforces the same table offline, and the screens hide what the signed-in role may not do.
 *
 * A clinic's expectations: front-desk staff and practitioners book, edit and cancel appointments
 * and keep client and pet records up to date; removing a client or a pet from the practice's
 * records is an administrator's decision. Clients (role CLIENT) cannot sign in at all.
 */
import type { EntityType, UserRole } from './entities.ts';

export type WriteAction = 'create' | 'update' | 'delete';
export type StaffRole = Exclude<UserRole, 'CLIENT'>;

const EVERYTHING: Record<EntityType, readonly WriteAction[]> = {
  users: ['create', 'update', 'delete'],
  pets: ['create', 'update', 'delete'],
  appointments: ['create', 'update', 'delete'],
};

const FRONT_DESK: Record<EntityType, readonly WriteAction[]> = {
  users: ['create', 'update'],
  pets: ['create', 'update'],
  appointments: ['create', 'update', 'delete'],
};

export const ROLE_PERMISSIONS: Record<StaffRole, Record<EntityType, readonly WriteAction[]>> = {
  ADMIN: EVERYTHING,
  PRACTITIONER: FRONT_DESK,
  STAFF: FRONT_DESK,
};

export const ROLE_LABEL: Record<UserRole, string> = {
  ADMIN: 'Administrator',
  PRACTITIONER: 'Practitioner',
  STAFF: 'Front desk',
  CLIENT: 'Client',
};

const ROLE_PLURAL: Record<StaffRole, string> = {
  ADMIN: 'administrators',
  PRACTITIONER: 'practitioners',
  STAFF: 'front-desk staff',
};
const NOUN: Record<EntityType, string> = { users: 'clients', pets: 'pets', appointments: 'appointments' };
const VERB: Record<WriteAction, string> = { create: 'add', update: 'change', delete: 'delete' };

export function can(role: UserRole, action: WriteAction, entityType: EntityType): boolean {
  if (role === 'CLIENT') return false;
  return ROLE_PERMISSIONS[role][entityType].includes(action);
}

/** Null when allowed, else the sentence to show (the same on server, worker and screen). */
export function permissionDenied(role: UserRole, action: WriteAction, entityType: EntityType): string | null {
  if (can(role, action, entityType)) return null;
  const allowed = (Object.keys(ROLE_PERMISSIONS) as StaffRole[]).filter((r) =>
    ROLE_PERMISSIONS[r][entityType].includes(action),
  );
  if (allowed.length === 0) return `Nobody may ${VERB[action]} ${NOUN[entityType]} here.`;
  return `Only ${allowed.map((r) => ROLE_PLURAL[r]).join(' and ')} may ${VERB[action]} ${NOUN[entityType]}.`;
}
