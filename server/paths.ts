/** Where the lab's folders are, wherever it was cloned. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = path.join(ROOT, 'public');
export const RESULTS_DIR = path.join(ROOT, 'results');
