/** The latent-space core: pure functions over embeddings (see README.md). */
export * from './errors';
export * from './table';
export * from './metrics';
export * from './query';
export * from './top-k';
export * from './random';
export * from './knn-exact';
export * from './knn-hnsw';
export * from './interpolate';
export * from './traverse';
export * from './latent-grid';
export * from './summary';
export * from './pca';
export * from './maps';
export * from './map-decode';
export * from './attribute';
export * from './outliers';
