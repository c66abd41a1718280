/**
 * What the latent commands accept: their parseArgs options, the flags of each command, the
 * usage lines and the help block (one table that run.ts, the commands and --help share).
 */

/** The parseArgs options of the latent commands (spread into run.ts's OPTIONS). */
export const LATENT_OPTIONS = {
  run: { type: 'string' },
  force: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  latent: { type: 'string' },
  k: { type: 'string' },
  metric: { type: 'string' },
  folders: { type: 'string' },
  search: { type: 'string' },
  steps: { type: 'string' },
  method: { type: 'string' },
  dim: { type: 'string' },
  direction: { type: 'string' },
  range: { type: 'string' },
  absolute: { type: 'boolean' },
  dims: { type: 'string' },
  rows: { type: 'string' },
  columns: { type: 'string' },
  count: { type: 'string' },
  seed: { type: 'string' },
  target: { type: 'string' },
  strength: { type: 'string' },
  limit: { type: 'string' },
  'a-folders': { type: 'string' },
  'a-images': { type: 'string' },
  'b-folders': { type: 'string' },
  'b-images': { type: 'string' },
  step: { type: 'string' },
} as const;

export type LatentFlag = keyof typeof LATENT_OPTIONS;
export type LatentFlags = {
  [K in LatentFlag]?: (typeof LATENT_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

const IMAGE_OUT: LatentFlag[] = ['out', 'force'];

/** Each latent command with the flags it accepts (besides the global ones). */
export const LATENT_COMMANDS = {
  encode: ['run', 'force'],
  embeddings: ['run'],
  posterior: ['run', 'latent', ...IMAGE_OUT],
  neighbors: ['run', 'latent', 'k', 'metric', 'folders', 'search'],
  interpolate: ['run', 'latent', 'steps', 'method', ...IMAGE_OUT],
  traverse: ['run', 'latent', 'dim', 'direction', 'range', 'steps', 'absolute', ...IMAGE_OUT],
  grid: ['run', 'latent', 'dims', 'rows', 'columns', ...IMAGE_OUT],
  sample: ['run', 'count', 'seed', ...IMAGE_OUT],
  map: ['run', 'method', 'seed', 'force', 'out'],
  summary: ['run', 'k'],
  attribute: [
    'run',
    'a-folders',
    'a-images',
    'b-folders',
    'b-images',
    'target',
    'latent',
    'strength',
    ...IMAGE_OUT,
  ],
  outliers: ['run', 'limit', 'folders'],
  replay: ['run', 'step', ...IMAGE_OUT],
} as const satisfies Record<string, readonly LatentFlag[]>;

export type LatentCommandName = keyof typeof LATENT_COMMANDS;

export const LATENT_FLAGS: readonly string[] = Object.keys(LATENT_OPTIONS);

export function isLatentCommand(name: string): name is LatentCommandName {
  return Object.hasOwn(LATENT_COMMANDS, name);
}

export const USAGE: Record<LatentCommandName, string> = {
  encode: 'encode [--run R] [--force]',
  embeddings: 'embeddings [--run R]',
  posterior: 'posterior <source> [-o recon.png]',
  neighbors: 'neighbors <source> [--k N] [--metric M] [--folders 1,2] [--search auto|exact|hnsw]',
  interpolate: 'interpolate <source> <source> [more…] [--steps N] [--method linear|slerp]',
  traverse: 'traverse [<source>] (--dim N | --direction v1,v2,…) [--range -3,3] [--steps N]',
  grid: 'grid [<source>] [--dims x,y] [--rows N] [--columns N] [-o grid.png]',
  sample: 'sample [--count N] [--seed N] [-o grid.png]',
  map: 'map --method pca|umap|tsne [--seed N] [--force] [-o map.csv]',
  summary: 'summary [--k N]',
  attribute:
    'attribute (--a-folders 1,2 | --a-images 5,6) (--b-folders 3 | --b-images 7,8) [--target <source>]',
  outliers: 'outliers [--limit N] [--folders 1,2]',
  replay: 'replay [--step N [-o prior.png]]',
};

export const LATENT_HELP = `Latent space (default: the latest completed run; --run R picks another):
  <source>: a library image id, an image file's path, or --latent v1,v2,… (a code; for
  interpolate the last source). Every command takes --run R.
  encode               Encode the library with the run's checkpoint (incremental; Ctrl+C
                       keeps the finished batches)
                         --force         encode every image again
  embeddings           What is encoded for the run, and how many images are pending
  posterior <source>   μ, σ and KL per dimension (largest KL first), total KL and −ELBO
                         -o recon.png    write the reconstruction
  neighbors <source>   The library images nearest in latent space
                         --k N (10)  --metric euclidean|cosine|symmetric-kl|bhattacharyya|wasserstein
                         --folders 1,2  --search auto|exact|hnsw
  interpolate <source> <source> [more…]
                       Decoded path through the sources, with the nearest image per frame
                         --steps N (8, per segment)  --method linear|slerp  -o strip.png
  traverse [<source>]  One dimension or a direction swept around the source (default the origin)
                         --dim N | --direction v1,v2,…  --range -3,3  --steps N (9)  --absolute
                         -o strip.png
  grid [<source>]      Decoded grid over two dimensions (default the two most active)
                         --dims x,y  --rows N (8)  --columns N (8)  -o grid.png
  sample               Codes drawn from the prior N(0, I), decoded
                         --count N (16)  --seed N  -o grid.png
  map                  2-D map of the library, cached per checkpoint (Ctrl+C stops)
                         --method pca|umap|tsne  --seed N  --force (compute again, replace -o)  -o map.csv
  summary              Per-dimension σ and KL, active units, folder agreement of neighbours
                         --k N (10)      neighbours for the folder agreement
  attribute            Vector between two groups of images, its held-out AUC, applied to a target
                         --a-folders 1,2 | --a-images 5,6,7  --b-folders 3 | --b-images 8,9
                         --target <source> (or --latent)  --strength -2,-1,0,1,2  -o strip.png
  outliers             The images the model explains worst (highest −ELBO)
                         --limit N (20)  --folders 1,2
  replay               Training replay: the steps recorded (1, 2, 4, 8, … and the last)
                         --step N  one frame: the sample's spread; -o prior.png its prior decodings
  -o FILE writes PNG pictures (upscaled, 1-px grey gaps) and never replaces a file without --force.
`;
