/**
 * The ledger: the pure, deterministic core of a microgrid chain. No clock, no random source (but
 * `generateKeyPair` and `encryptKey`'s default salt, wallet actions), no files, no network.
 *
 * ## For the node (composition root)
 *
 *   const app = createApp({ hooks, systemAccounts });      // AppOptions
 *   // first start:
 *   const genesis = parseGenesis(JSON.parse(text));        // GENESIS_INVALID on a bad file
 *   const { appHash, validators } = app.initChain(genesis);
 *   store.initChain({ chainId, genesisHash: genesisHash(genesis), initialHeight: 1,
 *                     stateChanges: app.changes() }); app.commit();
 *   // restart:
 *   const app = restoreApp(store.iterateState(new Uint8Array()), opts); // audits the supply
 *   app.info()  -> { chainId, height, timeMs, appHash }   // compare with the stored block
 *   checkNodeVersion(app.params(), Number(process.versions.node.split('.')[0]))
 *
 *   // admission (one Mempool per node):
 *   const mempool = new Mempool(app, { maxTxs, maxBytes, maxPerSender });
 *   mempool.add(txBytes)    -> { code, error?, log, hash, hashHex, parked? }   code 0 = admitted
 *   // proposing:
 *   const txs = app.prepareProposal({ txs: mempool.reap(maxBytes, maxTxs), maxBytes });
 *   const block = makeBlock({ chainId, height, timeMs, lastBlockId, appHash: app.info().appHash,
 *                             proposer, validatorsHash, nextValidatorsHash }, txs, evidence, lastCommit);
 *   encodeBlock(block) / decodeBlock(bytes) / blockId(block.header)
 *   // validating another's proposal:
 *   app.processProposal(block) -> { accept: true } | { accept: false, error, reason }
 *   // a decided block:
 *   const r = app.finalizeBlock({ height, timeMs, proposer, txs, misbehaviour: misbehaviourOf(block.evidence),
 *                                 lastCommitVotes: votesOf(block.lastCommit) });
 *     r.txResults[i] = { code, error?, log, events, feeUc, hash }   (code 0 = success)
 *     r.validatorUpdates = [{ pubKey, power }]  (power 0 removes; effective at height + 2)
 *     r.appHash = state root after the block
 *   store.commitBlock({ height, blockId, blockBytes, stateChanges: app.changes(), txIndex });
 *   app.commit(); mempool.update(block.txs);
 *   // reads:
 *   app.query('account/gl...', { prove: true }) -> { code, value: {address, balance, nonce}, valueBytes, proof }
 *   verifyStateProof(appHash, utf8(key), valueBytes | null, proof)   // light client, pure
 *
 * ## For wallets and the CLI
 *   generateKeyPair(), keyPairFromSeed(seed), createSigner(secret) -> Signer
 *   encryptKey(pair, passphrase) / plainKeyFile(pair) -> JSON; decryptKey(json, passphrase?) -> KeyPair
 *   addressFromPublicKey(pk), formatAddress(bytes) -> 'gl…', parseAddress('gl…')
 *   signTx({ chainId, nonce, feeUc, type, body }, signer) -> bytes;  buildTx(...) pays the minimum fee
 *   minFeeUc(params, txBytes)
 *
 * ## For the market (issue 6)
 *   a transaction type: one file under tx/ using defineTxType, one line in tx/registry.ts;
 *   end-block work: AppOptions.hooks.endBlockers (BlockHook = (view, ctx) => void);
 *   leave vetoes: AppOptions.hooks.leaveGuards; coin: creditUc, debitUc, mintUc, recordBurnUc.
 *
 * Errors: every refusal is a GridLedgerError with a stable code from ERROR_CODES (codes.ts).
 */
