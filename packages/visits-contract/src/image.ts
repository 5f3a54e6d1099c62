/** The uid the image runs as (`USER` in docker/Dockerfile); pods run as it too. */
export const IMAGE_UID = 10001;
/** The gid the image runs as; it also owns the data directory and, through `fsGroup`, the volumes. */
export const IMAGE_GID = 10001;
/** Where the image, and every pod, keeps the store: the image sets `DATA_DIR` to it. */
export const IMAGE_DATA_DIR = '/data';
