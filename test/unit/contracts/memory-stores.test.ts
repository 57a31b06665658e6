/** The port contracts on the in-memory fakes the unit tests use: the fakes behave as the adapters do. */
import { authStoreContract } from '../../contracts/auth-store.contract';
import { blobStoreContract } from '../../contracts/blob-store.contract';
import { metadataStoreContract } from '../../contracts/metadata';
import { memoryMarks } from '../../contracts/metadata/collector-marks';
import { MemoryAuthStore } from '../fakes/memory-auth-store';
import { MemoryBlobStore } from '../fakes/memory-blob-store';
import { MemoryMetadataStore } from '../fakes/memory-metadata-store';

blobStoreContract('MemoryBlobStore', async () => new MemoryBlobStore(), { servesPresignedUrls: false });
metadataStoreContract('MemoryMetadataStore', async (now) => new MemoryMetadataStore(now), memoryMarks);
authStoreContract('MemoryAuthStore', async (now) => new MemoryAuthStore(now));
