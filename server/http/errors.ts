/**
 * Every error answer is `{ success: false, error: { code, message } }` (ErrorResponse). Routes
 * throw HttpError; Fastify's and its plugins' own errors (body too large, media type, encoding,
 * rate limit, validation) are mapped here to the protocol's codes. Bad input is answered without
 * a log line; only a server fault (a bug) is logged, with its stack, and answered 500 INTERNAL.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { describeIssues, type ErrorResponse, type SyncErrorCode } from '../../src/protocol/index.ts';
import type { Logger } from '../log.ts';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: SyncErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

interface Issue {
  path: readonly PropertyKey[];
  message: string;
  params?: Record<string, unknown>;
}

/** A request part (body, query, params, headers) that failed its zod schema. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly part: string,
    readonly issues: readonly Issue[],
  ) {
    super(describeIssues(issues));
    this.name = 'RequestValidationError';
  }

  /** A code the schema named on an issue (`params: { code }`), else null. */
  namedCode(): SyncErrorCode | null {
    for (const issue of this.issues) {
      const code = issue.params?.code;
      if (typeof code === 'string') return code as SyncErrorCode;
    }
    return null;
  }
}

/** What a route says about its validation errors: the code and the start of the message. */
export interface ValidationStyle {
  code: SyncErrorCode;
  prefix: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How this route reports a request that fails its schema (default 400 VALIDATION "Invalid request"). */
    validation?: ValidationStyle;
  }
}

export function errorBody(code: SyncErrorCode, message: string): ErrorResponse {
  return { success: false, error: { code, message } };
}

export function sendError(reply: FastifyReply, status: number, code: SyncErrorCode, message: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(errorBody(code, message));
}

/** Fastify and plugin error codes → status, protocol code and a message for people. */
const FRAMEWORK_ERRORS: Record<string, { status: number; code: SyncErrorCode; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the body as JSON with Content-Type: application/json',
  },
  FST_ERR_CTP_INVALID_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the body as JSON with Content-Type: application/json',
  },
  FST_CP_ERR_INVALID_CONTENT_ENCODING: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'The request body was not received completely',
  },
  FST_CP_ERR_INVALID_REQUEST_PAYLOAD: {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'The request body is not valid for its Content-Encoding',
  },
};

export function createErrorHandler(logger: Logger) {
  return function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (error instanceof HttpError) {
      reply.headers(error.headers);
      return sendError(reply, error.statusCode, error.code, error.message);
    }
    if (error instanceof RequestValidationError) {
      const style = request.routeOptions.config.validation ?? { code: 'VALIDATION', prefix: 'Invalid request' };
      return sendError(reply, 400, error.namedCode() ?? style.code, `${style.prefix}: ${error.message}`);
    }
    const code = (error as FastifyError).code;
    const known = code ? FRAMEWORK_ERRORS[code] : undefined;
    if (known) return sendError(reply, known.status, known.code, known.message ?? error.message);
    const status = (error as FastifyError).statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(reply, status, 'BAD_REQUEST', error.message);
    logger.error(`Unhandled error on ${request.method} ${request.routeOptions.url ?? '(no route)'}`, error);
    return sendError(reply, 500, 'INTERNAL', 'Internal server error');
  };
}
