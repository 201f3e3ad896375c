import { version } from '../package.json';

/** The product's version, on its own: `boxagnts --version` loads nothing else (package-info.ts needs zod). */
export const VERSION: string = version;
