/**
 * zod's settings, applied before any protocol schema is built (each protocol module that builds
 * object schemas imports this first). In a browser, page or service worker, the server's
 * Content-Security-Policy forbids `eval`: zod would probe `new Function` once (a CSP violation
 * report), then parse without its compiled fast path anyway. Saying so up front avoids the probe.
 * Node (the server) keeps the compiled fast path.
 */
import { z } from 'zod';

const scope = globalThis as { document?: unknown; importScripts?: unknown };
if (typeof scope.document !== 'undefined' || typeof scope.importScripts === 'function') z.config({ jitless: true });
