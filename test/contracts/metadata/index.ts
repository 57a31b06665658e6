/** Every metadata contract, for an implementation of all the metadata ports (MetadataStore). */
import type { MetadataStore } from '../../../lambda/ports/metadata-store';
import { blobIndexContract } from './blob-index.contract';
import { catalogContract } from './catalog.contract';
import type { CollectorMarksOf } from './collector-marks';
import { manifestStoreContract } from './manifest-store.contract';
import { uploadSessionStoreContract } from './upload-session-store.contract';

/** Fresh, empty metadata stores whose clock is `now` (milliseconds since the epoch). */
export type MetadataStoreFactory = (now?: () => number) => Promise<MetadataStore>;

/**
 * Declares the BlobIndex, ManifestStore, UploadSessionStore and Catalog contracts for the stores `make`
 * returns; `marks` sets the collector's marks on a store's items, as the collector would.
 */
export function metadataStoreContract(name: string, make: MetadataStoreFactory, marks: CollectorMarksOf): void {
  const withMarks = async () => { const store = await make(); return { store, marks: marks(store) }; };
  blobIndexContract(name, withMarks);
  manifestStoreContract(name, withMarks);
  uploadSessionStoreContract(name, (now) => make(now));
  catalogContract(name, () => make());
}
