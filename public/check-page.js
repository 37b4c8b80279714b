// The /check page: the checker's form and its live table (demos/check.js).
import { mount } from './demos/check.js';

mount(/** @type {HTMLElement} */ (document.getElementById('check')));
