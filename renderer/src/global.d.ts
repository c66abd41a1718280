import type { ExplorerBridge } from '$contract/client';

declare global {
  interface Window {
    /** The Electron preload bridge; absent when the page is served over HTTP (serve mode). */
    readonly explorer?: ExplorerBridge;
  }
}

export {};
