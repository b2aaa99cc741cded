/**
 * `gridledger market clear`: the consensus clearing code run on one order book, off chain (a
 * what-if tool, DESIGN.md section 7).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import highsModule from 'highs';
import { z } from 'zod';
import { GridLedgerError } from '../errors.ts';
import { loadFeeder } from '../grid/import/feederFile.ts';
import { parseBook } from '../market/book.ts';
import { clearAuction, DEFAULT_INTERVAL_MIN } from '../market/clear.ts';
import { clearOptimal } from '../market/optimal.ts';
import type { ClearingResult } from '../market/result.ts';

const flagsSchema = z.object({
  book: z.string().min(1),
  case: z.string().min(1).optional(),
  mode: z.enum(['greedy', 'optimal']),
  intervalMin: z.coerce.number().int().min(1).max(1440),
  json: z.boolean().optional(),
});

export function registerMarketCommands(program: Command): void {
  const market = program.command('market').description('the energy market: clear an order book off chain');
  market
    .command('clear')
    .description('clear one interval\'s order book (contracts, pay-as-clear auction, grid check) and print the result')
    .requiredOption('--book <file>', 'order book JSON: {asks: [{id, bus, energy_wh, price, flexible}], bids: [...], contracts?: [...]}; price in µc/kWh')
    .option('--case <feeder>', 'feeder (MATPOWER .m or pandapower .json) to grid-check the schedule on; without it, no grid check')
    .addOption(new Option('--mode <mode>', 'greedy: the consensus rule; optimal: welfare-maximising LP with locational prices (what-if only)').choices(['greedy', 'optimal']).default('greedy'))
    .option('--interval-min <minutes>', 'interval length in minutes: energy per interval becomes average power', String(DEFAULT_INTERVAL_MIN))
    .option('--json', 'print the result as JSON (the DESIGN.md section 7 fields)')
    .action(async (raw: unknown) => {
      const flags = parseFlags(raw);
      const book = parseBook(readJson(flags.book));
      const feeder = flags.case === undefined ? undefined : loadFeeder(flags.case);
      const opts = { intervalMin: flags.intervalMin, ...(feeder === undefined ? {} : { feeder }) };
      const result = flags.mode === 'optimal' ? clearOptimal(book, { ...opts, solver: await loadHighs() }) : clearAuction(book, opts);
      process.stdout.write(flags.json === true ? `${JSON.stringify(toJson(result), null, 2)}\n` : summary(result, feeder !== undefined));
    });
}

/** highs ships CommonJS typings for its ES module build: take the loader from either shape. */
type HighsLoader = typeof highsModule.default;
const highsExport: unknown = highsModule;
const loadHighs: HighsLoader = typeof highsExport === 'function' ? (highsExport as HighsLoader) : highsModule.default;

function parseFlags(raw: unknown): z.infer<typeof flagsSchema> {
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `--${i.path.map((p) => String(p).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join('.')}: ${i.message}`).join('; ');
    throw new GridLedgerError('CLI_BAD_FLAG', msg);
  }
  return parsed.data;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new GridLedgerError('MARKET_BOOK_UNREADABLE', `cannot read order book ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new GridLedgerError('MARKET_BAD_BOOK', `order book ${file} is not JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The DESIGN.md section 7 JSON (snake_case), plus `deliveries` of contracts. */
export function toJson(r: ClearingResult): Record<string, unknown> {
  return {
    clearing_price: r.clearingPriceUcPerKwh,
    matched_wh: r.matchedWh,
    welfare: r.welfareUc,
    trades: r.trades.map((t) => ({
      ask: t.ask,
      bid: t.bid,
      energy_wh: t.energyWh,
      price: t.priceUcPerKwh,
      ...(t.buyerPriceUcPerKwh === undefined ? {} : { buyer_price: t.buyerPriceUcPerKwh }),
    })),
    deliveries: r.deliveries.map((d) => ({ contract: d.contractId, seller: d.seller, buyer: d.buyer, energy_wh: d.energyWh, price: d.priceUcPerKwh })),
    curtailed: r.curtailed.map((c) => ({
      ask: c.ask,
      bid: c.bid,
      ...(c.contractId === undefined ? {} : { contract: c.contractId }),
      energy_wh: c.energyWh,
      reason: c.reason,
    })),
    alerts: r.alerts,
  };
}

function summary(r: ClearingResult, checked: boolean): string {
  const lines: string[] = [];
  const n = (v: number): string => v.toLocaleString('en-US');
  lines.push(r.clearingPriceUcPerKwh === null ? 'no trade: the best bid is below the best ask' : `clearing price ${n(r.clearingPriceUcPerKwh)} µc/kWh`);
  lines.push(`matched ${n(r.matchedWh)} Wh in ${r.trades.length} trade(s), welfare ${n(r.welfareUc)} µc${checked ? ', after the grid check' : ' (no grid check: no --case)'}`);
  for (const t of r.trades.slice(0, 20)) {
    const buyer = t.buyerPriceUcPerKwh === undefined ? '' : `, buyer pays ${n(t.buyerPriceUcPerKwh)}`;
    lines.push(`  ${t.ask} -> ${t.bid}: ${n(t.energyWh)} Wh at ${n(t.priceUcPerKwh)} µc/kWh${buyer}`);
  }
  if (r.trades.length > 20) lines.push(`  ... and ${r.trades.length - 20} more (--json lists all)`);
  for (const d of r.deliveries) lines.push(`contract ${d.contractId}: ${d.seller} -> ${d.buyer} ${n(d.energyWh)} Wh at ${n(d.priceUcPerKwh)} µc/kWh`);
  if (r.curtailed.length > 0) lines.push(`curtailed ${n(r.curtailed.reduce((s, c) => s + c.energyWh, 0))} Wh by the grid check:`);
  for (const c of r.curtailed.slice(0, 20)) lines.push(`  ${c.contractId === undefined ? '' : `contract ${c.contractId} `}${c.ask} -> ${c.bid}: ${n(c.energyWh)} Wh (${c.reason})`);
  if (r.curtailed.length > 20) lines.push(`  ... and ${r.curtailed.length - 20} more`);
  for (const a of r.alerts) lines.push(`ALERT for the operator: ${a.message}`);
  return `${lines.join('\n')}\n`;
}
