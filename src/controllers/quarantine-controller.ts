/**
 * Pulled records the worker set aside because they failed validation (GET_QUARANTINE), kept
 * current: the quarantine only changes during a pull, so it is read again after every sync.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { QuarantinedRecord } from '../protocol/index.ts';
import type { WorkerClient } from '../worker-client.ts';
import { serialized } from './serial.ts';

export class QuarantineController implements ReactiveController {
  records: QuarantinedRecord[] = [];
  error: string | null = null;
  private unsubscribe: (() => void) | null = null;
  readonly refresh: () => Promise<void>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: WorkerClient,
  ) {
    this.refresh = serialized(() => this.load());
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.client.subscribe((event) => {
      if (event.type === 'SYNC_RESULT') void this.refresh();
    });
    void this.refresh();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private async load(): Promise<void> {
    try {
      this.records = await this.client.send({ type: 'GET_QUARANTINE' });
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.host.requestUpdate();
  }
}
