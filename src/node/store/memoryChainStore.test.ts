import { createMemoryChainStore } from './memoryChainStore.ts';
import { describeChainStoreCompliance } from './chainStoreCompliance.ts';

describeChainStoreCompliance('memory', createMemoryChainStore);
