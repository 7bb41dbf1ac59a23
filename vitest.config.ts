import {configDefaults, defineConfig} from "vitest/config";

// Two projects so that the end-to-end tests' global setup (one `npm run build` for all of them) runs only
// when an end-to-end file is selected: `npx vitest run tests/lib` builds nothing.
const E2E = "tests/e2e/**/*.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
    projects: [
      {extends: true, test: {name: "unit", include: ["tests/**/*.test.ts"], exclude: [...configDefaults.exclude, E2E]}},
      {extends: true, test: {name: "e2e", include: [E2E], globalSetup: ["tests/e2e/global-setup.ts"]}}
    ]
  }
});
