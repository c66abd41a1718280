/**
 * The "Add folder" form: the path and the model input (preprocessing) a new folder gets. It is a
 * store rather than component state because a folder dropped on the window, or Ctrl/Cmd+O
 * anywhere, uses it too.
 */
import type { PreprocessSpec } from '$contract/api';
import { hexToRgb, rgbToHex } from '../lib/format';
import { library } from './library.svelte';

export const SIZE_MIN = 16;
export const SIZE_MAX = 256;

const FALLBACK_SPEC: PreprocessSpec = {
  size: 64,
  channels: 3,
  fit: 'cover',
  background: { r: 255, g: 255, b: 255 },
};

function sameSpec(a: PreprocessSpec, b: PreprocessSpec): boolean {
  return (
    a.size === b.size &&
    a.channels === b.channels &&
    a.fit === b.fit &&
    rgbToHex(a.background) === rgbToHex(b.background)
  );
}

class AddFolderForm {
  path = $state('');
  /** Null while the number field is empty. */
  size = $state<number | null>(FALLBACK_SPEC.size);
  channels = $state<1 | 3>(FALLBACK_SPEC.channels);
  fit = $state<'cover' | 'contain'>(FALLBACK_SPEC.fit);
  background = $state(rgbToHex(FALLBACK_SPEC.background));
  /** Shown after a drop in a browser, which cannot tell where the dropped folder is. */
  dropNote = $state(false);

  defaults = $derived(library.state?.defaultSpec ?? FALLBACK_SPEC);

  sizeError = $derived.by(() => {
    const size = this.size;
    if (size === null || !Number.isFinite(size)) return 'Enter the image size in pixels.';
    if (!Number.isInteger(size)) return 'The size must be a whole number of pixels.';
    if (size < SIZE_MIN || size > SIZE_MAX) {
      return `The size must be between ${SIZE_MIN} and ${SIZE_MAX} pixels.`;
    }
    return null;
  });

  /** The spec the form describes, or null while it is invalid. */
  spec = $derived.by((): PreprocessSpec | null => {
    const background = hexToRgb(this.background);
    if (this.sizeError !== null || this.size === null || !background) return null;
    return { size: this.size, channels: this.channels, fit: this.fit, background };
  });

  /** True when the user changed the model input from the library's default. */
  customised = $derived(this.spec !== null && !sameSpec(this.spec, this.defaults));

  #input: HTMLInputElement | null = null;
  #touched = false;

  /** Takes the library's default spec, unless the user already edited the fields. */
  adoptDefaults(spec: PreprocessSpec): void {
    if (this.#touched) return;
    this.size = spec.size;
    this.channels = spec.channels;
    this.fit = spec.fit;
    this.background = rgbToHex(spec.background);
  }

  touch(): void {
    this.#touched = true;
  }

  resetSpec(): void {
    this.#touched = false;
    this.adoptDefaults(this.defaults);
  }

  registerInput(input: HTMLInputElement | null): void {
    this.#input = input;
  }

  focus(): void {
    this.#input?.focus();
    this.#input?.select();
  }

  /** Adds the folder in the path field (or `folder`) with the form's model input. */
  async submit(folder = this.path.trim()): Promise<void> {
    if (!folder || this.spec === null) return;
    this.path = folder;
    this.dropNote = false;
    // The default spec is not sent: the core applies its own default to a folder added without.
    const added = await library.add(folder, this.customised ? this.spec : undefined);
    if (added && this.path === folder) this.path = '';
  }
}

export const addFolder = new AddFolderForm();
