/**
 * The BlobStore contract on the S3 adapter, against the suite's S3: the patched s3rver, or the server
 * S3_ENDPOINT names (Ceph RGW, MinIO), as global-setup.ts arranges.
 */
import { blobStoreContract } from '../../contracts/blob-store.contract';
import { backendEnv } from '../backend-env';
import { s3BlobStores } from './s3-blob-store-fixture';

const stores = s3BlobStores(backendEnv().s3);
afterAll(() => stores.destroy());

blobStoreContract(`S3BlobStore on ${backendEnv().s3.endpoint}`, () => stores.make(), { servesPresignedUrls: true });
