import { describe, expect, it } from 'vitest';
import { defaultParams, devNet } from '../ledger/index.ts';
import type { Params } from '../ledger/index.ts';
import { marketEndBlocker, marketLeaveGuard } from '../ledger/market/index.ts';
import { workedPair } from '../ledger/market/testkit.ts';
import { hasMarket, marketComposition, nextMarketDeadline } from './marketComposition.ts';

const withMarket = (market: Params['market']): Params => ({ ...defaultParams(), market });

describe('market composition of a node', () => {
  it('a genesis without market parameters (the default {}) runs no market', () => {
    expect(hasMarket(defaultParams())).toBe(false);
    expect(marketComposition(defaultParams())).toBeUndefined();
  });

  it('a genesis with market parameters gets the end blocker, the leave guard and the main grid account', () => {
    const params = withMarket({ epochMs: 0 });
    expect(hasMarket(params)).toBe(true);
    const c = marketComposition(params);
    expect(c?.app.hooks?.endBlockers).toContain(marketEndBlocker);
    expect(c?.app.hooks?.leaveGuards).toContain(marketLeaveGuard);
    expect(c?.app.systemAccounts?.length).toBe(1);
  });

  it('refuses market parameters the schema does not take', () => {
    expect(() => marketComposition(withMarket({ intervalMs: 1 }))).toThrow(/MARKET_PARAMS_INVALID|params\.market/);
  });

  it('names no deadline before the market has run a block', () => {
    const params = withMarket({ epochMs: 0 });
    const net = devNet({ params, app: marketComposition(params)?.app ?? {} });
    expect(nextMarketDeadline(net.app, workedPair().m.mp)).toBeUndefined();
  });

  it('names the next gate closure, or an earlier reading deadline of a cleared interval', () => {
    const { m, A, B } = workedPair();
    m.blockAt(m.start(0) + 10_000, [
      m.net.tx(A.signer, 'order', { side: 'ask', bus: 2, energyWh: 3_000, priceUcPerKwh: 150_000, flexible: false, fromInterval: 1, intervals: 2 }),
      m.net.tx(B.signer, 'order', { side: 'bid', bus: 3, energyWh: 4_000, priceUcPerKwh: 250_000, flexible: false, fromInterval: 1, intervals: 2 }),
    ]);
    expect(nextMarketDeadline(m.net.app, m.mp)).toBe(m.gateClosure(1));
    m.blockAt(m.gateClosure(1));
    expect(m.clearing(1)?.status).toBe('cleared');
    expect(nextMarketDeadline(m.net.app, m.mp)).toBe(m.gateClosure(2));
    m.blockAt(m.gateClosure(2));
    // 1 is cleared and not settled: its reading deadline (1's end + 5 min) comes before 3's gate closure (+ 10 min).
    expect(m.deadline(1)).toBeLessThan(m.gateClosure(3));
    expect(nextMarketDeadline(m.net.app, m.mp)).toBe(m.deadline(1));
    m.blockAt(m.deadline(1));
    expect(m.settlement(1)).toBeDefined();
    expect(nextMarketDeadline(m.net.app, m.mp)).toBe(m.gateClosure(3));
  });
});
