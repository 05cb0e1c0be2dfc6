// How sessionkit/node puts its writeHead/write/end/flushHeaders in front of one response's own.
import { ServerResponse } from 'node:http';

/** The four response methods the save gate follows. @internal */
export type HookedName = 'writeHead' | 'write' | 'end' | 'flushHeaders';

/** What a hooked call goes to: the response's NodeOutput. @internal */
export interface HookTarget {
  /** The handler called `name` with `args` on the response; `queued` is what it returns while the call waits. */
  call(name: HookedName, args: unknown[], queued: unknown): unknown;
}

/** The methods a hooked call passes on to: the ones the response had before. @internal */
export interface Originals {
  readonly writeHead: (...args: unknown[]) => unknown;
  readonly write: (...args: unknown[]) => unknown;
  readonly end: (...args: unknown[]) => unknown;
  readonly flushHeaders: (...args: unknown[]) => unknown;
}

type Method = (...args: unknown[]) => unknown;
const kTarget = Symbol('sessionkit.node.output');
type Owned = ServerResponse & { [kTarget]?: HookTarget };
const nodeMethods = ServerResponse.prototype as unknown as Originals;

// Responses hooked through their prototype chain, and what each framework prototype resolved to:
// the hooks under it, or null where they cannot go.
const chained = new WeakMap<ServerResponse, HookTarget>();
const chainable = new WeakMap<object, boolean>();
/** The prototypes that carry the chain hooks. */
const hookPrototypes = new WeakSet<object>();

// Own-property hooks: one set for every response, each finds its target on the response.
const ownHooks: Originals = {
  writeHead: function writeHead(this: Owned, ...args: unknown[]) {
    return this[kTarget]!.call('writeHead', args, this);
  },
  write: function write(this: Owned, ...args: unknown[]) {
    return this[kTarget]!.call('write', args, true);
  },
  end: function end(this: Owned, ...args: unknown[]) {
    return this[kTarget]!.call('end', args, this);
  },
  flushHeaders: function flushHeaders(this: Owned, ...args: unknown[]) {
    return this[kTarget]!.call('flushHeaders', args, undefined);
  },
};

// Prototype-chain hooks: a response without a target (not hooked, or by another framework app) gets node's own.
const chainHooks: Originals = {
  writeHead: function writeHead(this: ServerResponse, ...args: unknown[]) {
    const target = chained.get(this);
    return target === undefined ? nodeMethods.writeHead.apply(this, args) : target.call('writeHead', args, this);
  },
  write: function write(this: ServerResponse, ...args: unknown[]) {
    const target = chained.get(this);
    return target === undefined ? nodeMethods.write.apply(this, args) : target.call('write', args, true);
  },
  end: function end(this: ServerResponse, ...args: unknown[]) {
    const target = chained.get(this);
    return target === undefined ? nodeMethods.end.apply(this, args) : target.call('end', args, this);
  },
  flushHeaders: function flushHeaders(this: ServerResponse, ...args: unknown[]) {
    const target = chained.get(this);
    return target === undefined ? nodeMethods.flushHeaders.apply(this, args) : target.call('flushHeaders', args, undefined);
  },
};

/**
 * Sends `res`'s writeHead, write, end and flushHeaders to `target` and returns the methods they
 * replaced, in one of three ways:
 * - a plain node:http response gets the four as own properties (every such response has the same
 *   shape, so V8 adds them along a cached transition) and `target` under a symbol;
 * - a response whose prototype a framework replaced (Express does, on every request) would copy
 *   its whole shape for each property added, about 2 us each; instead the four go once under the
 *   framework's base response prototype (all its apps and mounted sub-apps inherit from it) and
 *   `res` is found through a WeakMap. Responses of that framework without sessions pass straight
 *   to node:http's methods;
 * - anything else (a response another layer already hooked, own methods another middleware put
 *   on it, a prototype that cannot take the hooks) gets own-property closures.
 * @internal
 */
