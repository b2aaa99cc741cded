/**
 * ChainAccess to an in-process cluster on a virtual clock (startCluster): the clock moves as fast
 * as the validators work, so a simulated day takes as long as its blocks take to make. Reads go to
 * validator 0; finality is measured on the virtual clock (the in-process network takes no time).
 */
import { z } from 'zod';
import { GridLedgerError } from '../../../errors.ts';
import type { Cluster } from '../../../node/cluster.ts';
import { stopCluster } from '../../../node/cluster.ts';
import type { AdmitResult, ChainAccess } from './chainAccess.ts';
import { CommitTally } from './chainAccess.ts';

const accountAnswer = z.object({ balance: z.number().int() });

export function clusterAccess(cluster: Cluster): ChainAccess {
  const node = cluster.node(0);
  const tally = new CommitTally();
  node.onCommit((e) => tally.committed(e.txHashes, cluster.clock.nowMs()));

  return {
    chain: cluster.chain,
    nowMs: () => Promise.resolve(cluster.clock.nowMs()),
    async advanceTo(timeMs) {
      const now = cluster.clock.nowMs();
      if (timeMs < now) throw new GridLedgerError('SIM_TIMING', `the chain's clock is at ${now} ms, a step needs ${timeMs} ms`);
      if (timeMs > now) await cluster.run(timeMs - now);
    },
    height: () => Promise.resolve(node.status().height),
    nextBlock: (limitMs, afterHeight) => cluster.runUntil(() => node.status().height > afterHeight, { maxMs: Math.max(0, limitMs - cluster.clock.nowMs()) }),
    async admit(txs) {
      const out: AdmitResult[] = [];
      for (const bytes of txs) {
        const r = await node.submitTx(bytes);
        if (r.code === 0) tally.admitted(r.hash, cluster.clock.nowMs());
        out.push({ hash: r.hash, code: r.code, ...(r.error === undefined ? {} : { error: r.error }), ...(r.message === undefined ? {} : { message: r.message }) });
      }
      return out;
    },
    waitCommitted: (hashes, maxMs) => cluster.runUntil(() => hashes.every((h) => !tally.isPending(h)), { maxMs }),
    txResult(hash) {
      const t = node.getTx(hash);
      return Promise.resolve(t === null ? null : { height: t.height, code: t.code, log: t.log });
    },
    stateKey(key) {
      const r = node.query(`key/${key}`);
      return Promise.resolve(r.code === 0 && typeof r.value === 'string' ? r.value : null);
    },
    balance(address) {
      const r = accountAnswer.safeParse(node.query(`account/${address}`).value);
      return Promise.resolve(r.success ? r.data.balance : 0);
    },
    figures: () => Promise.resolve(tally.figures(node.status().height)),
    close: () => stopCluster(cluster),
  };
}
