import type { ChatEvent, EventSink, Logger } from '@xiaoer/core';

/** In-process fan-out of domain events to subscribers (the WS gateway, later metrics and bots). */
export class EventBus implements EventSink {
  private readonly listeners = new Set<(event: ChatEvent) => void>();

  constructor(private readonly logger: Logger) {}

  publish(event: ChatEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken subscriber must not stop the others or the use case that published.
        this.logger.error('event listener failed', { shop: event.shopId, event: event.type, err: error });
      }
    }
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
