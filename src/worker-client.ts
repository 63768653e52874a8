/**
 * The page's side of the page<->worker protocol: typed requests answered on a MessagePort, and a
 * subscription to the events the worker broadcasts. Everything that arrives is validated.
 */
import {
  PageMessageSchema,
  REPLY_SCHEMAS,
  WorkerEventSchema,
  WorkerReplySchema,
  type PageMessage,
  type PageMessageReplies,
  type WorkerEvent,
} from './protocol/index.ts';

export class WorkerRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerRequestError';
  }
}

export interface WorkerTransport {
  /** Posts a message to the controlling worker with a port for the reply; null when none controls the page. */
  post(message: PageMessage, port: MessagePort): boolean;
  /** Subscribes to raw messages from the worker; returns an unsubscribe function. */
  listen(handler: (data: unknown) => void): () => void;
}

/** Transport over `navigator.serviceWorker`. */
export function serviceWorkerTransport(container: ServiceWorkerContainer = navigator.serviceWorker): WorkerTransport {
  return {
    post(message, port) {
      const controller = container.controller;
      if (!controller) return false;
      controller.postMessage(message, [port]);
      return true;
    },
    listen(handler) {
      const onMessage = (event: MessageEvent) => handler(event.data);
      container.addEventListener('message', onMessage);
      return () => container.removeEventListener('message', onMessage);
    },
  };
}

export type WorkerEventListener = (event: WorkerEvent) => void;

export class WorkerClient {
  private readonly listeners = new Set<WorkerEventListener>();
  private unlisten: (() => void) | null = null;

  constructor(
    private readonly transport: WorkerTransport,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Sends a request and resolves with the worker's validated reply. */
  send<T extends PageMessage>(message: T): Promise<PageMessageReplies[T['type']]> {
    const checked = PageMessageSchema.parse(message);
    const type = checked.type as T['type'];
    return new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => {
        channel.port1.close();
        reject(new WorkerRequestError('TIMEOUT', `The service worker did not answer ${type} in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      channel.port1.onmessage = (event: MessageEvent) => {
        clearTimeout(timer);
        channel.port1.close();
        const reply = WorkerReplySchema.safeParse(event.data);
        if (!reply.success) {
          reject(new WorkerRequestError('BAD_REPLY', `Malformed reply to ${type}`));
          return;
        }
        if (!reply.data.ok) {
          reject(new WorkerRequestError(reply.data.error.code, reply.data.error.message));
          return;
        }
        const value = REPLY_SCHEMAS[type].safeParse(reply.data.value);
        if (!value.success) {
          reject(new WorkerRequestError('BAD_REPLY', `Unexpected reply to ${type}: ${value.error.message}`));
          return;
        }
        resolve(value.data);
      };
      if (!this.transport.post(checked, channel.port2)) {
        clearTimeout(timer);
        channel.port1.close();
        reject(new WorkerRequestError('NO_WORKER', 'No service worker controls this page yet'));
      }
    });
  }

  /** Subscribes to worker events; returns an unsubscribe function. */
  subscribe(listener: WorkerEventListener): () => void {
    this.listeners.add(listener);
    this.unlisten ??= this.transport.listen((data) => {
      const event = WorkerEventSchema.safeParse(data);
      if (!event.success) return; // not ours (e.g. workbox-window's own messages)
      for (const l of this.listeners) l(event.data);
    });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.unlisten) {
        this.unlisten();
        this.unlisten = null;
      }
    };
  }
}
