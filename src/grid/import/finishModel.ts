import type { FeederModel } from '../model.ts';
import { importError } from './importError.ts';

/**
 * Last step of every importer: checks that each element names a bus of the model and that the
 * slack bus is in service, and takes out of service what hangs on an out-of-service bus (as
 * MATPOWER and pandapower both do), so the solver never sees a live element on a dead bus.
 */
export function finishModel(model: FeederModel, source: string): FeederModel {
  const live = new Map(model.buses.map((b) => [b.id, b.inService]));
  const busLive = (what: string, bus: number): boolean => {
    const v = live.get(bus);
    if (v === undefined) throw importError(source, null, `${what} names bus ${bus}, which the feeder does not have`);
    return v;
  };
  if (!busLive('the slack', model.slack.bus)) throw importError(source, null, `the slack bus ${model.slack.bus} is out of service`);
  return {
    ...model,
    branches: model.branches.map((br) => {
      const ends = busLive(`${br.kind} ${br.id}`, br.from) && busLive(`${br.kind} ${br.id}`, br.to);
      return ends || !br.inService ? br : { ...br, inService: false };
    }),
    loads: model.loads.map((l) => (busLive(`load ${l.id}`, l.bus) || !l.inService ? l : { ...l, inService: false })),
    sgens: model.sgens.map((g) => (busLive(`sgen ${g.id}`, g.bus) || !g.inService ? g : { ...g, inService: false })),
  };
}
