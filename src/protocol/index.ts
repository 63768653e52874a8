/** The one place for wire types and page<->worker message types (page, worker and server import it). */
export * from './entities.ts';
export * from './sync.ts';
export * from './messages.ts';
export * from './rest.ts';
export * from './appointment-types.ts';
export * from './permissions.ts';
export * from './ownership.ts';
export * from './fields.ts';
export * from './double-booking.ts';
export * from './delete-rules.ts';
export * from './retry.ts';
export * from './uuid-v7.ts';
