import { config } from '@stateful-visits/eslint-config';

export default config({ tsconfigRootDir: import.meta.dirname });
