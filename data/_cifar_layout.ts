/** Constants of the CIFAR-10 binary layout, shared by its reader and writer. */

/** Height, width and channels of one image. */
export const SHAPE: readonly [32, 32, 3] = [32, 32, 3];
/** Bytes of one image's pixels. */
export const PIXELS = 32 * 32 * 3;
/** Bytes of one record: a label byte, then the R, G and B planes. */
export const RECORD = PIXELS + 1;
/** Records of one official batch file; the most a batch file may hold. */
export const BATCH_RECORDS = 10_000;
/** Training batch files, in order. */
export const TRAIN_FILES: readonly string[] = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
/** The test batch file. */
export const TEST_FILE = "test_batch.bin";
/** The class-names file, one name a line. */
export const META_FILE = "batches.meta.txt";
/** The folder the official archive unpacks to. */
export const ARCHIVE_DIR = "cifar-10-batches-bin";
