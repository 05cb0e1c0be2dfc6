// How the HTTP suite starts its servers: built JavaScript on plain node, every server with the same V8 heap flags.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PEER_NODE_FLAGS, peerNodeArgs } from '../../bench/peer-command.mjs';
import { PEERS } from '../../bench/peers.js';

describe('peer servers', () => {
  it('runs a TypeScript peer from its tsc build, with no loader', { timeout: 60_000 }, () => {
    const args = peerNodeArgs('fastify-sessionkit.ts');
    const script = args.at(-1)!;
    expect(script).toMatch(/\.bench-build\/bench\/peers\/fastify-sessionkit\.js$/);
    expect(existsSync(script)).toBe(true);
    expect(args.join(' ')).not.toMatch(/tsx|--import|--loader/);
  });

  it('gives every peer, bare or with sessions, the same node flags', { timeout: 60_000 }, () => {
    expect(PEER_NODE_FLAGS).toContain('--min-semi-space-size=16');
    for (const peer of PEERS) expect(peerNodeArgs(peer.file).slice(0, PEER_NODE_FLAGS.length)).toEqual(PEER_NODE_FLAGS);
  });

  it('runs a JavaScript peer from bench/peers as it is', () => {
    expect(peerNodeArgs('raw-uws.mjs').at(-1)).toMatch(/bench\/peers\/raw-uws\.mjs$/);
  });
});
