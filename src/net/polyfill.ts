/**
 * libp2p 3 calls `Promise.withResolvers` (ES2024), which Node 20 lacks. Import this module before
 * anything that loads libp2p (src/net/libp2p/ does so itself; an entry point that loads libp2p
 * some other way must import it first).
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type WithResolvers = <T>(this: PromiseConstructor) => Resolvers<T>;

const promiseCtor = Promise as PromiseConstructor & { withResolvers?: WithResolvers };

if (typeof promiseCtor.withResolvers !== 'function') {
  const withResolvers: WithResolvers = function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
    let resolve: Resolvers<T>['resolve'] = () => undefined;
    let reject: Resolvers<T>['reject'] = () => undefined;
    // `this` keeps subclasses working, as the native method does.
    const promise = new this<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, writable: true, configurable: true, enumerable: false });
}

export {};