export { addressFromPublicKey, addressText, formatAddress, isAddressText, parseAddress, ADDRESS_BYTES } from './address.ts';
export { creditUc, debitUc, getAccount, getSupply, mintUc, recordBurnUc, setAccount } from './accounts.ts';
export { createApp, LedgerApp, restoreApp } from './app.ts';
export type {
  AppInfo,
  AppOptions,
  CheckTxOptions,
  CheckTxResult,
  CommitResult,
  FinalizeBlockRequest,
  FinalizeBlockResult,
  InitChainResult,
  PrepareProposalRequest,
  ProcessProposalResult,
} from './app.ts';
export {
  blockId,
  blockTxBytes,
  checkBlockBody,
  checkBlockLink,
  decodeBlock,
  EMPTY_COMMIT,
  encodeBlock,
  encodeHeader,
  evidenceHash,
  lastCommitHash,
  makeBlock,
  misbehaviourOf,
  txsRoot,
  validatorSetHash,
  votesOf,
  ZERO_HASH,
} from './block.ts';
export type { Block, BlockFields, BlockHeader, CommitSig, EvidenceItem, LastCommit } from './block.ts';
export { bytesEqual, compareBytes, concatBytes, fromHex, toHex, utf8 } from './bytes.ts';
export { codeNumber, ERROR_CODES } from './codes.ts';
export type { ErrorCode } from './codes.ts';
export type { AppEvent, BlockContext, BlockHook, LeaveGuard, LedgerHooks, TxContext } from './context.ts';
export { decodeCanonical, encodeCanonical } from './encoding.ts';
export type { TxResult } from './execute.ts';
export { feederModelHash, feederModelSchema } from './feeder.ts';
export { genesisHash, genesisToJson, parseGenesis } from './genesis.ts';
export type { Genesis, GenesisJson } from './genesis.ts';
export { sha256 } from './hash.ts';
export { decryptKey, DEFAULT_SCRYPT, encryptKey, isEncryptedKeyFile, parseKeyFile, plainKeyFile } from './keyfile.ts';
export type { KeyFile, ScryptParams } from './keyfile.ts';
export { createSigner, generateKeyPair, isAcceptablePublicKey, isRegistrableKey, keyPairFromSeed, verificationCount, verifySignature } from './keys.ts';
export type { KeyPair, Signer } from './keys.ts';
export { DEFAULT_MEMPOOL_OPTIONS, Mempool } from './mempool.ts';
export type { AddResult, MempoolApp, MempoolOptions } from './mempool.ts';
export { merkleProof, merkleRoot, verifyMerkleProof } from './merkle.ts';
export { checkNodeVersion, defaultParams, minFeeUc, paramsSchema } from './params.ts';
export type { Params } from './params.ts';
export { accountJson, feederJson, memberJson, supplyJson, validatorJson } from './query.ts';
export type { QueryResult } from './query.ts';
export { codecs, stateKeys } from './records.ts';
export type { Account, Codec, FeederRecord, Member, Supply, Validator } from './records.ts';
export { stateProofFromJson, stateProofToJson, verifyStateProof } from './smt.ts';
export type { StateProof, StateProofJson } from './smt.ts';
export { jailValidator, slashValidator, unjailValidator } from './staking.ts';
export type { Misbehaviour, ValidatorUpdate, VoteInfo } from './staking.ts';
export type { StateReader, StateView } from './state.ts';
export type { StateChange } from './store.ts';
export { auditSupply } from './supply.ts';
export { buildTx, devChain, devNet, devSigner, tinyFeeder } from './testkit.ts';
export type { DevChain, DevChainOptions, DevNet } from './testkit.ts';
export { decodeTx, encodeSignedTx, signTx, TX_SIGN_DOMAIN, txHash, txSignBytes, verifyTxSignature } from './tx/envelope.ts';
export type { DecodedTx, SignedTx, UnsignedTx } from './tx/envelope.ts';
export { defaultRegistry, TX_TYPES } from './tx/registry.ts';
export { createRegistry, defineTxType } from './tx/types.ts';
export type { BoundTx, TxDefinition, TxRegistry, TxType } from './tx/types.ts';
