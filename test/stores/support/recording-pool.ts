// A Proxy over a pg or mysql2 pool that records the SQL text of every query, also on the connections it hands out.

const QUERY_METHODS = new Set<PropertyKey>(['query', 'execute']);
const CHECKOUT_METHODS = new Set<PropertyKey>(['connect', 'getConnection']);

function sqlText(query: unknown): string {
  return typeof query === 'string' ? query : String((query as { text?: unknown; sql?: unknown }).text ?? (query as { sql?: unknown }).sql);
}

function recording<T extends object>(target: T, texts: string[]): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      if (QUERY_METHODS.has(property)) {
        return (query: unknown, ...rest: unknown[]) => {
          texts.push(sqlText(query));
          return value.call(object, query, ...rest);
        };
      }
      if (CHECKOUT_METHODS.has(property)) {
        return async (...args: unknown[]) => recording(await value.apply(object, args), texts);
      }
      return value.bind(object);
    },
  });
}

/** `pool`, recording into `texts` the SQL of each query run on it or on a connection it lends. */
export function recordingPool<T extends object>(pool: T, texts: string[]): T {
  return recording(pool, texts);
}
