import { mount } from 'svelte';
import App from './App.svelte';
import { errors } from './stores/errors.svelte';
import './styles/app.css';

// Errors outside rendering (event handlers, timers, promises) are not caught by the
// <svelte:boundary> in App.svelte: show them as dismissible notices instead of failing silently.
window.addEventListener('error', (event) =>
  errors.report('unexpected', event.error ?? event.message),
);
window.addEventListener('unhandledrejection', (event) => errors.report('unexpected', event.reason));

const target = document.getElementById('app');
if (!target) throw new Error('Latent Explorer: the page has no #app element.');

mount(App, { target });
