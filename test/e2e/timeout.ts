// jest 29 ignores testTimeout inside a `projects` entry, so the e2e project sets it here (real pushes are slow).
jest.setTimeout(600_000);
