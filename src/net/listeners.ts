/** A list of event handlers. A handler that throws is reported and does not stop the others. */
export interface Listeners<A extends unknown[]> {
  add(handler: (...args: A) => void): () => void;
  emit(...args: A): void;
}

export function createListeners<A extends unknown[]>(onError: (err: unknown) => void): Listeners<A> {
  const handlers = new Set<(...args: A) => void>();
  return {
    add(handler) {
      // A wrapper per registration, so the same function added twice is two subscriptions.
      const h = (...args: A): void => handler(...args);
      handlers.add(h);
      return () => {
        handlers.delete(h);
      };
    },
    emit(...args) {
      for (const h of handlers) {
        try {
          h(...args);
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}
