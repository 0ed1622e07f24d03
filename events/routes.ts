import type { EventType } from './schemas.ts';
import type { FunctionId } from '../functions/catalog.ts';

/**
 * The one route table: which functions consume each event type.
 * infra/ builds one EventBridge rule per event type from it; the local bus routes by it.
 */
export const routes: Record<EventType, readonly FunctionId[]> = {
  DirectiveIssued: ['fan-out'],
  DirectiveAmended: ['fan-out'],
  DirectiveWithdrawn: ['fan-out'],
};

export function consumersOf(type: EventType): readonly FunctionId[] {
  return routes[type];
}
