/**
 * The feeder model as the operator publishes it on chain (the grid engine's FeederModel, checked
 * here because it arrives in a transaction). Structure only: ids unique, every element on an
 * existing bus, finite numbers in their physical ranges. Whether the feeder can carry a schedule
 * is the grid check's question, not this one's.
 */
import { z } from 'zod';
import type { FeederModel } from '../grid/model.ts';
import { encodeCanonical } from './encoding.ts';
import { sha256 } from './hash.ts';

const finite = z.number().refine(Number.isFinite, 'must be finite');
const positive = finite.refine((x) => x > 0, 'must be positive');
const nonNegative = finite.refine((x) => x >= 0, 'must not be negative');
const id = z.int();
const name = z.string().max(200).exactOptional();

const bus = z.strictObject({ id, name, baseKv: positive, vMinPu: positive, vMaxPu: positive, inService: z.boolean() });

const rating = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('current'), maxIKa: positive }),
  z.strictObject({ kind: z.literal('trafo'), snMva: positive, fromRatedKv: positive, toRatedKv: positive }),
  z.strictObject({ kind: z.literal('apparent'), mva: positive }),
]);

const branch = z.strictObject({
  kind: z.enum(['line', 'trafo']),
  id,
  from: id,
  to: id,
  rPu: finite,
  xPu: finite,
  gFromPu: finite,
  bFromPu: finite,
  gToPu: finite,
  bToPu: finite,
  tap: positive,
  shiftDeg: finite,
  inService: z.boolean(),
  rating: rating.nullable(),
  name,
});

const load = z.strictObject({ id, bus: id, pKw: finite, qKvar: finite, inService: z.boolean(), name });
const sgen = z.strictObject({
  id,
  bus: id,
  pKw: finite,
  qKvar: finite,
  kind: z.enum(['pv', 'wind', 'battery', 'other']),
  inService: z.boolean(),
  name,
});
const slack = z.strictObject({ bus: id, vmPu: positive, vaDeg: finite, limitKva: nonNegative.exactOptional() });

function uniqueIds(items: readonly { id: number; kind?: string }[]): boolean {
  return new Set(items.map((i) => `${i.kind ?? ''}:${i.id}`)).size === items.length;
}

export const feederModelSchema: z.ZodType<FeederModel> = z
  .strictObject({
    name: z.string().max(200),
    baseMva: positive,
    fHz: positive,
    buses: z.array(bus).min(1),
    branches: z.array(branch),
    loads: z.array(load),
    sgens: z.array(sgen),
    slack,
  })
  .superRefine((m, ctx) => {
    const buses = new Set(m.buses.map((b) => b.id));
    if (buses.size !== m.buses.length) ctx.addIssue({ code: 'custom', message: 'bus ids must be unique', path: ['buses'] });
    for (const [key, items] of [['branches', m.branches], ['loads', m.loads], ['sgens', m.sgens]] as const) {
      if (!uniqueIds(items)) ctx.addIssue({ code: 'custom', message: `${key} ids must be unique`, path: [key] });
    }
    m.buses.forEach((b, i) => {
      if (b.vMinPu >= b.vMaxPu) ctx.addIssue({ code: 'custom', message: 'vMinPu must be below vMaxPu', path: ['buses', i] });
    });
    m.branches.forEach((b, i) => {
      if (!buses.has(b.from) || !buses.has(b.to)) ctx.addIssue({ code: 'custom', message: 'branch ends must be buses', path: ['branches', i] });
      if (b.from === b.to) ctx.addIssue({ code: 'custom', message: 'branch ends must differ', path: ['branches', i] });
    });
    m.loads.forEach((l, i) => {
      if (!buses.has(l.bus)) ctx.addIssue({ code: 'custom', message: 'load bus must exist', path: ['loads', i] });
    });
    m.sgens.forEach((g, i) => {
      if (!buses.has(g.bus)) ctx.addIssue({ code: 'custom', message: 'sgen bus must exist', path: ['sgens', i] });
    });
    if (!buses.has(m.slack.bus)) ctx.addIssue({ code: 'custom', message: 'slack bus must exist', path: ['slack'] });
  });

/** Hash of the model's canonical encoding: what validators agree they check schedules against. */
export function feederModelHash(model: FeederModel): Uint8Array {
  return sha256(encodeCanonical(model));
}

export function feederHasBus(model: FeederModel, busId: number): boolean {
  return model.buses.some((b) => b.id === busId && b.inService);
}
