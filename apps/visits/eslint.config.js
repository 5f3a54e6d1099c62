import { config } from '@stateful-visits/eslint-config';

export default [
  ...config({ tsconfigRootDir: import.meta.dirname }),
  {
    // Every answer an e2e test receives is checked against docs/openapi.json: through the
    // clients of test/e2e/described.ts, never a bare supertest or the harness's plain client.
    files: ['test/e2e/**/*.ts'],
    ignores: ['test/e2e/described.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'supertest',
              message:
                "use api() from './described.js': it checks each answer against the OpenAPI description",
            },
            {
              name: '../harness/http.js',
              message:
                "use apiAt() from './described.js': it checks each answer against the OpenAPI description",
            },
          ],
        },
      ],
    },
  },
];
