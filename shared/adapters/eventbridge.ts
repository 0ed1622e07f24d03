import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../app/ports.ts';
import { EVENT_SOURCE, eventSchemas, type EventDetail, type EventType } from '../../events/schemas.ts';
import { backoffMs, sleep } from '../retry.ts';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish<T extends EventType>(type: T, detail: EventDetail<T>): Promise<void> {
    // Parse on the way out too: a malformed event never reaches the bus.
    const body = eventSchemas[type].parse(detail);
    for (let attempt = 0; ; attempt++) {
      const out = await this.events.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: this.busName, Source: EVENT_SOURCE, DetailType: type, Detail: JSON.stringify(body) }],
        }),
      );
      if (!out.FailedEntryCount) return;
      if (attempt >= 5) throw new Error(`PutEvents failed: ${out.Entries?.[0]?.ErrorCode} ${out.Entries?.[0]?.ErrorMessage}`);
      await sleep(backoffMs(attempt, 100));
    }
  }
}
