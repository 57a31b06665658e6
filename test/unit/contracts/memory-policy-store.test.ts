/** The PolicyStore contract on the in-memory fake the unit tests use. */
import { policyStoreContract } from '../../contracts/policy-store.contract';
import { MemoryPolicyStore } from '../fakes/memory-policy-store';

policyStoreContract('MemoryPolicyStore', async () => new MemoryPolicyStore());
