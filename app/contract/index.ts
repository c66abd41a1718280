/** The public surface of `app/contract`: the only module the renderer may import from `app/`. */
export * from './api';
export * from './client';
export * from './errors';
export * from './methods';
export * from './schemas';
export * from './latent';
export * from './latent-schemas';
export * from './format';
export * from './media';
export * from './training';
export * from './page-policy';
