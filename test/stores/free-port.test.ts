import { describe, expect, it } from 'vitest';
import { ephemeralPorts, freePort } from './support/processes.js';

describe('test servers get ports a client connection cannot take', () => {
  it('freePort picks ports below the ephemeral range, so a stopped server can restart on its port', async () => {
    const { low } = ephemeralPorts();
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(low);
    }
  });

  it('freePort with alsoPlus keeps the second port below the ephemeral range too', async () => {
    const { low } = ephemeralPorts();
    for (let i = 0; i < 20; i++) expect((await freePort(10_000)) + 10_000).toBeLessThan(low);
  });
});