export function hookResponse(res: ServerResponse, target: HookTarget): Originals {
  const proto = Object.getPrototypeOf(res) as object;
  if (proto === ServerResponse.prototype || proto === (res.constructor as { prototype?: unknown } | undefined)?.prototype) {
    return (res as Owned)[kTarget] === undefined ? hookOwn(res, target) : hookWithClosures(res, target);
  }
  if (!chained.has(res) && throughChain(res, proto)) {
    chained.set(res, target);
    return nodeMethods;
  }
  return hookWithClosures(res, target);
}

function hookOwn(res: Owned, target: HookTarget): Originals {
  const originals = hasNodeMethods(res) ? nodeMethods : currentMethods(res);
  res[kTarget] = target;
  res.writeHead = ownHooks.writeHead as ServerResponse['writeHead'];
  res.write = ownHooks.write as ServerResponse['write'];
  res.end = ownHooks.end as ServerResponse['end'];
  res.flushHeaders = ownHooks.flushHeaders as ServerResponse['flushHeaders'];
  return originals;
}

function hookWithClosures(res: ServerResponse, target: HookTarget): Originals {
  const originals = currentMethods(res);
  res.writeHead = ((...args: unknown[]) => target.call('writeHead', args, res)) as ServerResponse['writeHead'];
  res.write = ((...args: unknown[]) => target.call('write', args, true)) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => target.call('end', args, res)) as ServerResponse['end'];
  res.flushHeaders = ((...args: unknown[]) => target.call('flushHeaders', args, undefined)) as ServerResponse['flushHeaders'];
  return originals;
}

/** The four methods `res` has now (its own, another middleware's or another layer's). */
function currentMethods(res: ServerResponse): Originals {
  return { writeHead: res.writeHead, write: res.write, end: res.end, flushHeaders: res.flushHeaders } as unknown as Originals;
}

/** True when `res`'s four methods are node:http's (nothing to capture: they are read from the prototype when called). */
function hasNodeMethods(res: ServerResponse): boolean {
  const methods = res as unknown as Originals;
  return (
    methods.writeHead === nodeMethods.writeHead &&
    methods.write === nodeMethods.write &&
    methods.end === nodeMethods.end &&
    methods.flushHeaders === nodeMethods.flushHeaders
  );
}

/** True when `res`'s four methods are the chain hooks (installing them under `proto`'s base if need be). */
function throughChain(res: ServerResponse, proto: object): boolean {
  if (resolvesToChainHooks(res)) return true;
  let known = chainable.get(proto);
  if (known === undefined) {
    known = installUnderBase(proto);
    chainable.set(proto, known);
  }
  return known && resolvesToChainHooks(res);
}

function resolvesToChainHooks(res: ServerResponse): boolean {
  const methods = res as unknown as Originals;
  return (
    methods.writeHead === chainHooks.writeHead &&
    methods.write === chainHooks.write &&
    methods.end === chainHooks.end &&
    methods.flushHeaders === chainHooks.flushHeaders
  );
}

/**
 * Puts the chain hooks between node's ServerResponse.prototype and the object above it in
 * `proto`'s chain (Express's base `response`). False when the chain does not end in node's
 * prototype or that object refuses a new prototype.
 */
function installUnderBase(proto: object): boolean {
  let base = proto;
  for (;;) {
    if (hookPrototypes.has(base)) return true; // installed for another app of the same framework
    const next = Object.getPrototypeOf(base) as object | null;
    if (next === null) return false;
    if (next === ServerResponse.prototype) break;
    base = next;
  }
  const hooks = Object.create(ServerResponse.prototype) as Record<HookedName, Method>;
  for (const name of ['writeHead', 'write', 'end', 'flushHeaders'] as const) {
    Object.defineProperty(hooks, name, { value: chainHooks[name], writable: true, configurable: true });
  }
  if (!Reflect.setPrototypeOf(base, hooks)) return false;
  hookPrototypes.add(hooks);
  return true;
}
