/** The Redactor lives in src/secrets.ts (every command group uses it); re-exported for src/connect. */
export { Redactor } from '../secrets';
