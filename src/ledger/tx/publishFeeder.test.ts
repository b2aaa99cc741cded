import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.ts';
import { feederModelHash } from '../feeder.ts';
import { devNet, tinyFeeder } from '../testkit.ts';

function setup() {
  const net = devNet();
  const alice = net.chain.accounts['alice'];
  if (alice === undefined) throw new Error('alice');
  return { net, alice, operator: net.chain.operator };
}

describe('publish_feeder', () => {
  it('the operator publishes the model; republishing bumps the version', () => {
    const { net, operator } = setup();
    const model = tinyFeeder(3);
    expect(net.send(operator, 'publish_feeder', { model }).code).toBe(0);
    expect(net.app.query('feeder').value).toMatchObject({ version: 1, modelHash: toHex(feederModelHash(model)), model });
    expect(net.send(operator, 'publish_feeder', { model: tinyFeeder(5) }).code).toBe(0);
    expect(net.app.query('feeder').value).toMatchObject({ version: 2 });
  });

  it('a model with fractional per-unit values survives the round trip bit for bit', () => {
    const { net, operator } = setup();
    const model = tinyFeeder(2);
    model.branches[0] = { ...(model.branches[0] as (typeof model.branches)[number]), rPu: 0.1 + 0.2, xPu: 1 / 3 };
    expect(net.send(operator, 'publish_feeder', { model }).code).toBe(0);
    const stored = (net.app.query('feeder').value as { model: typeof model }).model;
    expect(stored.branches[0]?.rPu).toBe(0.1 + 0.2);
    expect(stored.branches[0]?.xPu).toBe(1 / 3);
  });

  it('NOT_OPERATOR', () => {
    const { net, alice } = setup();
    expect(net.check(net.tx(alice, 'publish_feeder', { model: tinyFeeder() })).error).toBe('NOT_OPERATOR');
  });

  it('FEEDER_INVALID: dangling branch, duplicate bus, inverted voltage band, missing slack bus, unknown field', () => {
    const { net, operator } = setup();
    const m = tinyFeeder(2);
    const bad = [
      { ...m, branches: [...m.branches, { ...(m.branches[0] as (typeof m.branches)[number]), id: 9, to: 77 }] },
      { ...m, buses: [...m.buses, m.buses[0]] },
      { ...m, buses: m.buses.map((b) => ({ ...b, vMinPu: 1.2 })) },
      { ...m, slack: { ...m.slack, bus: 99 } },
      { ...m, colour: 'blue' },
    ];
    for (const model of bad) expect(net.check(net.tx(operator, 'publish_feeder', { model }, { nonce: 0 })).error).toBe('FEEDER_INVALID');
  });

  it('FEEDER_MEMBER_BUS_REMOVED: a new model must keep every member\'s bus', () => {
    const { net, operator, alice } = setup();
    net.send(operator, 'publish_feeder', { model: tinyFeeder(3) });
    expect(net.send(alice, 'join_request', { bus: 3, meterKeyHint: null, depositUc: 10_000_000, exportLimitW: 0, importLimitW: 0 }).code).toBe(0);
    expect(net.check(net.tx(operator, 'publish_feeder', { model: tinyFeeder(2) })).error).toBe('FEEDER_MEMBER_BUS_REMOVED');
  });
});
