import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../app/ports.ts';
import { EVENT_SOURCE, eventSchemas, type EventDetail, type EventType } from '../../events/schemas.ts';
import { backoffMs, chunk, mapLimit, sleep } from '../retry.ts';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish<T extends EventType>(type: T, detail: EventDetail<T>): Promise<void> {
    await this.publishAll([{ type, detail }]);
  }

  async publishAll(events: readonly { type: EventType; detail: EventDetail<EventType> }[]): Promise<void> {
    // Parse on the way out too: a malformed event never reaches the bus.
    const entries = events.map(({ type, detail }) => ({
      EventBusName: this.busName,
      Source: EVENT_SOURCE,
      DetailType: type,
      Detail: JSON.stringify(eventSchemas[type].parse(detail)),
    }));
    // A morning's announcements for 100,000 units are 10,000 requests: eight in flight at a time.
    await mapLimit(chunk(entries, 10), 8, async (group) => {
      let pending = group;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt, 100));
        const out = await this.events.send(new PutEventsCommand({ Entries: pending }));
        if (!out.FailedEntryCount) break;
        const failed = pending.filter((_, i) => out.Entries?.[i]?.ErrorCode);
        if (attempt >= 5) throw new Error(`PutEvents failed for ${failed.length} entries: ${out.Entries?.find((e) => e.ErrorCode)?.ErrorMessage}`);
        pending = failed;
      }
    });
  }
}
