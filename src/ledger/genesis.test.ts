import { describe, expect, it } from 'vitest';
import { thrownCode } from '../errors.ts';
import { formatAddress } from './address.ts';
import { toHex } from './bytes.ts';
import { genesisHash, genesisToJson, parseGenesis } from './genesis.ts';
import { defaultParams } from './params.ts';
import { devChain, devSigner, tinyFeeder } from './testkit.ts';
import { createApp } from './app.ts';


describe('genesis', () => {
  const json = genesisToJson(devChain({ validators: 2 }).genesis);

  it('round-trips through JSON and hashes the same', () => {
    const parsed = parseGenesis(JSON.parse(JSON.stringify(json)));
    expect(genesisToJson(parsed)).toEqual(json);
    expect(toHex(genesisHash(parsed))).toBe(toHex(genesisHash(devChain({ validators: 2 }).genesis)));
  });

  it('counts balances, stakes and deposits as the genesis supply', () => {
    const meter = devSigner('meter');
    const member = devSigner('member');
    const g = parseGenesis({
      ...json,
      feeder: tinyFeeder(2),
      members: [{ address: formatAddress(member.address), bus: 2, meterPublicKey: toHex(meter.publicKey), depositUc: 5, exportLimitW: 0, importLimitW: 0 }],
    });
    const app = createApp();
    app.initChain(g);
    const expected = json.accounts.reduce((s, a) => s + a.balanceUc, 0) + json.validators.reduce((s, v) => s + v.stakeUc, 0) + 5;
    expect(app.query('supply').value).toMatchObject({ genesisUc: expected, totalUc: expected });
    expect(app.query(`member/${formatAddress(member.address)}`).value).toMatchObject({ status: 'active', bus: 2 });
  });

  it('refuses bad files with GENESIS_INVALID', () => {
    const v = json.validators[0];
    const a = json.accounts[0];
    if (v === undefined || a === undefined) throw new Error('fixture');
    const bad: unknown[] = [
      { ...json, chainId: 'Bad Chain' },
      { ...json, validators: [] },
      { ...json, validators: [v, v] },
      { ...json, accounts: [a, a] },
      { ...json, accounts: [{ ...a, address: `${a.address.slice(0, -1)}0` }] },
      { ...json, accounts: [{ ...a, balanceUc: 2 ** 53 }] },
      { ...json, accounts: [{ ...a, balanceUc: 2 ** 52 }, { address: formatAddress(devSigner('z').address), balanceUc: 2 ** 52 }] },
      { ...json, validators: [{ ...v, stakeUc: 1 }] },
      { ...json, validators: [{ ...v, publicKey: '01'.padEnd(64, '0') }] },
      { ...json, params: { ...defaultParams(), staking: { ...defaultParams().staking, unbondingMs: 1 } } },
      { ...json, members: [{ address: a.address, bus: 1, meterPublicKey: toHex(devSigner('m').publicKey), depositUc: 0, exportLimitW: 0, importLimitW: 0 }] },
      { ...json, extra: true },
      null,
    ];
    for (const g of bad) expect(thrownCode(() => parseGenesis(g)), JSON.stringify(g)?.slice(0, 80)).toBe('GENESIS_INVALID');
  });
});
