/** The MirrorStore contract on the in-memory fake the unit tests use. */
import { mirrorStoreContract } from '../../contracts/mirror-store.contract';
import { MemoryMirrorStore } from '../fakes/memory-mirror-store';

mirrorStoreContract('MemoryMirrorStore', async () => new MemoryMirrorStore());
